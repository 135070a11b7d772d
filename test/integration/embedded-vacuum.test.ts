/**
 * PGlite has no autovacuum: the in-process worker loop vacuums and analyses it now and then.
 * On PostgreSQL the loop leaves that to the server's autovacuum.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { startWorkerLoop } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase, rowsOf } from '../support/database';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
  const tenantId = await seedDemo(handle.db);
  const flow = (id: string, source: string, target: string) => ({ id, source, target });
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'wait-an-hour',
        version: 1,
        name: 'wait-an-hour',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT1H' } },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'wait'), flow('f2', 'wait', 'e')],
      },
      forms: [],
    },
    null,
  );
});
afterAll(async () => handle?.close());

const instanceStats = async () =>
  rowsOf<{ dead: number; vacuumed: boolean; analysed: boolean }>(
    await handle.db.execute(
      sql`select n_dead_tup::int as dead, last_vacuum is not null as vacuumed, last_analyze is not null as analysed from pg_stat_user_tables where relname = 'process_instances'`,
    ),
  )[0]!;

describe('the embedded database', () => {
  it('is vacuumed and analysed by the in-process worker loop on PGlite, and left to autovacuum on PostgreSQL', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'wait-an-hour', variables: {} });
    // Dead row versions, as steps leave them.
    for (let i = 0; i < 5; i++)
      await handle.db
        .update(processInstances)
        .set({ businessKey: `HD-${i}` })
        .where(eq(processInstances.id, id));
    if (handle.kind === 'pglite') {
      // A backend reports its counts at most once a second: made to report them now.
      await handle.db.execute(sql`select pg_stat_force_next_flush()`);
      await handle.db.execute(sql`select 1`);
      expect(await instanceStats()).toMatchObject({ dead: 5, vacuumed: false });
    }

    const loop = startWorkerLoop(handle.db, { intervalMs: 50, vacuumEveryMs: 100 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
    } finally {
      await loop.stop();
    }
    const after = await instanceStats();
    if (handle.kind === 'pglite') expect(after).toEqual({ dead: 0, vacuumed: true, analysed: true });
    else expect(after).toMatchObject({ vacuumed: false });
  });
});
