import type { Diagnostic, Rule } from '../diagnostic';

/**
 * A user task's four-eyes rule (separationOfDuties) may only name user tasks of the same process
 * (at any depth): their completers are who it excludes. Runs once over all scopes.
 */
export const separationOfDuties: Rule = {
  id: 'separation-of-duties',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    for (const e of definition.elements) {
      if (e.type !== 'userTask' || !e.separationOfDuties) continue;
      const { notInitiator, notCompletedBy } = e.separationOfDuties;
      if (!notInitiator && !notCompletedBy) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'warning',
          message: `User task "${e.id}" has a four-eyes rule that excludes nobody; set notInitiator or notCompletedBy, or remove it.`,
        });
      }
      for (const ref of notCompletedBy ?? []) {
        const target = graph.elements.get(ref);
        if (ref === e.id) {
          out.push({
            ruleId: this.id,
            elementId: e.id,
            severity: 'error',
            message: `User task "${e.id}" names itself in notCompletedBy; name the earlier user task whose completer may not work it.`,
          });
        } else if (!target) {
          out.push({
            ruleId: this.id,
            elementId: e.id,
            severity: 'error',
            message: `User task "${e.id}" names "${ref}" in notCompletedBy, which is not an element of this process.`,
          });
        } else if (target.type !== 'userTask') {
          out.push({
            ruleId: this.id,
            elementId: e.id,
            severity: 'error',
            message: `User task "${e.id}" names "${ref}" in notCompletedBy, which is a ${target.type}, not a user task: only people complete user tasks.`,
          });
        }
      }
    }
    return out;
  },
};
