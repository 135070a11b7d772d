/**
 * Outgoing webhooks on a real database (PGlite, and PostgreSQL when DATABASE_URL is set), sent
 * by workers to a local receiver (node:http on 127.0.0.1, allowed through the allow-list) that
 * checks every signature the way the README tells receivers to: HMAC-SHA256 of
 * "<timestamp>.<raw body>" with the webhook's secret, compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, memberships, tasks, tenants, users, type Job } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { defaultConnectors } from '@/app/server/connectors';
import { recordEvents } from '@/app/server/host/write';
import { publishProcess } from '@/app/server/services/definitions';
import { createWorker, startWorkerLoop } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const admin = 'bao.ngo@senvang.example';
const designer = 'trang.hoang@senvang.example';
const otherAdmin = 'admin@other.example';

let handle: DatabaseHandle;
let tenantId: string;
let otherTenantId: string;
let server: Server;
let base: string;
let connections = 0;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature checked out with the secret the receiver holds for this path. */
  verified: boolean;
  status: number;
}
const received: Received[] = [];
/** What the receiver knows per path: the webhook's secret, and the statuses to answer in turn (the last repeats). */
const receivers = new Map<string, { secret: string; statuses: number[] }>();

/** The README's recipe: recompute the signature over "<timestamp>.<raw body>", compare in constant time, refuse old timestamps. */
function verify(secret: string, headers: IncomingHttpHeaders, rawBody: string): boolean {
  const timestamp = String(headers['x-trellis-timestamp'] ?? '');
  const signature = String(headers['x-trellis-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url!;
      const receiver = receivers.get(path);
      const status = receiver
        ? receiver.statuses.length > 1
          ? receiver.statuses.shift()!
          : receiver.statuses[0]!
        : 404;
      received.push({
        path,
        headers: req.headers,
        body,
        verified: receiver ? verify(receiver.secret, req.headers, body) : false,
        status,
      });
      res
        .writeHead(status, {
          'content-type': 'text/plain',
          ...(status >= 300 && status < 400 ? { location: '/redirected' } : {}),
        })
        .end('receiver text that must not reach the job');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  // A second company with its own admin.
  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'other-co', name: 'Other Co' })
    .returning({ id: tenants.id });
  otherTenantId = other!.id;
  const [user] = await handle.db
    .insert(users)
    .values({ email: otherAdmin, displayName: 'Other Admin' })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ tenantId: otherTenantId, userId: user!.id, role: 'admin' });

  const decision = {
    key: 'decision',
    version: 1,
    title: 'Decision',
    schema: { type: 'object', properties: { decision: { type: 'string', enum: ['approve', 'reject'] } } },
  };
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'one-review',
        version: 1,
        name: 'One review',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'review', type: 'userTask', formKey: 'decision', candidateGroups: ['accounting'] },
          { id: 'e', type: 'endEvent', outcome: 'reviewed' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'review' },
          { id: 'f2', source: 'review', target: 'e' },
        ],
      },
      forms: [decision],
    },
    null,
  );
  // A service task calling a loopback address: without the allow-list the job fails at once, an incident.
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'call-loopback',
        version: 1,
        name: 'Call loopback',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'call', type: 'serviceTask', taskType: 'http', settings: { url: `${base}/not-a-webhook` } },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'call' },
          { id: 'f2', source: 'call', target: 'e' },
        ],
      },
      forms: [],
    },
    null,
  );
}, 60_000);

afterAll(async () => {
  await handle?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const as = (email: string | null) => callerFor(handle.db, email);
/** A webhook of the demo company (or another's admin) whose receiver answers `statuses` in turn. */
async function hook(
  path: string,
  events: ('task.created' | 'task.completed' | 'instance.completed' | 'instance.failed')[],
  statuses = [200],
  email = admin,
) {
  const created = await (await as(email)).webhook.create({ url: `${base}${path}`, events });
  receivers.set(path, { secret: created.secret, statuses: [...statuses] });
  return created;
}
const deliveriesOf = (webhookId: string) =>
  handle.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, 'webhook'), sql`${jobs.payload}->>'webhookId' = ${webhookId}`));
const receivedAt = (path: string) => received.filter((r) => r.path === path);
const makeDue = (job: Pick<Job, 'id'>) =>
  handle.db
    .update(jobs)
    .set({ dueAt: sql`now() - interval '1 second'` })
    .where(eq(jobs.id, job.id));
const sender = (allow: string[] = ['127.0.0.1']) => createWorker(handle.db, { webhooks: { allow } });

