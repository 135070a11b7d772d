import { inlineElements } from '../../model/structure';
import type { Element } from '../../model/definition';
import type { Diagnostic, Rule } from '../diagnostic';

function canWait(e: Element): boolean {
  return (
    e.type === 'userTask' ||
    e.type === 'receiveTask' ||
    e.type === 'subProcess' ||
    e.type === 'callActivity' ||
    (e.type === 'serviceTask' && e.taskType !== undefined)
  );
}

/** Boundary events sit on activities that can wait and catch what those can throw (timers: rules/timers.ts). */
export const events: Rule = {
  id: 'events',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    const report = (elementId: string, message: string) =>
      out.push({ ruleId: this.id, elementId, severity: 'error', message });

    for (const e of definition.elements) {
      if (e.type === 'subProcess' && e.triggeredByEvent) {
        if ((graph.incoming.get(e.id)?.length ?? 0) + (graph.outgoing.get(e.id)?.length ?? 0) > 0)
          report(
            e.id,
            `Event subprocess "${e.id}" has sequence flows; it is started by its trigger and ends on its own.`,
          );
        const start = e.elements.find((x) => x.type === 'startEvent');
        if (start?.type === 'startEvent' && start.event?.kind === 'error' && !start.interrupting)
          report(start.id, `Error start event "${start.id}" is non-interrupting; an error always interrupts.`);
      }
      if (e.type !== 'boundaryEvent') continue;
      if (!e.event) {
        // An import that could not keep the event (compensation, a referenced definition) said why: say it again.
        const issue = definition.importIssues?.find((i) => i.elementId === e.id);
        report(
          e.id,
          issue
            ? `Boundary event "${e.id}" cannot run: ${issue.what.replace(/\.$/, '')}. ${issue.hint}`
            : `Boundary event "${e.id}" does not say what it waits for; give it a timer, message, signal, error or escalation.`,
        );
        continue;
      }
      const activity = graph.elements.get(e.attachedTo);
      if (!activity) {
        report(
          e.id,
          `Boundary event "${e.id}" is attached to "${e.attachedTo}", which is not an element of this process.`,
        );
        continue;
      }
      if ((graph.incoming.get(e.id)?.length ?? 0) > 0)
        report(
          e.id,
          `Boundary event "${e.id}" has incoming sequence flows; it is triggered by its activity "${activity.id}", not entered.`,
        );
      if (!canWait(activity)) {
        report(
          e.id,
          `Boundary event "${e.id}" is attached to ${activity.type} "${activity.id}", which never waits, so the event could never happen; attach it to a user task, receive task or a service task with a taskType.`,
        );
        continue;
      }
      const event = e.event;
      if (event.kind === 'error' && !e.cancelActivity)
        report(e.id, `Error boundary event "${e.id}" is non-interrupting; an error always interrupts its activity.`);
      if ((event.kind === 'error' || event.kind === 'escalation') && activity.type === 'receiveTask') {
        report(
          e.id,
          `${event.kind} boundary event "${e.id}" is attached to receive task "${activity.id}", which cannot throw one.`,
        );
      }
    }

    for (const e of definition.elements) {
      if (e.type === 'eventBasedGateway') {
        const outs = graph.outgoing.get(e.id) ?? [];
        if (outs.length < 2)
          report(
            e.id,
            `Event-based gateway "${e.id}" has ${outs.length} outgoing flow(s); it chooses between at least two events.`,
          );
        for (const f of outs) {
          const t = graph.elements.get(f.target);
          const ok =
            t &&
            ((t.type === 'intermediateCatchEvent' && t.event.kind !== 'link') || t.type === 'receiveTask') &&
            (graph.incoming.get(t.id)?.length ?? 0) === 1;
          if (t && !ok)
            report(
              f.id,
              `Sequence flow "${f.id}" leads from event-based gateway "${e.id}" to ${t.type} "${t.id}"; it must lead to a timer, message or signal catch event (or a receive task) reached only from the gateway.`,
            );
        }
      }
      if (e.type === 'intermediateThrowEvent' && e.event?.kind === 'link') {
        const catches = graph.linkCatches.get(e.event.name) ?? [];
        if (catches.length !== 1)
          report(
            e.id,
            `Link throw event "${e.id}" needs exactly one link catch event named "${e.event.name}" in the same scope; found ${catches.length}.`,
          );
      }
      if (
        e.type === 'intermediateCatchEvent' &&
        e.event.kind === 'link' &&
        (graph.incoming.get(e.id)?.length ?? 0) > 0
      ) {
        report(
          e.id,
          `Link catch event "${e.id}" has incoming sequence flows; it is reached from its link throw event.`,
        );
      }
    }

    // A non-interrupting event's path runs beside the main flow (inline, or as scoped runs when
    // it waits): it must end on its own, not merge into the main flow or terminate it.
    const inline = inlineElements(definition, graph);
    for (const id of inline) {
      const e = graph.elements.get(id)!;
      if (e.type === 'endEvent' && e.terminate)
        report(
          id,
          `Terminate end event "${id}" is on the path of a non-interrupting event; that path cannot end the whole process.`,
        );
      for (const f of graph.outgoing.get(id) ?? []) {
        if (!inline.has(f.target))
          report(
            f.id,
            `Sequence flow "${f.id}" leads the path of a non-interrupting event back into the main flow at "${f.target}"; end that path with its own end event.`,
          );
      }
      if (e.type === 'parallelGateway' || e.type === 'inclusiveGateway' || e.type === 'eventBasedGateway') {
        report(
          id,
          `${e.type} "${id}" is on the path of a non-interrupting event; only exclusive gateways are supported there.`,
        );
      }
    }
    return out;
  },
};
