/**
 * The access matrix of the REST API for its caller kind, the API key: every operation the OpenAPI
 * document lists that takes a key is called by each kind of key, through the route handlers, on a
 * real database (PGlite, and PostgreSQL when DATABASE_URL is set):
 * - no key, and a key revoked a moment ago: 401, nothing done;
 * - a key of the same company whose scopes name other processes, messages, signals and job types
 *   and do not allow reading: 403, nothing done;
 * - another company's key whose scopes name the very same things: what it addresses by id (an
 *   instance, a job) is 404, as an id that names none; what it sends or fetches acts in its own
 *   company only — ours is untouched;
 * - the key whose scopes name them: the operation's success status.
 * A keyed operation the table below does not cover fails the test, so a new route comes with its
 * row. (Signed inbound webhooks take no key: test/integration/inbound-hooks.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, memberships, messages, processInstances, tenants, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { createApiKey, revokeApiKey, type NewApiKey } from '@/app/server/services/api-keys';
import { publishProcess } from '@/app/server/services/definitions';
import { seedDemo } from '@/app/server/seed';
import { API_BASE, operations } from '@/app/server/api/openapi';
import type { RouteHandler } from '@/app/server/api/http';
import { POST as startRoute } from '@/app/api/v1/instances/route';
import { GET as readRoute } from '@/app/api/v1/instances/[id]/route';
import { POST as messageRoute } from '@/app/api/v1/messages/route';
import { POST as signalRoute } from '@/app/api/v1/signals/route';
import { POST as fetchRoute } from '@/app/api/v1/jobs/fetch-and-lock/route';
import { POST as completeRoute } from '@/app/api/v1/jobs/[id]/complete/route';
import { POST as failRoute } from '@/app/api/v1/jobs/[id]/fail/route';
import { POST as bpmnErrorRoute } from '@/app/api/v1/jobs/[id]/bpmn-error/route';
import { POST as extendRoute } from '@/app/api/v1/jobs/[id]/extend-lock/route';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const BASE = `http://localhost:3000${API_BASE}`;
const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };

const PROCESS = 'matrix-payment';
const JOB_TYPE = 'matrix.pay';
const MESSAGE = 'matrix-payment-confirmed';
const SIGNAL = 'matrix-period-closed';
const WORKER = 'matrix-worker';

/** What every right of the matrix names: the process, its message, its signal, its job type. */
const RIGHTS: NewApiKey['scopes'] = {
  start: [PROCESS],
  messages: [MESSAGE],
  signals: [SIGNAL],
  jobTypes: [JOB_TYPE],
  readInstances: true,
};
/** Rights to other things only: names that exist nowhere, and no reading. */
const ELSEWHERE: NewApiKey['scopes'] = {
  start: ['invoice-approval'],
  messages: ['other-message'],
  signals: ['other-signal'],
  jobTypes: ['other.job'],
};

let handle: DatabaseHandle;
let tenantId: string;
let otherTenant: string;
const tokens = {} as Record<'rights' | 'elsewhere' | 'revoked' | 'theirs', string>;
/** Our company's instances waiting at the job, one per job command, and one to read. */
const ours = {} as { read: string; jobs: Record<'complete' | 'fail' | 'bpmnError' | 'extend', string> };

/** The payment process: start → the job (a rejection caught) → wait for the confirmation message → end. */
async function publishPayment(tenant: string, by: string) {
  await publishProcess(
    handle.db,
    tenant,
    {
      definition: {
        formatVersion: 1,
        key: PROCESS,
        version: 1,
        name: { en: 'Matrix payment', vi: 'Thanh toán ma trận' },
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'pay', type: 'serviceTask', taskType: JOB_TYPE, retries: 3 },
          {
            id: 'confirmed',
            type: 'intermediateCatchEvent',
            event: { kind: 'message', name: MESSAGE, correlationKey: '="matrix"' },
          },
          { id: 'e', type: 'endEvent' },
          { id: 'rejected', type: 'boundaryEvent', attachedTo: 'pay', event: { kind: 'error' } },
          { id: 'e2', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'pay' },
          { id: 'f2', source: 'pay', target: 'confirmed' },
          { id: 'f3', source: 'confirmed', target: 'e' },
          { id: 'f4', source: 'rejected', target: 'e2' },
        ],
      },
      forms: [],
    },
    by,
  );
}

async function keyOf(actor: Actor, scopes: NewApiKey['scopes']) {
  return createApiKey(handle.db, actor, { name: `Matrix ${randomUUID().slice(0, 6)}`, scopes, expiresInDays: 30 });
}

