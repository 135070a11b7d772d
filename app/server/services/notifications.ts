/**
 * The bell and its e-mail: a person learns that a task was assigned to them (by the process, or
 * reassigned by an admin: never when they claimed it themselves), that a colleague @mentioned them
 * in a comment, that a task of theirs is due tomorrow, or overdue. Each is one row keyed so that it
 * happens once (a retried command, a second sweep or a second worker add nothing). Per kind, each
 * person chooses the bell and the e-mail (memberships.notification_prefs; both on by default).
 *
 * E-mail goes through the outbox (system-mail.ts) by a sweep the worker runs: commands write only
 * the notification row (the one-statement step too), never wait for mail. The bell needs nothing
 * but the database; only the e-mail needs the app's address (its link). Nobody who has left the
 * company is notified or e-mailed.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { localize } from '@/engine';
import type { Executor } from '@/db/client';
import {
  memberships,
  notificationKinds,
  notifications,
  tasks,
  users,
  type NotificationKind,
  type NotificationPrefs,
} from '@/db/schema';
import type { Actor } from '../actor';
import { translator, type Locale } from '../../_i18n/messages';
import { addDays, todayIn } from './calendar';
import { queueSystemEmail } from './system-mail';

type NotificationRow = typeof notifications.$inferInsert;

/** Adds notifications; one that already happened (same person and key) is not added again. */
export async function notify(db: Executor, rows: NotificationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(notifications)
    .values(rows)
    .onConflictDoNothing({ target: [notifications.tenantId, notifications.userId, notifications.key] });
}

/** The kinds the person turned off in the app (the bell leaves them out). */
function offInApp(prefs: NotificationPrefs): NotificationKind[] {
  return notificationKinds.filter((k) => prefs[k]?.app === false);
}

/** Most notifications the bell shows. */
export const BELL_SIZE = 30;

/** The caller's newest notifications (of the kinds they keep in the app) and how many are unread. */
export async function listNotifications(db: Executor, actor: Actor) {
  const prefs = await preferencesOf(db, actor);
  const off = offInApp(prefs);
  const mine = and(
    eq(notifications.tenantId, actor.tenantId),
    eq(notifications.userId, actor.userId),
    off.length > 0 ? sql`${notifications.kind} not in ${off}` : undefined,
  );
  const [items, [unread]] = await Promise.all([
    db
      .select({
        id: notifications.id,
        kind: notifications.kind,
        taskId: notifications.taskId,
        instanceId: notifications.instanceId,
        data: notifications.data,
        createdAt: notifications.createdAt,
        readAt: notifications.readAt,
        actor: users.displayName,
      })
      .from(notifications)
      .leftJoin(users, eq(users.id, notifications.actorId))
      .where(mine)
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(BELL_SIZE),
    db
      .select({ n: sql<number>`count(*)::int4` })
      .from(notifications)
      .where(and(mine, isNull(notifications.readAt))),
  ]);
  return { items, unread: Number(unread?.n ?? 0) };
}

/** How many of the caller's notifications (of the kinds they keep in the app) are unread: the bell's number. */
export async function unreadCount(db: Executor, actor: Actor): Promise<number> {
  const off = offInApp(await preferencesOf(db, actor));
  const [row] = await db
    .select({ n: sql<number>`count(*)::int4` })
    .from(notifications)
    .where(
      and(
        eq(notifications.tenantId, actor.tenantId),
        eq(notifications.userId, actor.userId),
        isNull(notifications.readAt),
        off.length > 0 ? sql`${notifications.kind} not in ${off}` : undefined,
      ),
    );
  return Number(row?.n ?? 0);
}

/** Marks the caller's notifications read: the ones given, or all. */
export async function markRead(db: Executor, actor: Actor, ids: string[] | 'all') {
  await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(
        eq(notifications.tenantId, actor.tenantId),
        eq(notifications.userId, actor.userId),
        isNull(notifications.readAt),
        ids === 'all'
          ? undefined
          : inArray(notifications.id, ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000']),
      ),
    );
  return { ok: true };
}

export async function preferencesOf(db: Executor, actor: Actor): Promise<NotificationPrefs> {
  const [row] = await db
    .select({ prefs: memberships.notificationPrefs })
    .from(memberships)
    .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, actor.userId)));
  return row?.prefs ?? {};
}

/** Every kind with its two switches (defaults filled in), for the settings form. */
export async function notificationSettings(db: Executor, actor: Actor) {
  const prefs = await preferencesOf(db, actor);
  return notificationKinds.map((kind) => ({
    kind,
    app: prefs[kind]?.app !== false,
    email: prefs[kind]?.email !== false,
  }));
}

export async function setNotificationSettings(
  db: Executor,
  actor: Actor,
  settings: { kind: NotificationKind; app: boolean; email: boolean }[],
) {
  const prefs: NotificationPrefs = {};
  for (const s of settings) prefs[s.kind] = { app: s.app, email: s.email };
  await db
    .update(memberships)
    .set({ notificationPrefs: prefs })
    .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, actor.userId)));
  return notificationSettings(db, actor);
}

