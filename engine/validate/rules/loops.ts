import type { Diagnostic, Rule } from '../diagnostic';
import { successors, type ProcessGraph } from '../../model/graph';
import { anyWaits } from '../../model/scopes';
import type { Element } from '../../model/definition';
import { parseDuration, shortestSeconds } from '../../time/iso8601';

/**
 * Loops that never wait, loops that wait only on a short timer (an error: every pass is a command of
 * its own, so no command's budget stops it), and processes that call themselves. The first and last are legal BPMN (a loop over a
 * counter, a recursive hierarchy), so both are warnings: at run time the command budget stops a
 * loop that does not end (runtime/budget.ts) and call activities stop at a depth limit, each with
 * an incident naming the element — but a designer should know before publishing.
 */
export const loops: Rule = {
  id: 'loops',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    for (const cycle of cycles(graph)) {
      const waits = cycle.filter((id) => anyWaits([graph.elements.get(id)!]));
      const quick = waits.length > 0 && waits.every((id) => shortTimer(graph.elements.get(id)!));
      if (quick) {
        // Each pass is a command of its own, so no step's budget stops it: a loop polling faster than a minute is refused.
        out.push({
          ruleId: this.id,
          elementId: waits[0]!,
          severity: 'error',
          message:
            `${cycle.map((id) => `"${id}"`).join(', ')} form a loop whose only wait is a timer of under ${MIN_LOOP_TIMER_SECONDS} seconds ("${waits[0]}"): ` +
            `it would run for ever at the workers' speed. Wait at least PT${MIN_LOOP_TIMER_SECONDS}S in the loop, or add a task or message to wait for.`,
        });
        continue;
      }
      if (waits.length > 0) continue;
      const at = cycle.find((id) => graph.elements.get(id)?.type.endsWith('Gateway')) ?? cycle[0]!;
      const names = cycle.map((id) => `"${id}"`).join(', ');
      out.push({
        ruleId: this.id,
        elementId: at,
        severity: 'warning',
        message:
          `${names} form a loop with no wait state (a user task, a timer or message event, a service task with a job type, a call activity). ` +
          'It must end by its data alone: if its way out is never taken, one step is stopped at its limit with an incident.',
      });
    }
    for (const e of definition.elements) {
      if (e.type === 'callActivity' && e.calledElement === definition.key) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'warning',
          message: `Call activity "${e.id}" calls this process ("${definition.key}") itself: each instance starts another until the call depth limit stops the chain with an incident. Make sure a condition ends the recursion before that.`,
        });
      }
    }
    return out;
  },
};

/** Shortest timer a loop may wait on when it waits on nothing else. */
export const MIN_LOOP_TIMER_SECONDS = 60;

/** A timer catch event whose literal duration (or date, which is past after one pass) is under the loop floor. */
function shortTimer(e: Element): boolean {
  if (e.type !== 'intermediateCatchEvent' || e.event.kind !== 'timer') return false;
  const { duration, date } = e.event;
  if (date !== undefined) return !date.startsWith('=');
  if (duration === undefined || duration.startsWith('=')) return false;
  const d = parseDuration(duration);
  return d !== null && shortestSeconds(d) < MIN_LOOP_TIMER_SECONDS;
}

/** The cycles of the flow graph: its strongly connected components with a loop (Tarjan, without recursion). */
function cycles(graph: ProcessGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  for (const root of graph.elements.keys()) {
    if (index.has(root)) continue;
    const work: { id: string; succ: string[]; i: number }[] = [];
    const visit = (id: string) => {
      index.set(id, next);
      low.set(id, next++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, succ: successors(graph, id).filter((s) => graph.elements.has(s)), i: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      if (frame.i < frame.succ.length) {
        const s = frame.succ[frame.i++]!;
        if (!index.has(s)) visit(s);
        else if (onStack.has(s)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(s)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.id);
      const selfLoop = component.length === 1 && frame.succ.includes(frame.id);
      if (component.length > 1 || selfLoop) found.push(component.reverse());
    }
  }
  return found;
}
