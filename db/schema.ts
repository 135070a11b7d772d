/**
 * The database schema: one table per aggregate, every tenant-owned table keyed by tenant_id.
 * Types for the rest of the code come from here ($inferSelect), never written twice.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Decision, InstanceState, JsonSchema, LocalizedText, ProcessDefinition, FormDefinition } from '../engine';

/** A full-text search document (PostgreSQL's tsvector; written from text the app has already normalized). */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

const id = () => uuid('id').primaryKey().defaultRandom();
const tenantId = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id);
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const tenants = pgTable('tenants', {
  id: id(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull().unique(),
  displayName: text('display_name').notNull(),
  /**
   * The UI language the person chose ("vi" or "en", saved by the language switch), or null until
   * they choose: a browser without the switch's cookie then opens in it (request.ts requestLocale);
   * e-mails use it, Vietnamese when null.
   */
  locale: text('locale'),
  /** better-auth's user fields (display_name is its "name"). */
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Signed-in sessions (better-auth), behind an httpOnly cookie holding the token. */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: text('token').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    /** The company the user works in (switched with session.switchCompany); null: their first. */
    activeTenantId: uuid('active_tenant_id').references(() => tenants.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** A user's sign-in methods (better-auth); provider "credential" holds the argon2id password hash. */
export const accounts = pgTable(
  'accounts',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true, mode: 'date' }),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true, mode: 'date' }),
    scope: text('scope'),
    password: text('password'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('accounts_provider_account_idx').on(t.providerId, t.accountId),
    index('accounts_user_idx').on(t.userId),
  ],
);

