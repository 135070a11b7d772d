import type { Rule } from '../diagnostic';

/** Elements and flows share one id space, as in BPMN. */
export const uniqueIds: Rule = {
  id: 'unique-ids',
  check(definition) {
    const seen = new Set<string>();
    const out = [];
    for (const item of [...definition.elements, ...definition.flows]) {
      if (seen.has(item.id)) {
        out.push({
          ruleId: this.id,
          elementId: item.id,
          severity: 'error' as const,
          message: `Id "${item.id}" is used more than once; ids must be unique within a process.`,
        });
      }
      seen.add(item.id);
    }
    return out;
  },
};
