/**
 * An app server told to run no worker (TRELLIS_WORKER=off) relays its job hints to the worker
 * processes as NOTIFY (job-relay.ts), from the instrumentation hook that starts it.
 */
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { JOB_CHANNEL } from '@/app/server/host/job-relay';
import { jobsCommitted } from '@/app/server/host/job-signal';
import { register } from '@/instrumentation';
import { createTestDatabase } from '../support/database';

const app = globalThis as unknown as { __trellisJobRelay?: () => Promise<void>; __trellisDb?: Promise<DatabaseHandle> };
const SET = ['NEXT_RUNTIME', 'TRELLIS_WORKER', 'DATABASE_URL', 'TRELLIS_SEED'] as const;
const saved = Object.fromEntries(SET.map((name) => [name, process.env[name]]));

afterAll(() => {
  for (const name of SET) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe.skipIf(!process.env.DATABASE_URL)('an app server without a worker of its own', () => {
  it('relays the hints of its commands to the worker processes (NOTIFY)', async () => {
    const database = await createTestDatabase();
    const listener = postgres(database.url!, { max: 1, onnotice: () => {} });
    const heard: string[] = [];
    try {
      Object.assign(process.env, {
        NEXT_RUNTIME: 'nodejs',
        TRELLIS_WORKER: 'off',
        DATABASE_URL: database.url,
        TRELLIS_SEED: 'off',
      });
      await register();
      await listener.listen(JOB_CHANNEL, (payload) => heard.push(payload));
      jobsCommitted();
      const end = Date.now() + 5_000;
      while (heard.length === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).toHaveLength(1);
    } finally {
      await app.__trellisJobRelay?.();
      app.__trellisJobRelay = undefined;
      await (await app.__trellisDb)?.close();
      app.__trellisDb = undefined;
      await listener.end({ timeout: 5 });
      await database.close();
    }
  });
});
