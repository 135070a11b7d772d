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
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle, Executor } from '@/db/client';
import { auditEvents, jobs, memberships, processInstances, tenants, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { authenticateApiKey, createApiKey, revokeApiKey, type NewApiKey } from '@/app/server/services/api-keys';
import { publishProcess } from '@/app/server/services/definitions';
import { listenForInboxChanges } from '@/app/server/services/inbox-signal';
import { startInstance } from '@/app/server/services/instances';
import { retryIncident } from '@/app/server/services/incidents';
import {
  CLAIM_GAP_MS,
  heldPlaces,
  MAX_WAITING_PER_KEY,
  RECHECK_MS,
  takeWaitingPlace,
  waitingFetches,
} from '@/app/server/services/job-waiters';
import { claimsMade, FINISH_TRIES, SKIPPED_RECHECK_MS } from '@/app/server/services/external-jobs';
import { createWorker } from '@/app/server/host/worker';
import { jobsCommitted } from '@/app/server/host/job-signal';
import { createExternalWorker, readWorkerArgs, type ExternalWorker } from '@/app/_cli/external-worker';
import { API_BASE } from '@/app/server/api/openapi';
import { POST as fetchRoute } from '@/app/api/v1/jobs/fetch-and-lock/route';
import { POST as completeRoute } from '@/app/api/v1/jobs/[id]/complete/route';
import { POST as failRoute } from '@/app/api/v1/jobs/[id]/fail/route';
import { POST as bpmnErrorRoute } from '@/app/api/v1/jobs/[id]/bpmn-error/route';
import { POST as extendRoute } from '@/app/api/v1/jobs/[id]/extend-lock/route';
import { createTestDatabase } from '../support/database';

/**
 * Faults these tests inject: the next `instanceMoves` steps of an instance meet a parallel path
 * moving it (the step's version check: effects.ts), and the next `definitionReadFails` reads of a
 * published version fail (what a fetch's answer needs). Everything else passes through.
 */
const faults = vi.hoisted(() => ({ instanceMoves: 0, definitionReadFails: 0 }));
vi.mock('@/app/server/host/effects', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/app/server/host/effects')>();
  const { AppError } = await import('@/app/server/errors');
  return {
    ...actual,
    stepInstance: async (...args: Parameters<typeof actual.stepInstance>) => {
      if (faults.instanceMoves > 0) {
        faults.instanceMoves--;
        throw new AppError('CONFLICT', `Process instance "${args[2]}" was changed by someone else; try again.`);
      }
      return actual.stepInstance(...args);
    },
  };
});
vi.mock('@/app/server/services/definitions', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/app/server/services/definitions')>();
  return {
    ...actual,
    definitionById: async (...args: Parameters<typeof actual.definitionById>) => {
      if (faults.definitionReadFails > 0) {
        faults.definitionReadFails--;
        throw new Error('connection reset while reading a definition');
      }
      return actual.definitionById(...args);
    },
  };
});

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

const TYPES = ['erp.create-payment', 'erp-lease', 'erp-fail', 'erp-poll', 'erp-revoke', 'erp-cli', 'erp-sync-ledger'];

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

