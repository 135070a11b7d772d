import type { Diagnostic, Rule } from '../diagnostic';

export const startEndEvents: Rule = {
  id: 'start-end-events',
  check(definition, graph, scope) {
    const out: Diagnostic[] = [];
    const where =
      scope.id === null
        ? 'The process'
        : `${scope.kind === 'eventSubProcess' ? 'Event subprocess' : 'Subprocess'} "${scope.id}"`;
    const at = scope.id ?? undefined;
    const starts = definition.elements.filter((e) => e.type === 'startEvent');
    const none = starts.filter((s) => s.event === undefined);
    const triggered = starts.filter((s) => s.event !== undefined);
    if (starts.length === 0) {
      out.push({
        ruleId: this.id,
        elementId: at,
        severity: 'error',
        message: `${where} has no start event; add one startEvent.`,
      });
    }
    if (scope.kind === 'eventSubProcess') {
      if (none.length > 0 || triggered.length !== 1) {
        out.push({
          ruleId: this.id,
          elementId: at,
          severity: 'error',
          message: `${where} needs exactly one start event, with a trigger (timer, message, signal, error or escalation).`,
        });
      }
    } else {
      for (const s of none.slice(1)) {
        out.push({
          ruleId: this.id,
          elementId: s.id,
          severity: 'error',
          message: `Start event "${s.id}" is a second none start event of ${scope.id === null ? 'the process' : `"${scope.id}"`}; only one is allowed.`,
        });
      }
      for (const s of triggered) {
        if (scope.kind === 'subProcess') {
          out.push({
            ruleId: this.id,
            elementId: s.id,
            severity: 'error',
            message: `Start event "${s.id}" of subprocess "${scope.id}" has a ${s.event!.kind} trigger; a subprocess starts with a none start event.`,
          });
        } else if (s.event!.kind === 'error' || s.event!.kind === 'escalation') {
          out.push({
            ruleId: this.id,
            elementId: s.id,
            severity: 'error',
            message: `Start event "${s.id}" has a ${s.event!.kind} trigger; only event subprocesses start on errors and escalations.`,
          });
        }
      }
    }
    if (!definition.elements.some((e) => e.type === 'endEvent')) {
      out.push({
        ruleId: this.id,
        elementId: at,
        severity: 'error',
        message: `${where} has no end event; add at least one endEvent.`,
      });
    }
    for (const e of definition.elements) {
      if (e.type === 'startEvent' && (graph.incoming.get(e.id)?.length ?? 0) > 0) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'error',
          message: `Start event "${e.id}" has incoming sequence flows; a start event cannot be entered.`,
        });
      }
      if (e.type === 'endEvent' && (graph.outgoing.get(e.id)?.length ?? 0) > 0) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'error',
          message: `End event "${e.id}" has outgoing sequence flows; nothing follows an end event.`,
        });
      }
    }
    return out;
  },
};
