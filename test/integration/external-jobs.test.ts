/**
 * External job workers over the REST API (/api/v1/jobs/…), through the route handlers, on a real
 * database (PGlite, and PostgreSQL when DATABASE_URL is set). A key works only the job types its
 * scope lists and only its company's jobs; a revoked key is refused at once. A command needs the
 * lock (this key and worker, within the lease): a lease that runs out returns the job to be
 * fetched again as the next attempt, and extending it keeps it. Failing backs off and becomes an
 * incident exactly as for a built-in worker; a BPMN error is caught by the boundary event on the
 * task (or, uncaught, stops the instance); a completion moves the instance on, once, and a retried
 * one does nothing again. A waiting fetch answers as soon as a job comes — woken, not polling —
 * answers none when its wait is over, and stops waiting when its client goes away.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, memberships, processInstances, tenants, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { authenticateApiKey, createApiKey, revokeApiKey, type NewApiKey } from '@/app/server/services/api-keys';
import { publishProcess } from '@/app/server/services/definitions';
import { listenForInboxChanges } from '@/app/server/services/inbox-signal';
import { startInstance } from '@/app/server/services/instances';
import { RECHECK_MS, waitingFetches } from '@/app/server/services/job-waiters';
import { createWorker } from '@/app/server/host/worker';
import { API_BASE } from '@/app/server/api/openapi';
import { POST as fetchRoute } from '@/app/api/v1/jobs/fetch-and-lock/route';
import { POST as completeRoute } from '@/app/api/v1/jobs/[id]/complete/route';
import { POST as failRoute } from '@/app/api/v1/jobs/[id]/fail/route';
import { POST as bpmnErrorRoute } from '@/app/api/v1/jobs/[id]/bpmn-error/route';
import { POST as extendRoute } from '@/app/api/v1/jobs/[id]/extend-lock/route';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const BASE = `http://localhost:3000${API_BASE}`;
const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };

type Body = Record<string, unknown>;
type Answer = { status: number; body: Body };
type LockedJob = { id: string; instanceId: string; attempts: number; retries: number; variables: Body } & Body;

let handle: DatabaseHandle;
/** The test database's address on PostgreSQL (another process's connection is opened to it). */
let databaseUrl: string | undefined;
let tenantId: string;
let admin: Actor;
/** Works every job type of these tests. */
let worker: string;
/** Works only erp-sync-ledger. */
let ledger: string;
/** Another key with the same job types: another lock holder. */
let twin: string;
/** Another company's key, with the same job types. */
let theirs: string;

const TYPES = ['erp.create-payment', 'erp-lease', 'erp-fail', 'erp-poll', 'erp-sync-ledger'];

async function key(actor: Actor, scopes: NewApiKey['scopes']) {
  const created = await createApiKey(handle.db, actor, {
    name: `Key ${randomUUID().slice(0, 6)}`,
    scopes,
    expiresInDays: 30,
  });
  return created;
}

/** A payment process whose service task is of `taskType`; a rejected payment is caught and ends as `rejected`. */
async function publishPayment(tenant: string, taskType: string, retries = 2) {
  const key = `pay-${taskType.replaceAll('.', '-')}`;
  await publishProcess(
    handle.db,
    tenant,
    {
      definition: {
        formatVersion: 1,
        key,
        version: 1,
        name: { en: 'Pay a supplier', vi: 'Thanh toán nhà cung cấp' },
        startForm: 'payment-request',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'pay',
            type: 'serviceTask',
            taskType,
            retries,
            settings: { bank: 'VCB', memo: '="HD " + invoiceNumber' },
          },
          {
            id: 'rejected',
            type: 'boundaryEvent',
            attachedTo: 'pay',
            event: { kind: 'error', code: 'PAYMENT_REJECTED' },
          },
          { id: 'paid', type: 'endEvent', outcome: 'paid' },
          { id: 'refused', type: 'endEvent', outcome: 'rejected' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'pay' },
          { id: 'f2', source: 'pay', target: 'paid' },
          { id: 'f3', source: 'rejected', target: 'refused' },
        ],
      },
      forms: [
        {
          key: 'payment-request',
          version: 1,
          title: 'Đề nghị thanh toán',
          schema: {
            type: 'object',
            properties: { invoiceNumber: { type: 'string' }, amount: { type: 'number' } },
            required: ['invoiceNumber', 'amount'],
          },
        },
      ],
    },
    null,
  );
  return key;
}