/** Starts a one-review instance and has Hùng (accounting) complete its task: task.created, task.completed, instance.completed. */
async function reviewOnce() {
  const { id } = await (await as(demo.ngoc)).instance.start({ definitionKey: 'one-review' });
  const [task] = await handle.db.select().from(tasks).where(eq(tasks.instanceId, id));
  await (await as(demo.hung)).task.complete({ id: task!.id, data: { decision: 'approve' } });
  return { instanceId: id, taskId: task!.id };
}

describe('enqueueing deliveries with the events', () => {
  it('a task created and completed and an instance completed each give exactly one delivery to a subscribed webhook, none to others', async () => {
    // given a webhook on every event, one on instance.failed only, one deactivated, and another company's
    const all = await hook('/all', ['task.created', 'task.completed', 'instance.completed', 'instance.failed']);
    const failedOnly = await hook('/failed-only', ['instance.failed']);
    const off = await hook('/off', ['task.created', 'task.completed', 'instance.completed']);
    await (await as(admin)).webhook.deactivate({ id: off.id });
    const foreign = await hook(
      '/foreign',
      ['task.created', 'task.completed', 'instance.completed', 'instance.failed'],
      [200],
      otherAdmin,
    );

    // when a task is created and completed, completing the instance
    const { instanceId, taskId } = await reviewOnce();

    // then the subscribed webhook has one delivery per event, and the others none
    const mine = await deliveriesOf(all.id);
    expect(mine.map((j) => j.jobType).sort()).toEqual(['instance.completed', 'task.completed', 'task.created']);
    expect(mine.every((j) => j.status === 'pending' && j.tenantId === tenantId && j.instanceId === instanceId)).toBe(
      true,
    );
    expect(await deliveriesOf(failedOnly.id)).toHaveLength(0);
    expect(await deliveriesOf(off.id)).toHaveLength(0);
    expect(await deliveriesOf(foreign.id)).toHaveLength(0);

    // when a worker allowed to reach 127.0.0.1 runs
    const worker = sender();
    expect(await worker.tick()).toBe(3);

    // then the receiver got each once, signed with the secret, with the documented headers and body
    const got = receivedAt('/all');
    expect(got).toHaveLength(3);
    expect(got.every((r) => r.verified)).toBe(true);
    const bodies = got.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    for (const [i, r] of got.entries()) {
      const body = bodies[i]!;
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'x-trellis-event': body.type,
        'x-trellis-delivery': body.id,
      });
      expect(mine.map((j) => j.id)).toContain(body.id);
      expect(Object.keys(body)).toEqual(
        expect.arrayContaining(['id', 'type', 'occurredAt', 'tenantId', 'instanceId', 'data']),
      );
      expect(body).toMatchObject({
        tenantId,
        instanceId,
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
    }
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
    expect(byType['task.created']).toMatchObject({
      taskId,
      elementId: 'review',
      data: { candidateGroups: ['accounting'] },
    });
    expect(byType['task.completed']).toMatchObject({
      taskId,
      elementId: 'review',
      data: { submission: { decision: 'approve' } },
    });
    expect(byType['instance.completed']).toMatchObject({ data: { outcome: 'reviewed' } });
    expect(byType['instance.completed']).not.toHaveProperty('taskId');
    // The body's time is the audit event's.
    const [completedEvent] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, instanceId), eq(auditEvents.type, 'instance.completed')));
    expect(byType['instance.completed']!.occurredAt).toBe(completedEvent!.at.toISOString());
    expect(receivedAt('/failed-only').length + receivedAt('/off').length + receivedAt('/foreign').length).toBe(0);

    // and the deliveries are done, once: another tick sends nothing
    const listed = await (await as(admin)).webhook.deliveries({ id: all.id });
    expect(listed).toHaveLength(3);
    expect(listed.every((d) => d.status === 'done' && d.attempts === 1 && d.lastError === null)).toBe(true);
    expect(await worker.tick()).toBe(0);
    expect(receivedAt('/all')).toHaveLength(3);
    await (await as(admin)).webhook.delete({ id: all.id });
    await (await as(admin)).webhook.delete({ id: failedOnly.id });
  });

  it('a command that fails (rolled back) enqueues nothing', async () => {
    const watcher = await hook('/rollback', [
      'task.created',
      'task.completed',
      'instance.completed',
      'instance.failed',
    ]);
    const { instanceId } = await reviewOnce();
    const before = (await deliveriesOf(watcher.id)).length;
    expect(before).toBe(3);

    // when a transaction writes an event a webhook subscribes to, then fails
    let inside = -1;
    await expect(
      handle.db.transaction(async (tx) => {
        await recordEvents(tx, [
          {
            tenantId,
            instanceId,
            type: 'incident.raised',
            elementId: 'review',
            data: { code: 'TEST', message: 'written, then rolled back' },
          },
        ]);
        inside = (
          await tx
            .select()
            .from(jobs)
            .where(and(eq(jobs.kind, 'webhook'), sql`${jobs.payload}->>'webhookId' = ${watcher.id}`))
        ).length;
        throw new Error('the command failed after writing its events');
      }),
    ).rejects.toThrow('the command failed');

    // then the delivery existed inside the transaction and is gone with it
    expect(inside).toBe(before + 1);
    expect(await deliveriesOf(watcher.id)).toHaveLength(before);
    // and a completion that is refused (the task is already completed) enqueues nothing either
    const [task] = await handle.db.select().from(tasks).where(eq(tasks.instanceId, instanceId));
    await expect(
      (await as(demo.hung)).task.complete({ id: task!.id, data: { decision: 'reject' } }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/CONFLICT|NOT_FOUND|BAD_REQUEST/) });
    expect(await deliveriesOf(watcher.id)).toHaveLength(before);
    await (await as(admin)).webhook.delete({ id: watcher.id });
  });

  it('an incident on an instance (a job that cannot succeed) is one instance.failed delivery', async () => {
    const watcher = await hook('/incidents', ['instance.failed']);
    const { id: instanceId } = await (await as(demo.ngoc)).instance.start({ definitionKey: 'call-loopback' });
    // The connector may not call 127.0.0.1 (no allow-list): an incident at once. The webhook may.
    const worker = createWorker(handle.db, { connectors: defaultConnectors(), webhooks: { allow: ['127.0.0.1'] } });
    await worker.tick();
    const [delivery] = await deliveriesOf(watcher.id);
    expect(delivery).toMatchObject({ jobType: 'instance.failed', instanceId, status: 'pending' });
    await worker.tick();
    const got = receivedAt('/incidents');
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    expect(JSON.parse(got[0]!.body)).toMatchObject({
      id: delivery!.id,
      type: 'instance.failed',
      instanceId,
      elementId: 'call',
      data: { code: 'JOB_FAILED' },
    });
    expect(receivedAt('/not-a-webhook')).toHaveLength(0);
    await (await as(admin)).webhook.delete({ id: watcher.id });
  });
});

