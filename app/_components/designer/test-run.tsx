'use client';

/**
 * The designer's test run: the draft runs in the page on the engine's own simulator
 * (engine/simulate), the code `trellis test` runs. A test run is a scenario grown one step at a
 * time — start data, a task completed with its real form, a job completed or failed, a timer fired
 * by moving the clock, a message or signal sent — and replayed from the start after each step (the
 * engine is pure and deterministic, so the replay is the run). Saving it adds what the run ended
 * with as an `expect` step: the file is a scenario `trellis test` passes unchanged, beside the
 * process exported as JSON. Scenarios kept with the process run against the draft with one click.
 */
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { compile, type CompiledProcess } from '@/engine/compile/compile';
import type { Decision } from '@/engine/decisions/model';
import { localize, type LocalizedText, type ProcessDefinitionInput } from '@/engine/model/definition';
import { flatten } from '@/engine/model/scopes';
import { scenarioSchema, type Scenario, type ScenarioStep } from '@/engine/simulate/scenario';
import { replay, type Replay } from '@/engine/simulate/simulate';
import { formatDateTime } from '../../_i18n/format';
import { translator, type Locale } from '../../_i18n/messages';
import { JsonForm, type JsonFormProps } from '../json-form';
import { describeFailure, trpc } from '../trpc';
import { downloadText } from '../download';
import { INITIATOR_VARIABLE } from '../../_shared/started-by';

type FormDef = JsonFormProps['form'] & { key: string };
type Variables = Record<string, unknown>;
/** What a test run is: its start data and the steps taken since. */
interface RunScript {
  variables: Variables;
  steps: ScenarioStep[];
}
interface Kept {
  name: string;
  content: Record<string, unknown>;
}
type Verdict = { name: string; passed: boolean; failures: string[] };

export interface TestRunProps {
  processKey: string;
  locale: Locale;
  /** The draft as the modeler has it now (null while it is read). */
  definition: ProcessDefinitionInput | null;
  /** Marks the diagram: elements waiting now, and those completed so far. */
  onHighlight: (active: string[], done: string[]) => void;
  /** The company's members, for "started by". */
  people: { email: string; name: string; title: string | null }[];
}

/** Scenarios of a test run leave jobs open (a person chooses each result) and start at the simulator's clock. */
export function scenarioOf(
  processKey: string,
  script: RunScript,
  description?: string,
  ending?: Replay['result'],
): Scenario {
  const steps = [...script.steps];
  if (ending) {
    steps.push({
      expect: {
        status: ending.status === 'error' ? 'incident' : ending.status,
        path: ending.path,
        ...(ending.status === 'completed' ? {} : { active: ending.active }),
      },
    });
  }
  return scenarioSchema.parse({
    ...(description ? { description } : {}),
    definition: `${processKey}.json`,
    jobs: 'wait',
    variables: script.variables,
    steps,
  });
}

