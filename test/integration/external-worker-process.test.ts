/**
 * Issue 21's "done when": real outside worker processes (`trellis worker --external`, each its own
 * Node process) work the service jobs of a payment process over HTTP with an API key. The app's
 * own route handlers answer behind a small node:http server in this process (on the test's
 * database: PGlite, or PostgreSQL with DATABASE_URL). A first worker fetches a payment and dies
 * with it (SIGKILL); a second one fetches it again once the lease has run out and completes it,
 * next to a payment it completes, a rejected one it reports as a BPMN error (caught by the
 * boundary event: the instance ends as `rejected`), and a slow one whose first attempt outlives
 * its lease (the network loses that attempt's lease extensions: this server answers them 503):
 * fetched again by the same worker as attempt 2, which holds the job until attempt 1's late
 * completion has been refused — by its attempt number, the worker id being the same — and counted
 * as lost; then attempt 2 completes it. Every instance ends where it should, each job once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, processInstances, users } from '@/db/schema';
import { resolveActor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { authenticateApiKey, createApiKey } from '@/app/server/services/api-keys';
import { publishProcess } from '@/app/server/services/definitions';
import { startInstance, type KeyCall } from '@/app/server/services/instances';
import { POST as fetchRoute } from '@/app/api/v1/jobs/fetch-and-lock/route';
import { POST as completeRoute } from '@/app/api/v1/jobs/[id]/complete/route';
import { POST as failRoute } from '@/app/api/v1/jobs/[id]/fail/route';
import { POST as bpmnErrorRoute } from '@/app/api/v1/jobs/[id]/bpmn-error/route';
import { POST as extendRoute } from '@/app/api/v1/jobs/[id]/extend-lock/route';
import { createTestDatabase } from '../support/database';

const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };
type Handler = (req: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
const COMMANDS: Record<string, Handler> = {
  complete: completeRoute,
  fail: failRoute,
  'bpmn-error': bpmnErrorRoute,
  'extend-lock': extendRoute,
};

/** The handler script, as an outside team would write it: it knows nothing of Trellis but the job. */
const HANDLER = `
import { appendFileSync, existsSync } from 'node:fs';
export default async function createPayment(job, { bpmnError }) {
  const { invoiceNumber } = job.variables;
  appendFileSync(process.env.PAYMENT_LOG, JSON.stringify({ invoiceNumber, attempts: job.attempts, pid: process.pid }) + '\\n');
  if (invoiceNumber === 'HD-HANG' && job.attempts === 1) await new Promise(() => {}); // dies with its process
  if (invoiceNumber === 'HD-SLOW' && job.attempts === 1) await new Promise((r) => setTimeout(r, 2500)); // outlives its lease
  // Holds the job until the test has seen attempt 1's late completion refused.
  if (invoiceNumber === 'HD-SLOW' && job.attempts === 2)
    while (!existsSync(process.env.RELEASE_SLOW)) await new Promise((r) => setTimeout(r, 20));
  if (invoiceNumber === 'HD-REJECT') return bpmnError('PAYMENT_REJECTED', { message: 'IBAN closed', variables: { rejection: 'IBAN closed' } });
  return { paymentId: 'PAY-' + invoiceNumber + '-' + job.attempts };
}
`;

let handle: DatabaseHandle;
let server: Server;
let baseUrl: string;
let token: string;
let starter: KeyCall;
let dir: string;
const children: { child: ChildProcess; output: string }[] = [];
/** The job whose first attempt's lease extensions this server answers 503 (lost on the way): set once it exists. */
let extensionsLost: string | null = null;