/** Starts a payment (as a key that may start it), answering the instance id. */
async function startPayment(taskType: string, invoiceNumber = `HD-${randomUUID().slice(0, 6)}`, tenant = tenantId) {
  const starter = await key((await actorOf(tenant))!, { start: [`pay-${taskType.replaceAll('.', '-')}`] });
  const caller = (await authenticateApiKey(handle.db, starter.token))!;
  const started = await startInstance(
    handle.db,
    { ...caller, locale: 'en' },
    {
      definitionKey: `pay-${taskType.replaceAll('.', '-')}`,
      variables: { invoiceNumber, amount: 12_500_000 },
    },
  );
  return started.id;
}

const actors = new Map<string, Actor>();
async function actorOf(tenant: string) {
  return actors.get(tenant);
}

type Route = (req: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

async function call(
  route: Route,
  token: string,
  path: string,
  body: unknown,
  options: { id?: string; signal?: AbortSignal; locale?: string } = {},
): Promise<Answer> {
  const req = new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(options.locale ? { 'accept-language': options.locale } : {}),
    },
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const res = await route(req, { params: Promise.resolve({ id: options.id ?? '' }) });
  return { status: res.status, body: (await res.json()) as Body };
}

const fetchJobs = (token: string, body: Body, options: { signal?: AbortSignal; locale?: string } = {}) =>
  call(fetchRoute as unknown as Route, token, '/jobs/fetch-and-lock', body, options);
const complete = (token: string, id: string, body: Body, locale?: string) =>
  call(completeRoute, token, `/jobs/${id}/complete`, body, { id, ...(locale ? { locale } : {}) });
const fail = (token: string, id: string, body: Body) => call(failRoute, token, `/jobs/${id}/fail`, body, { id });
const bpmnError = (token: string, id: string, body: Body) =>
  call(bpmnErrorRoute, token, `/jobs/${id}/bpmn-error`, body, { id });
const extend = (token: string, id: string, body: Body) =>
  call(extendRoute, token, `/jobs/${id}/extend-lock`, body, { id });

/** Fetches (no waiting) and expects exactly the jobs of `instanceIds`. */
async function fetchOnly(token: string, jobType: string, workerId = 'w1', extra: Body = {}): Promise<LockedJob[]> {
  const answer = await fetchJobs(token, { workerId, jobTypes: [jobType], ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.jobs as LockedJob[];
}

async function instance(id: string) {
  const [row] = await handle.db.select().from(processInstances).where(eq(processInstances.id, id));
  return row!;
}

async function jobOf(instanceId: string) {
  const [row] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, instanceId));
  return row!;
}

/** A job's backoff: seconds from now until it is due (database clock). */
async function dueInSeconds(jobId: string) {
  const [row] = await handle.db
    .select({ s: sql<number>`round(extract(epoch from ${jobs.dueAt} - now()))::int` })
    .from(jobs)
    .where(eq(jobs.id, jobId));
  return Number(row!.s);
}

const makeDue = (jobId: string) =>
  handle.db
    .update(jobs)
    .set({ dueAt: sql`now() - interval '1 second'` })
    .where(eq(jobs.id, jobId));

