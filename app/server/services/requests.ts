/**
 * My requests: the instances the caller started by their own hand, newest first, each with where
 * it is now (the open tasks — who has each, since when — or where it waits, or how it ended;
 * where-now.ts). Only the caller's own, in the active company: the instance's initiator decides
 * (initiator_id, computed from the engine's record), not started_by — for a start by a timer or by
 * a process's message or signal, started_by names whoever published the version, who did not ask
 * for it. Instances a process called for one of them (call activities) carry the same initiator
 * but are not listed on their own: their tasks show as where the request that called them is.
 *
 * Keyset pages of (started_at desc, id desc) (instance-cursor.ts). The index that serves the list
 * is (tenant_id, initiator_id, started_at, id) on process_instances, where parent_id is null.
 */
import { z } from 'zod';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { processDefinitions, processInstances } from '@/db/schema';
import type { Actor } from '../actor';
import { translator } from '../../_i18n/messages';
import { afterCursor, decodeCursor, encodeCursor, newestFirst, startedAtKey } from './instance-cursor';
import { hasOpenIncident, whereNow } from './where-now';

/** Most requests one page shows. */
export const MAX_REQUESTS_PAGE = 100;

export const requestsPageSchema = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MAX_REQUESTS_PAGE).default(25),
});
export type RequestsPageInput = z.input<typeof requestsPageSchema>;

/** One page of the caller's requests and the cursor of the next (null on the last). */
export async function myRequests(db: Executor, actor: Actor, input: RequestsPageInput = {}) {
  const { cursor, limit } = requestsPageSchema.parse(input);
  const after = cursor ? decodeCursor(cursor, translator(actor.locale)) : null;
  const rows = await db
    .select({
      id: processInstances.id,
      businessKey: processInstances.businessKey,
      status: processInstances.status,
      outcome: processInstances.outcome,
      active: sql<string[] | null>`${processInstances.state}->'active'`,
      startedAt: processInstances.startedAt,
      endedAt: processInstances.endedAt,
      definitionId: processInstances.definitionId,
      process: { key: processDefinitions.key, version: processDefinitions.version, name: processDefinitions.name },
      hasIncident: hasOpenIncident,
      key: startedAtKey,
    })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(
      and(
        eq(processInstances.tenantId, actor.tenantId),
        eq(processInstances.initiatorId, actor.userId),
        isNull(processInstances.parentId),
        after ? afterCursor(after) : undefined,
      ),
    )
    .orderBy(...newestFirst)
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const where = await whereNow(db, actor.tenantId, page);
  const last = more ? page.at(-1)! : null;
  return {
    items: page.map(({ key: _key, active: _active, definitionId: _definitionId, ...row }) => ({
      ...row,
      hasIncident: Boolean(row.hasIncident),
      where: where.get(row.id)!,
    })),
    next: last ? encodeCursor({ at: last.key, id: last.id }) : null,
  };
}
