/**
 * The keyset of the lists of instances, newest first (My requests, /instances and its export):
 * (started_at desc, id desc). A page continues after its last row's key, carried as an opaque
 * cursor — never by OFFSET, so page 100 costs what page 1 does. The time travels as PostgreSQL
 * wrote it (microseconds, UTC), not as a JavaScript Date (milliseconds), so no row is skipped or
 * repeated between pages.
 */
import { sql, type SQL } from 'drizzle-orm';
import { processInstances } from '@/db/schema';
import { AppError } from '../errors';
import type { Translate } from '../../_i18n/messages';

export interface InstanceCursor {
  /** started_at in UTC with microseconds: 2026-01-05T03:04:05.123456Z */
  at: string;
  id: string;
}

/** SQL: the row's started_at as a cursor carries it. */
export const startedAtKey = sql<string>`to_char(${processInstances.startedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** SQL: the rows after the cursor in the lists' order. */
export function afterCursor(cursor: InstanceCursor): SQL {
  return sql`(${processInstances.startedAt}, ${processInstances.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}

/** SQL: the lists' order. */
export const newestFirst = [sql`${processInstances.startedAt} desc`, sql`${processInstances.id} desc`];

export function encodeCursor(cursor: InstanceCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor's key; a damaged or forged one is a BAD_REQUEST saying to start from the first page. */
export function decodeCursor(cursor: string, t: Translate): InstanceCursor {
  let value: unknown = null;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // refused below
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string' || !AT.test(value[0]) || !UUID.test(value[1])) {
    throw new AppError('BAD_REQUEST', t('runnerErrCursor'));
  }
  return { at: value[0], id: value[1] };
}