describe('sending deliveries', () => {
  it('a 500 then a 200: retried after the backoff, then done, one success for the receiver', async () => {
    const flaky = await hook('/flaky', ['instance.completed'], [500, 200]);
    await reviewOnce();
    const [delivery] = await deliveriesOf(flaky.id);
    const worker = sender();

    // when the first attempt gets a 500
    await worker.tick();
    const [afterFirst] = await deliveriesOf(flaky.id);
    expect(afterFirst).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('answered 500 Internal Server Error'),
    });
    expect(afterFirst!.lastError).not.toContain('receiver text');
    // then it waits out the backoff (1 s after the first failure)
    const [{ wait }] = (await handle.db
      .select({ wait: sql<number>`extract(epoch from ${jobs.dueAt} - now())` })
      .from(jobs)
      .where(eq(jobs.id, delivery!.id))) as [{ wait: number }];
    expect(Number(wait)).toBeGreaterThan(0.5);
    expect(await worker.tick()).toBe(0);

    // when it is due, the second attempt succeeds
    await makeDue(delivery!);
    expect(await worker.tick()).toBe(1);
    const got = receivedAt('/flaky');
    expect(got.map((r) => r.status)).toEqual([500, 200]);
    expect(got.every((r) => r.verified && r.headers['x-trellis-delivery'] === delivery!.id)).toBe(true);
    expect(got[0]!.body).toBe(got[1]!.body);
    const [done] = await (await as(admin)).webhook.deliveries({ id: flaky.id });
    expect(done).toMatchObject({ id: delivery!.id, status: 'done', attempts: 2 });
    await makeDue(delivery!);
    expect(await worker.tick()).toBe(0);
    expect(got.filter((r) => r.status === 200)).toHaveLength(1);
    await (await as(admin)).webhook.delete({ id: flaky.id });
  });

  it('a 410 fails at once, visible on the webhook and not as an incident; redeliver sends it again', async () => {
    const gone = await hook('/gone', ['instance.completed'], [410]);
    const { instanceId } = await reviewOnce();
    const [delivery] = await deliveriesOf(gone.id);
    const worker = sender();
    await worker.tick();

    const caller = await as(admin);
    const [failed] = await caller.webhook.deliveries({ id: gone.id });
    expect(failed).toMatchObject({
      id: delivery!.id,
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('answered 410 Gone'),
    });
    await makeDue(delivery!);
    expect(await worker.tick()).toBe(0);
    expect(receivedAt('/gone')).toHaveLength(1);
    // The instance is fine: no incident, no failed job in its view.
    const view = await (await as(demo.ngoc)).instance.get({ id: instanceId });
    expect(view.failedJobs).toEqual([]);
    expect(view.history.filter((h) => h.type === 'incident.raised')).toEqual([]);
    // job.retry is for incidents, not deliveries.
    await expect(caller.job.retry({ id: delivery!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // when the receiver is fixed and the delivery sent again
    receivers.get('/gone')!.statuses = [204];
    await caller.webhook.redeliver({ id: gone.id, deliveryId: delivery!.id });
    expect(await worker.tick()).toBe(1);
    expect(receivedAt('/gone').map((r) => [r.status, r.headers['x-trellis-delivery']])).toEqual([
      [410, delivery!.id],
      [204, delivery!.id],
    ]);
    const [again] = await caller.webhook.deliveries({ id: gone.id });
    expect(again).toMatchObject({ status: 'done', attempts: 1 });
    // Only a failed delivery may be sent again.
    await expect(caller.webhook.redeliver({ id: gone.id, deliveryId: delivery!.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await caller.webhook.delete({ id: gone.id });
  });

  it('a delivery to 127.0.0.1 without the allow-list is refused: failed at once, no connection made', async () => {
    const local = await hook('/local', ['instance.completed']);
    await reviewOnce();
    const before = connections;
    await sender([]).tick();
    const [delivery] = await deliveriesOf(local.id);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('127.0.0.1 is a loopback address'),
    });
    expect(connections).toBe(before);
    expect(receivedAt('/local')).toHaveLength(0);
    await (await as(admin)).webhook.delete({ id: local.id });
  });

  it('a redirect is not followed (failed at once); a refused connection is retried', async () => {
    const moved = await hook('/moved', ['instance.completed'], [301]);
    // A port nothing listens on: the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await (
      await as(admin)
    ).webhook.create({ url: `http://127.0.0.1:${closedPort}/hook`, events: ['instance.completed'] });
    await reviewOnce();
    await sender().tick();

    expect((await deliveriesOf(moved.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('answered 301 Moved Permanently; deliveries do not follow redirects'),
    });
    expect(receivedAt('/moved')).toHaveLength(1);
    expect(receivedAt('/redirected')).toHaveLength(0);
    expect((await deliveriesOf(down.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    await (await as(admin)).webhook.delete({ id: moved.id });
    await (await as(admin)).webhook.delete({ id: down.id });
  });

  it('a rotated secret signs the next delivery; a deactivated or deleted webhook cancels its pending ones', async () => {
    const caller = await as(admin);
    const rotating = await hook('/rotating', ['instance.completed']);
    const { secret } = await caller.webhook.rotateSecret({ id: rotating.id });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(secret).not.toBe(rotating.secret);
    receivers.get('/rotating')!.secret = secret;
    await reviewOnce();
    await sender().tick();
    expect(receivedAt('/rotating').map((r) => r.verified)).toEqual([true]);

    // pending deliveries of a webhook turned off are cancelled, unsent
    await reviewOnce();
    await caller.webhook.deactivate({ id: rotating.id });
    const statuses = (await deliveriesOf(rotating.id)).map((j) => j.status).sort();
    expect(statuses).toEqual(['cancelled', 'done']);
    await sender().tick();
    expect(receivedAt('/rotating')).toHaveLength(1);

    // on again: new events are delivered; deleted: pending ones are cancelled
    await caller.webhook.activate({ id: rotating.id });
    await reviewOnce();
    await caller.webhook.delete({ id: rotating.id });
    expect((await deliveriesOf(rotating.id)).map((j) => j.status).sort()).toEqual(['cancelled', 'cancelled', 'done']);
    expect(await caller.webhook.list()).not.toContainEqual(expect.objectContaining({ id: rotating.id }));
  });
});

describe('the webhook API', () => {
  it('is for admins only', async () => {
    const input = { url: 'https://hooks.example.com/trellis', events: ['task.created' as const] };
    for (const email of [demo.ngoc, designer, demo.lan]) {
      const caller = await as(email);
      await expect(caller.webhook.create(input)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(caller.webhook.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await expect((await as(null)).webhook.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const created = await (await as(admin)).webhook.create(input);
    for (const call of [
      (c: Awaited<ReturnType<typeof as>>) => c.webhook.rotateSecret({ id: created.id }),
      (c: Awaited<ReturnType<typeof as>>) => c.webhook.deliveries({ id: created.id }),
      (c: Awaited<ReturnType<typeof as>>) => c.webhook.delete({ id: created.id }),
    ]) {
      await expect(call(await as(demo.ngoc))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await (await as(admin)).webhook.delete({ id: created.id });
  });

  it('shows the secret once, validates the URL and events, and keeps each company to its own webhooks', async () => {
    const caller = await as(admin);
    const created = await caller.webhook.create({
      url: 'https://hooks.example.com/trellis?team=ops',
      events: ['task.completed', 'task.created', 'task.created'],
    });
    expect(created).toMatchObject({
      url: 'https://hooks.example.com/trellis?team=ops',
      events: ['task.created', 'task.completed'],
      active: true,
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const listed = await caller.webhook.list();
    expect(listed).toContainEqual(expect.objectContaining({ id: created.id, url: created.url }));
    expect(listed.every((w) => !('secret' in w))).toBe(true);

    for (const url of [
      'ftp://hooks.example.com/x',
      'https://user:pass@hooks.example.com/x',
      'not a url',
      'https://hooks.example.com/x#frag',
    ]) {
      await expect(caller.webhook.create({ url, events: ['task.created'] })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
    await expect(
      caller.webhook.create({ url: 'https://hooks.example.com/x', events: ['task.deleted' as never] }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.webhook.create({ url: 'https://hooks.example.com/x', events: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });

    // another company's admin neither sees nor touches it
    const other = await as(otherAdmin);
    expect(await other.webhook.list()).not.toContainEqual(expect.objectContaining({ id: created.id }));
    for (const call of [
      () => other.webhook.rotateSecret({ id: created.id }),
      () => other.webhook.deliveries({ id: created.id }),
      () => other.webhook.deactivate({ id: created.id }),
      () => other.webhook.delete({ id: created.id }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    // nor redelivers its deliveries, even through a webhook of its own
    await caller.webhook.create({ url: `${base}/api-check`, events: ['instance.completed'] }).then(async (mine) => {
      await reviewOnce();
      const [delivery] = await deliveriesOf(mine.id);
      await handle.db.update(jobs).set({ status: 'failed' }).where(eq(jobs.id, delivery!.id));
      const theirs = await other.webhook.create({
        url: 'https://hooks.example.com/other',
        events: ['instance.completed'],
      });
      await expect(other.webhook.redeliver({ id: mine.id, deliveryId: delivery!.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(other.webhook.redeliver({ id: theirs.id, deliveryId: delivery!.id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await deliveriesOf(mine.id))[0]).toMatchObject({ status: 'failed' });
      await caller.webhook.delete({ id: mine.id });
      await other.webhook.delete({ id: theirs.id });
    });
    expect((await caller.webhook.list()).find((w) => w.id === created.id)).toMatchObject({ active: true });

    // admins' changes are in the company's audit trail, without the secret
    const trail = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), sql`${auditEvents.type} like 'webhook.%'`));
    expect(trail.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'webhook.created',
        'webhook.deactivated',
        'webhook.activated',
        'webhook.deleted',
        'webhook.secret-rotated',
        'webhook.redelivered',
      ]),
    );
    expect(JSON.stringify(trail)).not.toContain(created.secret);
    expect(trail.find((e) => e.type === 'webhook.created' && e.data.webhookId === created.id)?.data).toMatchObject({
      url: 'https://hooks.example.com/trellis',
      events: ['task.created', 'task.completed'],
    });
    await caller.webhook.delete({ id: created.id });
  });
});

describe('a delivery due now', () => {
  it('is sent at once by a worker loop that polls once a minute: the one-statement step that enqueues it gives the job hint', async () => {
    const atOnce = await hook('/at-once', ['task.created']);
    const loop = startWorkerLoop(handle.db, { intervalMs: 60_000, webhooks: { allow: ['127.0.0.1'] } });
    try {
      // Its first poll is over; it waits its minute, or a hint.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { id } = await (await as(demo.ngoc)).instance.start({ definitionKey: 'one-review' });
      const end = Date.now() + 5_000;
      while (receivedAt('/at-once').length === 0 && Date.now() < end)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(receivedAt('/at-once').map((r) => JSON.parse(r.body) as Record<string, unknown>)).toEqual([
        expect.objectContaining({ type: 'task.created', instanceId: id }),
      ]);
    } finally {
      await loop.stop();
      await (await as(admin)).webhook.delete({ id: atOnce.id });
    }
  });
});
