/**
 * The plan of a step (plan.ts), pure: what it writes, in which order, and when it needs the
 * transaction form. The rows themselves are compared between the two forms by
 * test/integration/step-write-forms.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceState } from '@/engine';
import { planStep, type StepContext } from './plan';
import type { StaffedEffect } from '../services/task-people';

const TENANT = '00000000-0000-4000-8000-000000000001';
const INSTANCE = '00000000-0000-4000-8000-000000000002';
const ACTOR = '00000000-0000-4000-8000-000000000003';
const LAN = '00000000-0000-4000-8000-000000000004';
const FORM = '00000000-0000-4000-8000-000000000005';

const ctx: StepContext = {
  tenantId: TENANT,
  instanceId: INSTANCE,
  actorId: ACTOR,
  formIds: { decision: FORM },
  now: new Date('2026-12-06T10:00:00.000Z'),
  parentId: null,
};
const state = { status: 'active', variables: {} } as unknown as InstanceState;
const update = { kind: 'update' as const, version: 3, auditHead: 'a'.repeat(64) };
let n = 0;
const newId = () => `id-${++n}`;

const task = (elementId: string, assigneeId: string | null = null, scope?: string): StaffedEffect =>
  ({
    type: 'createTask',
    elementId,
    name: { en: elementId },
    formKey: 'decision',
    candidateGroups: ['accounting'],
    candidateRole: 'member',
    assignee: null,
    candidateUsers: [],
    dueDate: null,
    priority: null,
    people: { assigneeId, candidateUserIds: [], unmatched: [] },
    ...(scope ? { scope } : {}),
  }) as unknown as StaffedEffect;
const job = (elementId: string, scope?: string): StaffedEffect => ({
  type: 'startJob',
  elementId,
  taskType: 'charge',
  variables: {},
  ...(scope ? { scope } : {}),
});

describe('planStep', () => {
  it('writes a plain step in one statement: tasks, jobs, audit in order, notifications for others only', () => {
    const plan = planStep(ctx, update, state, [task('approve', LAN), task('check', ACTOR), job('charge')], [], {
      newId,
    });
    expect(plan.needsTransaction).toBeNull();
    expect(plan.ops.map((o) => o.op)).toEqual(['insertTasks', 'insertJobs']);
    expect(plan.audit.map((a) => a.type)).toEqual(['task.created', 'task.created', 'job.created']);
    // Lan is told; the actor, given their own next task, is not
    expect(plan.notifications.map((x) => x.userId)).toEqual([LAN]);
    expect(plan.ops[1]).toMatchObject({ rows: [{ kind: 'service', retries: 3, dueAt: ctx.now }] });
  });

  it('a job started and then cancelled by the same step is inserted before the cancel, in the transaction form', () => {
    // runs of a subprocess start their jobs, then the completion condition ends the runs
    const plan = planStep(
      ctx,
      update,
      state,
      [job('charge', 'each#0'), job('charge', 'each#1'), { type: 'cancelScope', scope: 'each#0' }],
      [],
      { newId },
    );
    expect(plan.ops.map((o) => o.op)).toEqual(['insertJobs', 'cancelScope', 'reach']);
    expect(plan.needsTransaction).not.toBeNull();
  });

  it('a job or task created after a cancel stays in one statement; one created before it does not', () => {
    const after = planStep(ctx, update, state, [{ type: 'cancelTimer', timerId: 't' }, job('charge')], [], { newId });
    expect(after.ops.map((o) => o.op)).toEqual(['cancelTimer', 'insertJobs']);
    expect(after.needsTransaction).toBeNull();
    const before = planStep(ctx, update, state, [task('review'), { type: 'cancelTask', elementId: 'other' }], [], {
      newId,
    });
    expect(before.needsTransaction).toMatch(/before something is cancelled/);
    const ending = planStep(ctx, update, state, [task('review'), { type: 'completeInstance', outcome: null }], [], {
      newId,
    });
    expect(ending.needsTransaction).toMatch(/before something is cancelled/);
  });

  it('an instance known to have no parent ends in one statement; one that may have a parent asks', () => {
    const end = [{ type: 'completeInstance', outcome: 'done' } as StaffedEffect];
    expect(planStep(ctx, update, state, end, []).needsTransaction).toBeNull();
    const child = planStep({ ...ctx, parentId: 'parent' }, update, state, end, []);
    expect(child.ops.map((o) => o.op)).toEqual(['endOpenWork', 'reach']);
    expect(child.needsTransaction).toMatch(/parent/);
    const unknown = planStep({ ...ctx, parentId: undefined }, update, state, end, []);
    expect(unknown.needsTransaction).toMatch(/parent/);
  });

  it('reopening the task the command closes needs the transaction form (the open-task index)', () => {
    const plan = planStep(ctx, update, state, [task('approve')], [], { closedElement: 'approve', newId });
    expect(plan.needsTransaction).toMatch(/closed and opened again/);
  });

  it('tasks told of a four-eyes rule and cancelled in the same step need the transaction form', () => {
    const excludeFromTasks = { elementIds: ['check'], userIds: [ACTOR] };
    const plain = planStep(ctx, update, state, [], [], { excludeFromTasks });
    expect(plain.needsTransaction).toBeNull();
    const cancelled = planStep(ctx, update, state, [{ type: 'cancelTask', elementId: 'check' }], [], {
      excludeFromTasks,
    });
    expect(cancelled.needsTransaction).toMatch(/four-eyes/);
  });

  it('refuses a task whose form the version does not pin, naming both', () => {
    expect(() =>
      planStep(ctx, update, state, [{ ...task('approve'), formKey: 'missing' } as StaffedEffect], []),
    ).toThrow(/Form "missing" of task "approve" is not pinned/);
  });
});
