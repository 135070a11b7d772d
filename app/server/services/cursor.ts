/**
 * Keyset cursors, for every list that pages (the inbox, My requests, /instances, a case's
 * comments): a page continues after its last row's sort key, carried to the client as an opaque
 * cursor — never by OFFSET, so page 100 costs what page 1 does.
 *
 * Each key travels as text in one canonical form per type, written by PostgreSQL (keyText) and
 * checked here before it is cast back: a time as UTC with microseconds (not a JavaScript Date,
 * which keeps milliseconds: a row would be skipped or repeated between pages, and not
 * `timestamptz::text`, whose form depends on the session's time zone and DateStyle), a date as
 * YYYY-MM-DD, a uuid in lowercase, an int4 in decimal. In these forms, text order is the database's
 * order (numbers aside), so lists read apart can be merged in JavaScript (compareKeys).
 *
 * A cursor that does not decode to the list's key types — another list's or sort's, a forged or
 * damaged one — is a BAD_REQUEST in the caller's language naming it, never a database error (500).
 * Owns no table and knows no list.
 */
import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '../errors';
import type { Translate } from '../../_i18n/messages';

export type KeyType = 'timestamptz' | 'date' | 'uuid' | 'int4';

/** SQL: the key as a cursor carries it. */
export function keyText(key: SQL, type: KeyType): SQL<string> {
  switch (type) {
    case 'timestamptz':
      return sql<string>`to_char(${key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    case 'date':
      return sql<string>`to_char(${key}, 'YYYY-MM-DD')`;
    case 'uuid':
    case 'int4':
      return sql<string>`(${key})::text`;
  }
}

/** SQL: the rows after the cursor's values in the keys' order (all ascending, or all descending). */
export function afterKeys(keys: SQL[], values: string[], types: readonly KeyType[], descending: boolean): SQL {
  const row = sql`(${sql.join(keys, sql`, `)})`;
  const cursor = sql`(${sql.join(
    values.map((v, i) => sql`${v}::${sql.raw(types[i]!)}`),
    sql`, `,
  )})`;
  return descending ? sql`${row} < ${cursor}` : sql`${row} > ${cursor}`;
}

export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

const TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INT = /^-?\d{1,10}$/;

/** A real calendar day (no 2026-02-30): the form PostgreSQL would refuse with an error. */
function isDay(value: string): boolean {
  const d = new Date(`${value}T00:00:00Z`);
  // Year 0 is no year to PostgreSQL ("date/time field value out of range").
  return !value.startsWith('0000') && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Whether a cursor's value is one of the type's canonical form, and a value PostgreSQL accepts. */
export function isKeyOf(type: KeyType, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  switch (type) {
    case 'timestamptz': {
      const m = TIME.exec(value);
      return m !== null && isDay(m[1]!) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
    }
    case 'date':
      return DATE.test(value) && isDay(value);
    case 'uuid':
      return UUID.test(value);
    case 'int4':
      return INT.test(value) && Math.abs(Number(value)) <= 2_147_483_647;
  }
}

/** The cursor as the reader sees it in a message: short, and only its own characters (base64url). */
function shown(cursor: string): string {
  const safe = cursor.replace(/[^A-Za-z0-9_-]/g, '?');
  return safe.length > 24 ? `${safe.slice(0, 24)}…` : safe;
}

/**
 * The values of a cursor, each checked against its key type; anything else is a BAD_REQUEST
 * naming the cursor (errCursor: start again from the first page).
 */
export function decodeCursor(cursor: string, types: readonly KeyType[], t: Translate): string[] {
  let values: unknown = null;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // refused below
  }
  if (!Array.isArray(values) || values.length !== types.length || !values.every((v, i) => isKeyOf(types[i]!, v))) {
    throw new AppError('BAD_REQUEST', t('errCursor', { cursor: shown(cursor) }), [
      { field: 'cursor', label: 'cursor', message: t('errCursor', { cursor: shown(cursor) }) },
    ]);
  }
  return values as string[];
}

/** Compares two keys as PostgreSQL orders them (their canonical texts: numbers as numbers, the rest as text). */
export function compareKeys(a: readonly string[], b: readonly string[], types: readonly KeyType[]): number {
  for (let i = 0; i < types.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const c = types[i] === 'int4' ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}
