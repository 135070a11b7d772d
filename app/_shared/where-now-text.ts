/**
 * Where an instance is now, in words of the reader's language: who has an open task (its
 * assignee, else the departments and people it is offered to), and the whole whereabouts in one
 * line (the CSV export's "current step"). Pure; the pages render the same facts as markup.
 */
import { localize } from '@/engine/model/definition';
import type { Locale, MessageKey, Translate } from '../_i18n/messages';
import type { InstanceStatus, OpenStep, Whereabouts } from '../server/services/where-now';

/** The label of each stored status (`terminated` reads as cancelled: cancelled, or ended by an admin over an incident). */
export const statusLabels: Record<InstanceStatus, MessageKey> = {
  active: 'status_active',
  completed: 'status_completed',
  incident: 'status_incident',
  terminated: 'status_cancelled',
};

/** A task's name, or its element id when it has none. */
export const stepName = (step: OpenStep, locale: Locale) => localize(step.name ?? undefined, locale) ?? step.elementId;

/** Who has the task: "Trần Văn Hùng has it", "offered to Kế toán, Lê Thị Mai", "offered to the managers of Kế toán". */
export function whoHas(step: OpenStep, locale: Locale, t: Translate): string {
  if (step.assignee) return t('runnerHeldBy', { name: step.assignee });
  const offered = [...step.departments.map((d) => localize(d, locale) ?? ''), ...step.people]
    .filter(Boolean)
    .join(', ');
  if (!offered) return t('runnerNobody');
  return t(step.toManagers ? 'runnerToManagersOf' : 'runnerOfferedTo', { who: offered });
}

/** The whereabouts in one line; `time` writes a task's since (the export: a spreadsheet's date and time). */
export function whereText(
  where: Whereabouts,
  status: InstanceStatus,
  locale: Locale,
  t: Translate,
  time: (date: Date) => string,
): string {
  if (where.tasks.length > 0) {
    return where.tasks
      .map((step) => {
        return t('runnerStepWithWho', {
          step: stepName(step, locale),
          who: whoHas(step, locale, t),
          since: time(step.since),
        });
      })
      .join('; ');
  }
  if (where.waitingAt.length > 0)
    return t('runnerWaitingAt', {
      elements: where.waitingAt.map((e) => localize(e.name ?? undefined, locale) ?? e.elementId).join(', '),
    });
  if (where.outcome)
    return t('runnerEndedWith', { outcome: localize(where.outcome.name ?? undefined, locale) ?? where.outcome.key });
  return t(statusLabels[status]);
}
