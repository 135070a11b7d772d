/**
 * A form or a decision table published in one tab is news to the process designer open in
 * another (its pickers, and the variables' types, come from what is published): the form designer
 * and the table editor announce each publish on a same-origin BroadcastChannel, and the process
 * designer listens. Nothing crosses origins or users; where the browser has no BroadcastChannel
 * the designer still reads its catalogs again when its window gains focus.
 */
const CHANNEL = 'trellis-published';

export type Published = { kind: 'form' | 'decision'; key: string };

/** Tells this browser's other tabs that `key` has a new version. */
export function announcePublished(published: Published): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(published);
  channel.close();
}

/** Calls `heard` with each form or table published in another tab; returns the unsubscribe. */
export function onPublished(heard: (published: Published) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const data = event.data as { kind?: unknown; key?: unknown } | null;
    if ((data?.kind === 'form' || data?.kind === 'decision') && typeof data.key === 'string')
      heard({ kind: data.kind, key: data.key });
  };
  return () => channel.close();
}
