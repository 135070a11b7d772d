/**
 * One plan, two execution forms (app/server/host/write.ts): every scenario below runs twice, on
 * two fresh databases — once as the commands run it (one statement where the plan allows, the
 * transaction form where it must) and once with every step written by the transaction form (a
 * database handle without a raw driver: the commands' one-statement path stands aside). The
 * rows the two runs wrote are then compared table by table, column by column: ids and times,
 * which differ between any two runs, are replaced by what they stand for (the instance, task,
 * person or definition an id names; whether a time is set). Both audit chains are verified.
 *
 * On PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '@/db/client';
import { jobs, tasks, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { verifyAudit } from '@/app/server/services/audit';
import { publishProcess } from '@/app/server/services/definitions';
import { startInstance } from '@/app/server/services/instances';
import { broadcastSignal, publishMessage } from '@/app/server/services/messages';
import { completeTask } from '@/app/server/services/tasks';
import { createWebhook } from '@/app/server/services/webhooks';
import { ConnectorBusinessError } from '@/app/server/host/jobs';
import { createWorker } from '@/app/server/host/worker';
import { writeForms } from '@/app/server/host/write';
import { createTestDatabase, rowsOf } from '../support/database';

type Handle = Awaited<ReturnType<typeof createTestDatabase>>;

const flow = (id: string, source: string, target: string, condition?: string) => ({
  id,
  source,
  target,
  ...(condition ? { condition } : {}),
});
const def = (key: string, elements: object[], flows: object[], extra: object = {}) => ({
  formatVersion: 1,
  key,
  version: 1,
  name: key,
  elements,
  flows,
  ...extra,
});
const task = (id: string, extra: object = {}) => ({
  id,
  type: 'userTask',
  formKey: 'decision',
  candidateGroups: ['accounting'],
  ...extra,
});
const decision = {
  key: 'decision',
  version: 1,
  title: 'Decision',
  schema: { type: 'object', properties: { decision: { type: 'string' } } },
};
const startVariables = {
  key: 'start-variables',
  version: 1,
  title: 'Start',
  schema: { type: 'object', properties: { invoiceNumber: { type: 'string' }, amount: { type: 'number' } } },
};
const withStartForm = { startForm: 'start-variables' };

/** Processes that between them make every kind of effect the engine has. */
const DEFINITIONS = [
  def(
    'charge-then-approve',
    [
      { id: 's', type: 'startEvent' },
      { id: 'charge', type: 'serviceTask', taskType: 'charge' },
      task('approve', { name: 'Approve', assignee: 'lan.nguyen@senvang.example' }),
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'charge'), flow('f2', 'charge', 'approve'), flow('f3', 'approve', 'e')],
  ),
  def(
    'refusal-path',
    [
      { id: 's', type: 'startEvent' },
      { id: 'charge', type: 'serviceTask', taskType: 'charge-refused' },
      { id: 'refused', type: 'boundaryEvent', attachedTo: 'charge', event: { kind: 'error', code: 'CARD' } },
      task('callCustomer'),
      { id: 'paid', type: 'endEvent' },
      { id: 'called', type: 'endEvent', outcome: 'called' },
    ],
    [
      flow('f1', 's', 'charge'),
      flow('f2', 'charge', 'paid'),
      flow('f3', 'refused', 'callCustomer'),
      flow('f4', 'callCustomer', 'called'),
    ],
  ),
  def(
    'four-eyes',
    [
      { id: 's', type: 'startEvent' },
      { id: 'split', type: 'parallelGateway' },
      task('prepare', { name: { en: 'Prepare', vi: 'Chuẩn bị' } }),
      task('check', { separationOfDuties: { notCompletedBy: ['prepare'] } }),
      { id: 'join', type: 'parallelGateway' },
      task('sign'),
      { id: 'e', type: 'endEvent' },
    ],
    [
      flow('f1', 's', 'split'),
      flow('f2', 'split', 'prepare'),
      flow('f3', 'split', 'check'),
      flow('f4', 'prepare', 'join'),
      flow('f5', 'check', 'join'),
      flow('f6', 'join', 'sign'),
      flow('f7', 'sign', 'e'),
    ],
  ),
  def(
    'deadline',
    [
      { id: 's', type: 'startEvent' },
      task('review'),
      { id: 'late', type: 'boundaryEvent', attachedTo: 'review', event: { kind: 'timer', duration: 'PT48H' } },
      task('escalate'),
      { id: 'done', type: 'endEvent', outcome: 'reviewed' },
      { id: 'escalated', type: 'endEvent', outcome: 'escalated' },
    ],
    [
      flow('f1', 's', 'review'),
      flow('f2', 'review', 'done'),
      flow('f3', 'late', 'escalate'),
      flow('f4', 'escalate', 'escalated'),
    ],
  ),
  def(
    'reminders',
    [
      { id: 's', type: 'startEvent' },
      task('approve'),
      {
        id: 'remind',
        type: 'boundaryEvent',
        attachedTo: 'approve',
        cancelActivity: false,
        event: { kind: 'timer', cycle: 'R/PT48H' },
      },
      { id: 'nudge', type: 'intermediateThrowEvent', event: { kind: 'message', name: 'nudge' } },
      { id: 'nudged', type: 'endEvent' },
      { id: 'e', type: 'endEvent' },
    ],
    [
      flow('f1', 's', 'approve'),
      flow('f2', 'approve', 'e'),
      flow('f3', 'remind', 'nudge'),
      flow('f4', 'nudge', 'nudged'),
    ],
  ),
  def(
    'three-runs',
    [
      { id: 's', type: 'startEvent' },
      task('vote', {
        multiInstance: {
          collection: '["a", "b", "c"]',
          elementVariable: 'part',
          completionCondition: 'nrOfCompletedInstances >= 2',
        },
      }),
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'vote'), flow('f2', 'vote', 'e')],
  ),
  def(
    'per-run',
    [
      { id: 's', type: 'startEvent' },
      {
        id: 'each',
        type: 'subProcess',
        multiInstance: { collection: '["a", "b"]', elementVariable: 'part' },
        elements: [{ id: 'in', type: 'startEvent' }, task('review'), { id: 'out', type: 'endEvent' }],
        flows: [flow('s1', 'in', 'review'), flow('s2', 'review', 'out')],
      },
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'each'), flow('f2', 'each', 'e')],
  ),
  def(
    'child',
    [{ id: 's', type: 'startEvent' }, task('check'), { id: 'e', type: 'endEvent' }],
    [flow('f1', 's', 'check'), flow('f2', 'check', 'e')],
  ),
  def(
    'parent',
    [
      { id: 's', type: 'startEvent' },
      { id: 'call', type: 'callActivity', calledElement: 'child', outputs: { childDecision: 'decision' } },
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'call'), flow('f2', 'call', 'e')],
  ),
  def(
    'payment',
    [
      { id: 's', type: 'startEvent' },
      { id: 'paid', type: 'receiveTask', message: { name: 'payment-received', correlationKey: 'invoiceNumber' } },
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'paid'), flow('f2', 'paid', 'e')],
    withStartForm,
  ),
  def(
    'quarter',
    [
      { id: 's', type: 'startEvent' },
      { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'signal', name: 'quarter-closed' } },
      task('report'),
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'wait'), flow('f2', 'wait', 'report'), flow('f3', 'report', 'e')],
  ),
  def(
    'broken-loop',
    [
      { id: 's', type: 'startEvent' },
      task('vote', { multiInstance: { collection: 'voters', elementVariable: 'voter' } }),
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'vote'), flow('f2', 'vote', 'e')],
  ),
  def(
    'cool-off',
    [
      { id: 's', type: 'startEvent' },
      { id: 'split', type: 'parallelGateway' },
      { id: 'coolOff', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT1H' } },
      { id: 'charge', type: 'serviceTask', taskType: 'charge', retries: 5 },
      { id: 'join', type: 'parallelGateway' },
      { id: 'e', type: 'endEvent' },
    ],
    [
      flow('f1', 's', 'split'),
      flow('f2', 'split', 'coolOff'),
      flow('f3', 'split', 'charge'),
      flow('f4', 'coolOff', 'join'),
      flow('f5', 'charge', 'join'),
      flow('f6', 'join', 'e'),
    ],
  ),
  def(
    'auto-end',
    [
      { id: 's', type: 'startEvent' },
      { id: 'gw', type: 'exclusiveGateway' },
      task('big'),
      { id: 'e', type: 'endEvent' },
    ],
    [
      flow('f1', 's', 'gw'),
      flow('f2', 'gw', 'big', 'amount > 1000'),
      flow('f3', 'gw', 'e', 'amount <= 1000'),
      flow('f4', 'big', 'e'),
    ],
    withStartForm,
  ),
];