async function send<P extends Record<string, string>>(
  route: RouteHandler<P>,
  method: 'GET' | 'POST',
  path: string,
  token: string | null,
  body?: unknown,
  params?: P,
) {
  const res = await route(
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    params ? { params: Promise.resolve(params) } : undefined,
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type Foreign = 'not found' | 'own company';
interface Row {
  /** Calls the operation as `token` would. */
  call: (token: string | null) => ReturnType<typeof send>;
  /** What another company's key with the same names gets. */
  foreign: Foreign;
}

const jobCall =
  (command: keyof typeof ours.jobs, route: RouteHandler<{ id: string }>, suffix: string, body: object) =>
  (token: string | null) =>
    send(
      route,
      'POST',
      `/jobs/${ours.jobs[command]}/${suffix}`,
      token,
      // Each job's first attempt: beforeAll fetched each job once.
      { workerId: WORKER, attempts: 1, ...body },
      {
        id: ours.jobs[command],
      },
    );

/** One row per keyed operation, by operationId. */
const rows: Record<string, Row> = {
  startInstance: {
    call: (token) => send(startRoute, 'POST', '/instances', token, { definitionKey: PROCESS }),
    foreign: 'own company',
  },
  getInstance: {
    call: (token) => send(readRoute, 'GET', `/instances/${ours.read}`, token, undefined, { id: ours.read }),
    foreign: 'not found',
  },
  publishMessage: {
    call: (token) =>
      send(messageRoute, 'POST', '/messages', token, {
        name: MESSAGE,
        correlationKey: 'matrix',
        messageId: `m-${randomUUID()}`,
      }),
    foreign: 'own company',
  },
  broadcastSignal: {
    call: (token) => send(signalRoute, 'POST', '/signals', token, { name: SIGNAL }),
    foreign: 'own company',
  },
  fetchAndLockJobs: {
    call: (token) =>
      send(fetchRoute, 'POST', '/jobs/fetch-and-lock', token, {
        workerId: `${WORKER}-fetch`,
        jobTypes: [JOB_TYPE],
        maxJobs: 1,
        leaseSeconds: 5,
      }),
    foreign: 'own company',
  },
  completeJob: {
    call: jobCall('complete', completeRoute, 'complete', { variables: { paid: true } }),
    foreign: 'not found',
  },
  failJob: { call: jobCall('fail', failRoute, 'fail', { message: 'ERP is down' }), foreign: 'not found' },
  throwJobError: {
    call: jobCall('bpmnError', bpmnErrorRoute, 'bpmn-error', { code: 'PAYMENT_REJECTED' }),
    foreign: 'not found',
  },
  extendJobLock: { call: jobCall('extend', extendRoute, 'extend-lock', { leaseSeconds: 600 }), foreign: 'not found' },
};

/** What a refused call must not have changed: our company's instances, jobs, messages and audit rows. */
async function ourState() {
  const [instances] = await handle.db
    .select({ n: count() })
    .from(processInstances)
    .where(eq(processInstances.tenantId, tenantId));
  const [pending] = await handle.db
    .select({ n: count() })
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.jobType, JOB_TYPE), eq(jobs.status, 'running')));
  const [kept] = await handle.db.select({ n: count() }).from(messages).where(eq(messages.tenantId, tenantId));
  const [audit] = await handle.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, tenantId));
  const locks = await handle.db
    .select({ id: jobs.id, lockedBy: jobs.lockedBy, lockedUntil: jobs.lockedUntil, status: jobs.status })
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.jobType, JOB_TYPE)));
  return { instances: instances!.n, running: pending!.n, messages: kept!.n, audit: audit!.n, locks };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  app.__trellisDb = Promise.resolve(handle);
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
  const admin = (await resolveActor(handle.db, user!.id, 'en'))!;
  await publishPayment(tenantId, admin.userId);

  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'matrix-hoa-sen', name: 'Công ty Hoa Sen' })
    .returning();
  otherTenant = other!.id;
  const [boss] = await handle.db
    .insert(users)
    .values({ email: 'hoa@matrix-hoasen.example', displayName: 'Trịnh Thị Hoa' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: otherTenant, userId: boss!.id, role: 'admin' });
  await publishPayment(otherTenant, boss!.id);
  const theirAdmin = (await resolveActor(handle.db, boss!.id, 'en', otherTenant))!;

  tokens.rights = (await keyOf(admin, RIGHTS)).token;
  tokens.elsewhere = (await keyOf(admin, ELSEWHERE)).token;
  const revoked = await keyOf(admin, RIGHTS);
  tokens.revoked = revoked.token;
  tokens.theirs = (await keyOf(theirAdmin, RIGHTS)).token;

  // Our instances: one to read, one job for each job command, all locked by the matrix worker.
  const started: string[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await rows.startInstance!.call(tokens.rights);
    expect(answer.status).toBe(201);
    started.push(answer.body.id as string);
  }
  // Theirs: one waiting at its job too, so a foreign fetch has something of its own to take.
  expect((await rows.startInstance!.call(tokens.theirs)).status).toBe(201);
  const fetched = await send(fetchRoute, 'POST', '/jobs/fetch-and-lock', tokens.rights, {
    workerId: WORKER,
    jobTypes: [JOB_TYPE],
    maxJobs: 10,
    leaseSeconds: 600,
  });
  expect(fetched.status).toBe(200);
  const jobOf = new Map((fetched.body.jobs as { id: string; instanceId: string }[]).map((j) => [j.instanceId, j.id]));
  expect(started.every((id) => jobOf.has(id))).toBe(true);
  ours.read = started[0]!;
  ours.jobs = {
    complete: jobOf.get(started[1]!)!,
    fail: jobOf.get(started[2]!)!,
    bpmnError: jobOf.get(started[3]!)!,
    extend: jobOf.get(started[4]!)!,
  };
  // One more of ours, unlocked: what a foreign fetch must not take and a refused fetch must not lock.
  expect((await rows.startInstance!.call(tokens.rights)).status).toBe(201);
  await revokeApiKey(handle.db, admin, revoked.id);
});

