/**
 * Where a task sits in its case: the version's diagram as the instance page draws it (done,
 * waiting, incidents: instance-marks.ts, InstanceDiagram), with the task's own element outlined.
 * The outline is a style rule on the element's `data-element-id` (bpmn-js sets it on every shape),
 * so InstanceDiagram's marks stay one per element; an id is a BPMN NCName (definition.ts), and one
 * that is not is simply not outlined.
 */
import { localize, type LocalizedText } from '@/engine/model/definition';
import { translator, type Locale } from '../_i18n/messages';
import { InstanceDiagram } from './diagram/instance-diagram';
import { instanceMarks, type MarkedInstance } from './instance-marks';

const ELEMENT_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

export function CaseWhere({
  instance,
  elementId,
  taskName,
  locale,
}: {
  instance: MarkedInstance & { diagram: unknown; definition: { key: string; version: number; name: LocalizedText } };
  elementId: string;
  taskName: string;
  locale: Locale;
}) {
  const t = translator(locale);
  const outline = ELEMENT_ID.test(elementId)
    ? `.case-where .djs-element[data-element-id="${elementId}"] .djs-visual > :first-child { stroke: #c05621 !important; stroke-width: 4px !important; stroke-dasharray: 8 4 !important; }`
    : null;
  return (
    <section
      className="panel case-where"
      aria-labelledby="case-where-title"
      data-testid="case-where"
      data-element={elementId}
    >
      <h2 id="case-where-title">{t('caseWhereTitle')}</h2>
      <p className="muted">{t('caseWhereLegend')}</p>
      {outline && <style>{outline}</style>}
      <InstanceDiagram
        definition={instance.diagram}
        locale={locale}
        label={t('caseWhereDiagram', {
          name: localize(instance.definition.name, locale) ?? instance.definition.key,
          version: instance.definition.version,
          task: taskName,
        })}
        {...instanceMarks(instance)}
        texts={{
          waiting: t('badgeWaiting', { count: '{count}' }),
          done: t('badgeDone', { count: '{count}' }),
          incident: t('badgeIncident'),
        }}
      />
    </section>
  );
}
