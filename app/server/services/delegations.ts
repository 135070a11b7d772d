/**
 * Out of office: a user delegates their tasks to a colleague of the same company for a time range.
 * During [startsAt, endsAt) the delegate's inbox also shows the tasks ASSIGNED to the delegator,
 * and the delegate may complete them; the audit row records both (actor = delegate, data.onBehalfOf
 * = delegator) and the four-eyes rule applies to both. Department tasks are not passed on, and
 * a department (or manager) task the delegator claimed passes on only to a delegate who is a
 * candidate of it themselves (see tasks.ts). Users manage their own delegations; admins see and revoke all of their company's.
 */
import { and, desc, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '@/db/client';
import { delegations, memberships, users } from '@/db/schema';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { appendAudit } from './audit';
import { dbNow } from '../host/effects';

export interface DelegationInput {
  delegateId: string;
  startsAt: Date;
  endsAt: Date;
  reason?: string;
}

/** Longest delegation: a year (a standing deputy is a department membership, not a delegation). */
const MAX_DAYS = 366;

const delegator = alias(users, 'delegator');
const delegate = alias(users, 'delegate');

/** Creates a delegation of the actor's tasks. The same delegation sent again (a retry) returns the existing one. */
export async function createDelegation(db: Executor, actor: Actor, input: DelegationInput) {
  const field = (name: string, message: string) => [{ field: name, label: name, message }];
  if (input.delegateId === actor.userId)
    throw new AppError(
      'BAD_REQUEST',
      'You cannot delegate your tasks to yourself; choose a colleague.',
      field('delegateId', 'choose a colleague'),
    );
  if (!(input.endsAt.getTime() > input.startsAt.getTime()))
    throw new AppError(
      'BAD_REQUEST',
      'The delegation must end after it starts.',
      field('endsAt', 'must be after the start'),
    );
  if (input.endsAt.getTime() - input.startsAt.getTime() > MAX_DAYS * 86_400_000)
    throw new AppError(
      'BAD_REQUEST',
      `A delegation lasts at most ${MAX_DAYS} days.`,
      field('endsAt', `at most ${MAX_DAYS} days after the start`),
    );
  return db.transaction(async (tx) => {
    if (input.endsAt.getTime() <= new Date(await dbNow(tx)).getTime())
      throw new AppError(
        'BAD_REQUEST',
        'The delegation would already be over; choose an end in the future.',
        field('endsAt', 'must be in the future'),
      );
    const [colleague] = await tx
      .select({ id: users.id, name: users.displayName, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, input.delegateId)));
    // Another company's user (or nobody) looks the same: not found, nothing about them.
    if (!colleague)
      throw new AppError(
        'NOT_FOUND',
        `User "${input.delegateId}" was not found in this company.`,
        field('delegateId', 'not a member of this company'),
      );
    if (colleague.role === 'auditor')
      throw new AppError(
        'BAD_REQUEST',
        `${colleague.name} is an auditor (read-only) and cannot work tasks.`,
        field('delegateId', 'auditors cannot work tasks'),
      );
    const [existing] = await tx
      .select({ id: delegations.id })
      .from(delegations)
      .where(
        and(
          eq(delegations.tenantId, actor.tenantId),
          eq(delegations.delegatorId, actor.userId),
          eq(delegations.delegateId, colleague.id),
          eq(delegations.startsAt, input.startsAt),
          eq(delegations.endsAt, input.endsAt),
          isNull(delegations.revokedAt),
        ),
      );
    if (existing) return { id: existing.id, created: false };
    const [row] = await tx
      .insert(delegations)
      .values({
        tenantId: actor.tenantId,
        delegatorId: actor.userId,
        delegateId: colleague.id,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        reason: input.reason?.trim() || null,
        createdBy: actor.userId,
      })
      .returning({ id: delegations.id });
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'delegation.created',
        data: {
          delegationId: row!.id,
          delegatorId: actor.userId,
          delegateId: colleague.id,
          delegateName: colleague.name,
          startsAt: input.startsAt.toISOString(),
          endsAt: input.endsAt.toISOString(),
        },
      },
    ]);
    return { id: row!.id, created: true };
  });
}

