/**
 * The audit trail's hash chain. Each process instance's events form a chain — an event's hash
 * covers the previous event's hash and the event's own content — and the instance row keeps the
 * newest hash (`audit_head`), so an edited, deleted or slipped-in event, or a cut-off tail, shows
 * when the chain is verified.
 *
 * Owns how audit rows are written (appendAudit: the only writer) and checked (verifyAudit). It
 * never updates or deletes an audit row; the database refuses that anyway.
 *
 * What is hashed is what can be recomputed from the stored row: ids as PostgreSQL prints them
 * (lowercase), `data` as it reads back from jsonb (JSON round trip, keys sorted recursively:
 * jsonb reorders keys), and `at` at millisecond precision as an ISO string — set here, truncated
 * to milliseconds, because PostgreSQL keeps microseconds and a JS Date only milliseconds.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, gt, inArray, is, isNotNull, sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Executor } from '@/db/client';
import { auditEvents, processInstances, tenants } from '@/db/schema';

export type AuditInsert = typeof auditEvents.$inferInsert;

/** The database clock in milliseconds since the epoch (SQL): what audit rows are stamped with, read along with a command's read. */
export const NOW_MS = `(extract(epoch from date_trunc('milliseconds', now())) * 1000)::bigint`;

/** The stored fields an event's hash covers. */
export interface HashedEvent {
  tenantId: string;
  instanceId: string | null;
  taskId: string | null;
  actorId: string | null;
  type: string;
  elementId: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export type AuditProblemKind = 'edited' | 'deleted' | 'tail-deleted' | 'unchained';

export interface AuditProblem {
  instanceId: string;
  /**
   * Where the problem shows: the edited or unchained event; for `deleted`, the event after the
   * gap; for `tail-deleted`, the newest surviving event (absent when none survive).
   */
  eventId?: number;
  kind: AuditProblemKind;
  message: string;
}

export interface AuditVerification {
  /** Process instances checked (with or without events). */
  instances: number;
  /** Events of those instances checked, legacy ones included. */
  events: number;
  /** Instances whose events were all written before hash chaining: not checkable, not a problem. */
  legacy: { instances: number; events: number };
  problems: AuditProblem[];
}

/** sha256 (hex) of the previous event's hash (empty for an instance's first event), a newline and the event's canonical JSON. */
export function auditHash(prevHash: string | null, event: HashedEvent): string {
  const content = {
    tenantId: event.tenantId,
    instanceId: event.instanceId,
    taskId: event.taskId,
    actorId: event.actorId,
    type: event.type,
    elementId: event.elementId,
    data: event.data,
    at: event.at.toISOString(),
  };
  return createHash('sha256')
    .update(`${prevHash ?? ''}\n${stableJson(content)}`)
    .digest('hex');
}

/**
 * JSON with object keys sorted (code-unit order) at every depth: the same value always gives the
 * same text. The text is JSON.stringify's in every other respect (toJSON, undefined members
 * dropped, undefined array items and non-finite numbers as null), written in one pass: it is on
 * every command's path (each audit row is hashed).
 */
export function stableJson(value: unknown): string {
  return stableText(value, '') ?? 'null';
}

function stableText(input: unknown, key: string): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify does
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof Number || value instanceof String || value instanceof Boolean) return JSON.stringify(value);
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) items.push(stableText(value[i], String(i)) ?? 'null');
        return `[${items.join(',')}]`;
      }
      const object = value as Record<string, unknown>;
      const members: string[] = [];
      for (const k of Object.keys(object).sort()) {
        const text = stableText(object[k], k);
        if (text !== undefined) members.push(`${JSON.stringify(k)}:${text}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return undefined; // undefined, functions, symbols
  }
}

/** What jsonb gives back for a value: undefined keys dropped, dates as strings, … */
function asStored(data: Record<string, unknown> | undefined): Record<string, unknown> {
  if (data === undefined) return {};
  // Most events' data is JSON already (strings, finite numbers, booleans, null, plain objects and
  // arrays, no undefined): then it is stored as it is, without a round trip through text.
  return isJsonAsIs(data, 0) ? data : (JSON.parse(JSON.stringify(data)) as Record<string, unknown>);
}

/** True when JSON.stringify then JSON.parse would give back an equal value (checked to a depth of 32, else false). */
function isJsonAsIs(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > 32) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonAsIs(value[i], depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return false;
      if ('toJSON' in value) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) return false;
        if (!isJsonAsIs((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const lower = (id: string | null | undefined) => (id ? id.toLowerCase() : null);

/**
 * Appends audit rows, inside the caller's transaction (given the database, it opens one). Rows of an instance are chained to its
 * audit_head: the instance rows are locked first (SELECT … FOR UPDATE, in id order), so
 * concurrent commands on one instance queue up and its chain never forks. Rows without an
 * instance are written unchained. Two round trips whatever the number of rows: the lock (which
 * also reads the database clock), then one statement inserting every row and moving the heads —
 * and running what `alongside` adds for the rows (the host enqueues webhook deliveries so).
 *
 * `at` is the row's own `at` when given (a Date: milliseconds), else the transaction's start
 * time on the database clock — the `now()` every other row of the command gets — truncated to
 * milliseconds. Events are chained in the order given.
 */
export async function appendAudit(tx: Executor, rows: AuditInsert[], alongside?: Alongside): Promise<void> {
  if (rows.length === 0) return;
  // Outside a transaction the lock would end with its statement, before the insert.
  if (!is(tx, PgTransaction)) return tx.transaction((inner) => appendAudit(inner, rows, alongside));
  const instanceIds = [...new Set(rows.flatMap((r) => (r.instanceId ? [r.instanceId.toLowerCase()] : [])))].sort();
  const heads = new Map<string, AuditChain>();
  let now: Date | undefined;
  if (instanceIds.length > 0) {
    const locked = await tx
      .select({
        id: processInstances.id,
        tenantId: processInstances.tenantId,
        auditHead: processInstances.auditHead,
        nowMs: sql<string | number>`${sql.raw(NOW_MS)}`,
      })
      .from(processInstances)
      .where(inArray(processInstances.id, instanceIds))
      .orderBy(asc(processInstances.id))
      .for('update');
    for (const row of locked) heads.set(row.id, { instanceId: row.id, tenantId: row.tenantId, head: row.auditHead });
    now = new Date(Number(locked[0]?.nowMs));
  }

  const values = rows.map((row): AuditInsert => {
    const instanceId = lower(row.instanceId);
    if (!instanceId) return { ...row, id: undefined, prevHash: null, hash: null };
    const chain = heads.get(instanceId);
    if (!chain)
      throw new Error(`Audit event "${row.type}" names process instance "${instanceId}", which does not exist.`);
    return chainEvent(chain, row, now!);
  });

  if (instanceIds.length === 0) {
    await tx.insert(auditEvents).values(values);
    return;
  }
  // Moving the heads rides along with the INSERT as a data-modifying CTE: one round trip.
  const moved = sql.join(
    instanceIds.map((id) => sql`(${id}::uuid, ${heads.get(id)!.head}::text)`),
    sql`, `,
  );
  const moveHeads = tx
    .$with('audit_heads_moved', {})
    .as(
      sql`update ${processInstances} set audit_head = v.head from (values ${moved}) as v(id, head) where ${processInstances.id} = v.id`,
    );
  // So does what the caller adds for the rows as written (the host: webhook deliveries, write.ts).
  const extra = alongside?.(values.flatMap((v) => (v.hash && v.at ? [{ ...v, at: v.at } as ChainedEvent] : [])));
  const ctes = extra ? [moveHeads, tx.$with('audit_alongside', {}).as(extra)] : [moveHeads];
  await tx
    .with(...ctes)
    .insert(auditEvents)
    .values(values);
}

/** An audit row as written to an instance's chain: its time set. */
export type ChainedEvent = AuditInsert & { at: Date };

/**
 * A statement to run alongside the insert of chained rows, as a data-modifying CTE of it (null:
 * none): the rows' consequences commit or roll back with them, at no extra round trip.
 */
export type Alongside = (rows: ChainedEvent[]) => SQL | null;

/** An instance's chain while events are appended to it: `head` moves with each event. */
export interface AuditChain {
  instanceId: string;
  tenantId: string;
  head: string | null;
}

/**
 * Hashes one event of `chain`'s instance onto it and moves the head: the row as stored, with its
 * previous and own hash. `at` is the row's own, else `now` (milliseconds: see the top of this file).
 */
export function chainEvent(
  chain: AuditChain,
  row: AuditInsert,
  now: Date,
): AuditInsert & HashedEvent & { prevHash: string | null; hash: string } {
  const instanceId = chain.instanceId.toLowerCase();
  const tenantId = row.tenantId.toLowerCase();
  if (chain.tenantId.toLowerCase() !== tenantId)
    throw new Error(
      `Audit event "${row.type}" names tenant "${tenantId}", but process instance "${instanceId}" belongs to tenant "${chain.tenantId}".`,
    );
  const at = row.at ?? now;
  if (Number.isNaN(at.getTime()))
    throw new Error(`Audit event "${row.type}" of process instance "${instanceId}" has an invalid time.`);
  const event: HashedEvent = {
    tenantId,
    instanceId,
    taskId: lower(row.taskId),
    actorId: lower(row.actorId),
    type: row.type,
    elementId: row.elementId ?? null,
    data: asStored(row.data),
    at,
  };
  const prevHash = chain.head;
  chain.head = auditHash(prevHash, event);
  return { ...event, prevHash, hash: chain.head };
}

/** An event as verification reads it. */
export type StoredEvent = HashedEvent & { id: number; prevHash: string | null; hash: string | null };

/** Rows read per query while verifying. */
const PAGE_SIZE = 2_000;

/**
 * Walks every instance's events in id order (of one tenant, or all), recomputes each chain and
 * reports what does not add up. Reads in pages, holding one instance's events at a time, all in
 * one read-only REPEATABLE READ transaction: one snapshot, so commands appending meanwhile do not
 * show as problems. (On PGlite, whose one connection is shared, that blocks other commands while
 * it runs.) Given a transaction, it runs within it, at that transaction's isolation.
 */
export async function verifyAudit(
  db: Executor,
  options: { tenantId?: string; pageSize?: number } = {},
): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  return db.transaction(
    async (tx) => {
      const result: AuditVerification = { instances: 0, events: 0, legacy: { instances: 0, events: 0 }, problems: [] };
      const tenantIds = options.tenantId
        ? [options.tenantId.toLowerCase()]
        : (await tx.select({ id: tenants.id }).from(tenants).orderBy(asc(tenants.id))).map((t) => t.id);
      for (const tenantId of tenantIds) await verifyTenant(tx, tenantId, pageSize, result);
      return result;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function verifyTenant(
  db: Executor,
  tenantId: string,
  pageSize: number,
  result: AuditVerification,
): Promise<void> {
  // Two cursors in the same order (instance id, then event id), merged: uuid order in PostgreSQL
  // is byte order, which is the order of their lowercase text.
  const instances = cursor(pageSize, async (after: { id: string } | undefined) =>
    db
      .select({ id: processInstances.id, auditHead: processInstances.auditHead })
      .from(processInstances)
      .where(and(eq(processInstances.tenantId, tenantId), after ? gt(processInstances.id, after.id) : undefined))
      .orderBy(asc(processInstances.id))
      .limit(pageSize),
  );
  const events = cursor(pageSize, async (after: StoredEvent | undefined) =>
    db
      .select({
        id: auditEvents.id,
        tenantId: auditEvents.tenantId,
        instanceId: auditEvents.instanceId,
        taskId: auditEvents.taskId,
        actorId: auditEvents.actorId,
        type: auditEvents.type,
        elementId: auditEvents.elementId,
        data: auditEvents.data,
        at: auditEvents.at,
        prevHash: auditEvents.prevHash,
        hash: auditEvents.hash,
      })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.tenantId, tenantId),
          isNotNull(auditEvents.instanceId),
          // The whole index key (tenant_id, instance_id, id), so the index serves each page.
          after
            ? sql`(${auditEvents.tenantId}, ${auditEvents.instanceId}, ${auditEvents.id}) > (${tenantId}::uuid, ${after.instanceId}::uuid, ${after.id})`
            : undefined,
        ),
      )
      .orderBy(asc(auditEvents.instanceId), asc(auditEvents.id))
      .limit(pageSize),
  );

  for (let instance = await instances.next(); instance; instance = await instances.next()) {
    // Events of an instance that sorts before this one belong to no instance of this tenant.
    for (let e = await events.peek(); e && e.instanceId! < instance.id; e = await events.peek()) {
      await events.next();
      result.events++;
      result.problems.push({
        instanceId: e.instanceId!,
        eventId: e.id,
        kind: 'unchained',
        message: `Event ${e.id} (${e.type}) of tenant ${tenantId} names instance ${e.instanceId}, which belongs to another tenant.`,
      });
    }
    const own: StoredEvent[] = [];
    for (let e = await events.peek(); e && e.instanceId === instance.id; e = await events.peek())
      own.push((await events.next())!);
    result.instances++;
    result.events += own.length;
    const checked = checkChain(instance.id, instance.auditHead, own);
    if (checked.legacy) {
      result.legacy.instances++;
      result.legacy.events += own.length;
    }
    result.problems.push(...checked.problems);
  }
  for (let e = await events.next(); e; e = await events.next()) {
    result.events++;
    result.problems.push({
      instanceId: e.instanceId!,
      eventId: e.id,
      kind: 'unchained',
      message: `Event ${e.id} (${e.type}) of tenant ${tenantId} names instance ${e.instanceId}, which belongs to another tenant.`,
    });
  }
}

/** Keyset pagination as a peekable stream. */
function cursor<T>(pageSize: number, fetchAfter: (last: T | undefined) => Promise<T[]>) {
  let page: T[] = [];
  let index = 0;
  let last: T | undefined;
  let done = false;
  const peek = async (): Promise<T | undefined> => {
    if (index >= page.length && !done) {
      page = await fetchAfter(last);
      index = 0;
      if (page.length < pageSize) done = true;
    }
    return page[index];
  };
  const next = async (): Promise<T | undefined> => {
    const item = await peek();
    if (item !== undefined) {
      index++;
      last = item;
    }
    return item;
  };
  return { peek, next };
}

/** Checks one instance's chain: its events in id order and its audit_head. Pure. */
export function checkChain(
  instanceId: string,
  auditHead: string | null,
  events: StoredEvent[],
): { legacy: boolean; problems: AuditProblem[] } {
  const problems: AuditProblem[] = [];
  const problem = (kind: AuditProblemKind, message: string, eventId?: number) =>
    problems.push({ instanceId, ...(eventId === undefined ? {} : { eventId }), kind, message });
  const chained = events.filter((e) => e.hash !== null);
  if (chained.length === 0) {
    if (auditHead !== null) {
      problem(
        'tail-deleted',
        events.length === 0
          ? `Instance ${instanceId} has no audit events, but its audit_head is ${short(auditHead)}: its events were deleted.`
          : `Instance ${instanceId} has only unhashed events, but its audit_head is ${short(auditHead)}: its chained events were deleted.`,
        events.at(-1)?.id,
      );
    }
    return { legacy: events.length > 0 && auditHead === null, problems };
  }

  const firstChained = chained[0]!.id;
  /** Hash → id of the event that has it. */
  const seen = new Map<string, number>();
  let expected: string | null = null;
  let previous: StoredEvent | undefined;
  for (const e of events) {
    if (e.hash === null) {
      problem(
        'unchained',
        e.id < firstChained
          ? `Event ${e.id} (${e.type}) has no hash, while later events of instance ${instanceId} are chained: it was written before hash chaining (the instance ran across the upgrade) or outside appendAudit.`
          : `Event ${e.id} (${e.type}) has no hash in the chained history of instance ${instanceId}: it was written outside appendAudit.`,
        e.id,
      );
      continue;
    }
    if (auditHash(e.prevHash, e) !== e.hash)
      problem(
        'edited',
        `Event ${e.id} (${e.type}) of instance ${instanceId} was changed after it was written: its content no longer matches its hash.`,
        e.id,
      );
    if (e.prevHash !== expected) {
      const linked = e.prevHash === null ? undefined : seen.get(e.prevHash);
      if (e.prevHash === null) {
        problem(
          'unchained',
          `Event ${e.id} (${e.type}) starts a second chain for instance ${instanceId} (no previous hash, but event ${previous?.id} precedes it): it was inserted out of chain.`,
          e.id,
        );
      } else if (linked !== undefined) {
        problem(
          'unchained',
          `Event ${e.id} (${e.type}) links to event ${linked}, not to the event before it (${previous?.id}): it was inserted out of chain.`,
          e.id,
        );
      } else {
        problem(
          'deleted',
          previous
            ? `Event ${e.id} (${e.type}) does not link to event ${previous.id} before it: the event(s) between them were deleted (or event ${previous.id}'s hash rewritten).`
            : `Event ${e.id} (${e.type}), the first of instance ${instanceId}, links to a hash no event has: the event(s) before it were deleted.`,
          e.id,
        );
      }
    }
    seen.set(e.hash, e.id);
    expected = e.hash;
    previous = e;
  }
  if (auditHead !== expected) {
    const newest = previous!;
    const headAt = auditHead === null ? undefined : seen.get(auditHead);
    if (auditHead === null) {
      problem(
        'unchained',
        `Instance ${instanceId} has chained events but no audit_head: the events were written outside appendAudit, or the head was cleared.`,
        newest.id,
      );
    } else if (headAt !== undefined) {
      // Already reported when that event itself is out of chain (a fork off an earlier event).
      const after = events.find((e) => e.id > headAt && e.hash !== null)!;
      if (!problems.some((p) => p.eventId === after.id))
        problem(
          'unchained',
          `Instance ${instanceId}'s audit_head is event ${headAt}'s hash, but event ${after.id} (${after.type}) and later follow it: they were appended outside appendAudit.`,
          after.id,
        );
    } else {
      problem(
        'tail-deleted',
        `Instance ${instanceId}'s audit_head ${short(auditHead)} matches no event: the newest event(s) after event ${newest.id} were deleted.`,
        newest.id,
      );
    }
  }
  return { legacy: false, problems };
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;