/** A lease that ran out (database clock), without waiting for it. */
const expireLease = (jobId: string) =>
  handle.db
    .update(jobs)
    .set({ lockedUntil: sql`now() - interval '1 second'` })
    .where(eq(jobs.id, jobId));

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
      () => complete(ledger, job!.id, { workerId: 'w1', attempts: job!.attempts }),
      () => fail(ledger, job!.id, { workerId: 'w1', attempts: job!.attempts, message: 'x' }),
      () => extend(ledger, job!.id, { workerId: 'w1', attempts: job!.attempts, leaseSeconds: 60 }),
      () => bpmnError(ledger, job!.id, { workerId: 'w1', attempts: job!.attempts, code: 'PAYMENT_REJECTED' }),
    ])
      expect((await send()).status).toBe(403);
    // and another company's key with the same job type
    const foreign = await complete(theirs, job!.id, { workerId: 'w1', attempts: job!.attempts });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ code: 'NOT_FOUND', message: `Job "${job!.id}" was not found.` });
    expect((await complete(theirs, randomUUID(), { workerId: 'w1', attempts: 1 })).body).toMatchObject({
      code: 'NOT_FOUND',
    });
    // then nothing happened to it, and the other company's worker fetches only its own
    expect(await jobOf(id)).toMatchObject({ status: 'running', lockedBy: expect.stringMatching(/^key:.*:w1$/) });
    const their = await fetchOnly(theirs, 'erp.create-payment');
    expect(their.map((j) => j.businessKey ?? j.variables.invoiceNumber)).toEqual(['HS-0001']);
    expect(
      (await complete(worker, job!.id, { workerId: 'w1', attempts: job!.attempts, variables: { paymentId: 'P-1' } }))
        .status,
    ).toBe(200);
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
    expect((noWorker.body.fields as { path: string }[]).map((f) => f.path)).toEqual(['workerId', 'attempts']);
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
    const done = await complete(worker, job!.id, {
      workerId: 'erp-1',
      attempts: job!.attempts,
      variables: { paymentId: 'PAY-77' },
    });
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
    // Every row of the step it caused (the instance's end included) names the key, and no person.
    const trail = await handle.db
      .select({ id: auditEvents.id, type: auditEvents.type, actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), sql`${auditEvents.id} >= ${row!.id}`));
    expect(trail.map((a) => a.type)).toEqual(expect.arrayContaining(['job.completed', 'instance.completed']));
    for (const event of trail) {
      expect(event.actorId, event.type).toBeNull();
      expect(event.data.apiKey, event.type).toEqual((row!.data as { apiKey: unknown }).apiKey);
    }
  });

  it('a retried complete (the same request) answers the same and does nothing again; another result is a conflict', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment', 'erp-1')).filter((j) => j.instanceId === id);
    const first = await complete(worker, job!.id, {
      workerId: 'erp-1',
      attempts: job!.attempts,
      variables: { paymentId: 'PAY-1' },
    });
    expect(first.status).toBe(200);
    // the answer was lost: the worker sends it again
    const again = await complete(worker, job!.id, {
      workerId: 'erp-1',
      attempts: job!.attempts,
      variables: { paymentId: 'PAY-1' },
    });
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
    expect(
      await complete(worker, job!.id, {
        workerId: 'erp-1',
        attempts: job!.attempts,
        variables: { paymentId: 'PAY-2' },
      }),
    ).toEqual(ended);
    expect(
      await complete(worker, job!.id, {
        workerId: 'erp-2',
        attempts: job!.attempts,
        variables: { paymentId: 'PAY-1' },
      }),
    ).toEqual(ended);
    expect(
      (await bpmnError(worker, job!.id, { workerId: 'erp-1', attempts: job!.attempts, code: 'PAYMENT_REJECTED' }))
        .status,
    ).toBe(409);
  });
});