beforeAll(async () => {
  const created = await createTestDatabase();
  handle = created;
  databaseUrl = created.url;
  tenantId = await seedDemo(handle.db);
  app.__trellisDb = Promise.resolve(handle);
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
  admin = (await resolveActor(handle.db, user!.id, 'en'))!;
  actors.set(tenantId, admin);
  for (const type of TYPES) await publishPayment(tenantId, type);
  worker = (await key(admin, { jobTypes: TYPES.filter((t) => t !== 'erp-sync-ledger') })).token;
  ledger = (await key(admin, { jobTypes: ['erp-sync-ledger'] })).token;
  twin = (await key(admin, { jobTypes: TYPES })).token;

  // Another company, with the same process and a key for the same job types.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen-jobs', name: 'Công ty Hoa Sen' }).returning();
  const [boss] = await handle.db
    .insert(users)
    .values({ email: 'hoa@hoasen-jobs.example', displayName: 'Trịnh Thị Hoa' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  const theirAdmin = (await resolveActor(handle.db, boss!.id, 'en', other!.id))!;
  actors.set(other!.id, theirAdmin);
  await publishPayment(other!.id, 'erp.create-payment');
  theirs = (await key(theirAdmin, { jobTypes: TYPES })).token;
  await startPayment('erp.create-payment', 'HS-0001', other!.id);
}, 60_000);

afterAll(async () => {
  delete app.__trellisDb;
  await handle?.close();
});

describe('a key works its job types, its company’s jobs only', () => {
  it('a type outside the scope is refused (403) for the whole fetch, naming nothing', async () => {
    for (const jobTypes of [['erp-sync-ledger'], ['erp.create-payment', 'erp-sync-ledger']]) {
      const answer = await fetchJobs(worker, { workerId: 'w1', jobTypes });
      expect(answer).toEqual({ status: 403, body: { code: 'FORBIDDEN', message: 'This key may not do that.' } });
    }
  });

  it('a job of a type outside the scope cannot be completed, failed or extended (403); another company’s is not found', async () => {
    // given a job locked by the worker key
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment')).filter((j) => j.instanceId === id);
    expect(job).toBeDefined();
    // when a key for another job type sends commands on it
    for (const send of [
      () => complete(ledger, job!.id, { workerId: 'w1' }),
      () => fail(ledger, job!.id, { workerId: 'w1', message: 'x' }),
      () => extend(ledger, job!.id, { workerId: 'w1', leaseSeconds: 60 }),
      () => bpmnError(ledger, job!.id, { workerId: 'w1', code: 'PAYMENT_REJECTED' }),
    ])
      expect((await send()).status).toBe(403);
    // and another company's key with the same job type
    const foreign = await complete(theirs, job!.id, { workerId: 'w1' });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ code: 'NOT_FOUND', message: `Job "${job!.id}" was not found.` });
    expect((await complete(theirs, randomUUID(), { workerId: 'w1' })).body).toMatchObject({ code: 'NOT_FOUND' });
    // then nothing happened to it, and the other company's worker fetches only its own
    expect(await jobOf(id)).toMatchObject({ status: 'running', lockedBy: expect.stringMatching(/^key:.*:w1$/) });
    const their = await fetchOnly(theirs, 'erp.create-payment');
    expect(their.map((j) => j.businessKey ?? j.variables.invoiceNumber)).toEqual(['HS-0001']);
    expect((await complete(worker, job!.id, { workerId: 'w1', variables: { paymentId: 'P-1' } })).status).toBe(200);
  });

  it('a revoked key is refused at once (401)', async () => {
    const created = await key(admin, { jobTypes: ['erp-poll'] });
    expect((await fetchJobs(created.token, { workerId: 'w1', jobTypes: ['erp-poll'] })).status).toBe(200);
    await revokeApiKey(handle.db, admin, created.id);
    const answer = await fetchJobs(created.token, { workerId: 'w1', jobTypes: ['erp-poll'] });
    expect(answer.status).toBe(401);
  });

  it('a body that does not match is a 400 naming the field', async () => {
    const answer = await fetchJobs(worker, { workerId: 'w1', jobTypes: ['erp-poll'], maxJobs: 101 });
    expect(answer.status).toBe(400);
    expect((answer.body.fields as { path: string }[]).map((f) => f.path)).toEqual(['maxJobs']);
    const noWorker = await complete(worker, randomUUID(), { variables: {} });
    expect((noWorker.body.fields as { path: string }[]).map((f) => f.path)).toEqual(['workerId']);
  });
});

