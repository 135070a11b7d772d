import type { Diagnostic, Rule } from '../diagnostic';

export const startEndEvents: Rule = {
  id: 'start-end-events',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    const starts = definition.elements.filter((e) => e.type === 'startEvent');
    if (starts.length === 0) {
      out.push({ ruleId: this.id, severity: 'error', message: 'The process has no start event; add one startEvent.' });
    } else if (starts.length > 1) {
      for (const s of starts.slice(1)) {
        out.push({ ruleId: this.id, elementId: s.id, severity: 'error', message: `Start event "${s.id}" is a second start event; only one none start event is supported.` });
      }
    }
    if (!definition.elements.some((e) => e.type === 'endEvent')) {
      out.push({ ruleId: this.id, severity: 'error', message: 'The process has no end event; add at least one endEvent.' });
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
