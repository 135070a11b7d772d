import type { Diagnostic, Rule } from '../diagnostic';

export const startEndEvents: Rule = {
  id: 'start-end-events',
  check(definition, graph, scope) {
    const out: Diagnostic[] = [];
    const where = scope.id === null ? 'The process' : `${scope.kind === 'eventSubProcess' ? 'Event subprocess' : 'Subprocess'} "${scope.id}"`;
    const at = scope.id ?? undefined;
    const starts = definition.elements.filter((e) => e.type === 'startEvent');
    if (starts.length === 0) {
      out.push({ ruleId: this.id, elementId: at, severity: 'error', message: `${where} has no start event; add one startEvent.` });
    } else if (starts.length > 1) {
      for (const s of starts.slice(1)) {
        out.push({ ruleId: this.id, elementId: s.id, severity: 'error', message: `Start event "${s.id}" is a second start event of ${scope.id === null ? 'the process' : `"${scope.id}"`}; only one is supported.` });
      }
    }
    for (const s of starts) {
      if (scope.kind === 'eventSubProcess' && s.event === undefined) {
        out.push({ ruleId: this.id, elementId: s.id, severity: 'error', message: `Start event "${s.id}" of ${where.toLowerCase()} needs a trigger (timer, message, signal, error or escalation).` });
      }
      if (scope.kind !== 'eventSubProcess' && s.event !== undefined) {
        out.push({ ruleId: this.id, elementId: s.id, severity: 'error', message: `Start event "${s.id}" has a ${s.event.kind} trigger; only event subprocesses start on triggers here (message and timer start events of processes come with the runtime).` });
      }
    }
    if (!definition.elements.some((e) => e.type === 'endEvent')) {
      out.push({ ruleId: this.id, elementId: at, severity: 'error', message: `${where} has no end event; add at least one endEvent.` });
    }
    for (const e of definition.elements) {
      if (e.type === 'startEvent' && (graph.incoming.get(e.id)?.length ?? 0) > 0) {
        out.push({ ruleId: this.id, elementId: e.id, severity: 'error', message: `Start event "${e.id}" has incoming sequence flows; a start event cannot be entered.` });
      }
      if (e.type === 'endEvent' && (graph.outgoing.get(e.id)?.length ?? 0) > 0) {
        out.push({ ruleId: this.id, elementId: e.id, severity: 'error', message: `End event "${e.id}" has outgoing sequence flows; nothing follows an end event.` });
      }
    }
    return out;
  },
};