interface Run {
  db: Executor;
  handle: Handle;
  tenantId: string;
  as: (email: string) => Promise<Actor>;
}

/** The database as the commands see it with no raw driver: every step goes through the transaction form. */
function transactionOnly(db: Executor): Executor {
  return Object.create(db, { $client: { value: undefined } }) as Executor;
}

async function prepare(form: 'as-commands-choose' | 'transaction-only'): Promise<Run> {
  const handle = await createTestDatabase();
  const tenantId = await seedDemo(handle.db);
  for (const definition of DEFINITIONS)
    await publishProcess(handle.db, tenantId, { definition, forms: [decision, startVariables] }, null);
  const db = form === 'transaction-only' ? transactionOnly(handle.db) : handle.db;
  const as = async (email: string) => {
    const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return (await resolveActor(handle.db, user!.id, 'en'))!;
  };
  await createWebhook(handle.db, await as('bao.ngo@senvang.example'), {
    url: 'https://hooks.example/trellis',
    events: ['task.created', 'task.completed', 'instance.completed', 'instance.failed'],
  });
  return { db, handle, tenantId, as };
}

const LAN = 'lan.nguyen@senvang.example';
const HUNG = 'hung.tran@senvang.example';
const NGOC = 'ngoc.bui@senvang.example';

