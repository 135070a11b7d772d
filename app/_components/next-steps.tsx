/**
 * "What happens next" on the task page: the engine's reading of what follows the task
 * (engine/model/next-steps.ts) in the reader's language — the next tasks and who gets them, waits,
 * ends, and every branch of a split with its condition as written. Names, conditions and
 * expressions are the designer's text: shown as text (conditions and expressions as code), never markup.
 */
import type { ReactNode } from 'react';
import { localize, type LocalizedText } from '@/engine/model/definition';
import type { Branch, DeclaredAssignment, Escape, NextStep, NextSteps, SplitKind } from '@/engine/model/next-steps';
import { translator, type Locale, type Translate } from '../_i18n/messages';
import { outcomeLabel } from './history-text';

interface Sources {
  /** Department names by key (instance.get's `departments`). */
  departments: Record<string, LocalizedText>;
  locale: Locale;
  t: Translate;
}

export function NextStepsView({
  steps,
  departments,
  locale,
}: {
  steps: NextSteps;
  departments: Record<string, LocalizedText>;
  locale: Locale;
}) {
  const t = translator(locale);
  const s: Sources = { departments, locale, t };
  return (
    <div className="next-steps" data-testid="next-steps">
      <p>{t('caseNextAfter')}</p>
      {steps.after.length === 0 ? (
        <p className="muted">{t('caseNextNothing')}</p>
      ) : (
        <StepList steps={steps.after} s={s} />
      )}
      {steps.boundaries.length > 0 && (
        <>
          <p>{t('caseNextBoundaries')}</p>
          <ul>
            {steps.boundaries.map((b) => (
              <li key={b.id} data-boundary={b.id}>
                {escapeText(b, s)}{' '}
                <span className="muted">({t(b.interrupting ? 'caseNextIsClosed' : 'caseNextStaysOpen')})</span>
                {b.next.length === 0 ? null : <StepList steps={b.next} s={s} />}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function StepList({ steps, s }: { steps: NextStep[]; s: Sources }) {
  return (
    <ul>
      {steps.map((step, i) => (
        <li key={`${'id' in step ? step.id : 'more'}-${i}`} data-step={step.kind}>
          <Step step={step} s={s} />
        </li>
      ))}
    </ul>
  );
}

function Step({ step, s }: { step: NextStep; s: Sources }): ReactNode {
  const { t, locale } = s;
  const name = (id: string, text?: LocalizedText) => localize(text, locale) ?? id;
  switch (step.kind) {
    case 'userTask':
      return (
        <>
          <strong>{t('caseNextTask', { name: name(step.id, step.name) })}</strong> {assignmentText(step.assignment, s)}
          {step.multiInstance && <span className="muted"> ({t('caseNextEachItem')})</span>}
        </>
      );
    case 'end': {
      const parts: ReactNode[] = [];
      if (step.outcome) parts.push(t('caseNextOutcome', { outcome: outcomeLabel(step.outcome, t) }));
      if (step.terminate) parts.push(t('caseNextTerminate'));
      if (step.throws) {
        const th = step.throws;
        parts.push(
          th.kind === 'error'
            ? th.code
              ? t('caseNextThrowsError', { code: th.code })
              : t('caseNextThrowsAnyError')
            : th.kind === 'escalation'
              ? t('caseNextThrowsEscalation')
              : th.kind === 'message'
                ? t('caseNextSendsMessage', { name: th.name })
                : t('caseNextSendsSignal', { name: th.name }),
        );
      }
      return (
        <>
          <strong>{step.name ? t('caseNextEndNamed', { name: name(step.id, step.name) }) : t('caseNextEnd')}</strong>
          {parts.length > 0 && <span> ({parts.join('; ')})</span>}
        </>
      );
    }
    case 'wait': {
      const w = step.waitsFor;
      const label = step.name ? <strong>{name(step.id, step.name)}: </strong> : null;
      if (w.kind === 'timer')
        return (
          <>
            {label}
            {t('caseNextWaitTimer')} <code>{w.duration ?? w.date ?? w.cycle ?? '—'}</code>
          </>
        );
      if (w.kind === 'conditional')
        return (
          <>
            {label}
            {t('caseNextWaitCondition')} <code>{w.condition}</code>
          </>
        );
      return (
        <>
          {label}
          {t(w.kind === 'message' ? 'caseNextWaitMessage' : 'caseNextWaitSignal', { name: w.name })}
        </>
      );
    }
    case 'callActivity':
      return (
        <>
          {step.name && <strong>{name(step.id, step.name)}: </strong>}
          {t('caseNextCall', { key: step.calledElement })}
        </>
      );
    case 'back':
      return <>{t('caseNextBack', { name: name(step.id, step.name) })}</>;
    case 'more':
      return <span className="muted">{t('caseNextMore')}</span>;
    case 'split':
      return (
        <>
          {step.name && <strong>{name(step.id, step.name)} </strong>}
          {t(
            step.split === 'exclusive'
              ? 'caseNextSplitExclusive'
              : step.split === 'inclusive'
                ? 'caseNextSplitInclusive'
                : step.split === 'parallel'
                  ? 'caseNextSplitParallel'
                  : 'caseNextSplitEvent',
          )}
          <ul>
            {step.branches.map((b) => (
              <li key={b.flowId} data-branch={b.flowId}>
                <BranchHead branch={b} split={step.split} s={s} />
                {b.next.length === 0 ? null : <StepList steps={b.next} s={s} />}
              </li>
            ))}
            {step.omitted > 0 && <li className="muted">{t('caseNextOmitted', { count: step.omitted })}</li>}
          </ul>
        </>
      );
  }
}

/** How a branch is taken: its condition as written, "Otherwise" for the default, its name if it has one. */
function BranchHead({ branch, split, s }: { branch: Branch; split: SplitKind; s: Sources }) {
  const { t, locale } = s;
  const label = localize(branch.name, locale);
  const head =
    branch.condition !== undefined ? (
      <>
        {t('caseNextIf')} <code>{branch.condition}</code>
      </>
    ) : branch.isDefault ? (
      <>{t('caseNextOtherwise')}</>
    ) : split === 'event' || label ? null : (
      <>{t('caseNextPath')}</>
    );
  return (
    <span className="next-branch">
      {label && <strong>{label}</strong>}
      {label && head ? ' — ' : null}
      {head}
      {': '}
    </span>
  );
}

/** Who gets a task, as the process declares it: department names, the managers of them, people, or the expression that decides. */
function assignmentText(a: DeclaredAssignment, s: Sources): ReactNode {
  const { t, locale } = s;
  const parts: ReactNode[] = [];
  if (Array.isArray(a.candidateGroups)) {
    const groups = a.candidateGroups.map((k) => localize(s.departments[k], locale) ?? k).join(', ');
    parts.push(t('caseNextFor', { whom: a.candidateRole === 'manager' ? t('managersOf', { groups }) : groups }));
  } else if (a.candidateGroups !== undefined) {
    parts.push(
      <span key="groups">
        {t('caseNextGroupsBy')} <code>{a.candidateGroups}</code>
        {a.candidateRole === 'manager' ? ` (${t('managersOf', { groups: '…' })})` : ''}
      </span>,
    );
  }
  if (a.assignee !== undefined)
    parts.push(
      <span key="assignee">
        {t('caseNextAssignee')} {declared(a.assignee)}
      </span>,
    );
  if (a.candidateUsers !== undefined) {
    parts.push(
      <span key="users">
        {t('caseNextCandidates')}{' '}
        {Array.isArray(a.candidateUsers) ? a.candidateUsers.join(', ') : declared(a.candidateUsers)}
      </span>,
    );
  }
  if (parts.length === 0) parts.push(t('caseNextAnyone'));
  return (
    <span className="muted">
      —{' '}
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 ? '; ' : ''}
          {p}
        </span>
      ))}
    </span>
  );
}

/** A declared value: an expression (`=…`) as code, a name or an address as text. */
function declared(value: string): ReactNode {
  return value.startsWith('=') ? <code>{value}</code> : value;
}

function escapeText(b: Escape, s: Sources): string {
  const { t, locale } = s;
  const e = b.event;
  if (e?.kind === 'timer') return t('caseNextOnTimer', { when: e.duration ?? e.date ?? e.cycle ?? '—' });
  if (e?.kind === 'message' || e?.kind === 'signal')
    return t(e.kind === 'message' ? 'caseNextOnMessage' : 'caseNextOnSignal', { name: e.name });
  if (e?.kind === 'error') return t('caseNextOnError');
  if (e?.kind === 'escalation') return t('caseNextOnEscalation');
  return t('caseNextOnOther', { name: localize(b.name, locale) ?? b.id });
}