/** The actor's delegations (given and received); an admin's: all of the company's. Newest first. */
export async function listDelegations(db: Executor, actor: Actor) {
  const mine =
    actor.role === 'admin'
      ? undefined
      : or(eq(delegations.delegatorId, actor.userId), eq(delegations.delegateId, actor.userId));
  const rows = await db
    .select({
      id: delegations.id,
      delegatorId: delegations.delegatorId,
      delegatorName: delegator.displayName,
      delegateId: delegations.delegateId,
      delegateName: delegate.displayName,
      startsAt: delegations.startsAt,
      endsAt: delegations.endsAt,
      reason: delegations.reason,
      createdAt: delegations.createdAt,
      revokedAt: delegations.revokedAt,
      status: sql<
        'revoked' | 'upcoming' | 'active' | 'ended'
      >`case when ${delegations.revokedAt} is not null then 'revoked' when ${delegations.startsAt} > now() then 'upcoming' when ${delegations.endsAt} > now() then 'active' else 'ended' end`,
    })
    .from(delegations)
    .innerJoin(delegator, eq(delegator.id, delegations.delegatorId))
    .innerJoin(delegate, eq(delegate.id, delegations.delegateId))
    .where(and(eq(delegations.tenantId, actor.tenantId), mine))
    .orderBy(desc(delegations.createdAt))
    .limit(200);
  return rows.map((r) => ({
    ...r,
    mayRevoke:
      r.revokedAt === null && r.status !== 'ended' && (r.delegatorId === actor.userId || actor.role === 'admin'),
  }));
}

/** Ends a delegation now: its delegator, or an admin. Revoking a revoked one changes nothing (retries). */
export async function revokeDelegation(db: Executor, actor: Actor, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(delegations)
      .where(and(eq(delegations.tenantId, actor.tenantId), eq(delegations.id, id)))
      .for('update');
    // Someone else's delegation looks like a missing one to a non-admin.
    if (!row || (row.delegatorId !== actor.userId && actor.role !== 'admin'))
      throw new AppError('NOT_FOUND', `Delegation "${id}" was not found.`);
    if (row.revokedAt) return { id, revoked: false };
    await tx
      .update(delegations)
      .set({ revokedAt: sql`now()`, revokedBy: actor.userId })
      .where(eq(delegations.id, id));
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'delegation.revoked',
        data: { delegationId: id, delegatorId: row.delegatorId, delegateId: row.delegateId },
      },
    ]);
    return { id, revoked: true };
  });
}

/**
 * A member leaves the company (members.removeMember, in its transaction): every delegation from or
 * to them there that has not ended is revoked, each audited as `delegation.revoked` naming them
 * (`memberRemoved`). Returns the ids revoked.
 */
export async function revokeDelegationsOfRemovedMember(tx: Executor, actor: Actor, userId: string): Promise<string[]> {
  const revoked = await tx
    .update(delegations)
    .set({ revokedAt: sql`now()`, revokedBy: actor.userId })
    .where(
      and(
        eq(delegations.tenantId, actor.tenantId),
        or(eq(delegations.delegatorId, userId), eq(delegations.delegateId, userId)),
        isNull(delegations.revokedAt),
        sql`${delegations.endsAt} > now()`,
      ),
    )
    .returning({ id: delegations.id, delegatorId: delegations.delegatorId, delegateId: delegations.delegateId });
  revoked.sort((a, b) => a.id.localeCompare(b.id));
  if (revoked.length) {
    await appendAudit(
      tx,
      revoked.map((r) => ({
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'delegation.revoked',
        data: { delegationId: r.id, delegatorId: r.delegatorId, delegateId: r.delegateId, memberRemoved: userId },
      })),
    );
  }
  return revoked.map((r) => r.id);
}

/** Colleagues the actor may delegate to: members of the company who work tasks, but the actor. */
export async function delegationColleagues(db: Executor, actor: Actor) {
  return db
    .select({ id: users.id, name: users.displayName, title: memberships.title })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, actor.tenantId),
        ne(memberships.userId, actor.userId),
        ne(memberships.role, 'auditor'),
      ),
    )
    .orderBy(users.displayName);
}