/** Open tasks of an instance, in a stable order. */
async function openTasks(run: Run, instanceId: string) {
  return run.handle.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.instanceId, instanceId), eq(tasks.status, 'open')))
    .orderBy(asc(tasks.elementId), asc(tasks.loopIndex), asc(tasks.scope));
}
async function complete(
  run: Run,
  instanceId: string,
  elementId: string,
  email = LAN,
  data: object = { decision: 'ok' },
) {
  const [open] = (await openTasks(run, instanceId)).filter((t) => t.elementId === elementId);
  if (!open) throw new Error(`no open task "${elementId}"`);
  await completeTask(run.db, await run.as(email), { taskId: open.id, data: data as Record<string, unknown> });
}
const worker = (run: Run) =>
  createWorker(run.db, {
    connectors: {
      charge: async () => ({ receipt: 'R-1' }),
      'charge-refused': async () => {
        throw new ConnectorBusinessError('CARD', 'card declined');
      },
    },
  });
async function makeDue(run: Run, instanceId: string, elementId: string) {
  await run.handle.db
    .update(jobs)
    .set({ dueAt: sql`now() - interval '1 second'` })
    .where(and(eq(jobs.instanceId, instanceId), eq(jobs.elementId, elementId), eq(jobs.status, 'pending')));
}
async function start(run: Run, key: string, variables: Record<string, unknown> = {}, email = NGOC) {
  return (await startInstance(run.db, await run.as(email), { definitionKey: key, variables })).id;
}

/** The scenario: the same commands, in the same order, on either database. */
async function scenario(run: Run) {
  // a service job, then a task given to a person by name (notified), completed
  const charged = await start(run, 'charge-then-approve');
  await worker(run).tick();
  await complete(run, charged, 'approve');
  // a connector's business error caught by a boundary
  const refused = await start(run, 'refusal-path');
  await worker(run).tick();
  await complete(run, refused, 'callCustomer');
  // four-eyes: the waiting check learns who prepared; the join; completing the instance
  const fourEyes = await start(run, 'four-eyes');
  await complete(run, fourEyes, 'prepare', HUNG);
  await complete(run, fourEyes, 'check', LAN);
  await complete(run, fourEyes, 'sign', LAN);
  // a boundary timer cancelled with its task; another one firing and interrupting it
  const onTime = await start(run, 'deadline');
  await complete(run, onTime, 'review');
  const late = await start(run, 'deadline');
  await makeDue(run, late, 'late');
  await worker(run).tick();
  await complete(run, late, 'escalate');
  // a repeating non-interrupting timer that sends a message nobody hears
  const reminded = await start(run, 'reminders');
  await makeDue(run, reminded, 'remind');
  await worker(run).tick();
  await complete(run, reminded, 'approve');
  // multi-instance: runs as tasks; the completion condition cancels the third
  const votes = await start(run, 'three-runs');
  await complete(run, votes, 'vote');
  await complete(run, votes, 'vote');
  // a subprocess per item: two tasks of one element, by run
  const perRun = await start(run, 'per-run');
  await complete(run, perRun, 'review');
  await complete(run, perRun, 'review');
  // a call activity: the child's completion resumes the parent
  const parent = await start(run, 'parent');
  const [child] = rowsOf<{ id: string }>(
    await run.handle.db.execute(sql`select id from process_instances where parent_id = ${parent}`),
  );
  await complete(run, child!.id, 'check');
  // a message to a waiting receive task; a signal to a waiting catch event
  await start(run, 'payment', { invoiceNumber: 'HD-0042' });
  await publishMessage(run.db, await run.as('bao.ngo@senvang.example'), {
    name: 'payment-received',
    correlationKey: 'HD-0042',
    variables: { paidAmount: 1500000 },
  });
  await start(run, 'quarter');
  await broadcastSignal(run.db, await run.as('bao.ngo@senvang.example'), { name: 'quarter-closed', variables: {} });
  // a timer and a service job made by one step (rows that leave different columns to their defaults)
  const coolOff = await start(run, 'cool-off');
  await worker(run).tick();
  await makeDue(run, coolOff, 'coolOff');
  await worker(run).tick();
  // an incident at start (webhook event instance.failed); an instance that ends in its start; a gateway
  await start(run, 'broken-loop');
  await start(run, 'auto-end', { amount: 500 });
  const big = await start(run, 'auto-end', { amount: 5000 });
  await complete(run, big, 'big');
}