/** Single-use, expiring tokens (better-auth: password reset); a used token is deleted. */
export const verifications = pgTable(
  'verifications',
  {
    id: id(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('verifications_identifier_idx').on(t.identifier)],
);

/** Rate limits every app process shares: a fixed window per key (see app/server/rate-limit.ts). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
});

export const memberRoles = ['admin', 'designer', 'staff', 'auditor'] as const;
export type MemberRole = (typeof memberRoles)[number];

export const memberships = pgTable(
  'memberships',
  {
    tenantId: tenantId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: memberRoles }).notNull().default('staff'),
    /** Job title shown next to the name, e.g. "Kế toán trưởng". */
    title: text('title'),
    /** Which notifications the member gets in the app and by e-mail, per kind (absent = the defaults: app on, e-mail on). */
    notificationPrefs: jsonb('notification_prefs').$type<NotificationPrefs>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

/** Departments (accounting, HR, …) and other groups tasks can be offered to. */
export const groups = pgTable(
  'groups',
  {
    id: id(),
    tenantId: tenantId(),
    key: text('key').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('groups_tenant_key_idx').on(t.tenantId, t.key)],
);

export const groupRoles = ['member', 'manager'] as const;
export type GroupRole = (typeof groupRoles)[number];

export const groupMembers = pgTable(
  'group_members',
  {
    tenantId: tenantId(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: groupRoles }).notNull().default('member'),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user_idx').on(t.tenantId, t.userId)],
);

/** Published form versions; rows are immutable (a trigger refuses updates). */
export const forms = pgTable(
  'forms',
  {
    id: id(),
    tenantId: tenantId(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    schema: jsonb('schema').$type<JsonSchema>().notNull(),
    uiSchema: jsonb('ui_schema').$type<Record<string, unknown>>().notNull(),
    i18n: jsonb('i18n').$type<FormDefinition['i18n']>().notNull(),
    publishedAt: createdAt(),
  },
  (t) => [uniqueIndex('forms_tenant_key_version_idx').on(t.tenantId, t.key, t.version)],
);

/**
 * Published decision tables (DMN decisions, or decision tables written as JSON), one row per
 * decision and version; rows are immutable (a trigger refuses updates). `key` is the decision's
 * id (what a business rule task's decisionRef names). Versions are numbered by the server: a
 * publish that brings a decision identical to its latest version pins that version again.
 */
export const decisions = pgTable(
  'decisions',
  {
    id: id(),
    tenantId: tenantId(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    name: text('name'),
    /** The decision in the engine's JSON form (engine/decisions/model.ts), which is what runs. */
    content: jsonb('content').$type<Decision>().notNull(),
    /** The DMN XML it was imported from (the whole file: a decision may require others in it); null when given as JSON. */
    source: text('source'),
    publishedAt: createdAt(),
    publishedBy: uuid('published_by').references(() => users.id),
  },
  (t) => [uniqueIndex('decisions_tenant_key_version_idx').on(t.tenantId, t.key, t.version)],
);

/** Published process versions; rows are immutable (a trigger refuses updates). */
export const processDefinitions = pgTable(
  'process_definitions',
  {
    id: id(),
    tenantId: tenantId(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    category: text('category'),
    definition: jsonb('definition').$type<ProcessDefinition>().notNull(),
    /** Form versions pinned when this version was published: form key → form id. */
    formIds: jsonb('form_ids').$type<Record<string, string>>().notNull(),
    /**
     * Decision versions pinned when this version was published: decision key → decision id, for
     * every decision its business rule tasks call and every decision those require.
     */
    decisionIds: jsonb('decision_ids').$type<Record<string, string>>().notNull().default({}),
    publishedAt: createdAt(),
    publishedBy: uuid('published_by').references(() => users.id),
  },
  (t) => [uniqueIndex('process_definitions_tenant_key_version_idx').on(t.tenantId, t.key, t.version)],
);

/**
 * The designer's draft of a process (one per key and company): the definition as drawn, which may
 * not validate yet, saved with a revision each save must name (optimistic: a stale save is a
 * conflict, never an overwrite). Publishing makes it the next version and removes it.
 */
export const processDrafts = pgTable(
  'process_drafts',
  {
    id: id(),
    tenantId: tenantId(),
    key: text('key').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    revision: integer('revision').notNull().default(1),
    /** What the last import of a file into this draft found, translated and could not run. */
    importReport: jsonb('import_report').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [uniqueIndex('process_drafts_tenant_key_idx').on(t.tenantId, t.key)],
);

/**
 * A form's draft in the form designer: the designer's model (engine/forms/authoring.ts) as last
 * saved, valid or not — what is wrong is listed, and only publishing refuses it. One per key and
 * company, with an optimistic revision; publishing turns it into the form's next version and
 * removes it.
 */
export const formDrafts = pgTable(
  'form_drafts',
  {
    id: id(),
    tenantId: tenantId(),
    key: text('key').notNull(),
    design: jsonb('design').$type<Record<string, unknown>>().notNull(),
    revision: integer('revision').notNull().default(1),
    /** The version the draft was started from (null: a new form). */
    baseVersion: integer('base_version'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [uniqueIndex('form_drafts_tenant_key_idx').on(t.tenantId, t.key)],
);

/**
 * Test runs the designer kept with a process: each a scenario (engine/simulate/scenario.ts, the
 * format `trellis test` runs), by name per process and company. They belong to the process, not
 * to a version: the page runs them against the draft, and `trellis test` against an export.
 */
export const processScenarios = pgTable(
  'process_scenarios',
  {
    id: id(),
    tenantId: tenantId(),
    processKey: text('process_key').notNull(),
    name: text('name').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [uniqueIndex('process_scenarios_tenant_process_name_idx').on(t.tenantId, t.processKey, t.name)],
);

export const instanceStatuses = ['active', 'completed', 'incident', 'terminated'] as const;

export const processInstances = pgTable(
  'process_instances',
  {
    id: id(),
    tenantId: tenantId(),
    definitionId: uuid('definition_id')
      .notNull()
      .references(() => processDefinitions.id),
    businessKey: text('business_key'),
    status: text('status', { enum: instanceStatuses }).notNull(),
    outcome: text('outcome'),
    state: jsonb('state').$type<InstanceState>().notNull(),
    /** Optimistic lock: every command writes version + 1 where version = what it read. */
    version: integer('version').notNull().default(1),
    startedBy: uuid('started_by')
      .notNull()
      .references(() => users.id),
    startedAt: createdAt(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    /** A child started by a call activity: its parent instance, and the call activity there. */
    parentId: uuid('parent_id'),
    parentElementId: text('parent_element_id'),
    parentScope: text('parent_scope'),
    /** Hash of the instance's newest audit event: the chain's head, so a deleted tail shows. */
    auditHead: text('audit_head'),
    /** What search finds the instance by: its business key and the process's summary fields at the start, without accents (engine/model/search.ts). */
    search: tsvector('search'),
    /**
     * Who started it by their own hand (the engine's state.actors.initiator, a user id as text): null for a start by a timer or
     * by a process's message or signal, where started_by names the publisher. Computed by the database from the state, so no
     * writer can set it otherwise; stored, so My requests (services/requests.ts) reads it through its index.
     */
    initiatorId: text('initiator_id').generatedAlwaysAs(sql`(state -> 'actors' ->> 'initiator')`),
  },
  (t) => [
    index('process_instances_tenant_status_idx').on(t.tenantId, t.status, t.startedAt),
    index('process_instances_parent_idx').on(t.parentId),
    index('process_instances_search_idx').using('gin', t.search),
    // The runner's lists (services/requests.ts, instance-list.ts), each in its page's order: what I started, the company's, one process's.
    index('process_instances_started_by_idx')
      .on(t.tenantId, t.startedBy, t.startedAt, t.id)
      .where(sql`parent_id is null`),
    index('process_instances_initiator_idx')
      .on(t.tenantId, t.initiatorId, t.startedAt, t.id)
      .where(sql`parent_id is null`),
    index('process_instances_tenant_started_idx').on(t.tenantId, t.startedAt, t.id),
    index('process_instances_definition_started_idx').on(t.tenantId, t.definitionId, t.startedAt, t.id),
  ],
);

export const taskStatuses = ['open', 'completed', 'cancelled'] as const;

/** The inbox: one row per user task occurrence. */
export const tasks = pgTable(
  'tasks',
  {
    id: id(),
    tenantId: tenantId(),
    instanceId: uuid('instance_id')
      .notNull()
      .references(() => processInstances.id),
    elementId: text('element_id').notNull(),
    name: jsonb('name').$type<LocalizedText>(),
    formId: uuid('form_id')
      .notNull()
      .references(() => forms.id),
    assigneeId: uuid('assignee_id').references(() => users.id),
    candidateGroups: text('candidate_groups')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * Members the task is offered to by name (candidateUsers, resolved from e-mail addresses when the
     * task was created): any of them may claim it while it is unassigned.
     */
    candidateUserIds: uuid('candidate_user_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    candidateRole: text('candidate_role', { enum: groupRoles }).notNull().default('member'),
    status: text('status', { enum: taskStatuses }).notNull().default('open'),
    dueDate: date('due_date', { mode: 'string' }),
    /** For one run of a multi-instance task: its 0-based index and item; -1 otherwise. */
    loopIndex: integer('loop_index').notNull().default(-1),
    /** The engine's scope key of the run the task belongs to; null for the instance itself. */
    scope: text('scope'),
    loopItem: jsonb('loop_item').$type<unknown>(),
    /** Form data submitted on completion. */
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    createdBy: uuid('created_by').references(() => users.id),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    completedBy: uuid('completed_by').references(() => users.id),
    /** Four-eyes rule: users the task's separationOfDuties excludes (named by the engine at creation). */
    excludedUserIds: uuid('excluded_user_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    /** Moved by every claim, unclaim and reassignment: a page showing an older version is stale. */
    version: integer('version').notNull().default(1),
    /** 0–100 as the process computed it (higher first), or null for the default. */
    priority: integer('priority'),
    /** The process's summary fields (its `summary` variables) when the task was created, as [variable, value] pairs in the declared order: the inbox and the task page show them. */
    summary: jsonb('summary').$type<[string, unknown][]>(),
    /** What search finds the task by: its name in every language and its summary values, without accents (engine/model/search.ts). */
    search: tsvector('search'),
  },
  (t) => [
    index('tasks_inbox_idx').on(t.tenantId, t.status, t.createdAt),
    // The inbox's access paths (app/server/services/inbox.ts), each in the order the page reads it:
    // tasks assigned to someone (mine, and those of who delegated to me), tasks offered to departments
    // or people and not yet claimed, what I completed, and search.
    index('tasks_assigned_idx')
      .on(t.tenantId, t.assigneeId, sql`coalesce(${t.dueDate}, '9999-12-31'::date)`, t.createdAt, t.id)
      .where(sql`status = 'open' and assignee_id is not null`),
    // In the migration (0022) it INCLUDEs the columns a list's access and priority filter read, so a page is picked from the index alone; and
    // a statistics object on (status, assignee_id) tells the planner that every unclaimed task is open (drizzle writes neither).
    index('tasks_unclaimed_idx')
      .on(t.tenantId, sql`coalesce(${t.dueDate}, '9999-12-31'::date)`, t.createdAt, t.id)
      .where(sql`status = 'open' and assignee_id is null`),
    // Sorted by priority (highest first), the unclaimed list reads this one; INCLUDE as above (0022).
    index('tasks_unclaimed_priority_idx')
      .on(
        t.tenantId,
        sql`(-coalesce(${t.priority}, 50))`,
        sql`coalesce(${t.dueDate}, '9999-12-31'::date)`,
        t.createdAt,
        t.id,
      )
      .where(sql`status = 'open' and assignee_id is null`),
    index('tasks_unclaimed_groups_idx')
      .using('gin', t.candidateGroups)
      .where(sql`status = 'open' and assignee_id is null`),
    index('tasks_unclaimed_users_idx')
      .using('gin', t.candidateUserIds)
      .where(sql`status = 'open' and assignee_id is null`),
    index('tasks_done_idx')
      .on(t.tenantId, t.completedBy, t.completedAt, t.id)
      .where(sql`status = 'completed'`),
    index('tasks_search_idx')
      .using('gin', t.search)
      .where(sql`status = 'open'`),
    index('tasks_instance_idx').on(t.instanceId),
    // Analytics' overdue tasks per department (app/server/services/analytics.ts): only the open tasks past a due date are read.
    index('tasks_overdue_idx')
      .on(t.tenantId, t.dueDate)
      .where(sql`status = 'open' and due_date is not null`),
    // The due-date notifications (services/notifications.ts notifyDueTasks), for every company at once: the assigned open tasks due on one day.
    index('tasks_due_notice_idx')
      .on(t.dueDate)
      .where(sql`status = 'open' and assignee_id is not null`),
    // At most one open task per user-task element (and multi-instance run) of each run (scope) of an instance:
    // the runs of a parallel multi-instance subprocess each have their own task for the same element.
    uniqueIndex('tasks_open_element_run_idx')
      .on(t.instanceId, t.elementId, t.loopIndex, sql`coalesce(${t.scope}, '')`)
      .where(sql`status = 'open'`),
  ],
);

/**
 * Append-only history (a trigger refuses UPDATE and DELETE). Like the history tables of Camunda
 * and Flowable it has no foreign keys: history outlives the rows it names, and its rows are
 * written by the server's own services (the step writer, app/server/host/write.ts, or appendAudit in audit.ts), with ids of
 * rows they have just read or written in the same transaction. Without them a step does not run
 * four key checks per event.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id'),
    taskId: uuid('task_id'),
    actorId: uuid('actor_id'),
    /** A past-tense fact: "instance.started", "task.completed", "element.completed", … */
    type: text('type').notNull(),
    elementId: text('element_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Hash chain per instance: sha256 of the previous event's hash and this event's content. */
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [index('audit_events_instance_idx').on(t.tenantId, t.instanceId, t.id)],
);

export const jobKinds = ['timer', 'service', 'webhook'] as const;
export const jobStatuses = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;

/**
 * Durable work for workers: timers (due at a time), service-task jobs (a connector or an
 * external worker) and webhook deliveries (payload: the webhook id and the event; job_type: the
 * event type). Claimed with FOR UPDATE SKIP LOCKED under a lease; a job whose lease ran out
 * (its worker died) is claimed again. `failed` = retries used up: an incident (a failed webhook
 * delivery is the webhook's, shown with its deliveries, not the instance's).
 */
export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    tenantId: tenantId(),
    /** The instance the job works for; null for a start timer, which belongs to a definition. */
    instanceId: uuid('instance_id').references(() => processInstances.id),
    /**
     * Start timers only: the process version whose timer start event this is; firing it starts
     * an instance. Only the newest version of a key keeps a schedule (publishing moves it).
     */
    definitionId: uuid('definition_id').references(() => processDefinitions.id),
    kind: text('kind', { enum: jobKinds }).notNull(),
    elementId: text('element_id').notNull(),
    /** The engine's scope key of the run the job belongs to; null for the instance itself. */
    scope: text('scope'),
    /** Timers: the engine's timer id. */
    timerId: text('timer_id'),
    /** Service jobs: the task type (a connector or a worker's topic). */
    jobType: text('job_type'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    status: text('status', { enum: jobStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    retries: integer('retries').notNull().default(3),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('jobs_due_idx')
      .on(t.status, t.dueAt)
      .where(sql`status in ('pending', 'running')`),
    index('jobs_instance_idx').on(t.instanceId),
    // External workers fetch a company's service jobs of named types (POST /api/v1/jobs/fetch-and-lock).
    index('jobs_service_type_idx')
      .on(t.tenantId, t.jobType, t.dueAt)
      .where(sql`kind = 'service' and status in ('pending', 'running')`),
    // A company's incidents (failed jobs): partial, so the jobs that run fine, almost all, never
    // touch it (it replaced an index on tenant, type and status that every job change rewrote).
    index('jobs_failed_idx')
      .on(t.tenantId)
      .where(sql`status = 'failed'`),
    // A job works for an instance, or (a start timer) for a definition version: never both, never neither.
    check(
      'jobs_owner_check',
      sql`(${t.instanceId} is not null and ${t.definitionId} is null) or (${t.instanceId} is null and ${t.definitionId} is not null and ${t.kind} = 'timer')`,
    ),
    // One pending firing per timer start event: a schedule can never fork into two.
    uniqueIndex('jobs_start_timer_idx')
      .on(t.definitionId, t.elementId)
      .where(sql`definition_id is not null and status in ('pending', 'running')`),
    // A webhook's deliveries, newest first.
    index('jobs_webhook_idx')
      .on(sql`(${t.payload}->>'webhookId')`, t.createdAt)
      .where(sql`kind = 'webhook'`),
  ],
);

/** The events a webhook may subscribe to (see app/server/services/webhooks.ts for what writes them). */
export const webhookEvents = ['task.created', 'task.completed', 'instance.completed', 'instance.failed'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/**
 * Outgoing webhooks: a tenant's URLs that receive its events, signed with the webhook's secret
 * (HMAC-SHA256). Deliveries are `webhook` jobs, enqueued with the audit row of the event.
 */
export const webhooks = pgTable(
  'webhooks',
  {
    id: id(),
    tenantId: tenantId(),
    url: text('url').notNull(),
    /** The signing key (32 random bytes, hex), shown once when created or rotated. */
    secret: text('secret').notNull(),
    events: text('events').array().$type<WebhookEvent[]>().notNull(),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhooks_tenant_active_idx')
      .on(t.tenantId)
      .where(sql`active`),
  ],
);

/**
 * What an API key may do, as exact names (no wildcards): start these processes (definition keys),
 * send these messages, broadcast these signals, work these job types, and read instances or not.
 * Kept here, beside its column, because the service (which validates it) and the caller type both
 * need it and db/ cannot import app/.
 */
export interface ApiKeyScopes {
  start: string[];
  messages: string[];
  signals: string[];
  jobTypes: string[];
  readInstances: boolean;
}

/**
 * A company's API keys: how outside systems act, as themselves, never as a person. The token
 * (`trk_<prefix>_<secret>`) is shown once; only its sha256 is kept, so reading the table lets no
 * one call the API. `prefix` is the token's short public part, shown in lists so an admin can tell
 * keys apart. A revoked key is kept, for the audit trail that names it.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull(),
    scopes: jsonb('scopes').$type<ApiKeyScopes>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revokedBy: uuid('revoked_by').references(() => users.id),
    /** Written at most once a minute: a key in heavy use must not cost a write per request. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('api_keys_token_hash_idx').on(t.tokenHash),
    uniqueIndex('api_keys_prefix_idx').on(t.prefix),
    index('api_keys_tenant_created_idx').on(t.tenantId, t.createdAt),
  ],
);

/**
 * Inbound webhooks: an address (POST /api/v1/hooks/<id>) that a system which can only POST calls
 * to publish one message into the company — starting a process at its message start event, or
 * moving an instance waiting at a message catch event. The request is authenticated by its
 * signature alone (HMAC-SHA256 with `secret`, the outgoing webhooks' scheme in reverse), so the
 * secret is kept as it is (a hash could not verify an HMAC) and shown once, on creation and on
 * rotation. `correlation_key` is a sandboxed expression over the JSON body (`invoice.number`).
 * A deactivated hook is kept, for the audit trail that names it, and refuses every request.
 */
export const inboundWebhooks = pgTable(
  'inbound_webhooks',
  {
    id: id(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    messageName: text('message_name').notNull(),
    correlationKey: text('correlation_key'),
    /** The signing key (32 random bytes, hex), shown once when created or rotated. */
    secret: text('secret').notNull(),
    /** How far a request's X-Trellis-Timestamp may be from the server's clock, either way. */
    toleranceSeconds: integer('tolerance_seconds').notNull().default(300),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, mode: 'date' }),
    deactivatedBy: uuid('deactivated_by').references(() => users.id),
    /** Written at most once a minute: a busy hook must not queue its deliveries on one row's lock. */
    lastDeliveryAt: timestamp('last_delivery_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('inbound_webhooks_tenant_created_idx').on(t.tenantId, t.createdAt),
    check('inbound_webhooks_tolerance_check', sql`${t.toleranceSeconds} between 30 and 3600`),
  ],
);

/**
 * The delivery ids an inbound webhook has acted on (X-Trellis-Delivery), with what the delivery
 * did, so a replay answers the first delivery's outcome and does nothing. Written in the
 * delivery's own transaction. Kept only while a replay could still carry a timestamp within
 * tolerance (pruned by the worker loop's housekeeping): older ones are refused by their timestamp.
 */
export const inboundDeliveries = pgTable(
  'inbound_deliveries',
  {
    id: id(),
    tenantId: tenantId(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => inboundWebhooks.id),
    deliveryId: text('delivery_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Where the message went: `instance`, `started` or `dropped` (effects.ts publish). */
    outcome: text('outcome').notNull(),
    instanceId: uuid('instance_id'),
  },
  (t) => [
    uniqueIndex('inbound_deliveries_delivery_idx').on(t.webhookId, t.deliveryId),
    index('inbound_deliveries_received_idx').on(t.receivedAt),
  ],
);

/** What a waiting instance listens for: a message (by name and correlation key) or a signal. */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    tenantId: tenantId(),
    instanceId: uuid('instance_id')
      .notNull()
      .references(() => processInstances.id),
    elementId: text('element_id').notNull(),
    scope: text('scope'),
    kind: text('kind', { enum: ['message', 'signal'] }).notNull(),
    name: text('name').notNull(),
    correlationKey: text('correlation_key'),
    createdAt: createdAt(),
  },
  (t) => [
    index('subscriptions_lookup_idx').on(t.tenantId, t.kind, t.name, t.correlationKey),
    index('subscriptions_instance_idx').on(t.instanceId),
  ],
);

/** Published messages nobody waited for yet, kept until they expire; duplicate message ids are ignored. */
export const messages = pgTable(
  'messages',
  {
    id: id(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    correlationKey: text('correlation_key'),
    messageId: text('message_id'),
    variables: jsonb('variables').$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    correlatedAt: timestamp('correlated_at', { withTimezone: true, mode: 'date' }),
    correlatedTo: uuid('correlated_to'),
    /**
     * The person who published it (message.publish), null when a process sent it. A buffered message
     * reaches a receiver later only if its element still lets that person send (services/sending.ts).
     * No foreign key: like the audit trail's actor, it outlives what it names (an unknown id sends nothing).
     */
    sentBy: uuid('sent_by'),
    /**
     * The API key that published it (POST /api/v1/messages), null otherwise. A key's right is its
     * `messages` scope, checked when it sends: a buffered message it sent reaches a receiver later
     * as a process's would. No foreign key, as for sentBy.
     */
    sentByKey: uuid('sent_by_key'),
    createdAt: createdAt(),
  },
  (t) => [
    index('messages_lookup_idx')
      .on(t.tenantId, t.name, t.correlationKey)
      .where(sql`correlated_at is null`),
    // A message id is unique per message name: one sender's ids cannot swallow another name's messages.
    uniqueIndex('messages_tenant_name_message_id_idx').on(t.tenantId, t.name, t.messageId),
  ],
);

/** Idempotent commands: the first result under a key is returned to every retry. */
export const commandResults = pgTable(
  'command_results',
  {
    tenantId: tenantId(),
    key: text('key').notNull(),
    command: text('command').notNull(),
    actorId: uuid('actor_id'),
    result: jsonb('result').$type<unknown>().notNull(),
    /** sha256 of the command and its input: the same key with other input is refused. */
    inputHash: text('input_hash'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] }), index('command_results_created_idx').on(t.createdAt)],
);

export const emailStatuses = ['outbox', 'sending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof emailStatuses)[number];

/**
 * Every email a process sends, recorded before it is sent: nothing is silently dropped. `outbox`
 * = not sent (no SMTP server is configured, or a retry is due), `sending` (claimed by one sender
 * until `locked_until`), `sent`, or `failed` for good (until an admin sends it again).
 * One row per job (job_id unique), so a retried job finds its email instead of sending another;
 * `message_id` is derived from the job id, so a resend after a crash carries the same Message-ID.
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: id(),
    /** Null for account mail (a password reset), which belongs to no company. */
    tenantId: uuid('tenant_id').references(() => tenants.id),
    /** The job, instance and element of a process email; all three null for account mail and invitations. */
    jobId: uuid('job_id').references(() => jobs.id),
    instanceId: uuid('instance_id').references(() => processInstances.id),
    elementId: text('element_id'),
    /** `Name <address>`; null while no sender is known (no SMTP, no `from` setting, no TRELLIS_MAIL_FROM). */
    from: text('from_address'),
    to: jsonb('to_addresses').$type<string[]>().notNull(),
    cc: jsonb('cc_addresses').$type<string[]>().notNull().default([]),
    bcc: jsonb('bcc_addresses').$type<string[]>().notNull().default([]),
    replyTo: text('reply_to'),
    subject: text('subject').notNull(),
    /** Plain text, never HTML. */
    body: text('body').notNull(),
    status: text('status', { enum: emailStatuses }).notNull().default('outbox'),
    messageId: text('message_id').notNull(),
    /** Why the last attempt failed (the SMTP server's answer); cleared when it is sent. */
    error: text('error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    /**
     * While `sending`: when the claim runs out (a sender that died leaves the email to be claimed
     * again). Afterwards: when the last attempt ended, so the held-mail sweep tries the least
     * recently tried first (never tried: null, first).
     */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('email_outbox_job_idx').on(t.jobId),
    index('email_outbox_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('email_outbox_held_idx')
      .on(t.createdAt)
      .where(sql`status in ('outbox', 'sending')`),
    check(
      'email_outbox_process_check',
      sql`(${t.jobId} is null and ${t.instanceId} is null and ${t.elementId} is null) or (${t.jobId} is not null and ${t.instanceId} is not null and ${t.elementId} is not null and ${t.tenantId} is not null)`,
    ),
  ],
);

/**
 * Invitations to join a company with a role and departments (groups). Only the sha256 of the
 * link's token is stored. Open = neither accepted nor revoked (one per company and address);
 * usable while open and before `expires_at`. `email` is stored lower-case.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    tenantId: tenantId(),
    email: text('email').notNull(),
    role: text('role', { enum: memberRoles }).notNull(),
    /** Departments the member joins on accepting; ids of this tenant's groups (a deleted one is skipped). */
    groupIds: uuid('group_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by').references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, mode: 'date' }),
    acceptedBy: uuid('accepted_by').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revokedBy: uuid('revoked_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_idx').on(t.tokenHash),
    uniqueIndex('invitations_open_email_idx')
      .on(t.tenantId, t.email)
      .where(sql`accepted_at is null and revoked_at is null`),
    index('invitations_tenant_created_idx').on(t.tenantId, t.createdAt),
    check('invitations_role_check', sql`${t.role} in ('admin', 'designer', 'staff', 'auditor')`),
    check('invitations_email_check', sql`${t.email} = lower(${t.email})`),
  ],
);

/**
 * Out of office: during [startsAt, endsAt) the delegate may also work the tasks assigned to the
 * delegator (both of the same company). Revoked ones are kept, for the record.
 */
export const delegations = pgTable(
  'delegations',
  {
    id: id(),
    tenantId: tenantId(),
    delegatorId: uuid('delegator_id')
      .notNull()
      .references(() => users.id),
    delegateId: uuid('delegate_id')
      .notNull()
      .references(() => users.id),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
    createdBy: uuid('created_by').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revokedBy: uuid('revoked_by').references(() => users.id),
  },
  (t) => [
    index('delegations_delegate_idx')
      .on(t.tenantId, t.delegateId, t.endsAt)
      .where(sql`revoked_at is null`),
    index('delegations_delegator_idx').on(t.tenantId, t.delegatorId, t.endsAt),
    check('delegations_range_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('delegations_not_self_check', sql`${t.delegatorId} <> ${t.delegateId}`),
  ],
);

/**
 * A user's saved inbox views: a name and the list, filters, search and sort the inbox page was
 * showing (app/server/services/inbox.ts parses it again on every use). Each user's own.
 */
export const savedViews = pgTable(
  'saved_views',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    query: jsonb('query').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('saved_views_name_idx').on(t.tenantId, t.userId, t.name)],
);

export const notificationKinds = ['assigned', 'mentioned', 'due-tomorrow', 'overdue'] as const;
export type NotificationKind = (typeof notificationKinds)[number];
/** Per kind: in the app (the bell) and by e-mail; a kind left out keeps the defaults (both on). */
export type NotificationPrefs = Partial<Record<NotificationKind, { app?: boolean; email?: boolean }>>;

/**
 * What people write on a task or an instance (a question to the requester, a note for the next
 * approver), with the colleagues it @mentions (each notified). Append-only: a comment is a record.
 */
export const comments = pgTable(
  'comments',
  {
    id: id(),
    tenantId: tenantId(),
    instanceId: uuid('instance_id')
      .notNull()
      .references(() => processInstances.id),
    taskId: uuid('task_id').references(() => tasks.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    mentions: uuid('mentions')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    createdAt: createdAt(),
  },
  (t) => [index('comments_instance_idx').on(t.instanceId, t.createdAt)],
);

/**
 * The bell: one row per thing a person should know (a task assigned to them, a mention, a task due
 * tomorrow or overdue), read or not. `key` makes each notification happen once (a retried command
 * or a second worker pass does not notify twice).
 */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: notificationKinds }).notNull(),
    key: text('key').notNull(),
    taskId: uuid('task_id'),
    instanceId: uuid('instance_id'),
    actorId: uuid('actor_id'),
    /** What the bell shows besides the task: names, a comment's first words (rendered as text). */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
    /** When the e-mail sweep handled it (queued the e-mail, or skipped it: the person turned that kind's e-mail off). */
    emailedAt: timestamp('emailed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('notifications_key_idx').on(t.tenantId, t.userId, t.key),
    index('notifications_email_idx')
      .on(t.createdAt)
      .where(sql`emailed_at is null`),
    index('notifications_user_idx').on(t.tenantId, t.userId, t.createdAt),
    index('notifications_unread_idx')
      .on(t.tenantId, t.userId)
      .where(sql`read_at is null`),
  ],
);

/** Bytes: PGlite reads them as a Uint8Array, postgres.js as a Buffer (one). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * Files uploaded to forms (a receipt on an expense line): stored here (`content`) or in the
 * configured folder (storage 'folder', content null), with the media type sniffed from the bytes.
 * Uploaded for a task (task_id) or a process's start form (definition_key) by a person; linked to
 * the instance (instance_id) when the form that references it is submitted. Unlinked files are
 * their uploader's alone.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    tenantId: tenantId(),
    uploadedBy: uuid('uploaded_by')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    storage: text('storage').notNull().default('database'),
    content: bytea('content'),
    taskId: uuid('task_id').references(() => tasks.id),
    definitionKey: text('definition_key'),
    instanceId: uuid('instance_id').references(() => processInstances.id),
    createdAt: createdAt(),
    linkedAt: timestamp('linked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('attachments_task_idx').on(t.tenantId, t.taskId),
    index('attachments_instance_idx').on(t.tenantId, t.instanceId),
    index('attachments_unlinked_idx')
      .on(t.tenantId, t.uploadedBy)
      .where(sql`instance_id is null`),
    check('attachments_size_check', sql`${t.size} >= 0`),
  ],
);

/**
 * Where a company's process came from in the template library: the pack and its version, the
 * template, how the pack's departments were mapped to the company's, and the template's definition
 * as imported (mapped) — the base of a three-way upgrade when the library has a newer version.
 */
export const templateOrigins = pgTable(
  'template_origins',
  {
    id: id(),
    tenantId: tenantId(),
    processKey: text('process_key').notNull(),
    packKey: text('pack_key').notNull(),
    packVersion: text('pack_version').notNull(),
    templateKey: text('template_key').notNull(),
    departmentMap: jsonb('department_map').$type<Record<string, string>>().notNull(),
    base: jsonb('base').$type<ProcessDefinition>().notNull(),
    importedAt: createdAt(),
    importedBy: uuid('imported_by').references(() => users.id),
  },
  (t) => [uniqueIndex('template_origins_process_idx').on(t.tenantId, t.processKey)],
);

export type Tenant = typeof tenants.$inferSelect;
export type User = typeof users.$inferSelect;
export type Group = typeof groups.$inferSelect;
export type FormRow = typeof forms.$inferSelect;
export type DecisionRow = typeof decisions.$inferSelect;
export type ProcessDefinitionRow = typeof processDefinitions.$inferSelect;
export type ProcessInstance = typeof processInstances.$inferSelect;
export type Task = typeof tasks.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type Webhook = typeof webhooks.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type InboundWebhook = typeof inboundWebhooks.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;
export type EmailOutboxRow = typeof emailOutbox.$inferSelect;
export type Delegation = typeof delegations.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type Attachment = typeof attachments.$inferSelect;