/** The app's route handlers behind node:http: a Web Request in, its Response out; a closed connection aborts the request. */
const inFlight = new Set<Promise<unknown>>();
function serve(): Promise<Server> {
  const http = createServer((req, res) => {
    const handling = (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const gone = new AbortController();
      res.on('close', () => !res.writableFinished && gone.abort());
      const url = new URL(req.url!, 'http://127.0.0.1');
      const match = /^\/api\/v1\/jobs\/(?:(fetch-and-lock)|([^/]+)\/([a-z-]+))$/.exec(url.pathname);
      const route = match?.[1] ? (fetchRoute as unknown as Handler) : match ? COMMANDS[match[3]!] : undefined;
      if (!route || req.method !== 'POST') return void res.writeHead(404).end();
      const body = Buffer.concat(chunks);
      if (match?.[3] === 'extend-lock' && match[2] === extensionsLost && JSON.parse(body.toString()).attempts === 1)
        return void res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 'SERVICE_UNAVAILABLE', message: 'The network lost it.', retryable: true }));
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const request = new Request(url, { method: 'POST', headers, body, signal: gone.signal });
      const response = await route(request, { params: Promise.resolve({ id: decodeURIComponent(match![2] ?? '') }) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    // Waited for before the database closes: a long poll its client left still ends its last claim.
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}

/** A `trellis worker --external` process working erp.create-payment with the handler script. */
function startWorker(workerId: string, extra: string[] = []) {
  const child = spawn(
    process.execPath,
    [
      'app/_cli/trellis.js',
      'worker',
      '--external',
      '--job-type',
      'erp.create-payment',
      '--handler',
      path.join(dir, 'create-payment.mjs'),
      '--url',
      baseUrl,
      '--worker-id',
      workerId,
      ...extra,
    ],
    {
      env: {
        ...process.env,
        TRELLIS_API_KEY: token,
        PAYMENT_LOG: path.join(dir, 'payments.log'),
        RELEASE_SLOW: path.join(dir, 'release-slow'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const worker = { child, output: '' };
  child.stdout!.on('data', (d: Buffer) => (worker.output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (worker.output += d.toString()));
  children.push(worker);
  return worker;
}

/** What the handler saw, in order: one line per attempt. */
function attempts(): { invoiceNumber: string; attempts: number; pid: number }[] {
  try {
    return readFileSync(path.join(dir, 'payments.log'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { invoiceNumber: string; attempts: number; pid: number });
  } catch {
    return [];
  }
}

const until = async (what: () => Promise<boolean> | boolean, ms: number, label: string) => {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${label}:\n${children.map((c) => c.output).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

async function pay(invoiceNumber: string): Promise<string> {
  const started = await startInstance(handle.db, starter, {
    definitionKey: 'supplier-payment',
    variables: { invoiceNumber, amount: 12_500_000 },
  });
  return started.id;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  const tenantId = await seedDemo(handle.db);
  app.__trellisDb = Promise.resolve(handle);
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, 'bao.ngo@senvang.example'));
  const admin = (await resolveActor(handle.db, user!.id, 'en'))!;
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'supplier-payment',
        version: 1,
        name: { en: 'Pay a supplier', vi: 'Thanh toán nhà cung cấp' },
        startForm: 'payment-request',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'pay', type: 'serviceTask', taskType: 'erp.create-payment' },
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
  const created = await createApiKey(handle.db, admin, {
    name: 'ERP payments',
    scopes: { start: ['supplier-payment'], jobTypes: ['erp.create-payment'] },
    expiresInDays: 30,
  });
  token = created.token;
  starter = { ...(await authenticateApiKey(handle.db, token))!, locale: 'en' };
  server = await serve();
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-external-'));
  writeFileSync(path.join(dir, 'create-payment.mjs'), HANDLER);
}, 60_000);

afterAll(async () => {
  for (const w of children) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await Promise.allSettled([...inFlight]);
  delete app.__trellisDb;
  await handle?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('outside worker processes complete payments over HTTP: a dead worker’s job after its lease, a BPMN error caught, a late completion refused', async () => {
  // given a payment, fetched by a first worker that then hangs on it and is killed
  const hang = await pay('HD-HANG');
  // (without long polling: it fetches once a second)
  const first = startWorker('erp-a', ['--lease-seconds', '1', '--wait-seconds', '0']);
  await until(() => attempts().some((a) => a.invoiceNumber === 'HD-HANG'), 20_000, 'the first worker to fetch HD-HANG');
  const died = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  await died;
  expect(await jobStatus(hang)).toMatchObject({
    status: 'running',
    attempts: 1,
    lockedBy: expect.stringMatching(/:erp-a$/),
  });

  // when three more payments come, and a second worker (two jobs at a time, one-second leases) runs
  const ok = await pay('HD-OK');
  const reject = await pay('HD-REJECT');
  const slow = await pay('HD-SLOW');
  const slowJob = (await jobStatus(slow)).id;
  extensionsLost = slowJob;
  const second = startWorker('erp-b', ['--lease-seconds', '1', '--wait-seconds', '10', '--concurrency', '2']);
  // the slow payment's first attempt reports late, while its second attempt — the same worker's — holds the job
  const refused = new RegExp(
    `lost erp\\.create-payment ${slowJob} \\(attempt 1\\): Attempt 1 of job "${slowJob}" is over: the job is on attempt 2 now`,
  );
  await until(() => refused.test(second.output), 20_000, 'the slow payment’s first attempt to be refused');
  writeFileSync(path.join(dir, 'release-slow'), '');
  await until(
    async () => {
      const rows = await handle.db
        .select({ status: processInstances.status })
        .from(processInstances)
        .where(inArray(processInstances.id, [hang, ok, reject, slow]));
      return rows.every((r) => r.status !== 'active');
    },
    20_000,
    'every payment to end',
  );
  const exited = new Promise((resolve) => second.child.once('exit', resolve));
  second.child.kill('SIGTERM');
  await exited;

  // then each instance ended where it should
  expect(await ended(hang)).toEqual({ status: 'completed', outcome: 'paid', paymentId: 'PAY-HD-HANG-2' });
  expect(await ended(ok)).toEqual({ status: 'completed', outcome: 'paid', paymentId: 'PAY-HD-OK-1' });
  expect(await ended(reject)).toEqual({ status: 'completed', outcome: 'rejected', rejection: 'IBAN closed' });
  expect(await ended(slow)).toEqual({ status: 'completed', outcome: 'paid', paymentId: 'PAY-HD-SLOW-2' });
  // the dead worker's payment and the slow one were fetched again, by the second worker, as attempt 2
  const seen = attempts();
  const pidOf = (invoiceNumber: string, attempt: number) =>
    seen.find((a) => a.invoiceNumber === invoiceNumber && a.attempts === attempt)?.pid;
  expect(pidOf('HD-HANG', 1)).toBe(first.child.pid);
  expect(pidOf('HD-HANG', 2)).toBe(second.child.pid);
  expect(pidOf('HD-SLOW', 2)).toBe(second.child.pid);
  expect(await jobStatus(hang)).toMatchObject({ status: 'done', attempts: 2 });
  // each job finished once, as the key's worker: one completion or error per instance
  const finished = await handle.db
    .select({ instanceId: auditEvents.instanceId, type: auditEvents.type, data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        inArray(auditEvents.instanceId, [hang, ok, reject, slow]),
        inArray(auditEvents.type, ['job.completed', 'job.error']),
      ),
    );
  expect(finished).toHaveLength(4);
  for (const row of finished) expect(row.data).toMatchObject({ workerId: 'erp-b', apiKey: { name: 'ERP payments' } });
  // and the second worker stopped cleanly, saying what it did: the slow job's first attempt was lost, refused by its number
  expect(second.child.exitCode).toBe(0);
  expect(second.output).toMatch(/external worker erp-b stopped; completed=3 failed=0 bpmnErrors=1 lost=1/);
}, 60_000);

async function jobStatus(instanceId: string) {
  const [row] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, instanceId));
  return row!;
}

async function ended(instanceId: string) {
  const [row] = await handle.db.select().from(processInstances).where(eq(processInstances.id, instanceId));
  const { paymentId, rejection } = row!.state.variables as Record<string, unknown>;
  return {
    status: row!.status,
    outcome: row!.outcome,
    ...(paymentId === undefined ? {} : { paymentId }),
    ...(rejection === undefined ? {} : { rejection }),
  };
}
