/**
 * `npm run bench:engine`: the same models run in memory by Trellis and by bpmn-engine (the Node
 * BPMN engine, a devDependency used only here) in one process. Each instance starts, runs a
 * service task and a gateway, waits at a user task, and is completed. Prints instances/s for
 * both, the ratio, heap per waiting instance and the persisted size of a waiting instance, as
 * medians of several rounds (the machine is shared and noisy). Both engines run in memory, as
 * the target asks; Trellis is also measured with its waiting state persisted as JSON between the
 * two commands. Target: ≥ 100× bpmn-engine, and a waiting instance's snapshot under 2 KB.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { compile, send, start, type InstanceState } from '../../engine';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TRELLIS_N = Number(process.env.BENCH_TRELLIS_N ?? 5_000);
const PEER_N = Number(process.env.BENCH_PEER_N ?? 300);
const HEAP_N = 10_000;

const sequential = {
  formatVersion: 1,
  key: 'bench-sequential',
  version: 1,
  name: 'Bench: service → gateway → user task',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'assess', type: 'serviceTask', set: { needsApproval: 'amount > 100' } },
    { id: 'gw', type: 'exclusiveGateway', default: 'skip' },
    { id: 'approve', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'assess' },
    { id: 'f2', source: 'assess', target: 'gw' },
    { id: 'f3', source: 'gw', target: 'approve', condition: 'needsApproval' },
    { id: 'skip', source: 'gw', target: 'end' },
    { id: 'f5', source: 'approve', target: 'end' },
  ],
};

const parallel = {
  formatVersion: 1,
  key: 'bench-parallel',
  version: 1,
  name: 'Bench: 3 parallel service tasks → user task',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'fork', type: 'parallelGateway' },
    { id: 'a', type: 'serviceTask', set: { a: 'amount + 1' } },
    { id: 'b', type: 'serviceTask', set: { b: 'amount + 2' } },
    { id: 'c', type: 'serviceTask', set: { c: 'amount + 3' } },
    { id: 'join', type: 'parallelGateway' },
    { id: 'approve', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f0', source: 'start', target: 'fork' },
    { id: 'fa', source: 'fork', target: 'a' },
    { id: 'fb', source: 'fork', target: 'b' },
    { id: 'fc', source: 'fork', target: 'c' },
    { id: 'ja', source: 'a', target: 'join' },
    { id: 'jb', source: 'b', target: 'join' },
    { id: 'jc', source: 'c', target: 'join' },
    { id: 'f5', source: 'join', target: 'approve' },
    { id: 'f6', source: 'approve', target: 'end' },
  ],
};

const ns = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const sequentialXml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${ns} id="bench" targetNamespace="http://trellis/bench">
  <process id="benchSequential" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="assess" />
    <serviceTask id="assess" implementation="\${environment.services.assess}" />
    <sequenceFlow id="f2" sourceRef="assess" targetRef="gw" />
    <exclusiveGateway id="gw" default="skip" />
    <sequenceFlow id="f3" sourceRef="gw" targetRef="approve"><conditionExpression xsi:type="tFormalExpression" language="javascript">next(null, environment.variables.amount &gt; 100)</conditionExpression></sequenceFlow>
    <sequenceFlow id="skip" sourceRef="gw" targetRef="end" />
    <userTask id="approve" />
    <sequenceFlow id="f5" sourceRef="approve" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;
const parallelXml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${ns} id="bench" targetNamespace="http://trellis/bench">
  <process id="benchParallel" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <parallelGateway id="fork" />
    <sequenceFlow id="fa" sourceRef="fork" targetRef="a" /><sequenceFlow id="fb" sourceRef="fork" targetRef="b" /><sequenceFlow id="fc" sourceRef="fork" targetRef="c" />
    <serviceTask id="a" implementation="\${environment.services.assess}" />
    <serviceTask id="b" implementation="\${environment.services.assess}" />
    <serviceTask id="c" implementation="\${environment.services.assess}" />
    <sequenceFlow id="ja" sourceRef="a" targetRef="join" /><sequenceFlow id="jb" sourceRef="b" targetRef="join" /><sequenceFlow id="jc" sourceRef="c" targetRef="join" />
    <parallelGateway id="join" />
    <sequenceFlow id="f5" sourceRef="join" targetRef="approve" />
    <userTask id="approve" />
    <sequenceFlow id="f6" sourceRef="approve" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>`;

const services = { assess: (_ctx: unknown, next: (err: null, result: unknown) => void) => next(null, { ok: true }) };
const NOW = '2026-12-01T00:00:00.000Z';

/** Instances/s; with `persist`, the waiting state makes a JSON round trip, as a host storing it would. */
function trellisRound(definition: unknown, n: number, persist: boolean): number {
  const process_ = compile(definition);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const started = start(process_, { amount: 500 + i }, { now: NOW }).state;
    const waiting = persist ? (JSON.parse(JSON.stringify(started)) as InstanceState) : started;
    const done = send(
      process_,
      waiting,
      { type: 'task.completed', elementId: 'approve', variables: { decision: 'approve' } },
      { now: NOW },
    );
    if (done.state.status !== 'completed') throw new Error(`Trellis instance ended ${done.state.status}`);
  }
  return n / ((performance.now() - t0) / 1000);
}

