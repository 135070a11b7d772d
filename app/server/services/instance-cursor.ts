/**
 * The keyset of the lists of instances, newest first (My requests, /instances and its export):
 * (started_at desc, id desc), carried as a cursor of cursor.ts — the one encoder every list uses.
 */
import { sql, type SQL } from 'drizzle-orm';
import { processInstances } from '@/db/schema';
import type { Translate } from '../../_i18n/messages';
import { afterKeys, decodeCursor as decodeKeys, encodeCursor as encodeKeys, keyText, type KeyType } from './cursor';

export interface InstanceCursor {
  /** started_at in UTC with microseconds: 2026-01-05T03:04:05.123456Z */
  at: string;
  id: string;
}

const KEYS = [sql`${processInstances.startedAt}`, sql`${processInstances.id}`];
const TYPES: readonly KeyType[] = ['timestamptz', 'uuid'];

/** SQL: the row's started_at as a cursor carries it. */
export const startedAtKey = keyText(KEYS[0]!, 'timestamptz');

/** SQL: the rows after the cursor in the lists' order. */
export function afterCursor(cursor: InstanceCursor): SQL {
  return afterKeys(KEYS, [cursor.at, cursor.id], TYPES, true);
}

/** SQL: the lists' order. */
export const newestFirst = [sql`${processInstances.startedAt} desc`, sql`${processInstances.id} desc`];

export function encodeCursor(cursor: InstanceCursor): string {
  return encodeKeys([cursor.at, cursor.id]);
}

/** The cursor's key; a damaged or forged one is a BAD_REQUEST naming it, saying to start from the first page. */
export function decodeCursor(cursor: string, t: Translate): InstanceCursor {
  const [at, id] = decodeKeys(cursor, TYPES, t);
  return { at: at!, id: id! };
}
