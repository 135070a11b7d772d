/**
 * A decision table's problems (engine/decisions/check.ts) in a person's language: the table
 * editor lists them as the table is edited, the server refuses a publish with the same words.
 */
import type { DecisionProblem } from '@/engine/decisions/check';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';

export function decisionProblemText(problem: DecisionProblem, locale: Locale): string {
  const t = translator(locale);
  return t(`decisionProblem_${problem.code}` as MessageKey, {
    rule: problem.rule ?? '',
    input: problem.input ?? '',
    output: problem.output ?? '',
    rules: (problem.rules ?? []).join(locale === 'vi' ? ' và ' : ' and '),
    region: problem.regionText === '-' ? t('decisionAnyInput') : (problem.regionText ?? ''),
    column:
      problem.input !== undefined
        ? t('decisionColumnInput', { n: problem.input })
        : problem.output !== undefined
          ? t('decisionColumnOutput', { n: problem.output })
          : '',
    // A type is named in the caller's language; the parser's own words stay as they are.
    detail:
      problem.code === 'entryType' && problem.detail
        ? t(`type_${problem.detail}` as MessageKey)
        : (problem.detail ?? ''),
  });
}