describe('completing', () => {
  it('moves the instance on with the variables, audited as the key; the job answered what the worker needs', async () => {
    // given a payment, fetched
    const id = await startPayment('erp.create-payment', 'HD-2026-0042');
    const [job] = (await fetchOnly(worker, 'erp.create-payment', 'erp-1', { leaseSeconds: 120 })).filter(
      (j) => j.instanceId === id,
    );
    expect(job).toMatchObject({
      jobType: 'erp.create-payment',
      elementId: 'pay',
      processKey: 'pay-erp-create-payment',
      variables: { invoiceNumber: 'HD-2026-0042', amount: 12_500_000 },
      settings: { bank: 'VCB', memo: 'HD HD-2026-0042' },
      attempts: 1,
      retries: 2,
    });
    // when it is completed
    const done = await complete(worker, job!.id, { workerId: 'erp-1', variables: { paymentId: 'PAY-77' } });
    // then the instance ended as paid, with the result
    expect(done).toEqual({ status: 200, body: { id: job!.id, instanceId: id, instanceStatus: 'completed' } });
    expect(await instance(id)).toMatchObject({ status: 'completed', outcome: 'paid' });
    expect((await instance(id)).state.variables).toMatchObject({ paymentId: 'PAY-77' });
    expect(await jobOf(id)).toMatchObject({ status: 'done', lockedBy: null });
    const [row] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'job.completed')));
    expect(row).toMatchObject({
      actorId: null,
      data: {
        jobId: job!.id,
        workerId: 'erp-1',
        attempts: 1,
        apiKey: expect.objectContaining({ prefix: expect.any(String) }),
      },
    });
  });

  it('a retried complete (the same request) answers the same and does nothing again; another result is a conflict', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment', 'erp-1')).filter((j) => j.instanceId === id);
    const first = await complete(worker, job!.id, { workerId: 'erp-1', variables: { paymentId: 'PAY-1' } });
    expect(first.status).toBe(200);
    // the answer was lost: the worker sends it again
    const again = await complete(worker, job!.id, { workerId: 'erp-1', variables: { paymentId: 'PAY-1' } });
    expect(again).toEqual({
      status: 200,
      body: { id: job!.id, instanceId: id, instanceStatus: 'completed', repeated: true },
    });
    const completions = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'job.completed')));
    expect(completions).toHaveLength(1);
    expect((await instance(id)).state.variables).toMatchObject({ paymentId: 'PAY-1' });
    // another result (a late attempt, not a retry), another worker, or a BPMN error is told the job has ended
    const ended = {
      status: 409,
      body: { code: 'CONFLICT', message: `Job "${job!.id}" has already ended (completed); nothing was changed.` },
    };
    expect(await complete(worker, job!.id, { workerId: 'erp-1', variables: { paymentId: 'PAY-2' } })).toEqual(ended);
    expect(await complete(worker, job!.id, { workerId: 'erp-2', variables: { paymentId: 'PAY-1' } })).toEqual(ended);
    expect((await bpmnError(worker, job!.id, { workerId: 'erp-1', code: 'PAYMENT_REJECTED' })).status).toBe(409);
  });
});