export function TestRun({ processKey, locale, definition, onHighlight, people }: TestRunProps) {
  const t = translator(locale);
  const [script, setScript] = useState<RunScript | null>(null);
  const [forms, setForms] = useState<Map<string, FormDef> | null>(null);
  const [kept, setKept] = useState<Kept[] | null>(null);
  const [verdicts, setVerdicts] = useState<Verdict[] | null>(null);
  const [notice, setNotice] = useState<{ error: boolean; text: string } | null>(null);

  // The decision tables its business rule tasks call: the company's latest versions, as a publish would pin them.
  const decisionKeys = useMemo(
    () =>
      [
        ...new Set(
          (definition ? flatten(definition as Parameters<typeof flatten>[0]).elements : []).flatMap((e) =>
            e.type === 'businessRuleTask' ? [e.decisionRef] : [],
          ),
        ),
      ].sort(),
    [definition],
  );
  const [decisions, setDecisions] = useState<Decision[] | null>(null);
  useEffect(() => {
    let cancelled = false;
    if (decisionKeys.length === 0) {
      setDecisions([]);
      return;
    }
    trpc.process.decisionTables
      .query({ keys: decisionKeys.filter((k) => /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/.test(k)) })
      .then((found) => !cancelled && setDecisions(found as Decision[]))
      .catch(() => !cancelled && setDecisions([]));
    return () => {
      cancelled = true;
    };
  }, [decisionKeys.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  const compiled = useMemo((): { process: CompiledProcess } | { error: string } | null => {
    if (!definition || decisions === null) return null;
    try {
      return { process: compile(definition, { decisions }) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }, [definition, decisions]);
  const process = compiled && 'process' in compiled ? compiled.process : null;

  const elements = useMemo(
    () => (definition ? flatten(definition as Parameters<typeof flatten>[0]).elements : []),
    [definition],
  );
  const nameOf = useCallback(
    (id: string) => {
      const e = elements.find((x) => x.id === id) as { name?: LocalizedText } | undefined;
      return (e?.name && localize(e.name, locale)) || id;
    },
    [elements, locale],
  );
  const formKeys = useMemo(() => {
    const keys = new Set<string>();
    if (definition?.startForm) keys.add(definition.startForm);
    for (const e of elements) if (e.type === 'userTask' && e.formKey) keys.add(e.formKey);
    return [...keys].sort();
  }, [definition, elements]);

  // The company's published forms the draft names (the latest version of each), as the inbox will show them.
  useEffect(() => {
    let cancelled = false;
    trpc.process.forms
      .query({ keys: formKeys })
      .then((found) => !cancelled && setForms(new Map(found.map((f) => [f.key, f as FormDef]))))
      .catch(() => !cancelled && setForms(new Map()));
    return () => {
      cancelled = true;
    };
  }, [formKeys.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadKept = useCallback(() => {
    trpc.process.scenarios
      .query({ key: processKey })
      .then((list) => setKept(list.map((s) => ({ name: s.name, content: s.content }))))
      .catch((error) => setNotice({ error: true, text: describeFailure(error).message }));
  }, [processKey]);
  useEffect(loadKept, [loadKept]);

  const run = useMemo(
    () => (process && script ? replay(process, scenarioOf(processKey, script)) : null),
    [process, script, processKey],
  );

  useEffect(() => {
    if (!run) onHighlight([], []);
    else onHighlight(run.result.active, run.result.path);
  }, [run, onHighlight]);
  useEffect(() => () => onHighlight([], []), [onHighlight]);

  const add = (step: ScenarioStep) => setScript((s) => (s ? { ...s, steps: [...s.steps, step] } : s));
  const lastStepFailed = run !== null && script !== null && run.stepsRun < script.steps.length;

  const download = (name: string, scenario: unknown) => {
    downloadText(
      `${processKey}.${fileSafe(name)}.scenario.json`,
      `${JSON.stringify(scenario, null, 2)}\n`,
      'application/json',
    );
  };

  const runKept = () => {
    if (!process || !kept) return;
    setVerdicts(
      kept.map((k) => {
        const parsed = scenarioSchema.safeParse(k.content);
        if (!parsed.success)
          return { name: k.name, passed: false, failures: [parsed.error.issues[0]?.message ?? 'not a scenario'] };
        const { result } = replay(process, parsed.data);
        const failures = [...result.failures, ...(result.status === 'error' ? [t('testRunDidNotStart')] : [])];
        return { name: k.name, passed: failures.length === 0, failures };
      }),
    );
  };

  if (compiled && 'error' in compiled) {
    return (
      <p className="notice error" role="alert">
        {t('testRunCannotRun', { reason: compiled.error })}
      </p>
    );
  }
  if (!process) return <p className="muted">{t('designerReadingModel')}</p>;

  return (
    <div className="test-run" data-testid="test-run">
      {notice && (
        <p className={notice.error ? 'notice error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {!script || !run ? (
        <StartPanel
          form={definition?.startForm ? forms?.get(definition.startForm) : undefined}
          formKey={definition?.startForm}
          formsLoaded={forms !== null}
          locale={locale}
          people={people}
          onStart={async (variables, startedBy) => {
            // What the server gives a person's start: who they are, their manager and departments (initiator.ts).
            try {
              const initiator = await trpc.process.testInitiator.query(startedBy ? { email: startedBy } : {});
              setNotice(null);
              setScript({ variables: { ...variables, [INITIATOR_VARIABLE]: initiator }, steps: [] });
            } catch (error) {
              setNotice({ error: true, text: describeFailure(error).message });
            }
          }}
        />
      ) : (
        <>
          <p className="test-run-status" role="status" data-testid="test-run-status">
            {t(`testRunStatus_${run.result.status}`)} ·{' '}
            {t('testRunClock', { time: formatDateTime(new Date(run.host.clock), locale) })}
          </p>
          {lastStepFailed && (
            <div className="notice error" role="alert">
              {run.result.failures.join(' ')}
            </div>
          )}
          {run.result.incidents.length > 0 && (
            <ul className="problems">
              {run.result.incidents.map((incident, i) => (
                <li key={i} className="problem problem-error">
                  <code>{incident.elementId}</code> {incident.message}
                </li>
              ))}
            </ul>
          )}
          <OpenNow run={run} forms={forms} locale={locale} nameOf={nameOf} onStep={add} />
          <div className="test-run-buttons">
            <button
              type="button"
              className="secondary"
              disabled={script.steps.length === 0}
              onClick={() => setScript({ ...script, steps: script.steps.slice(0, -1) })}
            >
              {t('testRunUndo')}
            </button>
            <button type="button" className="secondary" onClick={() => setScript(null)}>
              {t('testRunRestart')}
            </button>
          </div>
          <details open>
            <summary>{t('testRunPath', { count: run.result.path.length })}</summary>
            <ol className="test-run-path" data-testid="test-run-path">
              {run.result.path.map((id, i) => (
                <li key={`${id}-${i}`}>{nameOf(id)}</li>
              ))}
            </ol>
          </details>
          <details>
            <summary>{t('testRunVariables')}</summary>
            <pre className="test-run-variables" data-testid="test-run-variables">
              {JSON.stringify(run.result.variables, null, 2)}
            </pre>
          </details>
          {!lastStepFailed && (
            <SaveScenario
              locale={locale}
              onKeep={async (name) => {
                try {
                  await trpc.process.saveScenario.mutate({
                    key: processKey,
                    name,
                    content: scenarioOf(processKey, script, name, run.result) as unknown as Record<string, unknown>,
                  });
                  setNotice({ error: false, text: t('testRunKept', { name }) });
                  loadKept();
                } catch (error) {
                  setNotice({ error: true, text: describeFailure(error).message });
                }
              }}
              onDownload={(name) => download(name, scenarioOf(processKey, script, name, run.result))}
            />
          )}
        </>
      )}
      <section aria-labelledby="kept-title" className="test-run-kept">
        <h3 id="kept-title">{t('testRunKeptTitle')}</h3>
        {kept === null ? (
          <p className="muted">…</p>
        ) : kept.length === 0 ? (
          <p className="muted">{t('testRunNoneKept')}</p>
        ) : (
          <>
            <button type="button" className="secondary" onClick={runKept}>
              {t('testRunRunKept')}
            </button>
            <ul className="problems" data-testid="kept-scenarios">
              {kept.map((k) => {
                const verdict = verdicts?.find((v) => v.name === k.name);
                return (
                  <li
                    key={k.name}
                    className={
                      verdict ? (verdict.passed ? 'problem scenario-passed' : 'problem problem-error') : 'problem'
                    }
                    data-scenario={k.name}
                  >
                    <div>
                      {verdict && (
                        <span className="badge">{verdict.passed ? t('testRunPassed') : t('testRunFailed')}</span>
                      )}{' '}
                      {k.name}
                    </div>
                    {verdict && !verdict.passed && <div className="small">{verdict.failures.join(' ')}</div>}
                    <div className="test-run-buttons">
                      <button
                        type="button"
                        className="linkish"
                        onClick={() => download(k.name, k.content)}
                        aria-label={t('testRunDownloadNamed', { name: k.name })}
                      >
                        {t('testRunDownload')}
                      </button>
                      <button
                        type="button"
                        className="linkish"
                        aria-label={t('testRunDeleteNamed', { name: k.name })}
                        onClick={async () => {
                          try {
                            await trpc.process.deleteScenario.mutate({ key: processKey, name: k.name });
                            loadKept();
                          } catch (error) {
                            setNotice({ error: true, text: describeFailure(error).message });
                          }
                        }}
                      >
                        {t('testRunDelete')}
                      </button>
                    </div>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

/** The data a run starts with (the start form when the company has it published, else JSON), and who starts it. */
function StartPanel({
  form,
  formKey,
  formsLoaded,
  locale,
  people,
  onStart,
}: {
  form: FormDef | undefined;
  formKey: string | undefined;
  formsLoaded: boolean;
  locale: Locale;
  people: TestRunProps['people'];
  onStart: (variables: Variables, startedBy: string) => Promise<void>;
}) {
  const t = translator(locale);
  const id = useId();
  const [startedBy, setStartedBy] = useState('');
  if (!formsLoaded) return <p className="muted">…</p>;
  return (
    <section aria-labelledby="start-title">
      <h3 id="start-title">{t('testRunStartTitle')}</h3>
      <label htmlFor={`${id}-by`} className="props-field">
        {t('testRunStartedBy')}
        <select
          id={`${id}-by`}
          value={startedBy}
          onChange={(e) => setStartedBy(e.target.value)}
          aria-describedby={`${id}-by-note`}
          data-testid="test-run-started-by"
        >
          <option value="">{t('testRunStartedByMe')}</option>
          {people.map((p) => (
            <option key={p.email} value={p.email}>
              {p.name}
              {p.title ? ` · ${p.title}` : ''}
            </option>
          ))}
        </select>
        <span id={`${id}-by-note`} className="muted small">
          {t('testRunStartedByHint')}
        </span>
      </label>
      {form ? (
        <JsonForm
          form={form}
          locale={locale}
          submitLabel={t('testRunStart')}
          onSubmit={(data) => onStart(data, startedBy)}
        />
      ) : (
        <>
          {formKey && <p className="muted small">{t('testRunFormMissing', { key: formKey })}</p>}
          <JsonData
            label={t('testRunStartData')}
            submitLabel={t('testRunStart')}
            locale={locale}
            onSubmit={(data) => void onStart(data, startedBy)}
          />
        </>
      )}
    </section>
  );
}

/** What the run waits for now, each with what the designer may do about it. */
function OpenNow({
  run,
  forms,
  locale,
  nameOf,
  onStep,
}: {
  run: Replay;
  forms: Map<string, FormDef> | null;
  locale: Locale;
  nameOf: (id: string) => string;
  onStep: (step: ScenarioStep) => void;
}) {
  const t = translator(locale);
  const tasks = run.host.tasks().filter((task) => task.state === 'created');
  const jobs = run.host.jobs().filter((job) => job.state === 'created');
  const timers = run.host.pendingTimers();
  const waiting = run.host.subscriptions().filter((s) => s.state === 'waiting');
  const formKeyOf = (elementId: string) =>
    (
      run.host
        .instances()
        .flatMap((i) => [...i.process.elements.values()])
        .find((e) => e.id === elementId) as { formKey?: string } | undefined
    )?.formKey;
  if (tasks.length + jobs.length + timers.length + waiting.length === 0) return null;
  return (
    <section aria-labelledby="open-title">
      <h3 id="open-title">{t('testRunOpen')}</h3>
      <ul className="test-run-open">
        {tasks.map((task) => {
          const key = formKeyOf(task.elementId);
          const form = key ? forms?.get(key) : undefined;
          const label = `${nameOf(task.elementId)}${task.loopIndex === undefined ? '' : ` #${task.loopIndex + 1}`}`;
          const complete = (variables: Variables) =>
            onStep({
              complete: task.elementId,
              ...(task.loopIndex === undefined ? {} : { loopIndex: task.loopIndex }),
              variables,
            });
          return (
            <li key={`task-${task.elementId}-${task.loopIndex ?? ''}-${task.instanceId}`} data-open={task.elementId}>
              <details open>
                <summary>
                  {t('testRunTask', { name: label })}{' '}
                  <span className="muted small">
                    {[...task.candidateGroups, ...task.candidateUsers, task.assignee ?? ''].filter(Boolean).join(', ')}
                  </span>
                </summary>
                {form ? (
                  <JsonForm
                    form={form}
                    locale={locale}
                    submitLabel={t('testRunComplete')}
                    initialData={{ ...run.result.variables, ...(task.inputs ?? {}) }}
                    onSubmit={async (data) => complete(data)}
                  />
                ) : (
                  <>
                    {key && <p className="muted small">{t('testRunFormMissing', { key })}</p>}
                    <JsonData
                      label={t('testRunTaskData', { name: label })}
                      submitLabel={t('testRunComplete')}
                      locale={locale}
                      onSubmit={complete}
                    />
                  </>
                )}
              </details>
            </li>
          );
        })}
        {jobs.map((job) => (
          <li key={`job-${job.elementId}-${job.instanceId}`} data-open={job.elementId}>
            <details open>
              <summary>{t('testRunJob', { name: nameOf(job.elementId), type: job.taskType })}</summary>
              <JsonData
                label={t('testRunJobResult', { name: nameOf(job.elementId) })}
                submitLabel={t('testRunComplete')}
                locale={locale}
                onSubmit={(variables) => onStep({ completeJob: job.elementId, variables })}
              />
              <ErrorCode
                locale={locale}
                name={nameOf(job.elementId)}
                onThrow={(code) => onStep({ throwError: job.elementId, code })}
              />
            </details>
          </li>
        ))}
        {timers.map((timer) => (
          <li key={`timer-${timer.timerId}-${timer.instanceId}`} data-open={timer.elementId}>
            {t('testRunTimer', { name: nameOf(timer.elementId), time: formatDateTime(new Date(timer.dueAt), locale) })}{' '}
            <button
              type="button"
              className="secondary"
              onClick={() => onStep({ advance: durationBetween(run.host.clock, timer.dueAt) })}
            >
              {t('testRunFire', { name: nameOf(timer.elementId) })}
            </button>
          </li>
        ))}
        {waiting.map((s) => (
          <li key={`${s.kind}-${s.elementId}-${s.instanceId}`} data-open={s.elementId}>
            {t(s.kind === 'message' ? 'testRunMessage' : 'testRunSignal', {
              name: s.name,
              element: nameOf(s.elementId),
            })}{' '}
            <button
              type="button"
              className="secondary"
              onClick={() =>
                onStep(
                  s.kind === 'message' ? { message: s.name, correlationKey: s.correlationKey } : { signal: s.name },
                )
              }
            >
              {t('testRunSend', { name: s.name })}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Data typed as a JSON object (where no form is published): refused, saying why, until it parses. */
function JsonData({
  label,
  submitLabel,
  locale,
  onSubmit,
}: {
  label: string;
  submitLabel: string;
  locale: Locale;
  onSubmit: (variables: Variables) => void;
}) {
  const t = translator(locale);
  const id = useId();
  const [text, setText] = useState('{}');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = () => {
    let value: unknown;
    try {
      value = JSON.parse(text || '{}');
    } catch (error) {
      setProblem(t('testRunJsonInvalid', { reason: (error as Error).message }));
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      setProblem(t('testRunJsonNotObject'));
      return;
    }
    setProblem(null);
    onSubmit(value as Variables);
  };
  return (
    <div className="props-field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-note` : undefined}
        spellCheck={false}
      />
      {problem && (
        <span id={`${id}-note`} className="field-error" role="alert">
          {problem}
        </span>
      )}
      <button type="button" className="secondary" onClick={submit}>
        {submitLabel}
      </button>
    </div>
  );
}

function ErrorCode({ locale, name, onThrow }: { locale: Locale; name: string; onThrow: (code: string) => void }) {
  const t = translator(locale);
  const id = useId();
  const [code, setCode] = useState('');
  return (
    <div className="props-row">
      <label htmlFor={id} className="visually-hidden">
        {t('testRunErrorCode', { name })}
      </label>
      <input
        id={id}
        value={code}
        onChange={(e) => setCode(e.target.value)}
        placeholder={t('testRunErrorCodePlaceholder')}
        autoComplete="off"
      />
      <button type="button" className="secondary" disabled={!code.trim()} onClick={() => onThrow(code.trim())}>
        {t('testRunThrow')}
      </button>
    </div>
  );
}

function SaveScenario({
  locale,
  onKeep,
  onDownload,
}: {
  locale: Locale;
  onKeep: (name: string) => Promise<void>;
  onDownload: (name: string) => void;
}) {
  const t = translator(locale);
  const id = useId();
  const [name, setName] = useState('');
  const ok = name.trim().length > 0 && name.trim().length <= 100;
  return (
    <section aria-labelledby={`${id}-title`} className="test-run-save">
      <h3 id={`${id}-title`}>{t('testRunSaveTitle')}</h3>
      <label htmlFor={id} className="props-field">
        {t('scenarioName')}
        <input id={id} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </label>
      <div className="test-run-buttons">
        <button type="button" className="secondary" disabled={!ok} onClick={() => void onKeep(name.trim())}>
          {t('testRunKeep')}
        </button>
        <button type="button" className="secondary" disabled={!ok} onClick={() => onDownload(name.trim())}>
          {t('testRunDownload')}
        </button>
      </div>
    </section>
  );
}

/** The ISO 8601 duration from one instant to a later one, in seconds (PT0S when not later). */
export function durationBetween(from: string, to: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  return `PT${seconds}S`;
}

/** A name as part of a file name: letters (Vietnamese too) and digits kept, the rest dashes. */
export function fileSafe(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'scenario'
  );
}
