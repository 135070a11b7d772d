/**
 * The authorization matrix, generated from the router itself: every procedure of appRouter ×
 * every persona (signed out, a user in no company, the admin of another company, each role of
 * ours, a staff member whose task it is not) → allowed or denied, as the table below expects.
 *
 * A procedure with no row fails, and so does a row with no procedure: adding a procedure means
 * adding its row here (with a real input, built from the fixtures). "Allowed" means the call got
 * past authorization: it succeeded, or failed for another reason (BAD_REQUEST for a deliberately
 * invalid form, CONFLICT, PRECONDITION_FAILED…). "Denied" is UNAUTHORIZED for the signed out,
 * FORBIDDEN for a role the procedure does not admit, and for per-record rules what the row says
 * (NOT_FOUND for another company's records, never FORBIDDEN: that would confirm they exist).
 *
 * An API key is a caller kind of its own, and never acts through tRPC: a request to the tRPC
 * endpoint (the real route handler, with only Next's request scope stood in for) that carries
 * nothing but a valid key's `Authorization: Bearer trk_…` is signed out for every procedure —
 * UNAUTHORIZED where sign-in is needed, and the signed-out answer for the public ones — while the
 * same token opens /api/v1. Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import type { AnyProcedure } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle, Executor } from '@/db/client';
import {
  apiKeys,
  decisions,
  delegations,
  emailOutbox,
  inboundWebhooks,
  savedViews,
  groups,
  invitations,
  jobs,
  memberships,
  processDefinitions,
  processDrafts,
  processScenarios,
  tasks,
  templateOrigins,
  tenants,
  users,
} from '@/db/schema';
import { getAuth } from '@/app/server/auth';
import { DEMO_PASSWORD, seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { hashInvitationToken } from '@/app/server/services/invitations';
import { allows, createContextInner, type Access, type Meta } from '@/app/server/trpc/init';
import { appRouter, createCaller } from '@/app/server/trpc/root';
import { GET as trpcGet, POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { GET as getInstance } from '@/app/api/v1/instances/[id]/route';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

/**
 * Next's request scope, which the tRPC endpoint reads the session cookie and the language from
 * (request.ts): the headers of the request being handled, and no cookie at all — a key's caller
 * has none.
 */
const incoming = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock('next/headers', () => ({
  headers: async () => incoming.headers,
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => {}, delete: () => {} }),
}));

/** Who calls. The order is the order of the calls: admins last, so what they change comes after the others tried. */
const personas = ['signedOut', 'noCompany', 'otherAdmin', 'auditor', 'stranger', 'staff', 'designer', 'admin'] as const;
type Persona = (typeof personas)[number];

const people: Record<Exclude<Persona, 'signedOut' | 'noCompany' | 'otherAdmin' | 'auditor'>, string> = {
  admin: 'bao.ngo@senvang.example',
  designer: 'trang.hoang@senvang.example', // data department
  staff: demo.hung, // accounting: the fixture's review task is offered to him
  stranger: demo.tuan, // IT: staff, but the review task is not his
};
const AUDITOR = 'kiem.toan@senvang.example';
const OTHER_ADMIN = 'giam.doc@khac.example';
const NO_COMPANY = 'chua.co.cong.ty@example.com';

/** The records the inputs refer to: ours, real, and fresh where a call would use one up. */
interface Fixtures {
  /** The database, for a row that needs a record of its own (insert it for our company: `tenantId`). */
  db: Executor;
  tenantId: string;
  otherTenantId: string;
  userId: (persona: Persona) => string;
  /** An instance of "access-check" started by Ngọc (operations), its review task open for accounting. */
  instanceId: string;
  taskId: string;
  /** A new such instance and its task (for commands that would end or take the shared one). */
  freshInstance: () => Promise<{ id: string; taskId: string }>;
  /** A new webhook of ours (admin-made). */
  webhook: () => Promise<string>;
  /** A new failed service job of ours (an incident), and a failed delivery of a webhook of ours. */
  failedJob: () => Promise<string>;
  failedDelivery: () => Promise<{ id: string; deliveryId: string }>;
  /** A new email of ours in the outbox. */
  email: () => Promise<string>;
  /** A new API key of ours (admin-made): its id. */
  apiKey: () => Promise<string>;
}

type Denial = 'FORBIDDEN' | 'NOT_FOUND';

interface Row {
  /** The access the procedure must declare (its meta, set by the builder in trpc/init.ts). */
  access: Access;
  /** A real input; called again for each persona. Omit for procedures without input. */
  input?: (f: Fixtures) => unknown;
  /** Personas the declared access admits but a per-record rule refuses, with the code they get. */
  deny?: Partial<Record<Persona, Denial>>;
}

/** Another company's records are not found; a staff member not on the task is refused. */
const theirs = { otherAdmin: 'NOT_FOUND' } as const;

/**
 * The table: one row per procedure path. Add a row with every new procedure:
 *   'router.verb': { access: 'worker', input: async (f) => ({ id: (await f.freshInstance()).taskId }), deny: { ...theirs, stranger: 'FORBIDDEN' } },
 * The default answer of each persona comes from `access`; `deny` lists the exceptions. `input` is
 * called once per persona (admins last), so a command that uses its record up should make a fresh
 * one (f.freshInstance(), or insert through f.db), and an input meant to stop right after the
 * access checks (an invalid form, an empty definition) keeps the call free of side effects.
 */