describe('what a result may change', () => {
  it('never the instance’s initiator: complete and BPMN error variables named `initiator` are dropped', async () => {
    for (const command of ['complete', 'bpmn-error'] as const) {
      // given a payment a person started: the server set its initiator
      const started = await startInstance(handle.db, admin, {
        definitionKey: 'pay-erp-create-payment',
        variables: { invoiceNumber: `HD-I-${command}`, amount: 1_000 },
      });
      const initiator = (await instance(started.id)).state.variables.initiator;
      expect(initiator).toMatchObject({ email: ADMIN });
      const [job] = (await fetchOnly(worker, 'erp.create-payment')).filter((j) => j.instanceId === started.id);
      // when the worker's result names an initiator of its own
      const forged = {
        email: 'mallory@evil.example',
        name: 'Mallory',
        manager: 'mallory@evil.example',
        departments: [],
      };
      const holder = { workerId: 'w1', attempts: job!.attempts };
      const answer =
        command === 'complete'
          ? await complete(worker, job!.id, { ...holder, variables: { paymentId: 'P-I', initiator: forged } })
          : await bpmnError(worker, job!.id, {
              ...holder,
              code: 'PAYMENT_REJECTED',
              variables: { rejection: 'no', initiator: forged },
            });
      // then the rest is taken, the initiator is not
      expect(answer.status, command).toBe(200);
      const variables = (await instance(started.id)).state.variables;
      expect(variables, command).toMatchObject(command === 'complete' ? { paymentId: 'P-I' } : { rejection: 'no' });
      expect(variables.initiator, command).toEqual(initiator);
    }
  });

  it('a result that meets another path moving the instance is tried again; still refused, a retryable 409 keeps the lock', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment', 'racer')).filter((j) => j.instanceId === id);
    const result = { workerId: 'racer', attempts: job!.attempts, variables: { paymentId: 'P-R' } };
    // when every try of the server meets the instance moving
    faults.instanceMoves = FINISH_TRIES;
    const busy = await complete(worker, job!.id, result);
    expect(faults.instanceMoves).toBe(0);
    expect(busy).toEqual({
      status: 409,
      body: {
        code: 'CONFLICT',
        retryable: true,
        message: `Process instance "${id}" kept moving on another path while job "${job!.id}" was being finished: nothing was changed, and the job is still locked by this worker. Send the same request again.`,
      },
    });
    faults.instanceMoves = FINISH_TRIES;
    const inVietnamese = await complete(worker, job!.id, result, 'vi');
    expect(inVietnamese.body).toMatchObject({ retryable: true, message: expect.stringMatching(/^Phiên quy trình "/) });
    // then nothing changed, and the job is still the worker's
    expect(await jobOf(id)).toMatchObject({
      status: 'running',
      attempts: 1,
      lockedBy: expect.stringMatching(/:racer$/),
    });
    expect(await instance(id)).toMatchObject({ status: 'active' });
    // when it meets it fewer times than the server tries, the result is used
    faults.instanceMoves = FINISH_TRIES - 1;
    const done = await complete(worker, job!.id, result);
    expect(faults.instanceMoves).toBe(0);
    expect(done).toEqual({ status: 200, body: { id: job!.id, instanceId: id, instanceStatus: 'completed' } });
    expect((await instance(id)).state.variables).toMatchObject({ paymentId: 'P-R' });
  });
});

describe('the lock', () => {
  it('another worker of the key, or another key, cannot complete a job it does not hold (409, the lock named lost)', async () => {
    const id = await startPayment('erp-lease');
    const [job] = await fetchOnly(worker, 'erp-lease', 'erp-1');
    expect(job!.instanceId).toBe(id);
    const byOther = await complete(worker, job!.id, { workerId: 'erp-2', attempts: job!.attempts });
    expect(byOther.status).toBe(409);
    expect(byOther.body.message).toBe(
      `Job "${job!.id}" is no longer locked by worker "erp-2" of this key: its lease ran out, or another worker has fetched it since. Nothing was changed; fetch jobs again (the job id stays the same, so a side effect already done can be recognised by it).`,
    );
    const inVietnamese = await complete(twin, job!.id, { workerId: 'erp-1', attempts: job!.attempts }, 'vi');
    expect(inVietnamese.status).toBe(409);
    expect(inVietnamese.body.message).toMatch(
      /^Công việc ".*" không còn được khóa cho worker "erp-1" của khóa API này/,
    );
    expect((await fail(twin, job!.id, { workerId: 'erp-1', attempts: job!.attempts, message: 'x' })).status).toBe(409);
    expect((await extend(twin, job!.id, { workerId: 'erp-1', attempts: job!.attempts, leaseSeconds: 60 })).status).toBe(
      409,
    );
    expect(await jobOf(id)).toMatchObject({ status: 'running', attempts: 1 });
    expect((await complete(worker, job!.id, { workerId: 'erp-1', attempts: job!.attempts })).status).toBe(200);
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
    expect(
      (
        await complete(worker, first!.id, {
          workerId: 'slow',
          attempts: first!.attempts,
          variables: { paymentId: 'LATE' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await complete(twin, first!.id, {
          workerId: 'fast',
          attempts: second!.attempts,
          variables: { paymentId: 'P-2' },
        })
      ).status,
    ).toBe(200);
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
    expect((await complete(worker, job!.id, { workerId: 'slow', attempts: job!.attempts })).status).toBe(409);
    const [again] = await fetchOnly(worker, 'erp-lease', 'slow');
    expect(again).toMatchObject({ id: job!.id, attempts: 2 });
    expect((await complete(worker, job!.id, { workerId: 'slow', attempts: again!.attempts })).status).toBe(200);
  });

  it('is the attempt’s: a late command of attempt 1 changes nothing while attempt 2, fetched by the same worker, holds the job', async () => {
    // given a job fetched, its lease run out, and fetched again by the same worker: attempt 2
    const id = await startPayment('erp-lease');
    const [first] = await fetchOnly(worker, 'erp-lease', 'same');
    expect(first).toMatchObject({ instanceId: id, attempts: 1 });
    await expireLease(first!.id);
    const [second] = await fetchOnly(worker, 'erp-lease', 'same');
    expect(second).toMatchObject({ id: first!.id, attempts: 2 });
    const held = await jobOf(id);
    const audited = async () =>
      (await handle.db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.instanceId, id))).length;
    const auditRows = await audited();
    // when attempt 1's commands come late (its answer was slow, or a retry of it)
    const late = { workerId: 'same', attempts: 1 };
    const over = {
      status: 409,
      body: {
        code: 'CONFLICT',
        message: `Attempt 1 of job "${first!.id}" is over: the job is on attempt 2 now (its lease ran out and it was fetched again, maybe by this same worker). Nothing was changed; the current attempt reports its own result.`,
      },
    };
    expect(await fail(worker, first!.id, { ...late, message: 'late', retries: 0 })).toEqual(over);
    expect(await complete(worker, first!.id, { ...late, variables: { paymentId: 'LATE' } })).toEqual(over);
    expect(await bpmnError(worker, first!.id, { ...late, code: 'PAYMENT_REJECTED' })).toEqual(over);
    expect(await extend(worker, first!.id, { ...late, leaseSeconds: 600 })).toEqual(over);
    // then nothing changed: no incident, no step, attempt 2's lock and lease as they were
    expect(await jobOf(id)).toEqual(held);
    expect(await instance(id)).toMatchObject({ status: 'active' });
    expect(await audited()).toBe(auditRows);
    // attempt 2 completes; attempt 1's result sent again is not taken for a repeat of it
    const result = { variables: { paymentId: 'P-2' } };
    expect((await complete(worker, first!.id, { workerId: 'same', attempts: 2, ...result })).status).toBe(200);
    expect((await complete(worker, first!.id, { workerId: 'same', attempts: 2, ...result })).body).toMatchObject({
      repeated: true,
    });
    expect((await complete(worker, first!.id, { ...late, ...result })).status).toBe(409);
    expect((await instance(id)).state.variables).toMatchObject({ paymentId: 'P-2' });
  });

  it('extending the lease keeps the job past the fetch’s lease', async () => {
    const id = await startPayment('erp-lease');
    const [job] = await fetchOnly(worker, 'erp-lease', 'long', { leaseSeconds: 1 });
    const extended = await extend(worker, job!.id, { workerId: 'long', attempts: job!.attempts, leaseSeconds: 120 });
    expect(extended.status).toBe(200);
    expect(new Date(extended.body.lockedUntil as string).getTime()).toBeGreaterThan(Date.now() + 100_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await fetchOnly(twin, 'erp-lease', 'fast')).toEqual([]);
    expect((await complete(worker, job!.id, { workerId: 'long', attempts: job!.attempts })).status).toBe(200);
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
      const failed = await fail(worker, job!.id, { workerId: 'w1', attempts: job!.attempts, message: 'ERP timed out' });
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
    const later = await fail(worker, job!.id, {
      workerId: 'w1',
      attempts: job!.attempts,
      message: 'bank closed',
      retryBackoffSeconds: 30,
    });
    expect(later.body).toEqual({ id: job!.id, outcome: 'retry' });
    expect(await dueInSeconds(job!.id)).toBe(30);
    expect(
      (await fail(worker, job!.id, { workerId: 'w1', attempts: job!.attempts, message: 'bank closed' })).status,
    ).toBe(409);
    await makeDue(job!.id);
    const [again] = await fetchOnly(worker, 'erp-fail');
    expect(again).toMatchObject({ id: job!.id, attempts: 2 });
    const now = await fail(worker, job!.id, {
      workerId: 'w1',
      attempts: again!.attempts,
      message: 'account frozen',
      retries: 0,
    });
    expect(now.body).toEqual({ id: job!.id, outcome: 'incident' });
    expect(await jobOf(id)).toMatchObject({ status: 'failed', lastError: 'account frozen' });
  });
});

describe('a worker’s chosen retries', () => {
  it('hold for this run only: the incident retried starts again with the task’s own retries', async () => {
    // given a task with 2 retries, failed at once to an incident by the worker's `retries: 0`
    const id = await startPayment('erp-fail');
    const [job] = await fetchOnly(worker, 'erp-fail');
    expect(job).toMatchObject({ instanceId: id, attempts: 1, retries: 2 });
    const failed = await fail(worker, job!.id, { workerId: 'w1', attempts: 1, message: 'frozen', retries: 0 });
    expect(failed.body).toEqual({ id: job!.id, outcome: 'incident' });
    // when an admin retries the incident
    await retryIncident(handle.db, admin, { kind: 'job', id: job!.id });
    // then the job runs again from its first attempt with the task's 2 retries
    const [again] = await fetchOnly(worker, 'erp-fail');
    expect(again).toMatchObject({ id: job!.id, attempts: 1, retries: 2 });
    expect((await complete(worker, job!.id, { workerId: 'w1', attempts: 1 })).status).toBe(200);
  });
});

describe('BPMN errors', () => {
  it('are caught by the error boundary event on the task, with their variables', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment')).filter((j) => j.instanceId === id);
    const raised = await bpmnError(worker, job!.id, {
      workerId: 'w1',
      attempts: 1,
      code: 'PAYMENT_REJECTED',
      message: 'IBAN closed',
      variables: { rejection: 'IBAN closed' },
    });
    expect(raised).toEqual({ status: 200, body: { id: job!.id, instanceId: id, instanceStatus: 'completed' } });
    expect(await instance(id)).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect((await instance(id)).state.variables).toMatchObject({ rejection: 'IBAN closed' });
    const again = await bpmnError(worker, job!.id, {
      workerId: 'w1',
      attempts: 1,
      code: 'PAYMENT_REJECTED',
      message: 'IBAN closed',
      variables: { rejection: 'IBAN closed' },
    });
    expect(again.body).toMatchObject({ repeated: true });
  });

  it('uncaught, stop the instance with an incident, as the engine does for any uncaught error', async () => {
    const id = await startPayment('erp.create-payment');
    const [job] = (await fetchOnly(worker, 'erp.create-payment')).filter((j) => j.instanceId === id);
    const raised = await bpmnError(worker, job!.id, { workerId: 'w1', attempts: job!.attempts, code: 'LEDGER_LOCKED' });
    expect(raised.body).toMatchObject({ instanceStatus: 'incident' });
    expect(await instance(id)).toMatchObject({ status: 'incident' });
  });
});

describe('long polling', () => {
  // Every place to wait is given back however a fetch ends: answered, timed out, aborted, refused or failed.
  afterEach(() => expect(heldPlaces()).toBe(0));

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
    const [got] = answer.body.jobs as LockedJob[];
    expect((await complete(worker, got!.id, { workerId: 'poller', attempts: got!.attempts })).status).toBe(200);
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
    const failed = await fail(worker, job!.id, {
      workerId: 'poller',
      attempts: 1,
      message: 'busy',
      retryBackoffSeconds: 1,
    });
    expect(failed.status).toBe(200);
    const began = Date.now();
    const answer = await fetchJobs(worker, { workerId: 'poller', jobTypes: ['erp-poll'], waitSeconds: 20 });
    expect((answer.body.jobs as LockedJob[]).map((j) => [j.instanceId, j.attempts])).toEqual([[id, 2]]);
    expect(Date.now() - began).toBeLessThan(RECHECK_MS);
    expect((await complete(worker, job!.id, { workerId: 'poller', attempts: 2 })).status).toBe(200);
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
        expect((await complete(worker, job.id, { workerId: 'poller', attempts: 1 })).status).toBe(200);
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

describe('fetching, under load and faults', () => {
  afterEach(() => expect(heldPlaces()).toBe(0));

  it('a key revoked while its fetch waits locks nothing: the fetch answers 401 and the job stays pending', async () => {
    // given a fetch waiting with a key of its own
    const created = await key(admin, { jobTypes: ['erp-revoke'] });
    const waiting = fetchJobs(created.token, { workerId: 'soon-revoked', jobTypes: ['erp-revoke'], waitSeconds: 20 });
    await until(() => waitingFetches() === 1);
    // when the key is revoked, then a job of its type comes (and wakes the fetch)
    await revokeApiKey(handle.db, admin, created.id);
    const id = await startPayment('erp-revoke');
    // then the fetch is refused as the key is now, and the job was not locked
    expect(await waiting).toEqual({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: 'Send a valid API key in the Authorization header: "Bearer <token>".' },
    });
    expect(await jobOf(id)).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null });
    const [job] = await fetchOnly(worker, 'erp-revoke');
    expect((await complete(worker, job!.id, { workerId: 'w1', attempts: 1 })).status).toBe(200);
  });

  it(`a key keeps at most ${MAX_WAITING_PER_KEY} fetches waiting: one more is a retryable 503, another key still waits`, async () => {
    const created = await key(admin, { jobTypes: ['erp-poll'] });
    const client = new AbortController();
    const waiting = Array.from({ length: MAX_WAITING_PER_KEY }, (_, i) =>
      fetchJobs(
        created.token,
        { workerId: `crowd-${i}`, jobTypes: ['erp-poll'], waitSeconds: 30 },
        { signal: client.signal },
      ),
    );
    await until(() => waitingFetches() === MAX_WAITING_PER_KEY);
    expect(heldPlaces()).toBe(MAX_WAITING_PER_KEY);
    const refused = await fetchJobs(created.token, { workerId: 'one-more', jobTypes: ['erp-poll'], waitSeconds: 30 });
    expect(refused).toEqual({
      status: 503,
      body: {
        code: 'SERVICE_UNAVAILABLE',
        retryable: true,
        message: `This key already has ${MAX_WAITING_PER_KEY} fetches waiting for jobs; run fewer fetches at once with it (one per worker is enough), or fetch again in a few seconds.`,
      },
    });
    // a fetch that need not wait is answered all the same, and another key of the company waits
    expect((await fetchJobs(created.token, { workerId: 'no-wait', jobTypes: ['erp-poll'] })).status).toBe(200);
    const other = await fetchJobs(twin, { workerId: 'twin', jobTypes: ['erp-poll'], waitSeconds: 1 });
    expect(other).toEqual({ status: 200, body: { jobs: [] } });
    client.abort();
    expect((await Promise.all(waiting)).map((a) => a.status)).toEqual(waiting.map(() => 200));
  });

  it('a burst of wake-ups costs a waiting fetch one claim per CLAIM_GAP_MS at most, not one each', async () => {
    const waiting = fetchJobs(worker, { workerId: 'storm', jobTypes: ['erp-poll'], waitSeconds: 1 });
    await until(() => waitingFetches() === 1);
    const before = claimsMade();
    const began = Date.now();
    // 60 hints, one every 5 ms or so
    for (let i = 0; i < 60; i++) {
      jobsCommitted();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const claims = claimsMade() - before;
    const took = Date.now() - began;
    expect(await waiting).toEqual({ status: 200, body: { jobs: [] } });
    expect(claims).toBeLessThanOrEqual(Math.ceil(took / CLAIM_GAP_MS) + 2);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'on PostgreSQL, a due job another transaction holds (SKIP LOCKED) is not claimed again every few milliseconds',
    async () => {
      const id = await startPayment('erp-poll');
      const job = await jobOf(id);
      const other = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      try {
        await other.begin(async (tx) => {
          await tx`select id from jobs where id = ${job.id} for update`;
          const before = claimsMade();
          const answer = await fetchJobs(worker, { workerId: 'skipper', jobTypes: ['erp-poll'], waitSeconds: 1 });
          expect(answer).toEqual({ status: 200, body: { jobs: [] } });
          expect(claimsMade() - before).toBeLessThanOrEqual(1_000 / SKIPPED_RECHECK_MS + 2);
        });
      } finally {
        await other.end();
      }
      const [got] = await fetchOnly(worker, 'erp-poll', 'skipper');
      expect((await complete(worker, got!.id, { workerId: 'skipper', attempts: 1 })).status).toBe(200);
    },
  );

  it('jobs whose answer cannot be made are handed back, the attempt not counted', async () => {
    const id = await startPayment('erp-poll');
    faults.definitionReadFails = 1;
    const answer = await fetchJobs(worker, { workerId: 'w1', jobTypes: ['erp-poll'] });
    expect(answer.status).toBe(500);
    expect(faults.definitionReadFails).toBe(0);
    expect(await jobOf(id)).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null, lockedUntil: null });
    const [job] = await fetchOnly(worker, 'erp-poll');
    expect(job).toMatchObject({ instanceId: id, attempts: 1 });
    expect((await complete(worker, job!.id, { workerId: 'w1', attempts: 1 })).status).toBe(200);
  });

  it('a LISTEN that never answers keeps a fetch no longer than its wait, or than its client stays', async () => {
    // A PostgreSQL client whose LISTEN hangs (a connection that never comes).
    const client = Object.assign(() => {}, { unsafe: async () => [], listen: () => new Promise<never>(() => {}) });
    const db = { $client: client } as unknown as Executor;
    const who = { tenantId, keyId: randomUUID() };
    const began = Date.now();
    const giveBack = await takeWaitingPlace(db, who, () => 'busy', { deadline: Date.now() + 200 });
    expect(Date.now() - began).toBeLessThan(2_000);
    giveBack();
    const gone = new AbortController();
    setTimeout(() => gone.abort(), 100);
    const again = await takeWaitingPlace(db, who, () => 'busy', { deadline: Date.now() + 60_000, signal: gone.signal });
    expect(Date.now() - began).toBeLessThan(2_000);
    again();
  });

  it('a fail that makes the job due at once wakes a waiting fetch', async () => {
    // given a job held by one worker, and another worker's fetch waiting
    const id = await startPayment('erp-poll');
    const [job] = await fetchOnly(worker, 'erp-poll', 'first', { leaseSeconds: 60 });
    const waiting = fetchJobs(worker, { workerId: 'second', jobTypes: ['erp-poll'], waitSeconds: 20 });
    await until(() => waitingFetches() === 1);
    // when the first fails it with no backoff
    const failedAt = Date.now();
    const failed = await fail(worker, job!.id, {
      workerId: 'first',
      attempts: 1,
      message: 'try another',
      retryBackoffSeconds: 0,
    });
    expect(failed.body).toEqual({ id: job!.id, outcome: 'retry' });
    // then the waiting fetch takes it at once, not at its re-check
    const answer = await waiting;
    expect((answer.body.jobs as LockedJob[]).map((j) => [j.instanceId, j.attempts])).toEqual([[id, 2]]);
    expect(Date.now() - failedAt).toBeLessThan(RECHECK_MS / 2);
    expect((await complete(worker, job!.id, { workerId: 'second', attempts: 2 })).status).toBe(200);
  });
});

describe('the worker client (createExternalWorker)', () => {
  type Route = (req: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
  const COMMANDS: Record<string, Route> = {
    complete: completeRoute,
    fail: failRoute,
    'bpmn-error': bpmnErrorRoute,
    'extend-lock': extendRoute,
  };
  /** The API as the client's fetch: its requests answered by the route handlers in this process. */
  const routes = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const match = /\/api\/v1\/jobs\/(?:(fetch-and-lock)|([^/]+)\/([a-z-]+))$/.exec(url.pathname)!;
    const route = match[1] ? (fetchRoute as unknown as Route) : COMMANDS[match[3]!]!;
    return route(new Request(url, init), { params: Promise.resolve({ id: decodeURIComponent(match[2] ?? '') }) });
  }) as typeof fetch;
  let cliKey: string;
  const running: ExternalWorker[] = [];
  const start = (handler: Parameters<typeof createExternalWorker>[0]['handler'], leaseSeconds = 60) => {
    const started = createExternalWorker({
      baseUrl: 'http://localhost:3000',
      apiKey: cliKey,
      jobTypes: ['erp-cli'],
      handler,
      leaseSeconds,
      waitSeconds: 1,
      fetch: routes,
    });
    running.push(started);
    return started;
  };

  beforeAll(async () => {
    cliKey = (await key(admin, { jobTypes: ['erp-cli'] })).token;
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
    expect(heldPlaces()).toBe(0);
  });

  it('a result the server refuses (not an object of variables: 400) fails the attempt with its reason', async () => {
    const id = await startPayment('erp-cli');
    const client = start(() => 'paid' as unknown as Record<string, unknown>);
    await until(() => client.counts.failed === 1);
    await client.stop();
    const job = await jobOf(id);
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
    expect(job.lastError).toMatch(/^The job’s result was refused: /);
    expect(client.counts).toEqual({ completed: 0, failed: 1, bpmnErrors: 0, lost: 0 });
    await makeDue(job.id);
    const done = start(() => ({ paymentId: 'P-CLI' }));
    await until(() => done.counts.completed === 1);
    expect(await instance(id)).toMatchObject({ status: 'completed' });
  });

  it('extends the lease while its handler runs; a lock lost anyway aborts ctx.signal, and the report counts as lost', async () => {
    // given a handler that takes longer than its one-second lease
    const slow = await startPayment('erp-cli');
    const longer = start(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_700));
      return { paymentId: 'P-LONG' };
    }, 1);
    await until(() => longer.counts.completed === 1, 10_000);
    // then its lease was kept: done by its first attempt
    expect(await jobOf(slow)).toMatchObject({ status: 'done', attempts: 1 });
    expect(longer.counts.lost).toBe(0);
    await longer.stop();

    // given a handler waiting on its signal, when the job's lock is taken from it
    const taken = await startPayment('erp-cli');
    let aborted: unknown = null;
    const waiting = start(async (job, ctx) => {
      // (The next attempt, once the lease it lost has run out, just completes.)
      if (job.attempts > 1) return { paymentId: 'P-NEXT' };
      return new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          aborted = ctx.signal.reason;
          reject(new Error('stopped: the lock is lost'));
        }),
      );
    }, 1);
    await until(async () => (await jobOf(taken)).status === 'running');
    await handle.db.update(jobs).set({ lockedBy: 'key:someone-else:w9' }).where(eq(jobs.instanceId, taken));
    await until(() => waiting.counts.lost === 1, 10_000);
    expect(aborted).toMatchObject({ status: 409 });
    expect(waiting.counts).toMatchObject({ completed: 0, failed: 0, lost: 1 });
    // and once the lease it lost has run out, the next attempt does the work
    await until(async () => (await jobOf(taken)).status === 'done', 10_000);
    expect(await instance(taken)).toMatchObject({ status: 'completed' });
    expect((await instance(taken)).state.variables).toMatchObject({ paymentId: 'P-NEXT' });
    expect(waiting.counts).toMatchObject({ completed: 1, lost: 1 });
  });

  it('sends a result again when the server answers a retryable 409, instead of counting the job lost', async () => {
    const id = await startPayment('erp-cli');
    faults.instanceMoves = FINISH_TRIES;
    const client = start(() => ({ paymentId: 'P-AGAIN' }));
    await until(() => client.counts.completed === 1, 10_000);
    expect(client.counts).toEqual({ completed: 1, failed: 0, bpmnErrors: 0, lost: 0 });
    expect((await instance(id)).state.variables).toMatchObject({ paymentId: 'P-AGAIN' });
  });

  it('reads its command line: --wait-seconds 0 (no long polling) is taken, a number out of range named', () => {
    const base = ['--external', '--job-type', 'erp-cli', '--handler', 'h.mjs'];
    expect(readWorkerArgs([...base, '--wait-seconds', '0'])).toMatchObject({ waitSeconds: 0 });
    expect(readWorkerArgs([...base, '--lease-seconds', '5', '--concurrency', '2'])).toEqual({
      jobTypes: ['erp-cli'],
      handlerFile: 'h.mjs',
      leaseSeconds: 5,
      concurrency: 2,
    });
    expect(readWorkerArgs([...base, '--wait-seconds', '61'])).toEqual({
      problem: '--wait-seconds takes a whole number from 0 to 60, not "61".',
    });
    expect(readWorkerArgs(['--external', '--handler', 'h.mjs'])).toHaveProperty('problem');
  });
});

/** Waits for an in-process condition (a fetch taking its place to wait), checked every few milliseconds. */
async function until(condition: () => boolean | Promise<boolean>, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
