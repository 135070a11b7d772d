/**
 * A worker loop of this process runs a job a command of this process has just committed at once,
 * not one poll interval later; jobs committed elsewhere are still found by polling.
 */
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { jobs, processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { JOB_CHANNEL, relayJobHintsTo } from '@/app/server/host/job-relay';
import { beginClaim, claimScope, endClaim, jobHints, jobsCommitted, untilJobHint } from '@/app/server/host/job-signal';
import { startWorkerLoop } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
const flow = (id: string, source: string, target: string) => ({ id, source, target });

beforeAll(async () => {
  handle = await createTestDatabase();
  const tenantId = await seedDemo(handle.db);
  const definition = (key: string, service: object) => ({
    formatVersion: 1,
    key,
    version: 1,
    name: key,
    elements: [{ id: 's', type: 'startEvent' }, service, { id: 'e', type: 'endEvent' }],
    flows: [flow('f1', 's', 'charge'), flow('f2', 'charge', 'e')],
  });
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: definition('hinted-charge', { id: 'charge', type: 'serviceTask', taskType: 'charge-card' }),
      forms: [],
    },
    null,
  );
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: definition('waiting-charge', {
        id: 'charge',
        type: 'intermediateCatchEvent',
        event: { kind: 'timer', duration: 'PT1H' },
      }),
      forms: [],
    },
    null,
  );
  // Paid when the bank's message comes (a message publish takes the transaction path), then charged.
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'charge-when-paid',
        version: 1,
        name: 'charge-when-paid',
        startForm: 'payment-start',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'paid',
            type: 'receiveTask',
            message: {
              name: 'payment-received',
              correlationKey: 'invoiceNumber',
              sendableBy: { groups: ['operations'] },
            },
          },
          { id: 'charge', type: 'serviceTask', taskType: 'charge-card' },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'paid'), flow('f2', 'paid', 'charge'), flow('f3', 'charge', 'e')],
      },
      forms: [
        {
          key: 'payment-start',
          version: 1,
          title: 'Thanh toán',
          schema: { type: 'object', properties: { invoiceNumber: { type: 'string' } } },
        },
      ],
    },
    null,
  );
});
afterAll(async () => handle?.close());