/** How many days late an overdue notice still comes when no worker ran on the day after the due date. */
export const OVERDUE_CATCH_UP_DAYS = 7;

/**
 * Notifies the assignees (members of the task's company) of their open tasks due tomorrow, and of
 * those that became overdue — once, from the day after their due date (up to OVERDUE_CATCH_UP_DAYS
 * later, should no worker have run that day): a task weeks overdue is not announced again each day,
 * nor all at once the first time the sweep runs. Once per task, person and kind (the key), so any
 * number of passes and workers add nothing more. Set-based, for every company at once, through
 * tasks_due_notice_idx (a range of eight due dates). Returns how many were added.
 */
export async function notifyDueTasks(db: Executor, now = new Date()): Promise<number> {
  const today = todayIn(now);
  const [weekAgo, yesterday, tomorrow] = [
    addDays(today, -OVERDUE_CATCH_UP_DAYS),
    addDays(today, -1),
    addDays(today, 1),
  ];
  const result = await db.execute(sql`
    insert into ${notifications} (tenant_id, user_id, kind, key, task_id, instance_id, data)
    select t.tenant_id, t.assignee_id, k.kind, k.kind || ':' || t.id::text, t.id, t.instance_id, jsonb_build_object('task', t.name, 'dueDate', t.due_date)
    from ${tasks} t
    join ${memberships} m on m.tenant_id = t.tenant_id and m.user_id = t.assignee_id
    cross join lateral (select case when t.due_date <= ${yesterday}::date then 'overdue' else 'due-tomorrow' end as kind) k
    where t.status = 'open' and t.assignee_id is not null
      and (t.due_date between ${weekAgo}::date and ${yesterday}::date or t.due_date = ${tomorrow}::date)
    on conflict (tenant_id, user_id, key) do nothing
    returning id`);
  return Array.isArray(result) ? result.length : ((result as { rows?: unknown[] }).rows?.length ?? 0);
}

/** The words of one notification, in the reader's language (the bell and the e-mail say the same). */
export function notificationText(
  locale: Locale,
  n: { kind: NotificationKind; data: Record<string, unknown>; actor?: string | null },
): string {
  const t = translator(locale);
  const task = localize((n.data.task ?? undefined) as never, locale) ?? t('notifySomeTask');
  switch (n.kind) {
    case 'assigned':
      return n.actor ? t('notifyAssignedBy', { task, name: n.actor }) : t('notifyAssigned', { task });
    case 'mentioned':
      return t('notifyMentioned', { name: n.actor ?? '—', task, excerpt: String(n.data.excerpt ?? '') });
    case 'due-tomorrow':
      return t('notifyDueTomorrow', { task });
    case 'overdue':
      return t('notifyOverdue', { task });
  }
}

/**
 * Queues the e-mail of notifications not handled yet (oldest first, at most `batch`), each in its
 * reader's language with a link to the task (`appUrl`: the app's public origin), unless the reader
 * turned that kind's e-mail off or is no longer a member of the company (then it is only marked);
 * marks each handled in the same transaction, so none is mailed twice. Returns how many were queued.
 */
export async function sweepNotificationEmails(db: Executor, appUrl: string, batch = 50): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: notifications.id,
        tenantId: notifications.tenantId,
        kind: notifications.kind,
        data: notifications.data,
        taskId: notifications.taskId,
        instanceId: notifications.instanceId,
        actorId: notifications.actorId,
        email: users.email,
        name: users.displayName,
        locale: users.locale,
        member: memberships.userId,
        prefs: memberships.notificationPrefs,
      })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      // Left: a notification of someone who left is handled (marked, not mailed) rather than left pending for ever.
      .leftJoin(
        memberships,
        and(eq(memberships.tenantId, notifications.tenantId), eq(memberships.userId, notifications.userId)),
      )
      .where(isNull(notifications.emailedAt))
      .orderBy(notifications.createdAt)
      .limit(batch)
      .for('update', { of: notifications, skipLocked: true });
    let queued = 0;
    for (const row of rows) {
      if (row.member === null || row.prefs?.[row.kind]?.email === false) continue;
      const locale: Locale = row.locale === 'en' ? 'en' : 'vi';
      const actor = row.actorId
        ? ((await tx.select({ name: users.displayName }).from(users).where(eq(users.id, row.actorId)))[0]?.name ?? null)
        : null;
      const text = notificationText(locale, { kind: row.kind, data: row.data, actor });
      const link = `${appUrl.replace(/\/+$/, '')}${row.taskId ? `/tasks/${row.taskId}` : row.instanceId ? `/instances/${row.instanceId}` : '/inbox'}`;
      const t = translator(locale);
      try {
        await queueSystemEmail(tx, {
          tenantId: row.tenantId,
          to: row.email,
          subject: text.slice(0, 200),
          text: `${text}\n\n${link}\n\n${t('notifyEmailFooter')}`,
        });
        queued++;
      } catch {
        // an address the outbox refuses: the bell still has it
      }
    }
    if (rows.length > 0)
      await tx
        .update(notifications)
        .set({ emailedAt: sql`now()` })
        .where(
          inArray(
            notifications.id,
            rows.map((r) => r.id),
          ),
        );
    return queued;
  });
}