// bpmn-engine is used as its documentation shows: a new Engine per instance, from the BPMN source.
async function peerRun(source: string, i: number, keepWaiting = false) {
  const engine = new Engine({ name: `bench-${i}`, source, services });
  const listener = new EventEmitter();
  let resolveWait: () => void;
  const waiting = new Promise<void>((r) => (resolveWait = r));
  listener.once('wait', (api: { signal: (m?: unknown) => void }) => {
    if (!keepWaiting) api.signal({ decision: 'approve' });
    resolveWait();
  });
  const execution = await engine.execute({ listener, variables: { amount: 500 + i } });
  // A model that never reaches the user task would hang the run: fail instead.
  await Promise.race([
    waiting,
    new Promise((_, reject) => setTimeout(() => reject(new Error('bpmn-engine never reached the user task')), 10_000)),
  ]);
  return { engine, execution };
}

async function peerRound(xml: string, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const { engine } = await peerRun(xml, i);
    if (engine.state !== 'idle') await new Promise((r) => engine.once('end', r));
  }
  return n / ((performance.now() - t0) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function heapNow(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function heapPerWaiting(kind: 'trellis' | 'peer'): Promise<{ bytes: number; snapshot: number }> {
  const held: unknown[] = [];
  const before = heapNow();
  let snapshot = 0;
  if (kind === 'trellis') {
    const p = compile(sequential);
    for (let i = 0; i < HEAP_N; i++) held.push(start(p, { amount: 500 + i }, { now: NOW }).state);
    snapshot = JSON.stringify(held[0]).length;
  } else {
    for (let i = 0; i < HEAP_N / 50; i++) held.push((await peerRun(sequentialXml, i, true)).engine);
    snapshot = JSON.stringify(await (held[0] as { getState: () => Promise<unknown> }).getState()).length;
  }
  const bytes = (heapNow() - before) / held.length;
  held.length = 0;
  return { bytes, snapshot };
}

async function main() {
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with --expose-gc for steadier heap figures)');
  for (const [label, json, xml] of [
    ['service → gateway → user task', sequential, sequentialXml],
    ['3-branch parallel → user task', parallel, parallelXml],
  ] as const) {
    const trellis: number[] = [];
    const persisted: number[] = [];
    const peer: number[] = [];
    trellisRound(json, 200, true); // warm-up
    await peerRound(xml, 20);
    for (let r = 0; r < ROUNDS; r++) {
      trellis.push(trellisRound(json, TRELLIS_N, false));
      persisted.push(trellisRound(json, TRELLIS_N, true));
      peer.push(await peerRound(xml, PEER_N));
    }
    const t = median(trellis);
    const tp = median(persisted);
    const b = median(peer);
    console.log(
      `${label}: Trellis ${t.toFixed(0)} instances/s in memory (${tp.toFixed(0)}/s with the waiting state persisted as JSON), ` +
        `bpmn-engine ${b.toFixed(0)} instances/s in memory (baseline); ratio ${(t / b).toFixed(1)}× in memory, ${(tp / b).toFixed(1)}× persisted ` +
        `(medians of ${ROUNDS} rounds; ${TRELLIS_N} and ${PEER_N} instances a round)`,
    );
  }
  const th = await heapPerWaiting('trellis');
  const bh = await heapPerWaiting('peer');
  console.log(
    `waiting instance: Trellis ${(th.bytes / 1024).toFixed(1)} KB heap, ${th.snapshot} B persisted state; bpmn-engine ${(bh.bytes / 1024).toFixed(1)} KB heap, ${bh.snapshot} B getState()`,
  );
  console.log(`snapshot under 2 KB: ${th.snapshot < 2048 ? 'yes' : 'NO'}`);
}

await main();