const statusOf = async (id: string) =>
  (
    await handle.db
      .select({ status: processInstances.status })
      .from(processInstances)
      .where(eq(processInstances.id, id))
  )[0]!.status;

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('the job hint', () => {
  it('wakes a waiting loop at once, and a loop that polled since the hint does not wait at all', async () => {
    const seen = jobHints();
    const t0 = Date.now();
    const waited = untilJobHint(seen, 60_000);
    jobsCommitted();
    await waited;
    expect(Date.now() - t0).toBeLessThan(1_000);
    // The hint came after `seen` was read: a wait from that point returns at once.
    const t1 = Date.now();
    await untilJobHint(seen, 60_000);
    expect(Date.now() - t1).toBeLessThan(100);
  });

  it('wakes one waiting loop per hint (the longest waiting): one is enough to claim the job', async () => {
    const woken: string[] = [];
    const first = untilJobHint(jobHints(), 60_000).then(() => woken.push('first'));
    const second = untilJobHint(jobHints(), 60_000).then(() => woken.push('second'));
    jobsCommitted();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(woken).toEqual(['first']);
    jobsCommitted();
    await second;
    expect(woken).toEqual(['first', 'second']);
  });

  it('a hint another loop has claimed costs no poll; a hint during a claim waits for that claim to end', async () => {
    // Two loops claiming the same kinds of jobs, as a worker process's loops do.
    const releases = [claimScope('covered-test|'), claimScope('covered-test|')];
    try {
      // Loop A claims (exhausting what was due) and goes on to run its jobs.
      const seenByA = jobHints();
      endClaim(beginClaim(), 'exhausted');
      // A job is committed: loop B, waiting, is woken and claims it.
      const bWoken = untilJobHint(jobHints(), 60_000);
      jobsCommitted();
      await bWoken;
      endClaim(beginClaim(), 'exhausted');
      // A, done with its jobs, does not poll again for a hint B's claim covered: it waits.
      const t0 = Date.now();
      await untilJobHint(seenByA, 150);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

      // A hint while A claims wakes nobody yet: A's claim may take the job.
      const woken: string[] = [];
      const waiting = untilJobHint(jobHints(), 60_000).then(() => woken.push('B'));
      const began = beginClaim();
      jobsCommitted();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(woken).toEqual([]);
      // The claim may have begun before the job was committed: when it ends, B is woken to look.
      endClaim(began, 'exhausted');
      await waiting;
      expect(woken).toEqual(['B']);
      // A claim that failed covers nothing: a hint that came while it ran wakes a waiting loop when it ends …
      const afterFailure = untilJobHint(jobHints(), 60_000).then(() => woken.push('after a failed claim'));
      const failing = beginClaim();
      jobsCommitted();
      endClaim(failing, 'failed');
      await afterFailure;
      expect(woken).toEqual(['B', 'after a failed claim']);
      // … and with no hint it wakes nobody (a database that is down does not set loops polling each other).
      const quiet = untilJobHint(jobHints(), 100).then(() => woken.push('interval'));
      endClaim(beginClaim(), 'failed');
      await quiet;
      expect(woken).toEqual(['B', 'after a failed claim', 'interval']);
    } finally {
      releases.forEach((release) => release());
    }
  });

  it('loops that claim different kinds of jobs do not cover for each other', async () => {
    const releases = [claimScope('kind-a|'), claimScope('kind-b|')];
    try {
      const seenByB = jobHints();
      jobsCommitted();
      // A claim of kind-a jobs found nothing more: the job may be a kind-b job, so B still looks at once.
      endClaim(beginClaim(), 'exhausted');
      const t0 = Date.now();
      await untilJobHint(seenByB, 5_000);
      expect(Date.now() - t0).toBeLessThan(100);
    } finally {
      releases.forEach((release) => release());
    }
  });

  /** Starts `hinted-charge` once `loop` waits its minute, and expects its job run at once, by that loop's connector. */
  const startAndExpectChargedAtOnce = async (charged: string[]) => {
    // Let the loop make its first (empty) poll and start its one-minute wait.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({ definitionKey: 'hinted-charge', variables: {} });
    expect(await until(async () => (await statusOf(started.id)) === 'completed', 5_000)).toBe(true);
    expect(charged).toEqual([started.id]);
  };
  const chargingConnectors = (charged: string[]) => ({
    'charge-card': async ({ job }: { job: { instanceId: string } }) => (charged.push(job.instanceId), {}),
  });
  /** A loop that polls once a minute, charging into `charged`. */
  const minuteLoop = (charged: string[]) =>
    startWorkerLoop(handle.db, { intervalMs: 60_000, connectors: chargingConnectors(charged) });

  it('a service job committed by a start runs at once although the loop polls once a minute', async () => {
    const charged: string[] = [];
    const loop = minuteLoop(charged);
    try {
      await startAndExpectChargedAtOnce(charged);
    } finally {
      await loop.stop();
    }
  });

  it('a stopped loop does not take a hint away from a live one', async () => {
    const charged: string[] = [];
    const stopped = minuteLoop(charged);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stopped.stop();
    const live = minuteLoop(charged);
    try {
      await startAndExpectChargedAtOnce(charged);
    } finally {
      await live.stop();
    }
  });

  it('a service job committed by a message publish (the transaction path) or by retrying its incident runs at once', async () => {
    let bank: 'down' | 'up' = 'up';
    const charged: string[] = [];
    const connectors = {
      'charge-card': async ({ job }: { job: { instanceId: string } }) => {
        if (bank === 'down') throw Object.assign(new Error('Ngân hàng không phản hồi'), { retryable: false });
        charged.push(job.instanceId);
        return {};
      },
    };
    const loop = startWorkerLoop(handle.db, { intervalMs: 60_000, connectors });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ngoc = await callerFor(handle.db, demo.ngoc);
      const first = await ngoc.instance.start({
        definitionKey: 'charge-when-paid',
        variables: { invoiceNumber: 'HD-2026/0101' },
      });
      await ngoc.message.publish({ name: 'payment-received', correlationKey: 'HD-2026/0101' });
      expect(await until(async () => (await statusOf(first.id)) === 'completed', 5_000)).toBe(true);

      // the bank is down: the job fails at once (an incident); the admin's retry runs it at once
      bank = 'down';
      const second = await ngoc.instance.start({
        definitionKey: 'charge-when-paid',
        variables: { invoiceNumber: 'HD-2026/0102' },
      });
      await ngoc.message.publish({ name: 'payment-received', correlationKey: 'HD-2026/0102' });
      const failed = async () =>
        (
          await handle.db.select({ id: jobs.id, status: jobs.status }).from(jobs).where(eq(jobs.instanceId, second.id))
        ).find((j) => j.status === 'failed');
      expect(await until(async () => (await failed()) !== undefined, 5_000)).toBe(true);
      bank = 'up';
      await (
        await callerFor(handle.db, 'bao.ngo@senvang.example')
      ).incident.retry({ kind: 'job', id: (await failed())!.id });
      expect(await until(async () => (await statusOf(second.id)) === 'completed', 5_000)).toBe(true);
      expect(charged).toEqual([first.id, second.id]);
    } finally {
      await loop.stop();
    }
  });

  it('a timer due later gives no hint: the loop keeps waiting', async () => {
    let polls = 0;
    const loop = startWorkerLoop(handle.db, {
      intervalMs: 60_000,
      connectors: {},
      onError: (error) => {
        throw error;
      },
    });
    const tick = loop.worker.tick.bind(loop.worker);
    loop.worker.tick = async () => (polls++, tick());
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = polls;
      const started = await (
        await callerFor(handle.db, demo.ngoc)
      ).instance.start({ definitionKey: 'waiting-charge', variables: {} });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(polls).toBe(before);
      expect(await handle.db.select({ status: jobs.status }).from(jobs).where(eq(jobs.instanceId, started.id))).toEqual(
        [{ status: 'pending' }],
      );
    } finally {
      await loop.stop();
    }
  });

  // Across processes (the worker process's side is in test/cli/worker.test.ts).
  it.skipIf(!process.env.DATABASE_URL)(
    'is relayed to other processes as NOTIFY, coalesced: hints while one is on its way make one more, not one each',
    async () => {
      const listener = postgres((handle as { url?: string }).url!, { max: 1, onnotice: () => {} });
      const heard: string[] = [];
      const stopRelay = relayJobHintsTo(handle.db);
      try {
        await listener.listen(JOB_CHANNEL, (payload) => heard.push(payload));
        for (let i = 0; i < 50; i++) jobsCommitted();
        expect(await until(async () => heard.length === 2, 5_000)).toBe(true);
        // A later hint is relayed again; after stopping, none is.
        jobsCommitted();
        expect(await until(async () => heard.length === 3, 5_000)).toBe(true);
        await stopRelay();
        jobsCommitted();
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(heard).toHaveLength(3);
      } finally {
        await stopRelay();
        await listener.end({ timeout: 5 });
      }
    },
  );
});