const matrix: Record<string, Row> = {
  'session.me': { access: 'public' },
  'session.companies': { access: 'member' },
  // Without a browser session this is PRECONDITION_FAILED past authorization (helper tests of the session cover switching itself).
  'session.switchCompany': { access: 'member', input: (f) => ({ tenantId: f.tenantId }) },

  'definition.list': { access: 'member' },
  // Auditors may start nothing, so the start page shows them no process.
  'definition.get': {
    access: 'member',
    input: () => ({ key: 'access-check' }),
    deny: { ...theirs, auditor: 'FORBIDDEN' },
  },
  // An empty definition: past authorization it is a BAD_REQUEST naming the fields, and nothing is published.
  'definition.publish': { access: 'designer', input: () => ({ definition: { key: 'nothing' }, forms: [] }) },
  'definition.export': { access: 'designer', input: () => ({ key: 'access-check', format: 'bpmn' }), deny: theirs },

  'process.list': { access: 'designer' },
  'process.departments': { access: 'designer' },
  'process.get': { access: 'designer', input: () => ({ key: 'access-check' }), deny: theirs },
  // Names left empty: past authorization a BAD_REQUEST naming the field, and no draft is made.
  'process.create': { access: 'designer', input: () => ({ key: 'matrix-draft', name: { en: '', vi: '' } }) },
  'process.import': { access: 'designer', input: () => ({ fileName: 'broken.json', content: '{' }) },
  'template.library': { access: 'designer' },
  // The accounting pack into a company that has its process already: past authorization a CONFLICT, nothing imported.
  'template.importLibrary': { access: 'designer', input: () => ({ pack: 'accounting' }) },
  'template.import': { access: 'designer', input: () => ({ pack: '{"format":"zip"}' }) },
  'template.origins': { access: 'designer' },
  // Our invoice approval as if it came from the library: its preview writes nothing. The other company has no such process.
  'template.upgrade': {
    access: 'designer',
    input: async (f) => ({ processKey: await matrixOrigin(f), preview: true }),
    deny: theirs,
  },
  // Over a revision of a draft of ours that is not the current one (2): a CONFLICT naming who saved,
  // nothing saved, published or removed. The other company has no such process: NOT_FOUND.
  'process.save': {
    access: 'designer',
    input: async (f) => ({ ...(await matrixDraft(f)), revision: 1, content: { key: 'matrix-stale' } }),
    deny: theirs,
  },
  'process.publish': {
    access: 'designer',
    input: async (f) => ({ ...(await matrixDraft(f)), revision: 1 }),
    deny: theirs,
  },
  'process.discard': {
    access: 'designer',
    input: async (f) => ({ ...(await matrixDraft(f)), revision: 1 }),
    deny: theirs,
  },
  'process.version': { access: 'designer', input: () => ({ key: 'access-check', version: 1 }), deny: theirs },
  'process.publishPreview': { access: 'designer', input: () => ({ key: 'access-check' }), deny: theirs },
  'process.scenarios': { access: 'designer', input: (f) => matrixDraft(f), deny: theirs },
  // A scenario that is not one (steps not a list): past authorization a BAD_REQUEST naming the field, nothing kept.
  'process.saveScenario': {
    access: 'designer',
    input: async (f) => ({ ...(await matrixDraft(f)), name: 'matrix', content: { steps: 'none' } }),
    deny: theirs,
  },
  // Each persona removes a scenario of ours made for it; the other company finds no such process.
  'process.deleteScenario': {
    access: 'designer',
    input: async (f) => {
      const { key } = await matrixDraft(f);
      const name = `matrix-${randomUUID()}`;
      await f.db
        .insert(processScenarios)
        .values({ tenantId: f.tenantId, processKey: key, name, content: { steps: [] } });
      return { key, name };
    },
    deny: theirs,
  },
  // Any designer reads the company's published forms by key; another company's keys are simply not theirs (an empty list).
  'process.formCatalog': { access: 'designer' },
  'process.decisionCatalog': { access: 'designer' },
  'process.peopleCatalog': { access: 'designer' },
  // Who a test run is started by: one of ours by e-mail; the other company finds no such member (NOT_FOUND).
  'process.testInitiator': { access: 'designer', input: () => ({ email: 'ngoc.bui@senvang.example' }), deny: theirs },
  // The form designer: the company's forms; one of ours as the model (the other company has no such form);
  // a design that is not one stops past authorization with a BAD_REQUEST naming the field, nothing published.
  'form.list': { access: 'designer' },
  'form.drafts': { access: 'designer' },
  // A draft that is not a design (fields not a list): past authorization a BAD_REQUEST naming the field, nothing saved.
  'form.saveDraft': {
    access: 'designer',
    input: () => ({
      design: { key: 'matrix-draft-form', version: 1, title: { en: '', vi: '' }, fields: 'none' },
      revision: null,
    }),
  },
  'form.design': { access: 'designer', input: () => ({ key: 'invoice-decision' }), deny: theirs },
  'form.publish': {
    access: 'designer',
    input: () => ({
      design: { key: 'matrix-form', version: 1, title: { en: '', vi: '' }, fields: 'none' },
      baseVersion: null,
    }),
  },
  'process.forms': { access: 'designer', input: () => ({ keys: ['invoice-decision'] }) },
  // The decision-table editor: the company's tables; one of ours (the other company has none by that key);
  // a table with a broken cell stops past authorization with a BAD_REQUEST naming the cell, nothing published.
  'decision.list': { access: 'designer' },
  // The tables a test run evaluates: ours by key; another company's keys are simply not theirs (an empty list).
  'process.decisionTables': { access: 'designer', input: async (f) => ({ keys: [await matrixDecision(f)] }) },
  'decision.get': { access: 'designer', input: async (f) => ({ key: await matrixDecision(f) }), deny: theirs },
  'decision.publish': {
    access: 'designer',
    input: () => ({
      decision: {
        id: 'matrix-table',
        inputs: [{ expression: 'amount' }],
        outputs: [{ name: 'approver' }],
        rules: [{ inputEntries: ['< 5 ]'], outputEntries: ['"a"'] }],
      },
      baseVersion: null,
    }),
  },
  'process.export': {
    access: 'designer',
    input: async (f) => {
      await f.db
        .insert(processDrafts)
        .values({
          tenantId: f.tenantId,
          key: 'matrix-export',
          content: {
            formatVersion: 1,
            key: 'matrix-export',
            version: 1,
            name: 'Matrix',
            elements: [{ id: 'start', type: 'startEvent' }],
            flows: [],
          },
        })
        .onConflictDoNothing();
      return { key: 'matrix-export', format: 'json' };
    },
    deny: theirs,
  },

  // Start variables that fail the start form: BAD_REQUEST after the who-may-start check, no instance.
  // Comments: whoever may open the case reads them (admins, auditors, the requester, those offered a task); auditors post none.
  'collab.comments': {
    access: 'member',
    input: (f) => ({ taskId: f.taskId }),
    deny: { ...theirs, designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  'collab.files': {
    access: 'member',
    input: (f) => ({ taskId: f.taskId }),
    deny: { ...theirs, designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  'collab.mentionable': {
    access: 'member',
    input: (f) => ({ taskId: f.taskId }),
    deny: { ...theirs, designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  'collab.comment': {
    access: 'member',
    input: (f) => ({ taskId: f.taskId, body: 'Nhờ chị kiểm tra giúp' }),
    deny: { ...theirs, auditor: 'FORBIDDEN', designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  // The bell and its settings: each member's own.
  'collab.notifications': { access: 'member' },
  'collab.unread': { access: 'member' },
  'collab.bell': { access: 'member' },
  'collab.markRead': { access: 'member', input: () => ({ ids: 'all' }) },
  'collab.notificationSettings': { access: 'member' },
  'collab.setNotificationSettings': {
    access: 'member',
    input: () => ({ settings: [{ kind: 'overdue', app: true, email: false }] }),
  },

  'instance.start': {
    access: 'worker',
    input: () => ({ definitionKey: 'access-check', variables: { reference: 42 } }),
    deny: theirs,
  },
  // Admins and auditors read every instance; others those they started or have a task in.
  'instance.get': {
    access: 'member',
    input: (f) => ({ id: f.instanceId }),
    deny: { ...theirs, designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  // The admin, or the initiator (Ngọc, not a persona here: see cross-company.test.ts).
  'instance.cancel': {
    access: 'worker',
    input: async (f) => ({ id: (await f.freshInstance()).id, reason: 'Nhập trùng' }),
    deny: { ...theirs, designer: 'FORBIDDEN', staff: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },

  // The runner's lists: what one may start, what one started (each their own), and the company's instances —
  // admins, auditors and department managers (the designer manages data, the stranger IT); staff who manage none are refused.
  'runner.startable': { access: 'member', input: () => ({ q: 'hoa don' }) },
  'runner.requests': { access: 'member', input: () => ({ limit: 10 }) },
  'runner.instances': { access: 'member', input: () => ({ limit: 10 }), deny: { staff: 'FORBIDDEN' } },
  'runner.instanceFilters': { access: 'member', deny: { staff: 'FORBIDDEN' } },
  // Analytics: the instances list's people. access-check has no department: only admins and auditors see it; the managers
  // (designer: data, stranger: IT) find no such process, nor does the other company's admin.
  'analytics.overview': { access: 'member', deny: { staff: 'FORBIDDEN' } },
  'analytics.process': {
    access: 'member',
    input: () => ({ key: 'access-check' }),
    deny: { staff: 'FORBIDDEN', designer: 'NOT_FOUND', stranger: 'NOT_FOUND', otherAdmin: 'NOT_FOUND' },
  },
  'analytics.overdue': { access: 'member', deny: { staff: 'FORBIDDEN' } },

  'task.list': { access: 'member' },
  // The inbox's lists, counts and filters: each member's own (another company's tasks are simply not in them).
  'task.inbox': { access: 'member', input: () => ({ list: 'departments', q: 'hoa don', sort: 'priority' }) },
  'task.counts': { access: 'member' },
  'task.filterOptions': { access: 'member' },
  // Saved views: each user's own; another's view is not found.
  'task.views': { access: 'member' },
  'task.saveView': {
    access: 'member',
    input: () => ({ name: 'Quá hạn', query: { list: 'mine', due: 'overdue', sort: 'due' } }),
  },
  'task.deleteView': {
    access: 'member',
    input: async (f) => {
      const [view] = await f.db
        .insert(savedViews)
        .values({
          tenantId: f.tenantId,
          userId: f.userId('staff'),
          name: `Matrix ${randomUUID()}`,
          query: { list: 'mine', sort: 'due' },
        })
        .returning({ id: savedViews.id });
      return { id: view!.id };
    },
    deny: {
      otherAdmin: 'NOT_FOUND',
      auditor: 'NOT_FOUND',
      stranger: 'NOT_FOUND',
      designer: 'NOT_FOUND',
      admin: 'NOT_FOUND',
    },
  },
  // Bulk claim: auditors may not; each task is checked as one claim and reported in the result (never thrown).
  'task.claimMany': { access: 'worker', input: async (f) => ({ ids: [(await f.freshInstance()).taskId] }) },
  // The task page: whoever may work the task, whoever completed it, admins (who reassign tasks), and — to read — whoever may open its case (auditors).
  'task.get': {
    access: 'member',
    input: (f) => ({ id: f.taskId }),
    deny: { ...theirs, designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  // A submission that fails the task's form: BAD_REQUEST for whoever may complete it, nothing changes.
  'task.complete': {
    access: 'worker',
    input: (f) => ({ id: f.taskId, data: { decision: 'maybe' } }),
    deny: { ...theirs, admin: 'FORBIDDEN', designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },

  // Only candidates claim (staff: accounting); a fresh task each time, so nobody finds it taken.
  'task.claim': {
    access: 'worker',
    input: async (f) => ({ id: (await f.freshInstance()).taskId }),
    deny: { ...theirs, admin: 'FORBIDDEN', designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  // A task the staff member claimed: only he may give it back.
  'task.unclaim': {
    access: 'worker',
    input: async (f) => {
      const { taskId } = await f.freshInstance();
      await (await callerAs(f, 'staff')).task.claim({ id: taskId });
      return { id: taskId };
    },
    deny: { ...theirs, admin: 'FORBIDDEN', designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  // To the staff member (a candidate); another company's task is not found.
  'task.reassign': {
    access: 'admin',
    input: async (f) => ({ id: (await f.freshInstance()).taskId, assigneeId: f.userId('staff') }),
    deny: theirs,
  },

  // To the admin (for the admin himself: to oneself, a BAD_REQUEST past authorization); another company's admin does not find him.
  'delegation.create': {
    access: 'worker',
    input: (f) => ({ delegateId: f.userId('admin'), startsAt: new Date(), endsAt: new Date(Date.now() + 3_600_000) }),
    deny: theirs,
  },
  'delegation.list': { access: 'member' },
  'delegation.colleagues': { access: 'worker' },
  'member.directory': { access: 'member' },
  // The staff member's delegation: he or an admin may revoke it; to anyone else it does not exist.
  'delegation.revoke': {
    access: 'worker',
    input: async (f) => {
      const [row] = await f.db
        .insert(delegations)
        .values({
          tenantId: f.tenantId,
          delegatorId: f.userId('staff'),
          delegateId: f.userId('admin'),
          startsAt: new Date(),
          endsAt: new Date(Date.now() + 3_600_000),
        })
        .returning({ id: delegations.id });
      return { id: row!.id };
    },
    deny: { ...theirs, designer: 'NOT_FOUND', stranger: 'NOT_FOUND' },
  },

  // To a fresh instance of ours waiting for it at an element only accounting may send to (sendableBy): the
  // designer and the stranger are refused and it does not move; the other company's admin reaches nothing of ours.
  'message.publish': {
    access: 'worker',
    input: async (f) => ({ name: 'matrix-paid', correlationKey: await waitingForMatrix(f), variables: { paid: true } }),
    deny: { designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },
  // A signal our sending-check declares public for accounting only; in the other company, whose admin may send any, it reaches nothing.
  'signal.broadcast': {
    access: 'worker',
    input: async (f) => (await waitingForMatrix(f), { name: 'matrix-closed' }),
    deny: { designer: 'FORBIDDEN', stranger: 'FORBIDDEN' },
  },

  'job.retry': { access: 'admin', input: async (f) => ({ id: await f.failedJob() }), deny: theirs },
  'incident.list': { access: 'admin' },
  'incident.retry': { access: 'admin', input: async (f) => ({ kind: 'job', id: await f.failedJob() }), deny: theirs },
  // An active instance without an incident: BAD_REQUEST past authorization.
  'incident.resolve': {
    access: 'admin',
    input: async (f) => ({ instanceId: (await f.freshInstance()).id, reason: 'Thử' }),
    deny: theirs,
  },

  'outbox.list': { access: 'admin' },
  // No SMTP server in the test: PRECONDITION_FAILED past authorization, nothing sent.
  'outbox.send': { access: 'admin', input: async (f) => ({ id: await f.email() }), deny: theirs },

  // An address that is not a URL: BAD_REQUEST past authorization, no webhook.
  'webhook.create': { access: 'admin', input: () => ({ url: 'không phải địa chỉ', events: ['instance.completed'] }) },
  'webhook.list': { access: 'admin' },
  'webhook.deactivate': { access: 'admin', input: async (f) => ({ id: await f.webhook() }), deny: theirs },
  'webhook.activate': { access: 'admin', input: async (f) => ({ id: await f.webhook() }), deny: theirs },
  'webhook.delete': { access: 'admin', input: async (f) => ({ id: await f.webhook() }), deny: theirs },
  'webhook.rotateSecret': { access: 'admin', input: async (f) => ({ id: await f.webhook() }), deny: theirs },
  'webhook.deliveries': { access: 'admin', input: async (f) => ({ id: await f.webhook() }), deny: theirs },
  'webhook.redeliver': { access: 'admin', input: (f) => f.failedDelivery(), deny: theirs },

  // API keys (admins). Scopes that give no right: past authorization a BAD_REQUEST naming `scopes`, no key.
  'apiKeys.list': { access: 'admin' },
  'apiKeys.choices': { access: 'admin' },
  'apiKeys.create': { access: 'admin', input: () => ({ name: 'Khóa thử ma trận', expiresInDays: 90, scopes: {} }) },
  'apiKeys.revoke': { access: 'admin', input: async (f) => ({ id: await f.apiKey() }), deny: theirs },

  // Inbound webhooks (admins). An empty name: past authorization a BAD_REQUEST naming it, no hook.
  'inboundHook.create': { access: 'admin', input: () => ({ name: ' ', messageName: 'bank-credit' }) },
  'inboundHook.list': { access: 'admin' },
  'inboundHook.messageNames': { access: 'admin' },
  'inboundHook.rotateSecret': {
    access: 'admin',
    input: async (f) => ({ id: await matrixInboundHook(f) }),
    deny: theirs,
  },
  'inboundHook.deactivate': { access: 'admin', input: async (f) => ({ id: await matrixInboundHook(f) }), deny: theirs },

  // Members and departments (admins). Inputs that change nothing for shared personas: the same role, a member already in the department.
  'member.list': { access: 'admin' },
  'member.setRole': { access: 'admin', input: (f) => ({ userId: f.userId('staff'), role: 'staff' }), deny: theirs },
  'member.remove': { access: 'admin', input: async (f) => ({ userId: await newMember(f) }), deny: theirs },
  'department.list': { access: 'admin' },
  // A key that is not one: BAD_REQUEST naming `key` past authorization, nothing created.
  'department.create': {
    access: 'admin',
    input: () => ({ key: 'Không hợp lệ', name: { en: 'Legal', vi: 'Pháp chế' } }),
  },
  'department.rename': {
    access: 'admin',
    input: async (f) => ({ id: await departmentOf(f, 'accounting'), name: { en: 'Accounting', vi: 'Kế toán' } }),
    deny: theirs,
  },
  'department.delete': { access: 'admin', input: async (f) => ({ id: await newDepartment(f) }), deny: theirs },
  'department.addMember': {
    access: 'admin',
    input: async (f) => ({ groupId: await departmentOf(f, 'accounting'), userId: f.userId('staff') }),
    deny: theirs,
  },
  'department.removeMember': {
    access: 'admin',
    input: async (f) => ({ groupId: await newDepartment(f), userId: f.userId('staff') }),
    deny: theirs,
  },
  'department.setManager': {
    access: 'admin',
    input: async (f) => ({ groupId: await newDepartment(f), userId: null }),
    deny: theirs,
  },
  // Invitations: an address that is not one is a BAD_REQUEST naming `email` past authorization, no invitation, no email.
  'invitation.create': { access: 'admin', input: () => ({ email: 'không phải email', role: 'staff' }) },
  'invitation.list': { access: 'admin' },
  'invitation.revoke': { access: 'admin', input: async (f) => ({ id: (await newInvitation(f)).id }), deny: theirs },
  'invitation.preview': { access: 'public', input: async (f) => ({ token: (await newInvitation(f)).token }) },
  // Signed in, in a company or none; an expired link: PRECONDITION_FAILED past authorization, nobody joins.
  'invitation.accept': {
    access: 'account',
    input: async (f) => ({ token: (await newInvitation(f, { expired: true })).token }),
  },
};

let sendingCheck: Promise<unknown> | undefined;
/**
 * A new instance of "sending-check" (published once, in our company), waiting for message
 * "matrix-paid" and signal "matrix-closed", both sendable by accounting only. Returns its correlation key.
 */
async function waitingForMatrix(f: Fixtures): Promise<string> {
  const onlyAccounting = { groups: ['accounting'] };
  sendingCheck ??= publishProcess(
    f.db,
    f.tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'sending-check',
        version: 1,
        name: 'Sending check',
        startForm: 'access-start',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'split', type: 'parallelGateway' },
          {
            id: 'paid',
            type: 'intermediateCatchEvent',
            event: { kind: 'message', name: 'matrix-paid', correlationKey: 'reference', sendableBy: onlyAccounting },
          },
          {
            id: 'closed',
            type: 'intermediateCatchEvent',
            event: { kind: 'signal', name: 'matrix-closed', sendableBy: onlyAccounting },
          },
          { id: 'e1', type: 'endEvent' },
          { id: 'e2', type: 'endEvent' },
        ],
        flows: [
          flow('f1', 's', 'split'),
          flow('f2', 'split', 'paid'),
          flow('f3', 'split', 'closed'),
          flow('f4', 'paid', 'e1'),
          flow('f5', 'closed', 'e2'),
        ],
      },
      forms: [],
    },
    null,
  );
  await sendingCheck;
  const reference = `SC-${randomUUID()}`;
  await (await callerAs(f, 'admin')).instance.start({ definitionKey: 'sending-check', variables: { reference } });
  return reference;
}

/** Our draft "matrix-stale", at revision 2 (a call naming revision 1 is stale and changes nothing). */
async function matrixDraft(f: Fixtures): Promise<{ key: string }> {
  const content = {
    formatVersion: 1,
    key: 'matrix-stale',
    version: 1,
    name: 'Matrix',
    elements: [{ id: 'start', type: 'startEvent' }],
    flows: [],
  };
  await f.db
    .insert(processDrafts)
    .values({ tenantId: f.tenantId, key: 'matrix-stale', content, revision: 2, updatedBy: f.userId('designer') })
    .onConflictDoNothing();
  return { key: 'matrix-stale' };
}

/** Our invoice approval, remembered as imported from the library's accounting pack (once). */
/** A new inbound webhook of ours (as an admin makes one). */
async function matrixInboundHook(f: Fixtures): Promise<string> {
  const [row] = await f.db
    .insert(inboundWebhooks)
    .values({
      tenantId: f.tenantId,
      name: 'Ngân hàng báo có',
      messageName: 'bank-credit',
      secret: randomBytes(32).toString('hex'),
      createdBy: f.userId('admin'),
    })
    .returning({ id: inboundWebhooks.id });
  return row!.id;
}

async function matrixOrigin(f: Fixtures): Promise<string> {
  const [row] = await f.db
    .select({ definition: processDefinitions.definition })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, f.tenantId), eq(processDefinitions.key, 'invoice-approval')));
  await f.db
    .insert(templateOrigins)
    .values({
      tenantId: f.tenantId,
      processKey: 'invoice-approval',
      packKey: 'accounting',
      packVersion: '1.0.0',
      templateKey: 'invoice-approval',
      departmentMap: {},
      base: row!.definition,
    })
    .onConflictDoNothing();
  return 'invoice-approval';
}

/** A decision table of ours (published once; the same key for every persona). */
async function matrixDecision(f: Fixtures): Promise<string> {
  const content = {
    id: 'matrix-decision',
    requires: [],
    hitPolicy: 'FIRST' as const,
    inputs: [{ expression: 'amount' }],
    outputs: [{ name: 'approver' }],
    rules: [{ inputEntries: ['-'], outputEntries: ['"accounting"'] }],
  };
  await f.db
    .insert(decisions)
    .values({ tenantId: f.tenantId, key: 'matrix-decision', version: 1, name: 'Matrix', content })
    .onConflictDoNothing();
  return 'matrix-decision';
}

/** A new staff member of ours (for a command that removes one). */
async function newMember(f: Fixtures): Promise<string> {
  const [user] = await f.db
    .insert(users)
    .values({ email: `matrix.${randomUUID()}@senvang.example`, displayName: 'Thành Viên Tạm' })
    .returning({ id: users.id });
  await f.db.insert(memberships).values({ tenantId: f.tenantId, userId: user!.id, role: 'staff' });
  return user!.id;
}

async function departmentOf(f: Fixtures, key: string): Promise<string> {
  const [row] = await f.db
    .select({ id: groups.id })
    .from(groups)
    .where(and(eq(groups.tenantId, f.tenantId), eq(groups.key, key)));
  return row!.id;
}

/** A new, empty department of ours. */
async function newDepartment(f: Fixtures): Promise<string> {
  const [row] = await f.db
    .insert(groups)
    .values({
      tenantId: f.tenantId,
      key: `matrix-${randomUUID().slice(0, 8)}`,
      name: { en: 'Temporary', vi: 'Tạm thời' },
    })
    .returning({ id: groups.id });
  return row!.id;
}

/** A new open invitation of ours, with the token its link would carry. */
async function newInvitation(f: Fixtures, options: { expired?: boolean } = {}): Promise<{ id: string; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const [row] = await f.db
    .insert(invitations)
    .values({
      tenantId: f.tenantId,
      email: `moi.${randomUUID()}@example.vn`,
      role: 'staff',
      tokenHash: hashInvitationToken(token),
      expiresAt: options.expired ? sql`now() - interval '1 minute'` : sql`now() + interval '7 days'`,
    })
    .returning({ id: invitations.id });
  return { id: row!.id, token };
}

/** A caller for one of our personas, inside a row's input (e.g. to claim a task first). */
async function callerAs(f: Fixtures, persona: Persona) {
  return createCaller(
    await createContextInner({ db: f.db, userId: f.userId(persona), tenantId: f.tenantId, locale: 'en' }),
  );
}

/** Who the declared access admits before any per-record rule (the other company's admin is an admin — of theirs). */
function admittedBy(access: Access, persona: Persona): boolean {
  if (access === 'public') return true;
  if (persona === 'signedOut') return false;
  if (access === 'account') return true; // signed in, in a company or not
  if (persona === 'noCompany') return false;
  const role = persona === 'otherAdmin' ? 'admin' : persona === 'stranger' || persona === 'staff' ? 'staff' : persona;
  return allows(access, role);
}

type Outcome = 'allowed' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND';

function expected(row: Row, persona: Persona): Outcome {
  if (!admittedBy(row.access, persona))
    return persona === 'signedOut' || persona === 'noCompany' ? 'UNAUTHORIZED' : 'FORBIDDEN';
  return row.deny?.[persona] ?? 'allowed';
}

const ACCESS_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']);

let handle: DatabaseHandle;
let fixtures: Fixtures;
const userIds = new Map<Persona, string>();
const tenantOf = new Map<Persona, string>();

const procedures = () => appRouter._def.procedures as unknown as Record<string, AnyProcedure>;

async function callAs(persona: Persona, path: string, input: unknown): Promise<Outcome> {
  const caller = createCaller(
    await createContextInner({
      db: handle.db,
      userId: userIds.get(persona) ?? null,
      tenantId: tenantOf.get(persona) ?? null,
      locale: 'en',
    }),
  );
  const fn = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    await fn(input);
    return 'allowed';
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    if (error.code === 'INTERNAL_SERVER_ERROR') throw error;
    return ACCESS_CODES.has(error.code) ? (error.code as Outcome) : 'allowed';
  }
}

const flow = (id: string, source: string, target: string) => ({ id, source, target });

async function publishAccessCheck(tenantId: string, key = 'access-check') {
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key,
        version: 1,
        name: { en: 'Access check', vi: 'Kiểm tra quyền' },
        startForm: 'access-start',
        businessKey: 'reference',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'review', type: 'userTask', formKey: 'access-decision', candidateGroups: ['accounting'] },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'review'), flow('f2', 'review', 'e')],
      },
      forms: [
        {
          key: 'access-start',
          version: 1,
          title: 'Bắt đầu',
          schema: { type: 'object', required: ['reference'], properties: { reference: { type: 'string' } } },
        },
        {
          key: 'access-decision',
          version: 1,
          title: 'Quyết định',
          schema: {
            type: 'object',
            required: ['decision'],
            properties: { decision: { type: 'string', enum: ['approve', 'reject'] } },
          },
        },
      ],
    },
    null,
  );
}

async function userId(email: string) {
  const [row] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return row!.id;
}

async function buildFixtures(): Promise<Fixtures> {
  const tenantId = await seedDemo(handle.db);
  await publishAccessCheck(tenantId);
  const [auditor] = await handle.db.insert(users).values({ email: AUDITOR, displayName: 'Kiểm Toán Viên' }).returning();
  await handle.db.insert(memberships).values({ tenantId, userId: auditor!.id, role: 'auditor' });
  const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
  const [boss] = await handle.db.insert(users).values({ email: OTHER_ADMIN, displayName: 'Phan Văn Khác' }).returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  // Theirs under another key: a key names a process within one company, so the same key would be theirs, not ours.
  await publishAccessCheck(other!.id, 'their-check');
  const [loner] = await handle.db.insert(users).values({ email: NO_COMPANY, displayName: 'Người Ngoài' }).returning();

  for (const [persona, email] of Object.entries(people) as [Persona, string][]) {
    userIds.set(persona, await userId(email));
    tenantOf.set(persona, tenantId);
  }
  userIds.set('auditor', auditor!.id);
  tenantOf.set('auditor', tenantId);
  userIds.set('otherAdmin', boss!.id);
  tenantOf.set('otherAdmin', other!.id);
  userIds.set('noCompany', loner!.id);

  const ngoc = createCaller(
    await createContextInner({ db: handle.db, userId: await userId(demo.ngoc), tenantId, locale: 'en' }),
  );
  const admin = createCaller(
    await createContextInner({ db: handle.db, userId: userIds.get('admin')!, tenantId, locale: 'en' }),
  );
  let n = 0;
  const freshInstance = async () => {
    const started = await ngoc.instance.start({ definitionKey: 'access-check', variables: { reference: `AC-${++n}` } });
    return { id: started.id, taskId: started.taskIds[0]! };
  };
  const shared = await freshInstance();
  const webhook = async () =>
    (await admin.webhook.create({ url: 'https://hooks.example.com/trellis', events: ['instance.completed'] })).id;
  const failedJob = async () => {
    const [job] = await handle.db
      .insert(jobs)
      .values({
        tenantId,
        instanceId: (await freshInstance()).id,
        kind: 'service',
        elementId: 'review',
        jobType: 'probe',
        status: 'failed',
        attempts: 3,
        lastError: 'Ngân hàng từ chối',
      })
      .returning({ id: jobs.id });
    return job!.id;
  };
  return {
    db: handle.db,
    tenantId,
    otherTenantId: other!.id,
    userId: (persona) => userIds.get(persona)!,
    instanceId: shared.id,
    taskId: shared.taskId,
    freshInstance,
    webhook,
    failedJob,
    failedDelivery: async () => {
      const id = await webhook();
      const [delivery] = await handle.db
        .insert(jobs)
        .values({
          tenantId,
          instanceId: shared.id,
          kind: 'webhook',
          elementId: 'webhook',
          payload: { webhookId: id },
          status: 'failed',
          attempts: 5,
          lastError: 'HTTP 500',
        })
        .returning({ id: jobs.id });
      return { id, deliveryId: delivery!.id };
    },
    email: async () => {
      const [row] = await handle.db
        .insert(emailOutbox)
        .values({
          tenantId,
          to: ['ke.toan@senvang.example'],
          subject: 'Hóa đơn',
          body: 'Xin chào',
          messageId: `<${++n}@trellis.test>`,
        })
        .returning({ id: emailOutbox.id });
      return row!.id;
    },
    apiKey: async () =>
      (await admin.apiKeys.create({ name: `Khóa ${++n}`, expiresInDays: 30, scopes: { readInstances: true } })).id,
  };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  fixtures = await buildFixtures();
});
afterAll(async () => handle?.close());

describe('the access matrix', () => {
  it('has a row for every procedure of the router, and a procedure for every row', () => {
    const paths = Object.keys(procedures()).sort();
    const missing = paths.filter((p) => !(p in matrix));
    const stale = Object.keys(matrix).filter((p) => !paths.includes(p));
    expect(missing, 'procedures without a row in test/integration/access-matrix.test.ts: add one each').toEqual([]);
    expect(stale, 'rows for procedures the router no longer has').toEqual([]);
  });

  it('every procedure declares its access, and declares what its row expects', () => {
    const declared = Object.fromEntries(
      Object.entries(procedures()).map(([path, p]) => [path, (p._def.meta as Meta | undefined)?.access ?? null]),
    );
    expect(
      Object.entries(declared)
        .filter(([, access]) => access === null)
        .map(([path]) => path),
      'procedures declaring no access',
    ).toEqual([]);
    const inTable = Object.keys(declared).filter((path) => path in matrix);
    expect(Object.fromEntries(inTable.map((path) => [path, declared[path]]))).toEqual(
      Object.fromEntries(inTable.map((path) => [path, matrix[path]!.access])),
    );
  });

  it('lists exceptions only for personas the declared access admits', () => {
    for (const [path, row] of Object.entries(matrix)) {
      for (const persona of Object.keys(row.deny ?? {}) as Persona[])
        expect(admittedBy(row.access, persona), `${path}: ${persona}`).toBe(true);
    }
  });

  // One test per procedure, so a failure names it; each lists what every persona got against what was expected.
  for (const path of Object.keys(matrix)) {
    it(`${path}: every persona gets what the table expects`, async () => {
      const row = matrix[path]!;
      if (!(path in procedures())) return; // reported by the first test
      const got: Record<string, Outcome> = {};
      const want: Record<string, Outcome> = {};
      for (const persona of personas) {
        want[persona] = expected(row, persona);
        got[persona] = await callAs(persona, path, row.input ? await row.input(fixtures) : undefined);
      }
      expect(got).toEqual(want);
    });
  }

  it('the calls left nothing behind that an allowed-but-invalid call should not have: no publish, no webhook with a bad URL', async () => {
    const { processDefinitions, webhooks } = await import('@/db/schema');
    expect(await handle.db.select().from(processDefinitions).where(eq(processDefinitions.key, 'nothing'))).toEqual([]);
    expect((await handle.db.select({ url: webhooks.url }).from(webhooks)).map((w) => w.url)).not.toContain(
      'không phải địa chỉ',
    );
    const [task] = await handle.db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, fixtures.taskId));
    expect(task!.status).toBe('open');
    expect(await handle.db.$count(apiKeys, eq(apiKeys.name, 'Khóa thử ma trận'))).toBe(0);
  });
});

/** The tRPC endpoint's answer to one call as a browser or a script would send it: a GET for a query, a POST for a mutation. */
async function overHttp(
  path: string,
  input: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: { result?: unknown; error?: { data?: { code?: string } } } }> {
  const url = `http://localhost:3000/api/trpc/${path}`;
  const query = procedures()[path]!._def.type === 'query';
  const request = query
    ? new Request(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
    : new Request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        ...(input === undefined ? {} : { body: JSON.stringify(input) }),
      });
  incoming.headers = request.headers;
  const res = await (query ? trpcGet : trpcPost)(request);
  return { status: res.status, body: (await res.json()) as never };
}

describe('an API key at the tRPC endpoint', () => {
  it('is signed out for every procedure: UNAUTHORIZED where sign-in is needed, the signed-out answer where not', async () => {
    // given: the route handlers open the app's database (database.ts): this one; a key of ours with every kind of right
    const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };
    app.__trellisDb = Promise.resolve(handle);
    const admin = await callerAs(fixtures, 'admin');
    const { token } = await admin.apiKeys.create({
      name: 'Kết nối ERP kế toán',
      expiresInDays: 30,
      scopes: {
        start: ['access-check'],
        messages: ['matrix-paid'],
        signals: ['matrix-closed'],
        jobTypes: ['probe'],
        readInstances: true,
      },
    });
    const bearer = { authorization: `Bearer ${token}` };
    // the token is a working one: the REST API reads our instance with it
    const read = await getInstance(
      new Request(`http://localhost:3000/api/v1/instances/${fixtures.instanceId}`, { headers: bearer }),
      { params: Promise.resolve({ id: fixtures.instanceId }) },
    );
    expect(read.status).toBe(200);
    // and this endpoint does read a browser's session: the admin's cookie lists the keys
    const signIn = await getAuth(handle.db).api.signInEmail({
      body: { email: people.admin, password: DEMO_PASSWORD },
      headers: new Headers(),
      returnHeaders: true,
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    expect((await overHttp('apiKeys.list', undefined, { cookie })).status).toBe(200);

    // when: each procedure is called with the key alone, with the input its row gives
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [path, procedure] of Object.entries(procedures())) {
      const row = matrix[path];
      if (!row) continue; // reported by the matrix's first test
      const access = (procedure._def.meta as Meta).access;
      const input = row.input ? await row.input(fixtures) : undefined;
      const withKey = await overHttp(path, input, bearer);
      got[path] = `${withKey.status} ${withKey.body.error?.data?.code ?? 'ok'}`;
      if (access === 'public') {
        // then (public): exactly what a signed-out visitor gets
        const signedOut = await overHttp(path, input, {});
        want[path] = `${signedOut.status} ${signedOut.body.error?.data?.code ?? 'ok'}`;
        expect(withKey.body, path).toEqual(signedOut.body);
      } else want[path] = '401 UNAUTHORIZED';
    }

    // then
    expect(Object.keys(got).length).toBeGreaterThan(100);
    expect(got).toEqual(want);
    expect(got['session.me']).toBe('200 ok');
  });
});
