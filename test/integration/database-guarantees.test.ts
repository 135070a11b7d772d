/** The database itself keeps history append-only and published versions immutable. */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '@/app/server/seed';
import { createTestDatabase } from '@/test/support/database';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, decisions, forms, processDefinitions, tenants } from '@/db/schema';

let handle: DatabaseHandle;
let tenantId: string;
beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

/** drizzle wraps the driver's error: the trigger's message is on its cause. */
const refused = (why: string) => ({ cause: { message: expect.stringContaining(why) } });

describe('database guarantees', () => {
  it('migrates and seeds idempotently', async () => {
    expect(await seedDemo(handle.db)).toBe(tenantId);
    expect(await handle.db.select().from(tenants)).toHaveLength(1);
  });

  it('refuses to update or delete audit events', async () => {
    await handle.db.insert(auditEvents).values({ tenantId, type: 'test.recorded', data: { note: 'Ghi chú' } });
    await expect(handle.db.update(auditEvents).set({ type: 'tampered' })).rejects.toMatchObject(refused('append-only'));
    await expect(handle.db.delete(auditEvents)).rejects.toMatchObject(refused('append-only'));
    await expect(handle.db.execute(sql`truncate audit_events cascade`)).rejects.toMatchObject(refused('append-only'));
  });

  it('refuses to change a published process or form version', async () => {
    await expect(
      handle.db.update(processDefinitions).set({ category: 'hr' }).where(eq(processDefinitions.tenantId, tenantId)),
    ).rejects.toMatchObject(refused('immutable once published'));
    await expect(handle.db.update(forms).set({ title: 'x' }).where(eq(forms.tenantId, tenantId))).rejects.toMatchObject(
      refused('immutable once published'),
    );
  });

  it('refuses to change a published decision version', async () => {
    const content = {
      id: 'route',
      requires: [],
      hitPolicy: 'FIRST' as const,
      inputs: [],
      outputs: [{ name: 'lane' }],
      rules: [],
    };
    await handle.db.insert(decisions).values({ tenantId, key: 'route', version: 1, content });
    await expect(
      handle.db
        .update(decisions)
        .set({ content: { ...content, rules: [{ inputEntries: [], outputEntries: ['"x"'] }] } })
        .where(eq(decisions.tenantId, tenantId)),
    ).rejects.toMatchObject(refused('immutable once published'));
  });
});