describe('the lock', () => {
  it('another worker of the key, or another key, cannot complete a job it does not hold (409, the lock named lost)', async () => {
    const id = await startPayment('erp-lease');
    const [job] = await fetchOnly(worker, 'erp-lease', 'erp-1');
    expect(job!.instanceId).toBe(id);
    const byOther = await complete(worker, job!.id, { workerId: 'erp-2' });
    expect(byOther.status).toBe(409);
    expect(byOther.body.message).toBe(
      `Job "${job!.id}" is no longer locked by worker "erp-2" of this key: its lease ran out, or another worker has fetched it since. Nothing was changed; fetch jobs again (the job id stays the same, so a side effect already done can be recognised by it).`,
    );
    const inVietnamese = await complete(twin, job!.id, { workerId: 'erp-1' }, 'vi');
    expect(inVietnamese.status).toBe(409);
    expect(inVietnamese.body.message).toMatch(
      /^Công việc ".*" không còn được khóa cho worker "erp-1" của khóa API này/,
    );
    expect((await fail(twin, job!.id, { workerId: 'erp-1', message: 'x' })).status).toBe(409);
    expect((await extend(twin, job!.id, { workerId: 'erp-1', leaseSeconds: 60 })).status).toBe(409);
    expect(await jobOf(id)).toMatchObject({ status: 'running', attempts: 1 });
    expect((await complete(worker, job!.id, { workerId: 'erp-1' })).status).toBe(200);
  });

  it('a lease that runs out returns the job: fetched again as the next attempt, and the late worker is refused', async () => {
    // given a job locked for a second
    const id = await startPayment('erp-lease');
    const [first] = await fetchOnly(worker, 'erp-lease', 'slow', { leaseSeconds: 1 });
    expect(first).toMatchObject({ instanceId: id, attempts: 1 });
    expect(await fetchOnly(twin, 'erp-lease', 'fast')).toEqual([]);
    // when the lease runs out (database clock), another worker fetches it
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const [second] = await fetchOnly(twin, 'erp-lease', 'fast');
    expect(second).toMatchObject({ id: first!.id, attempts: 2, retries: 1 });
    // then the slow worker's late completion changes nothing, and the new holder's counts
    expect((await complete(worker, first!.id, { workerId: 'slow', variables: { paymentId: 'LATE' } })).status).toBe(
      409,
    );
    expect((await complete(twin, first!.id, { workerId: 'fast', variables: { paymentId: 'P-2' } })).status).toBe(200);
    expect((await instance(id)).state.variables).toMatchObject({ paymentId: 'P-2' });
  });

  it('a lease that ran out is lost even when nobody fetched the job since', async () => {
    const id = await startPayment('erp-lease');
    const [job] = await fetchOnly(worker, 'erp-lease', 'slow', { leaseSeconds: 1 });
    expect(job!.instanceId).toBe(id);
    await handle.db
      .update(jobs)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(jobs.id, job!.id));
    expect((await complete(worker, job!.id, { workerId: 'slow' })).status).toBe(409);
    const [again] = await fetchOnly(worker, 'erp-lease', 'slow');
    expect(again).toMatchObject({ id: job!.id, attempts: 2 });
    expect((await complete(worker, job!.id, { workerId: 'slow' })).status).toBe(200);
  });

  it('extending the lease keeps the job past the fetch’s lease', async () => {
    const id = await startPayment('erp-lease');
    const [job] = await fetchOnly(worker, 'erp-lease', 'long', { leaseSeconds: 1 });
    const extended = await extend(worker, job!.id, { workerId: 'long', leaseSeconds: 120 });
    expect(extended.status).toBe(200);
    expect(new Date(extended.body.lockedUntil as string).getTime()).toBeGreaterThan(Date.now() + 100_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await fetchOnly(twin, 'erp-lease', 'fast')).toEqual([]);
    expect((await complete(worker, job!.id, { workerId: 'long' })).status).toBe(200);
    expect(await instance(id)).toMatchObject({ status: 'completed' });
  });
});

