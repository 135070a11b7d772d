/** The `trellis` command line, called in-process with captured output. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '@/app/_cli/cli';

async function run(...argv: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await main(argv, { log: (t) => lines.push(t), error: (t) => errors.push(t) });
  return { code, stdout: lines.join('\n'), stderr: errors.join('\n') };
}

const invoice = 'definitions/accounting/invoice-approval/process.json';
const tmp = mkdtempSync(path.join(tmpdir(), 'trellis-cli-'));
const write = (name: string, data: unknown) => {
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(data));
  return file;
};

describe('trellis validate', () => {
  it('exits 0 for a valid definition and 1 with diagnostics for an invalid one', async () => {
    expect(await run('validate', invoice)).toMatchObject({ code: 0, stdout: expect.stringContaining('valid') });
    const bad = await run('validate', 'engine/validate/fixtures/dangling-flow.json', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, diagnostics: expect.arrayContaining([expect.objectContaining({ ruleId: 'flow-references', elementId: 'f2' })]) });
  });

  it('explains a file that is not JSON', async () => {
    const file = path.join(tmp, 'broken.json');
    writeFileSync(file, '{ "key": ');
    expect(await run('validate', file)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not valid JSON') });
  });
});

describe('trellis simulate', () => {
  it('prints status, path, active, variables and incidents', async () => {
    const scenario = write('waiting.json', { variables: { vendor: 'A', invoiceNumber: 'X-1', amount: 60000000, category: 'travel', dueDate: '2026-12-01' }, steps: [{ complete: 'accountingApproval', variables: { decision: 'approve' } }] });
    const { code, stdout } = await run('simulate', invoice, '--scenario', scenario);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      status: 'waiting',
      path: ['submitted', 'assess', 'accountingApproval', 'accountingDecision', 'amountCheck'],
      active: ['operationsApproval'],
      variables: expect.objectContaining({ decision: 'approve', needsOperationsApproval: true }),
      incidents: [],
    });
  });

  it('fails an unmet expectation with a readable diff', async () => {
    const scenario = write('wrong.json', { variables: { amount: 10 }, steps: [{ expect: { active: ['operationsApproval'], status: 'completed' } }] });
    const { code, stderr } = await run('simulate', invoice, '--scenario', scenario);
    expect(code).toBe(1);
    expect(stderr).toContain('status: expected "completed", got "waiting"');
    expect(stderr).toContain('active: expected ["operationsApproval"], got ["accountingApproval"]');
  });

  it('reports a step nothing waits for', async () => {
    const scenario = write('refused.json', { variables: { amount: 10 }, steps: [{ complete: 'operationsApproval' }] });
    const { code, stderr } = await run('simulate', invoice, '--scenario', scenario);
    expect(code).toBe(1);
    expect(stderr).toContain('step 1: Element "operationsApproval" is not waiting');
  });

  it('advances the clock to fire timers in due order', async () => {
    const scenario = write('reminders.json', {
      startAt: '2026-12-01T02:00:00Z',
      variables: { invoiceNumber: 'HD-7' },
      steps: [{ advance: 'P5D' }, { expect: { active: ['approve'] } }, { advance: 'P2D' }, { expect: { active: ['escalate'] } }],
    });
    const { code, stdout } = await run('simulate', 'engine/compile/fixtures/reminder-approval.json', '--scenario', scenario);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).path).toEqual(['start', 'every2Days', 'remind', 'reminded', 'every2Days', 'remind', 'reminded', 'every2Days', 'remind', 'reminded', 'after7Days']);
  });

  it('mocks service jobs by element id or task type, including business errors', async () => {
    const fixture = 'engine/compile/fixtures/bank-transfer-job.json';
    const ok = write('ok.json', { services: { 'bank-transfer': { result: { transferId: 'TX-9' } } } });
    expect(JSON.parse((await run('simulate', fixture, '--scenario', ok)).stdout)).toMatchObject({ status: 'completed', variables: { paid: true } });
    const failing = write('fail.json', { services: { transfer: { error: 'INSUFFICIENT_FUNDS' } } });
    expect(JSON.parse((await run('simulate', fixture, '--scenario', failing)).stdout)).toMatchObject({ status: 'completed', path: ['start', 'insufficientFunds', 'onHold'] });
    const none = write('none.json', {});
    expect(JSON.parse((await run('simulate', fixture, '--scenario', none)).stdout)).toMatchObject({ status: 'completed', variables: { paid: false } });
  });
});

describe('trellis test and paths', () => {
  it('runs every scenario beside the definitions', async () => {
    const { code, stdout } = await run('test', 'definitions');
    expect(stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('runs a scenario for every element fixture', async () => {
    const { code, stdout } = await run('test', 'engine/compile/fixtures');
    expect(stdout).toMatch(/^19 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('resolves a called process named with --with', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-with-'));
    const main = path.join(dir, 'main.json');
    writeFileSync(main, JSON.stringify({
      formatVersion: 1, key: 'main', version: 1, name: 'Main',
      elements: [{ id: 's', type: 'startEvent' }, { id: 'call', type: 'callActivity', calledElement: 'review-invoice', outputs: { clarified: 'clarified' } }, { id: 'e', type: 'endEvent' }],
      flows: [{ id: 'f1', source: 's', target: 'call' }, { id: 'f2', source: 'call', target: 'e' }],
    }));
    const scenario = write('with.json', { steps: [{ complete: 'assignReviewer' }, { complete: 'reviewInvoice', variables: { clarified: true } }, { expect: { status: 'completed', variables: { clarified: true } } }] });
    expect(await run('simulate', main, '--scenario', scenario)).toMatchObject({ code: 1, stderr: expect.stringContaining('calls process "review-invoice", which was not found') });
    const ok = await run('simulate', main, '--scenario', scenario, '--with', 'engine/decisions/fixtures/camunda7-invoice/review-invoice.json');
    expect(ok.code).toBe(0);
  });

  it('runs scenarios that call decision tables from a .dmn beside the definition', async () => {
    const { code, stdout } = await run('test', 'engine/decisions/fixtures');
    expect(stdout).toMatch(/^5 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('lists the paths through the invoice approval', async () => {
    const { paths } = JSON.parse((await run('paths', invoice)).stdout) as { paths: string[][] };
    expect(paths.map((p) => p.at(-1))).toEqual(['rejected', 'rejected', 'approved', 'approved']);
    expect(paths).toHaveLength(4);
  });

  it('lists parallel branches on one path', async () => {
    const { paths } = JSON.parse((await run('paths', 'engine/compile/fixtures/parallel-review.json')).stdout) as { paths: string[][] };
    expect(paths).toEqual([['start', 'fork', 'legalReview', 'financeReview', 'join', 'summarize', 'end']]);
  });
});
