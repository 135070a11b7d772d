import { analyzeStructure } from '../../model/structure';
import type { Rule } from '../diagnostic';

/**
 * Parallel and inclusive gateways form blocks the compiler can run faithfully; joins that can
 * never receive all their tokens are reported as deadlocks (rule id "deadlock").
 */
export const structure: Rule = {
  id: 'structure',
  check(definition, graph) {
    return analyzeStructure(definition, graph).problems.map((p) => ({
      ruleId: p.ruleId,
      elementId: p.elementId,
      severity: 'error' as const,
      message: p.message,
    }));
  },
};