describe('failing', () => {
  it('backs off 1, 2 seconds, then raises an incident once the tries are used up — as a built-in worker', async () => {
    // given a task with 2 retries, failed by an external worker on every attempt
    const id = await startPayment('erp-fail');
    const outcomes: string[] = [];
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [job] = await fetchOnly(worker, 'erp-fail');
      expect(job).toMatchObject({ instanceId: id, attempts: attempt, retries: 3 - attempt });
      const failed = await fail(worker, job!.id, { workerId: 'w1', message: 'ERP timed out' });
      expect(failed.status).toBe(200);
      outcomes.push(failed.body.outcome as string);
      if (failed.body.outcome === 'retry') {
        delays.push(await dueInSeconds(job!.id));
        expect(await fetchOnly(worker, 'erp-fail')).toEqual([]);
        await makeDue(job!.id);
      }
    }
    expect(outcomes).toEqual(['retry', 'retry', 'incident']);
    expect(delays).toEqual([1, 2]);
    const job = await jobOf(id);
    expect(job).toMatchObject({ status: 'failed', attempts: 3, lastError: 'ERP timed out' });
    const incidents = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'incident.raised')));
    expect(incidents.map((i) => i.data)).toEqual([{ code: 'JOB_FAILED', message: 'ERP timed out', attempts: 3 }]);
    const failures = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'job.failed')));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({ actorId: null, data: { workerId: 'w1', apiKey: expect.any(Object) } });

    // the same course for a built-in worker's connector on the same kind of task
    const builtIn = await startPayment('erp-fail');
    await handle.db.update(jobs).set({ jobType: 'erp-builtin' }).where(eq(jobs.instanceId, builtIn));
    const loop = createWorker(handle.db, {
      connectors: {
        'erp-builtin': async () => {
          throw new Error('ERP timed out');
        },
      },
    });
    const builtInDelays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = await jobOf(builtIn);
      await makeDue(before.id);
      await loop.tick();
      const after = await jobOf(builtIn);
      if (after.status === 'pending') builtInDelays.push(await dueInSeconds(after.id));
    }
    await loop.stop();
    expect(builtInDelays).toEqual(delays);
    expect(await jobOf(builtIn)).toMatchObject({ status: 'failed', attempts: 3, lastError: 'ERP timed out' });
  });

  it('a worker may choose the tries left and the backoff; a retried fail is a conflict', async () => {
    const id = await startPayment('erp-fail');
    const [job] = await fetchOnly(worker, 'erp-fail');
    const later = await fail(worker, job!.id, { workerId: 'w1', message: 'bank closed', retryBackoffSeconds: 30 });
    expect(later.body).toEqual({ id: job!.id, outcome: 'retry' });
    expect(await dueInSeconds(job!.id)).toBe(30);
    expect((await fail(worker, job!.id, { workerId: 'w1', message: 'bank closed' })).status).toBe(409);
    await makeDue(job!.id);
    const [again] = await fetchOnly(worker, 'erp-fail');
    expect(again).toMatchObject({ id: job!.id, attempts: 2 });
    const now = await fail(worker, job!.id, { workerId: 'w1', message: 'account frozen', retries: 0 });
    expect(now.body).toEqual({ id: job!.id, outcome: 'incident' });
    expect(await jobOf(id)).toMatchObject({ status: 'failed', lastError: 'account frozen' });
  });
});

describe('BPMN errors', () => {
  it('are caught by the error boundary event on the task, with their variables', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment')).filter((j) => j.instanceId === id);
    const raised = await bpmnError(worker, job!.id, {
      workerId: 'w1',
      code: 'PAYMENT_REJECTED',
      message: 'IBAN closed',
      variables: { rejection: 'IBAN closed' },
    });
    expect(raised).toEqual({ status: 200, body: { id: job!.id, instanceId: id, instanceStatus: 'completed' } });
    expect(await instance(id)).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect((await instance(id)).state.variables).toMatchObject({ rejection: 'IBAN closed' });
    const again = await bpmnError(worker, job!.id, {
      workerId: 'w1',
      code: 'PAYMENT_REJECTED',
      message: 'IBAN closed',
      variables: { rejection: 'IBAN closed' },
    });
    expect(again.body).toMatchObject({ repeated: true });
  });

  it('uncaught, stop the instance with an incident, as the engine does for any uncaught error', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment')).filter((j) => j.instanceId === id);
    const raised = await bpmnError(worker, job!.id, { workerId: 'w1', code: 'LEDGER_LOCKED' });
    expect(raised.body).toMatchObject({ instanceStatus: 'incident' });
    expect(await instance(id)).toMatchObject({ status: 'incident' });
  });
});

