/**
 * A worker process killed with SIGKILL while holding a job — after the side effect reached the
 * receiving service, before its commit — does not lose the job and does not repeat the effect:
 * after the lease runs out another worker runs the job again with the same Idempotency-Key, which
 * the receiver (a local test HTTP server) recognises. PostgreSQL only: several processes share it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs, processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

describe.skipIf(!process.env.DATABASE_URL)('a worker killed while holding a job', () => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: Server;
  let port: number;
  const requests: string[] = [];
  /** Side effects done, by idempotency key, with the answer given (the receiver's own dedupe). */
  const effects = new Map<string, string>();
  let hang = true;
  const held: ServerResponse[] = [];
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const key = String(req.headers['idempotency-key']);
        requests.push(key);
        if (!effects.has(key)) effects.set(key, `PAY-${effects.size + 1}`);
        // The first time, the effect is done but the answer never comes back (the worker dies first).
        if (hang) return void held.push(res);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payment: effects.get(key) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    handle = await createTestDatabase();
    const tenantId = await seedDemo(handle.db);
    const pay = {
      id: 'pay',
      type: 'serviceTask',
      taskType: 'http',
      settings: { method: 'POST', url: `http://127.0.0.1:${port}/payments`, body: '={ amount: 1 }' },
      set: { payment: 'response.body.payment' },
    };
    await publishProcess(
      handle.db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'pay-supplier',
          version: 1,
          name: 'Pay supplier',
          elements: [{ id: 's', type: 'startEvent' }, pay, { id: 'e', type: 'endEvent' }],
          flows: [
            { id: 'f1', source: 's', target: 'pay' },
            { id: 'f2', source: 'pay', target: 'e' },
          ],
        },
        forms: [],
      },
      null,
    );
  });

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    for (const r of held) r.destroy();
    await new Promise((resolve) => server.close(resolve));
    await handle?.close();
  });

  const startWorker = (lease: number) => {
    const child = spawn(
      process.execPath,
      ['app/_cli/trellis.js', 'worker', '--interval-ms', '100', '--lease-seconds', String(lease)],
      {
        env: { ...process.env, DATABASE_URL: handle.url!, TRELLIS_HTTP_ALLOW: '127.0.0.1' },
        stdio: 'ignore',
      },
    );
    workers.push(child);
    return child;
  };
  const until = async (what: () => Promise<boolean> | boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('runs the job again after the lease, and the receiver sees one side effect', async () => {
    // given an instance waiting for its payment job
    const { id } = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({ definitionKey: 'pay-supplier', variables: {} });
    const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
    // when a worker takes it, the payment is made, and the worker is killed before it commits
    const first = startWorker(2);
    await until(() => requests.length === 1);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await handle.db.select().from(jobs).where(eq(jobs.id, job!.id)))[0]).toMatchObject({ status: 'running' });
    // then another worker runs it again once the lease has run out, with the same key
    hang = false;
    startWorker(2);
    await until(
      async () =>
        (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!.status === 'completed',
    );
    expect(requests).toEqual([job!.id, job!.id]);
    expect(effects.size).toBe(1);
    const [done] = await handle.db.select().from(processInstances).where(eq(processInstances.id, id));
    expect(done!.state.variables).toMatchObject({ payment: 'PAY-1' });
    expect((await handle.db.select().from(jobs).where(eq(jobs.id, job!.id)))[0]).toMatchObject({
      status: 'done',
      attempts: 2,
    });
  }, 60_000);
});