// ---- comparing what two runs wrote ----------------------------------------------------------------

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?/g;
const TIME_COLUMNS = new Set([
  'created_at',
  'started_at',
  'ended_at',
  'completed_at',
  'due_at',
  'at',
  'locked_until',
  'updated_at',
  'correlated_at',
  'expires_at',
  'read_at',
  'emailed_at',
]);

/** Every row the scenario wrote, per table, with ids named for what they are and times as set/unset. */
async function writtenRows(run: Run) {
  const db = run.handle.db;
  const all = async (query: string) => rowsOf<Record<string, unknown>>(await db.execute(sql.raw(query)));
  const names = new Map<string, string>();
  const name = (id: unknown, as: string) => {
    if (typeof id === 'string' && !names.has(id.toLowerCase())) names.set(id.toLowerCase(), as);
  };
  name(run.tenantId, 'tenant');
  for (const u of await all(`select id, email from users`)) name(u.id, `user:${u.email}`);
  for (const d of await all(`select id, key, version from process_definitions`))
    name(d.id, `definition:${d.key}@${d.version}`);
  for (const f of await all(`select id, key, version from forms`)) name(f.id, `form:${f.key}@${f.version}`);
  for (const w of await all(`select id from webhooks`)) name(w.id, 'webhook');
  // Instances and tasks by the order their histories began (audit ids follow the writes).
  const audit = await all(`select * from audit_events where instance_id is not null order by id`);
  let instances = 0;
  let taskCount = 0;
  for (const a of audit) {
    if (a.type === 'instance.started') name(a.instance_id, `instance#${++instances}`);
    if (a.type === 'task.created') name(a.task_id, `task#${++taskCount}`);
  }
  const normal = (value: unknown, column?: string): unknown => {
    if (column && TIME_COLUMNS.has(column)) return value === null ? null : '<time>';
    if (value instanceof Date) return '<time>';
    if (typeof value === 'string')
      return value.replace(UUID, (id) => names.get(id.toLowerCase()) ?? '<id>').replace(ISO_TIME, '<time>');
    if (Array.isArray(value)) return value.map((v) => normal(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normal(v)]));
    return value;
  };
  const table = async (query: string, drop: string[] = []) =>
    (await all(query))
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row)
              .filter(([k]) => !drop.includes(k))
              .map(([k, v]) => [k, normal(v, k)]),
          ),
        ),
      )
      .sort();
  return {
    instances: await table(`select * from process_instances`, ['audit_head']),
    tasks: await table(`select *, search::text as search from tasks`),
    jobs: await table(`select * from jobs`),
    // the chain is verified below; its hashes cover ids and times, which differ between any two runs
    audit: await table(`select * from audit_events where instance_id is not null`, ['id', 'prev_hash', 'hash']),
    subscriptions: await table(`select * from subscriptions`),
    messages: await table(`select * from messages`),
    notifications: await table(`select * from notifications`),
  };
}

let oneStatement: Run;
let transactional: Run;
/** One-statement writes during each run. */
let forms: { asCommandsChoose: number; transactionOnly: number };

beforeAll(async () => {
  oneStatement = await prepare('as-commands-choose');
  transactional = await prepare('transaction-only');
  const before = { ...writeForms };
  await scenario(oneStatement);
  const between = { ...writeForms };
  await scenario(transactional);
  forms = {
    asCommandsChoose: between.oneStatement - before.oneStatement,
    transactionOnly: writeForms.oneStatement - between.oneStatement,
  };
}, 240_000);
afterAll(async () => {
  await oneStatement?.handle.close();
  await transactional?.handle.close();
});

describe('one plan, two execution forms', () => {
  it('the run as the commands choose took the one-statement form for most steps; the other never', () => {
    expect(forms.asCommandsChoose).toBeGreaterThan(15);
    expect(forms.transactionOnly).toBe(0);
  });

  it('both runs wrote the same rows, table by table and column by column', async () => {
    const a = await writtenRows(oneStatement);
    const b = await writtenRows(transactional);
    for (const table of Object.keys(a) as (keyof typeof a)[]) {
      expect(a[table].length, `${table}: rows written`).toBeGreaterThan(
        table === 'subscriptions' || table === 'messages' ? -1 : 0,
      );
      expect(a[table], `${table}: as the commands choose vs. transaction only`).toEqual(b[table]);
    }
  });

  it('both audit chains verify', async () => {
    for (const run of [oneStatement, transactional]) {
      const verification = await verifyAudit(run.handle.db, { tenantId: run.tenantId });
      expect(verification.problems).toEqual([]);
      expect(verification.events).toBeGreaterThan(100);
    }
  });
});
