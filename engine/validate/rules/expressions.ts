import { checkExpression } from '../../expressions/feel';
import type { Diagnostic, Rule } from '../diagnostic';
import { dueDateLiteral, dueDateLiteralProblem } from '../../model/due-date';

/** Every FEEL expression parses and stays within the sandbox's profile. */
export const expressions: Rule = {
  id: 'expressions',
  check(definition) {
    const out: Diagnostic[] = [];
    const report = (elementId: string, where: string, expression: string) => {
      const problem = checkExpression(expression);
      if (problem)
        out.push({
          ruleId: this.id,
          elementId,
          severity: 'error',
          message: `${where} of "${elementId}": ${problem.message}`,
        });
    };
    if (definition.businessKey !== undefined) report(definition.key, 'Business key', definition.businessKey);
    for (const f of definition.flows) if (f.condition !== undefined) report(f.id, 'Condition', f.condition);
    for (const e of definition.elements) {
      if (e.type === 'serviceTask' || e.type === 'scriptTask')
        for (const [name, expr] of Object.entries(e.set)) report(e.id, `Expression for variable "${name}"`, expr);
      if (e.type === 'callActivity')
        for (const [name, expr] of Object.entries({ ...e.inputs, ...e.outputs }))
          report(e.id, `Mapping "${name}"`, expr);
      if (e.type === 'userTask' || e.type === 'businessRuleTask' || e.type === 'serviceTask') {
        for (const [name, expr] of Object.entries(e.inputs ?? {})) report(e.id, `Input mapping "${name}"`, expr);
      }
      if (e.type === 'userTask' || e.type === 'businessRuleTask')
        for (const [name, expr] of Object.entries(e.outputs ?? {})) report(e.id, `Output mapping "${name}"`, expr);
      if (e.type === 'sendTask')
        for (const [name, expr] of Object.entries(e.message.payload ?? {}))
          report(e.id, `Payload expression "${name}"`, expr);
      if (e.type === 'userTask' && e.dueDate !== undefined) {
        const problem = dueDateLiteralProblem(e.dueDate);
        if (problem)
          out.push({
            ruleId: this.id,
            elementId: e.id,
            severity: 'error',
            message: `Due date of "${e.id}": ${problem}.`,
          });
        else if (dueDateLiteral(e.dueDate) === null) report(e.id, 'Due date', e.dueDate);
      }
      if (e.type === 'userTask' && typeof e.candidateGroups === 'string')
        report(e.id, 'Candidate groups', e.candidateGroups.slice(1));
      const event =
        'event' in e ? e.event : e.type === 'receiveTask' ? { kind: 'message' as const, ...e.message } : undefined;
      if (event?.kind === 'message' && event.correlationKey !== undefined)
        report(e.id, 'Correlation key', event.correlationKey);
      if (event?.kind === 'timer') {
        const text = event.duration ?? event.date ?? event.cycle ?? '';
        if (text.startsWith('=')) report(e.id, 'Timer expression', text.slice(1));
      }
    }
    return out;
  },
};