describe('long polling', () => {
  it('answers as soon as a job comes, woken rather than polling', async () => {
    // given a worker waiting up to 20 s with nothing due
    const began = Date.now();
    const waiting = fetchJobs(worker, { workerId: 'poller', jobTypes: ['erp-poll'], waitSeconds: 20 });
    await until(() => waitingFetches() === 1);
    // when a payment is started
    const id = await startPayment('erp-poll');
    // then the fetch answers with it, well before the wait's re-check
    const answer = await waiting;
    const took = Date.now() - began;
    expect(answer.status).toBe(200);
    expect((answer.body.jobs as LockedJob[]).map((j) => j.instanceId)).toEqual([id]);
    expect(took).toBeLessThan(RECHECK_MS);
    expect(waitingFetches()).toBe(0);
    expect((await complete(worker, (answer.body.jobs as LockedJob[])[0]!.id, { workerId: 'poller' })).status).toBe(200);
  });

  it('answers none when the wait is over and nothing came', async () => {
    const began = Date.now();
    const answer = await fetchJobs(worker, { workerId: 'poller', jobTypes: ['erp-poll'], waitSeconds: 1 });
    expect(answer).toEqual({ status: 200, body: { jobs: [] } });
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - began).toBeLessThan(3_000);
  });

  it('wakes when a job’s backoff ends (no hint tells of that)', async () => {
    const id = await startPayment('erp-poll');
    const [job] = await fetchOnly(worker, 'erp-poll', 'poller');
    expect((await fail(worker, job!.id, { workerId: 'poller', message: 'busy', retryBackoffSeconds: 1 })).status).toBe(
      200,
    );
    const began = Date.now();
    const answer = await fetchJobs(worker, { workerId: 'poller', jobTypes: ['erp-poll'], waitSeconds: 20 });
    expect((answer.body.jobs as LockedJob[]).map((j) => [j.instanceId, j.attempts])).toEqual([[id, 2]]);
    expect(Date.now() - began).toBeLessThan(RECHECK_MS);
    expect((await complete(worker, job!.id, { workerId: 'poller' })).status).toBe(200);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'on PostgreSQL, wakes at another process’s NOTIFY: a relayed job hint, or its company’s inbox change',
    async () => {
      // This process hears the other app servers' inbox changes, as an app server does (instrumentation.ts).
      const unlisten = await listenForInboxChanges(handle.db);
      for (const [channel, payload] of [
        ['trellis_jobs', ''],
        ['trellis_inbox', tenantId],
      ] as const) {
        // given a payment whose job comes due only in an hour, and a fetch waiting for it
        const id = await startPayment('erp-poll');
        const job = await jobOf(id);
        await handle.db
          .update(jobs)
          .set({ dueAt: sql`now() + interval '1 hour'` })
          .where(eq(jobs.id, job.id));
        const began = Date.now();
        const waiting = fetchJobs(worker, { workerId: 'poller', jobTypes: ['erp-poll'], waitSeconds: 20 });
        await until(() => waitingFetches() === 1);
        // when another process makes it due, with no hint in this one, and says so
        const other = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
        try {
          await other`update jobs set due_at = now() where id = ${job.id}`;
          await other`select pg_notify(${channel}, ${payload})`;
        } finally {
          await other.end();
        }
        // then the fetch answers with it at once, not at its re-check
        const answer = await waiting;
        expect(
          (answer.body.jobs as LockedJob[]).map((j) => j.instanceId),
          channel,
        ).toEqual([id]);
        expect(Date.now() - began, channel).toBeLessThan(RECHECK_MS);
        expect((await complete(worker, job.id, { workerId: 'poller' })).status).toBe(200);
      }
      await unlisten();
    },
  );

  it('stops waiting when the client goes away', async () => {
    const client = new AbortController();
    const began = Date.now();
    const waiting = fetchJobs(
      worker,
      { workerId: 'poller', jobTypes: ['erp-poll'], waitSeconds: 30 },
      { signal: client.signal },
    );
    await until(() => waitingFetches() === 1);
    client.abort();
    const answer = await waiting;
    expect(answer).toEqual({ status: 200, body: { jobs: [] } });
    expect(Date.now() - began).toBeLessThan(RECHECK_MS);
    expect(waitingFetches()).toBe(0);
  });
});

/** Waits for an in-process condition (a fetch taking its place to wait), checked every few milliseconds. */
async function until(condition: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
