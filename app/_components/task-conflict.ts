/**
 * Why completing a task was refused as a conflict, told from the task as it is now (task.get):
 * completed already — in another tab, or by a colleague — by whom and when; withdrawn; or changed
 * hands since the page was loaded. In the reader's language, naming the task by its name (the
 * server's conflict names it by id, in English).
 */
import { localize, type LocalizedText } from '@/engine/model/definition';
import { formatDateTime } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';

export interface TaskNow {
  name: LocalizedText | null;
  elementId: string;
  status: string;
  completedBy: string | null;
  completedAt: Date | string | null;
}

/** `task` null: the caller may not read it any more (a colleague has it now). */
export function explainTaskConflict(
  task: TaskNow | null,
  locale: Locale,
): { code: 'CONFLICT'; title: string; message: string; fields: [] } {
  const t = translator(locale);
  if (!task) return { code: 'CONFLICT', title: t('taskDealtWith'), message: t('taskGoneMeanwhile'), fields: [] };
  const name = localize(task.name ?? undefined, locale) ?? task.elementId;
  const message =
    task.status === 'completed'
      ? t('taskDoneMeanwhile', {
          task: name,
          name: task.completedBy ?? t('nobody'),
          date: task.completedAt ? formatDateTime(task.completedAt, locale) : '—',
        })
      : task.status === 'open'
        ? t('taskChangedMeanwhile', { task: name })
        : t('taskWithdrawnMeanwhile', { task: name });
  return { code: 'CONFLICT', title: t('taskDealtWith'), message, fields: [] };
}
