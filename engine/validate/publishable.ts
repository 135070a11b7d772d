/**
 * What a definition needs before it can be published, beyond running at all: every user task has
 * a form and somebody to work it, and nothing an import could not translate is left. Drafts
 * (imported files, designs in progress) may lack these and still be simulated.
 */
import type { ProcessDefinition } from '../model/definition';
import { flatten } from '../model/scopes';
import type { Diagnostic } from './diagnostic';

export function publishingProblems(definition: ProcessDefinition): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (elementId: string, message: string) =>
    out.push({ ruleId: 'publishable', elementId, severity: 'error', message });
  for (const e of flatten(definition).elements) {
    if (e.type !== 'userTask') continue;
    if (e.formKey === undefined)
      report(e.id, `User task "${e.id}" has no form; choose the form it shows (formKey) before publishing.`);
    if (e.candidateGroups === undefined && e.assignee === undefined && e.candidateUsers === undefined) {
      report(
        e.id,
        `User task "${e.id}" has nobody to work it; give it candidate groups (departments), candidate users or an assignee before publishing.`,
      );
    }
  }
  for (const issue of definition.importIssues ?? []) {
    report(issue.elementId, `"${issue.elementId}": ${issue.what} Trellis will not run this. ${issue.hint}`.trim());
  }
  return out;
}
