/**
 * A form published in one tab is news to the process designer open in another (its form pickers
 * and the variables' types come from the published forms): the form designer announces each
 * publish on a same-origin BroadcastChannel, and the process designer listens. Nothing crosses
 * origins or users; where the browser has no BroadcastChannel the designer still refreshes when
 * its window gains focus.
 */
const CHANNEL = 'trellis-forms-published';

/** Tells the company's other tabs in this browser that `key` has a new version. */
export function announceFormPublished(key: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ key });
  channel.close();
}

/** Calls `heard` with the key of each form published in another tab; returns the unsubscribe. */
export function onFormPublished(heard: (key: string | null) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const key = (event.data as { key?: unknown } | null)?.key;
    heard(typeof key === 'string' ? key : null);
  };
  return () => channel.close();
}
