/** The `trellis` command line, called in-process with captured output. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(JSON.parse(bad.stdout)).toMatchObject({
      ok: false,
      diagnostics: expect.arrayContaining([expect.objectContaining({ ruleId: 'flow-references', elementId: 'f2' })]),
    });
  });

  it('explains a file that is not JSON', async () => {
    const file = path.join(tmp, 'broken.json');
    writeFileSync(file, '{ "key": ');
    expect(await run('validate', file)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not valid JSON'),
    });
  });
});

describe('trellis simulate', () => {
  it('prints status, path, active, variables and incidents', async () => {
    const scenario = write('waiting.json', {
      variables: { vendor: 'A', invoiceNumber: 'X-1', amount: 60000000, category: 'travel', dueDate: '2026-12-01' },
      steps: [{ complete: 'accountingApproval', variables: { decision: 'approve' } }],
    });
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
    const scenario = write('wrong.json', {
      variables: { amount: 10 },
      steps: [{ expect: { active: ['operationsApproval'], status: 'completed' } }],
    });
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
      steps: [
        { advance: 'P5D' },
        { expect: { active: ['approve'] } },
        { advance: 'P2D' },
        { expect: { active: ['escalate'] } },
      ],
    });
    const { code, stdout } = await run(
      'simulate',
      'engine/compile/fixtures/reminder-approval.json',
      '--scenario',
      scenario,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).path).toEqual([
      'start',
      'every2Days',
      'remind',
      'reminded',
      'every2Days',
      'remind',
      'reminded',
      'every2Days',
      'remind',
      'reminded',
      'after7Days',
    ]);
  });

  it('mocks service jobs by element id or task type, including business errors', async () => {
    const fixture = 'engine/compile/fixtures/bank-transfer-job.json';
    const ok = write('ok.json', { services: { 'bank-transfer': { result: { transferId: 'TX-9' } } } });
    expect(JSON.parse((await run('simulate', fixture, '--scenario', ok)).stdout)).toMatchObject({
      status: 'completed',
      variables: { paid: true },
    });
    const failing = write('fail.json', { services: { transfer: { error: 'INSUFFICIENT_FUNDS' } } });
    expect(JSON.parse((await run('simulate', fixture, '--scenario', failing)).stdout)).toMatchObject({
      status: 'completed',
      path: ['start', 'insufficientFunds', 'onHold'],
    });
    const none = write('none.json', {});
    expect(JSON.parse((await run('simulate', fixture, '--scenario', none)).stdout)).toMatchObject({
      status: 'completed',
      variables: { paid: false },
    });
  });
});

describe('trellis test and paths', () => {
  it('runs every scenario beside the definitions, and every path of every template is covered (the table printed)', async () => {
    const { code, stdout } = await run('test', 'definitions', '--all-paths');
    const processes = readdirSync('definitions', { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith(`${path.sep}process.json`),
    );
    const scenarios = readdirSync('definitions', { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.scenario.json'),
    );
    expect(processes.length).toBeGreaterThanOrEqual(21);
    // a row per template: as many paths covered as it has
    for (const file of processes) {
      const row = new RegExp(
        `^\\S+ \\(definitions/${file.replace(/\\/g, '/').replace(/[.]/g, '\\.')}\\)\\s+(\\d+)\\s+(\\d+)$`,
        'm',
      ).exec(stdout);
      expect(row, file).not.toBeNull();
      expect(Number(row![1]), file).toBeGreaterThan(0);
      expect(row![2], file).toBe(row![1]);
    }
    expect(stdout).toMatch(/^invoice-approval \(definitions\/accounting\/invoice-approval\/process\.json\)\s+4\s+4$/m);
    expect(stdout).not.toContain('not covered');
    expect(stdout).toMatch(new RegExp(`^${scenarios.length} passed, 0 failed$`, 'm'));
    expect(code).toBe(0);
  });

  it('packs a department: its manifest and process folders, checked, as one file; a broken folder fails naming the file', async () => {
    const target = path.join(tmp, 'accounting.trellis-pack.json');
    const packed = await run('pack', 'definitions/accounting', '--out', target);
    const manifest = JSON.parse(readFileSync('definitions/accounting/pack.json', 'utf8')) as {
      version: string;
      processes: string[];
      forms: string[];
      decisions: string[];
    };
    expect(packed.stdout).toMatch(
      new RegExp(
        `^Packed accounting ${manifest.version.replace(/\./g, '\\.')}: ${manifest.processes.length} processes, ${manifest.forms.length} forms, ${manifest.decisions.length} decision tables, \\d+ files → `,
      ),
    );
    expect(packed.code).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({
      format: 'trellis-pack',
      formatVersion: 1,
      manifest: { key: 'accounting', version: manifest.version },
    });
    const broken = mkdtempSync(path.join(tmpdir(), 'trellis-pack-'));
    mkdirSync(path.join(broken, 'invoice-approval', 'forms'), { recursive: true });
    writeFileSync(path.join(broken, 'pack.json'), readFileSync('definitions/accounting/pack.json', 'utf8'));
    const process = JSON.parse(readFileSync(invoice, 'utf8')) as {
      elements: { id: string; candidateGroups?: string[] }[];
    };
    process.elements.find((e) => e.id === 'accountingApproval')!.candidateGroups = ['finance'];
    writeFileSync(path.join(broken, 'invoice-approval', 'process.json'), JSON.stringify(process));
    for (const form of ['invoice-submission', 'invoice-decision'])
      writeFileSync(
        path.join(broken, 'invoice-approval', 'forms', `${form}.form.json`),
        readFileSync(`definitions/accounting/invoice-approval/forms/${form}.form.json`, 'utf8'),
      );
    writeFileSync(
      path.join(broken, 'invoice-approval', 'rules.dmn'),
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "x">]><definitions/>',
    );
    const refused = await run('pack', broken, '--out', path.join(tmp, 'broken.json'));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `FAIL ${path.join(broken, 'invoice-approval/rules.dmn')}: The file declares a DOCTYPE`,
    );
  });

  it('lists the paths no scenario takes; with --all-paths they fail the run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-coverage-'));
    writeFileSync(path.join(dir, 'process.json'), readFileSync(invoice, 'utf8'));
    writeFileSync(
      path.join(dir, 'approval-level.decisions.json'),
      readFileSync('definitions/accounting/invoice-approval/approval-level.decisions.json', 'utf8'),
    );
    writeFileSync(
      path.join(dir, 'one.scenario.json'),
      readFileSync('definitions/accounting/invoice-approval/below-threshold-approved.scenario.json', 'utf8'),
    );
    const listed = await run('test', dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^invoice-approval \(.*process\.json\)\s+4\s+1$/m);
    expect(listed.stdout).toContain(
      '  not covered: submitted → assess → accountingApproval → accountingDecision → rejected',
    );
    const strict = await run('test', dir, '--all-paths');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('FAIL 3 path(s) no scenario takes (--all-paths)');
    expect(strict.stdout).toMatch(/^1 passed, 3 failed$/m);
  });

  it('runs a scenario for every element fixture', async () => {
    const { code, stdout } = await run('test', 'engine/compile/fixtures');
    expect(stdout).toMatch(/^19 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('resolves a called process named with --with', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-with-'));
    const main = path.join(dir, 'main.json');
    writeFileSync(
      main,
      JSON.stringify({
        formatVersion: 1,
        key: 'main',
        version: 1,
        name: 'Main',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'call', type: 'callActivity', calledElement: 'review-invoice', outputs: { clarified: 'clarified' } },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'call' },
          { id: 'f2', source: 'call', target: 'e' },
        ],
      }),
    );
    const scenario = write('with.json', {
      steps: [
        { complete: 'assignReviewer' },
        { complete: 'reviewInvoice', variables: { clarified: true } },
        { expect: { status: 'completed', variables: { clarified: true } } },
      ],
    });
    expect(await run('simulate', main, '--scenario', scenario)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('calls process "review-invoice", which was not found'),
    });
    const ok = await run(
      'simulate',
      main,
      '--scenario',
      scenario,
      '--with',
      'engine/decisions/fixtures/camunda7-invoice/review-invoice.json',
    );
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
    const { paths } = JSON.parse((await run('paths', 'engine/compile/fixtures/parallel-review.json')).stdout) as {
      paths: string[][];
    };
    expect(paths).toEqual([['start', 'fork', 'legalReview', 'financeReview', 'join', 'summarize', 'end']]);
  });
});

describe('BPMN and other formats', () => {
  const camunda = 'test/cli/fixtures/camunda7-invoice';

  it('runs the Camunda 7 invoice (v2) as imported, with no edits: the upstream happy path and rejection path', async () => {
    for (const scenario of ['happy-path', 'rejection-path']) {
      const { code, stdout, stderr } = await run(
        'simulate',
        `${camunda}/invoice.v2.bpmn`,
        '--scenario',
        `${camunda}/${scenario}.scenario.json`,
      );
      expect(stderr, scenario).toBe('');
      expect(code, scenario).toBe(0);
      expect(JSON.parse(stdout).status).toBe('completed');
    }
  });

  it('convert --report prints the import report: counts by BPMN type, what was translated, what will not run', async () => {
    const { code, stdout } = await run('convert', `${camunda}/invoice.v2.bpmn`, '--report');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.elements).toMatchObject({
      userTask: 2,
      businessRuleTask: 1,
      callActivity: 1,
      sequenceFlow: 10,
      lane: 3,
    });
    expect(report.translated).toContainEqual({
      elementId: 'invoiceApproved',
      what: 'condition: JUEL "${approved}" → FEEL "approved"',
    });
    expect(report.unsupported.map((u: { elementId: string }) => u.elementId)).toEqual([
      'approveInvoice',
      'approveInvoice',
      'ServiceTask_1',
    ]);
    expect(report.unsupported[2].what).toContain('org.camunda.bpm.example.invoice.service.ArchiveInvoiceService');
  });

  it('convert --to json and back --to bpmn gives the same definition; the draft does not validate for publishing', async () => {
    const json = await run('convert', `${camunda}/invoice.v2.bpmn`, '--to', 'json');
    expect(json.code).toBe(0);
    const definitionFile = path.join(tmp, 'invoice.json');
    writeFileSync(definitionFile, json.stdout);
    // its decision table travels with it
    writeFileSync(
      path.join(tmp, 'invoiceBusinessDecisions.dmn'),
      readFileSync(`${camunda}/invoiceBusinessDecisions.dmn`),
    );
    const bpmn = await run('convert', definitionFile, '--to', 'bpmn');
    expect(bpmn.stdout).toMatch(/^<\?xml/);
    const bpmnFile = path.join(tmp, 'invoice-again.bpmn');
    writeFileSync(bpmnFile, bpmn.stdout);
    expect((await run('convert', bpmnFile, '--to', 'json')).stdout).toBe(json.stdout);
    expect((await run('validate', definitionFile)).code).toBe(0);
    const publishing = await run('validate', definitionFile, '--publishing');
    expect(publishing.code).toBe(1);
    expect(publishing.stdout).toContain('[publishable] ServiceTask_1');
  });

  it('convert --to json canonicalises a JSON definition, and diff names what changed', async () => {
    const canonical = await run('convert', invoice, '--to', 'json');
    expect(canonical.code).toBe(0);
    const changed = JSON.parse(canonical.stdout);
    changed.elements.find((e: { id: string }) => e.id === 'accountingApproval').candidateGroups = [
      'accounting',
      'finance',
    ];
    const diff = await run('diff', invoice, write('changed.json', changed));
    expect(JSON.parse(diff.stdout).changed).toEqual([
      {
        id: 'accountingApproval',
        type: 'userTask',
        changes: [{ path: 'candidateGroups', before: ['accounting'], after: ['accounting', 'finance'] }],
      },
    ]);
  });

  it('converts Camunda forms and DMN to Trellis JSON', async () => {
    const form = await run('convert', 'engine/forms/import/fixtures/camunda7-examples/start-form.form', '--to', 'json');
    expect(form.code).toBe(0);
    expect(JSON.parse(form.stdout).schema.properties.amount).toMatchObject({ pattern: '^[0-9]+$' });
    const dmn = await run('convert', `${camunda}/invoiceBusinessDecisions.dmn`, '--to', 'json');
    expect(JSON.parse(dmn.stdout).map((d: { id: string }) => d.id)).toEqual(
      expect.arrayContaining(['invoiceClassification', 'invoice-assign-approver']),
    );
  });

  it('refuses a hostile BPMN file with a clear message', async () => {
    const file = path.join(tmp, 'evil.bpmn');
    writeFileSync(file, '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions/>');
    expect(await run('convert', file, '--report')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('DOCTYPE'),
    });
  });
});

describe('trellis test with Camunda Process Test cases', () => {
  it('runs *.test.json (cpt-test-cases) against the processes in their folder: the Camunda 7 invoice passes both paths', async () => {
    const { code, stdout } = await run('test', 'engine/simulate/fixtures/camunda7-invoice');
    expect(stdout).toContain('ok   engine/simulate/fixtures/camunda7-invoice/invoice.test.json › happy path');
    expect(stdout).toContain('ok   engine/simulate/fixtures/camunda7-invoice/invoice.test.json › rejection path');
    expect(stdout).toContain('2 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('runs the Camunda 8 expense review: its test cases and scenarios take the paths Camunda takes, through the io mappings of its user and business rule tasks', async () => {
    const dir = 'engine/simulate/fixtures/camunda8-review';
    const { code, stdout } = await run('test', dir);
    expect(stdout).toContain(
      `ok   ${dir}/expense-review.test.json › a manager approves: the review's outcome reaches the process through its output mapping`,
    );
    expect(stdout).toContain(`ok   ${dir}/director-rejects.scenario.json`);
    expect(stdout).toContain('7 passed, 0 failed');
    expect(code).toBe(0);
    const simulated = await run(
      'simulate',
      `${dir}/expense-review.bpmn`,
      '--scenario',
      `${dir}/manager-approves.scenario.json`,
    );
    expect(simulated.code).toBe(0);
    expect(JSON.parse(simulated.stdout)).toMatchObject({
      status: 'completed',
      path: [
        'ExpenseSubmitted',
        'DetermineApprovalLevel',
        'WhoApproves',
        'ReviewExpense',
        'Approved',
        'ExpenseApproved',
      ],
    });
    expect(Object.keys(JSON.parse(simulated.stdout).variables).sort()).toEqual([
      'approvalLevel',
      'expense',
      'managerReviewOutcome',
      'reviewComment',
    ]);
  });

  it('runs a Flowable model whose exclusive gateways have no default flow: both paths complete, and an outcome no condition expects stops the instance with an incident naming the gateway', async () => {
    const dir = 'test/cli/fixtures/flowable-loan';
    const { code, stdout } = await run('test', dir);
    expect(stdout).toContain(`ok   ${dir}/accepted.scenario.json`);
    expect(stdout).toContain(`ok   ${dir}/considered-then-rejected.scenario.json`);
    expect(stdout).toContain(`ok   ${dir}/no-outcome.scenario.json`);
    expect(stdout).toContain('3 passed, 0 failed');
    expect(code).toBe(0);
    const loan = 'test/fixtures/corpus/backoffice/flowable/loan.bpmn';
    const validated = await run('validate', loan);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain(
      'warning [exclusive-gateway] sid-0D7A96A9-DF66-401C-9086-CDBE8A8E32BB: Exclusive gateway "sid-0D7A96A9-DF66-401C-9086-CDBE8A8E32BB" has no default flow',
    );
    const stopped = await run('simulate', loan, '--scenario', `${dir}/no-outcome.scenario.json`);
    expect(JSON.parse(stopped.stdout)).toMatchObject({
      status: 'incident',
      active: ['sid-0D7A96A9-DF66-401C-9086-CDBE8A8E32BB'],
      incidents: [
        {
          elementId: 'sid-0D7A96A9-DF66-401C-9086-CDBE8A8E32BB',
          code: 'NO_FLOW_TAKEN',
          message:
            'No condition of gateway "sid-0D7A96A9-DF66-401C-9086-CDBE8A8E32BB" is true and it has no default flow.',
        },
      ],
    });
  });

  it('names every file it could not load, with the reason, fails for it, and still runs the rest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-test-'));
    const copy = (from: string) => writeFileSync(path.join(dir, path.basename(from)), readFileSync(from));
    copy('engine/simulate/fixtures/await-payment.json');
    copy('engine/simulate/fixtures/await-payment.test.json');
    // A process whose only step cannot run (a cron timer cycle), and a file that is not BPMN at all.
    writeFileSync(
      path.join(dir, 'nightly.bpmn'),
      `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><process id="nightly" isExecutable="true">
      <startEvent id="start"><timerEventDefinition><timeCycle>0 0 2 * * ?</timeCycle></timerEventDefinition></startEvent>
      <endEvent id="end"/><sequenceFlow id="f" sourceRef="start" targetRef="end"/></process></definitions>`,
    );
    writeFileSync(path.join(dir, 'broken.bpmn'), '<definitions');
    writeFileSync(
      path.join(dir, 'nightly.test.json'),
      JSON.stringify({
        testCases: [
          {
            name: 'starts',
            instructions: [
              { type: 'CREATE_PROCESS_INSTANCE', processDefinitionSelector: { processDefinitionId: 'nightly' } },
            ],
          },
        ],
      }),
    );
    const { code, stdout } = await run('test', dir);
    expect(stdout).toContain(
      `FAIL ${path.join(dir, 'nightly.bpmn')} could not be loaded\n  process "nightly" is not valid: [timers] start: Timer "start": cycle "0 0 2 * * ?" is not an ISO 8601 repeating interval`,
    );
    expect(stdout).toContain(
      `FAIL ${path.join(dir, 'broken.bpmn')} could not be loaded\n  The file ends inside the tag <definitions>`,
    );
    expect(stdout).toContain(
      'no process "nightly" was given to the test run (known: await-payment; not loaded: broken.bpmn, nightly.bpmn, see why above)',
    );
    expect(stdout).toContain(`ok   ${path.join(dir, 'await-payment.test.json')} › waits for the payment, then ships`);
    expect(stdout).toMatch(/^\d+ passed, 3 failed$/m);
    expect(code).toBe(1);
  });

  it('fails a test case that does not hold, saying what was expected and found', async () => {
    const { code, stdout } = await run('test', 'engine/simulate/fixtures/charge-order.failing.test.json');
    expect(code).toBe(1);
    expect(stdout).toContain(
      'FAIL engine/simulate/fixtures/charge-order.failing.test.json › expects managers to approve',
    );
    expect(stdout).toContain('candidateGroups: expected ["managers"], got ["finance","sales"]');
  });
});
