/**
 * Enqueueing webhook deliveries costs recording an event no statement: they ride along in its one write
 * (PGlite with drizzle's query log). Sending and the API are tested in
 * test/integration/webhooks.test.ts.
 */
import { PGlite } from '@electric-sql/pglite';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, type Database } from '@/db/client';
import * as schema from '@/db/schema';
import { seedDemo } from '../seed';
import { recordEvents } from '../host/write';
import { publishProcess } from './definitions';
import { webhookEventOf } from './webhooks';

const { jobs, processInstances, users, webhooks } = schema;

let client: PGlite;
let db: Database;
const statements: string[] = [];
let tenantId: string;
let instanceId: string;

beforeAll(async () => {
  client = new PGlite('memory://');
  db = drizzle(client, { schema, logger: { logQuery: (query) => statements.push(query) } }) as unknown as Database;
  await migrateDatabase({ db, kind: 'pglite', close: () => client.close() });
  tenantId = await seedDemo(db);
  const definition = {
    formatVersion: 1,
    key: 'p',
    version: 1,
    name: 'p',
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'e', type: 'endEvent' },
    ],
    flows: [{ id: 'f', source: 's', target: 'e' }],
  };
  const { id: definitionId } = await publishProcess(db, tenantId, { definition, forms: [] }, null);
  const [user] = await db.select({ id: users.id }).from(users).limit(1);
  const [instance] = await db
    .insert(processInstances)
    .values({
      tenantId,
      definitionId,
      status: 'active',
      state: { status: 'active', active: [], variables: {} } as never,
      startedBy: user!.id,
    })
    .returning({ id: processInstances.id });
  instanceId = instance!.id;
  await db.insert(webhooks).values({
    tenantId,
    url: 'https://hooks.example.com/a',
    secret: 'x'.repeat(64),
    events: ['task.created', 'instance.failed'],
  });
}, 60_000);
afterAll(async () => client?.close());

/** The statements recording an event sends for `type` (appendAudit with the host's deliveries alongside) in a transaction of its own (BEGIN and COMMIT are not logged). */
async function statementsFor(type: string): Promise<string[]> {
  statements.length = 0;
  await db.transaction((tx) => recordEvents(tx, [{ tenantId, instanceId, type, elementId: 'x', data: {} }]));
  return [...statements];
}

describe('recording events with webhooks (host/write.ts recordEvents)', () => {
  it('sends two statements whether or not an event is a webhook event, and enqueues only for those', async () => {
    const plain = await statementsFor('element.completed');
    const watched = await statementsFor('task.created');
    const incident = await statementsFor('incident.raised');
    expect([plain.length, watched.length, incident.length]).toEqual([2, 2, 2]);
    expect(plain[1]).not.toContain('insert into jobs');
    expect(watched[1]).toContain('insert into jobs');
    const enqueued = await db
      .select({ jobType: jobs.jobType })
      .from(jobs)
      .where(and(eq(jobs.instanceId, instanceId), eq(jobs.kind, 'webhook')));
    expect(enqueued.map((j) => j.jobType).sort()).toEqual(['instance.failed', 'task.created']);
  });

  it('maps the audit types to the webhook events', () => {
    expect(
      [
        'task.created',
        'task.completed',
        'instance.completed',
        'incident.raised',
        'instance.terminated',
        'instance.started',
        'constructor',
        '__proto__',
      ].map(webhookEventOf),
    ).toEqual([
      'task.created',
      'task.completed',
      'instance.completed',
      'instance.failed',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
