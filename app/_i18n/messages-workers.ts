/**
 * External job workers over the REST API (/api/v1/jobs/…) and the worker client, in English and Vietnamese. Merged into messages.ts (every key exists in both, checked by the type).
 */
export const workersEn = {} as const;

export const workersVi: Record<keyof typeof workersEn, string> = {};
