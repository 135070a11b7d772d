/** Seconds until a job's next try after `attempts` failed ones: 1, 2, 4, … at most an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3_600, 2 ** Math.max(0, attempts - 1));
}
