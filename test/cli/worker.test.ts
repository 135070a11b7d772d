/** `trellis worker` as its own process: refuses PGlite, and stops cleanly on SIGTERM. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { main } from '@/app/_cli/cli';
import { processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { relayJobHintsTo } from '@/app/server/host/job-relay';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

/** Starts `trellis worker` with `args` against `url`; resolves once it says it runs. */
async function spawnWorker(url: string, args: string[]) {
  const child = spawn(process.execPath, ['app/_cli/trellis.js', 'worker', ...args], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker did not start: ${out}`)), 20_000);
    child.stdout.on('data', () => {
      if (out.includes('running')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return { child, output: () => out };
}

async function stopWorker(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

describe('trellis worker', () => {
  it('needs PostgreSQL: the embedded database is one process, and the app runs its own worker', async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    const errors: string[] = [];
    try {
      expect(await main(['worker'], { log: () => {}, error: (t) => errors.push(t) })).toBe(2);
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
    expect(errors.join('\n')).toContain('needs DATABASE_URL');
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'runs as a process against PostgreSQL and exits 0 on SIGTERM',
    async () => {
      const handle = await createTestDatabase();
      try {
        const { child, output } = await spawnWorker(handle.url!, ['--interval-ms', '100']);
        expect(await stopWorker(child)).toBe(0);
        expect(output()).toMatch(/worker worker-\w+ stopped/);
      } finally {
        await handle.close();
      }
    },
    40_000,
  );

  it('started while its database cannot be reached, it keeps running (polling, not listening yet) and still stops cleanly', async () => {
    // A port nobody listens on: the claim and the LISTEN are refused; neither may end or wedge the worker.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const worker = await spawnWorker(`postgres://postgres@127.0.0.1:${port}/nowhere`, ['--interval-ms', '200']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(worker.child.exitCode, worker.output()).toBeNull();
    expect(await stopWorker(worker.child)).toBe(0);
    expect(worker.output()).toContain('not listening for job hints yet');
    expect(worker.output()).toMatch(/worker worker-\w+ stopped/);
  }, 60_000);

  it.skipIf(!process.env.DATABASE_URL)(
    'runs a job due now at once when an app server without a worker of its own relays the hint (NOTIFY), though it polls once a minute',
    async () => {
      const handle = await createTestDatabase();
      const stopRelay = relayJobHintsTo(handle.db);
      let worker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
      try {
        const tenantId = await seedDemo(handle.db);
        const flows = [
          { id: 'f1', source: 's', target: 'wait' },
          { id: 'f2', source: 'wait', target: 'e' },
        ];
        const elements = [
          { id: 's', type: 'startEvent' },
          { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT0S' } },
          { id: 'e', type: 'endEvent' },
        ];
        await publishProcess(
          handle.db,
          tenantId,
          {
            definition: { formatVersion: 1, key: 'nhac-ngay', version: 1, name: 'Nhắc ngay', elements, flows },
            forms: [],
          },
          null,
        );
        worker = await spawnWorker(handle.url!, ['--interval-ms', '60000']);
        // Its first poll (at start, nothing due) is over; from now on it waits a minute or a hint.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const started = await (
          await callerFor(handle.db, demo.ngoc)
        ).instance.start({ definitionKey: 'nhac-ngay', variables: {} });
        const status = async () =>
          (
            await handle.db
              .select({ status: processInstances.status })
              .from(processInstances)
              .where(eq(processInstances.id, started.id))
          )[0]!.status;
        const end = Date.now() + 10_000;
        while ((await status()) !== 'completed' && Date.now() < end)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await status(), worker.output()).toBe('completed');
        expect(await stopWorker(worker.child)).toBe(0);
        expect(worker.output()).toMatch(/ran timer\.fired=1/);
      } finally {
        if (worker) await stopWorker(worker.child);
        await stopRelay();
        await handle.close();
      }
    },
    60_000,
  );
});