afterAll(async () => {
  app.__trellisDb = undefined;
  await handle?.close();
});

describe('the REST API’s access matrix for API keys', () => {
  it('covers every keyed operation of the document, and only those', () => {
    const keyed = operations.filter((o) => !o.public && !o.signed).map((o) => o.operationId);
    expect(Object.keys(rows).sort()).toEqual(keyed.sort());
  });

  for (const [operationId, row] of Object.entries(rows)) {
    describe(operationId, () => {
      it('no key, or one revoked a moment ago: 401, nothing done', async () => {
        const before = await ourState();
        for (const token of [null, tokens.revoked]) {
          const answer = await row.call(token);
          expect(answer.status, String(token)).toBe(401);
          expect(answer.body.code).toBe('UNAUTHORIZED');
        }
        expect(await ourState()).toEqual(before);
      });

      it('a key of the company whose scopes name other things: 403, nothing done', async () => {
        const before = await ourState();
        const answer = await row.call(tokens.elsewhere);
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual({ code: 'FORBIDDEN', message: 'This key may not do that.' });
        expect(await ourState()).toEqual(before);
      });

      it(`another company’s key naming the same things: ${row.foreign}; ours untouched`, async () => {
        const before = await ourState();
        const answer = await row.call(tokens.theirs);
        if (row.foreign === 'not found') expect(answer.status).toBe(404);
        else {
          expect(answer.status).toBeLessThan(300);
          if (operationId === 'fetchAndLockJobs') {
            const taken = answer.body.jobs as { instanceId: string }[];
            expect(taken).toHaveLength(1);
            const [instance] = await handle.db
              .select({ tenantId: processInstances.tenantId })
              .from(processInstances)
              .where(eq(processInstances.id, taken[0]!.instanceId));
            expect(instance!.tenantId).toBe(otherTenant);
          }
          if (typeof answer.body.id === 'string' || typeof answer.body.instanceId === 'string') {
            const id = (answer.body.id ?? answer.body.instanceId) as string;
            const [instance] = await handle.db
              .select({ tenantId: processInstances.tenantId })
              .from(processInstances)
              .where(eq(processInstances.id, id));
            expect(instance!.tenantId).toBe(otherTenant);
          }
        }
        expect(await ourState()).toEqual(before);
      });

      it('the key whose scopes name them: the operation’s success', async () => {
        const operation = operations.find((o) => o.operationId === operationId)!;
        const answer = await row.call(tokens.rights);
        expect(answer.status, JSON.stringify(answer.body)).toBe(operation.success.status);
      });
    });
  }

  it('what the keys did is theirs: our audit rows of key work name our keys only, and no person', async () => {
    const rowsOfKeys = await handle.db
      .select({ actorId: auditEvents.actorId, data: auditEvents.data, tenantId: auditEvents.tenantId })
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), ne(auditEvents.type, 'apikey.created')));
    const byKey = rowsOfKeys.filter((r) => (r.data as { apiKey?: unknown }).apiKey);
    expect(byKey.length).toBeGreaterThan(5);
    for (const r of byKey) expect(r.actorId).toBeNull();
  });
});
