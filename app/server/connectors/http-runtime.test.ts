/**
 * The http connector in the durable runtime (PGlite, and PostgreSQL when DATABASE_URL is set): a
 * published process calls a local service through a worker, once, and carries on with the answer.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { createWorker } from '@/app/server/host/worker';
import { callerFor, demo } from '@/test/support/callers';
import { createTestDatabase } from '@/test/support/database';
import { defaultConnectors } from './index';

let handle: DatabaseHandle;
let server: Server;
let port: number;
const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url?.startsWith('/invoices/missing')) return res.writeHead(404).end();
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `INV-${req.url!.split('/').pop()}`,
          amount: (JSON.parse(body) as { amount: number }).amount,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  handle = await createTestDatabase();
  const tenantId = await seedDemo(handle.db);
  const startForm = {
    key: 'invoice-start',
    version: 1,
    title: 'Invoice',
    schema: { type: 'object', properties: { invoiceNumber: { type: 'string' }, amount: { type: 'number' } } },
  };
  const register = {
    id: 'register',
    type: 'serviceTask',
    taskType: 'http',
    settings: { method: 'POST', url: `http://127.0.0.1:${port}/invoices/{invoiceNumber}`, body: '={ amount: amount }' },
    set: { invoiceId: 'response.body.id' },
  };
  const definition = (key: string, elements: object[], flows: object[]) => ({
    formatVersion: 1,
    key,
    version: 1,
    name: key,
    startForm: 'invoice-start',
    elements,
    flows,
  });
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: definition(
        'register-invoice',
        [{ id: 's', type: 'startEvent' }, register, { id: 'e', type: 'endEvent' }],
        [
          { id: 'f1', source: 's', target: 'register' },
          { id: 'f2', source: 'register', target: 'e' },
        ],
      ),
      forms: [startForm],
    },
    null,
  );
  // A 404 caught by an error boundary on HTTP_404: the process takes its "not found" path.
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: definition(
        'register-or-report',
        [
          { id: 's', type: 'startEvent' },
          register,
          { id: 'notFound', type: 'boundaryEvent', attachedTo: 'register', event: { kind: 'error', code: 'HTTP_404' } },
          { id: 'registered', type: 'endEvent', outcome: 'registered' },
          { id: 'missing', type: 'endEvent', outcome: 'missing' },
        ],
        [
          { id: 'f1', source: 's', target: 'register' },
          { id: 'f2', source: 'register', target: 'registered' },
          { id: 'f3', source: 'notFound', target: 'missing' },
        ],
      ),
      forms: [startForm],
    },
    null,
  );
});
afterAll(async () => {
  await handle?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const instance = async (id: string) =>
  (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!;
const start = async (key: string, variables: Record<string, unknown>) =>
  (await callerFor(handle.db, demo.ngoc)).instance.start({ definitionKey: key, variables });

describe('http service tasks', () => {
  it('a worker sends the request once, with the job id as Idempotency-Key, and the instance carries on with the response', async () => {
    // given an instance waiting on its http task
    const { id } = await start('register-invoice', { invoiceNumber: 'HD 0042', amount: 1_250_000 });
    const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
    expect(job).toMatchObject({ kind: 'service', jobType: 'http', status: 'pending' });
    const before = received.length;
    // when a worker with the default connectors runs
    const worker = createWorker(handle.db, { connectors: defaultConnectors({ allow: ['127.0.0.1'] }) });
    expect(await worker.tick()).toBe(1);
    // then the service got exactly one request, and the instance completed with the response mapped
    const mine = received.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      method: 'POST',
      url: '/invoices/HD%200042',
      body: '{"amount":1250000}',
      headers: expect.objectContaining({ 'idempotency-key': job!.id, 'content-type': 'application/json' }),
    });
    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(done.state.variables).toMatchObject({
      invoiceId: 'INV-HD%200042',
      response: {
        status: 201,
        body: { id: 'INV-HD%200042', amount: 1_250_000 },
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
      },
    });
    // and another tick does not send it again
    expect(await worker.tick()).toBe(0);
    expect(received.length - before).toBe(1);
    const [after] = await handle.db.select().from(jobs).where(eq(jobs.id, job!.id));
    expect(after).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('a 404 is a business error an error boundary catches', async () => {
    const { id } = await start('register-or-report', { invoiceNumber: 'missing', amount: 1 });
    await createWorker(handle.db, { connectors: defaultConnectors({ allow: ['127.0.0.1'] }) }).tick();
    expect(await instance(id)).toMatchObject({ status: 'completed', outcome: 'missing' });
  });

  it('a worker without the allow-list refuses to call 127.0.0.1: nothing is sent, and since retrying cannot help it is an incident at once', async () => {
    const { id } = await start('register-invoice', { invoiceNumber: 'HD-0043', amount: 5 });
    const before = received.length;
    await createWorker(handle.db, { connectors: defaultConnectors() }).tick();
    expect(received.length).toBe(before);
    const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
    expect(job).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining(`HTTP request to 127.0.0.1:${port} refused: 127.0.0.1 is a loopback address`),
    });
    expect(await instance(id)).toMatchObject({ status: 'active' });
    const incidents = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'incident.raised')));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.data).toMatchObject({ code: 'JOB_FAILED' });
  });
});
