/** Calls one tRPC request may batch: the server refuses more (400), the browser's client never sends more. */
export const MAX_BATCH_SIZE = 20;
