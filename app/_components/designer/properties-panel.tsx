'use client';

/**
 * The selected element's properties, written into the diagram through bpmn-js's modeling commands
 * (so undo, redo and autosave see them) as the `trellis:` attributes the importer reads: one model,
 * no side file. Names in English and Vietnamese; a flow's condition, checked as FEEL while typed by
 * the engine's own parser; a user task's departments, assignee, form, due date and priority; a
 * timer's wait in words. Values are rendered as text.
 */
import { useEffect, useId, useState } from 'react';
import { FEEL_LANGUAGE } from '@/engine/bpmn/dialects';
import { businessRuleTaskSchema } from '@/engine/model/definition';
import { translator, type Locale } from '../../_i18n/messages';
import { AssignmentFields, type Person } from './assignment-fields';
import { ConnectorFields } from './connector-fields';
import { FeelField, type FeelVariable } from './feel-field';
import type { DiagramElement, Moddle, ModelerServices } from './modeler';
import { namesWrittenByPanel } from './trellis-modeling';

/** What the pickers offer: the company's forms and its other processes. */
export interface PanelCatalog {
  /** The variables an element's or a flow's expressions can read (the engine's typed-variable analysis). */
  variablesAt: (id: string) => FeelVariable[];
  departments: { key: string; name: string }[];
  forms: { key: string; title: string; version: number }[];
  processes: { key: string; name: string; published: boolean }[];
  decisions: { key: string; name: string; version: number }[];
  people: Person[];
}

const UNITS = [
  ['M', 'minutes'],
  ['H', 'hours'],
  ['D', 'days'],
  ['W', 'weeks'],
] as const;

export function PropertiesPanel({
  element,
  services,
  locale,
  departments,
  forms,
  processes,
  decisions,
  people,
  variablesAt,
}: { element: DiagramElement | null; services: ModelerServices; locale: Locale } & PanelCatalog) {
  const t = translator(locale);
  if (!element) return <p className="muted">{t('propsNothingSelected')}</p>;
  const bo = element.businessObject;
  const type = element.type.replace(/^bpmn:/, '');
  const gatewaySource =
    type === 'SequenceFlow' &&
    /Gateway$/.test(String(bo.sourceRef?.$type ?? '')) &&
    bo.sourceRef?.$type !== 'bpmn:ParallelGateway';
  const timer = bo.eventDefinitions?.find((d) => d.$type === 'bpmn:TimerEventDefinition');
  const message = bo.eventDefinitions?.find((d) => d.$type === 'bpmn:MessageEventDefinition');
  const signal = bo.eventDefinitions?.find((d) => d.$type === 'bpmn:SignalEventDefinition');
  // The process's own start (a none start event on the process, not in a subprocess) shows the start form.
  const processStart =
    type === 'StartEvent' &&
    !bo.eventDefinitions?.length &&
    (bo.$parent as Moddle | undefined)?.$type === 'bpmn:Process';
  return (
    <div className="props" data-testid="properties" key={element.id}>
      <p className="muted small">
        {type} · <code>{element.id}</code>
      </p>
      {type !== 'Process' && <NameFields element={element} services={services} locale={locale} />}
      {gatewaySource && (
        <ConditionField element={element} services={services} locale={locale} variables={variablesAt(element.id)} />
      )}
      {processStart && <StartFormField element={element} services={services} locale={locale} forms={forms} />}
      {type === 'UserTask' && (
        <UserTaskFields
          element={element}
          services={services}
          locale={locale}
          departments={departments}
          forms={forms}
          people={people}
          variables={variablesAt(element.id)}
        />
      )}
      {(bo.loopCharacteristics as Moddle | undefined)?.$type === 'bpmn:MultiInstanceLoopCharacteristics' && (
        <MultiInstanceFields
          element={element}
          loop={bo.loopCharacteristics as Moddle}
          services={services}
          locale={locale}
          variables={variablesAt(element.id)}
        />
      )}
      {type === 'ServiceTask' && <ConnectorFields element={element} services={services} locale={locale} />}
      {type === 'BusinessRuleTask' && (
        <DecisionFields element={element} services={services} locale={locale} decisions={decisions} />
      )}
      {type === 'CallActivity' && (
        <CalledProcessField element={element} services={services} locale={locale} processes={processes} />
      )}
      {(message || type === 'ReceiveTask' || type === 'SendTask') && (
        <EventNameField element={element} target={message ?? bo} kind="message" services={services} locale={locale} />
      )}
      {signal && <EventNameField element={element} target={signal} kind="signal" services={services} locale={locale} />}
      {(message || type === 'ReceiveTask') && (
        <CorrelationField
          element={element}
          target={message ?? bo}
          services={services}
          locale={locale}
          variables={variablesAt(element.id)}
        />
      )}
      {timer && <TimerField element={element} definition={timer} services={services} locale={locale} />}
      <DocumentationField element={element} services={services} locale={locale} />
    </div>
  );
}

/** A text field that writes when it loses focus or on Enter, not on every key (one command per edit). */
function CommitField({
  label,
  value,
  onCommit,
  onTyping,
  hint,
  error,
  placeholder,
  testId,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  onTyping?: (v: string) => void;
  hint?: string;
  error?: string | null;
  placeholder?: string;
  testId?: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  // Reads the field itself: a key pressed right after typing may come before React re-renders.
  const commit = (typed: string) => {
    if (typed !== value) onCommit(typed);
  };
  return (
    <label htmlFor={id} className="props-field">
      {label}
      <input
        id={id}
        value={draft}
        placeholder={placeholder}
        onChange={(e) => {
          setDraft(e.target.value);
          onTyping?.(e.target.value);
        }}
        onBlur={(e) => commit(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Enter' && commit(e.currentTarget.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-note` : undefined}
        data-testid={testId}
        autoComplete="off"
      />
      {(error || hint) && (
        <span id={`${id}-note`} className={error ? 'field-error' : 'muted small'} role={error ? 'alert' : undefined}>
          {error ?? hint}
        </span>
      )}
    </label>
  );
}

const translationsOf = (bo: DiagramElement['businessObject']) =>
  (bo.extensionElements?.values ?? []).filter(
    (v) => v.$type === 'trellis:Translation' && (v.of === undefined || v.of === 'name'),
  );

function NameFields({
  element,
  services,
  locale,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
}) {
  const t = translator(locale);
  const bo = element.businessObject;
  const own = (lang: string) =>
    (translationsOf(bo).find((v) => v.lang === lang)?.text as string | undefined) ??
    (translationsOf(bo).length === 0 && lang === 'en' ? (bo.name ?? '') : '');
  const write = (lang: 'en' | 'vi', text: string) => {
    const values = (bo.extensionElements?.values ?? []).filter(
      (v) => !(v.$type === 'trellis:Translation' && (v.of === undefined || v.of === 'name')),
    );
    const names = { en: own('en'), vi: own('vi'), [lang]: text.trim() };
    for (const [l, value] of Object.entries(names))
      if (value) values.push(services.moddle.create('trellis:Translation', { lang: l, text: value }));
    const extensionElements = services.moddle.create('bpmn:ExtensionElements', { values });
    // The canvas shows the name in the page's language, or the other one while that is empty.
    const shown = names[locale] || names[locale === 'en' ? 'vi' : 'en'] || undefined;
    // bpmn-js updates the label in the same command: not a name typed on the canvas (trellis-modeling.ts).
    namesWrittenByPanel.add(bo);
    try {
      services.modeling.updateProperties(element, { extensionElements, name: shown });
    } finally {
      namesWrittenByPanel.delete(bo);
    }
  };
  return (
    <>
      <CommitField label={t('fieldNameEn')} value={own('en')} onCommit={(v) => write('en', v)} testId="prop-name-en" />
      <CommitField label={t('fieldNameVi')} value={own('vi')} onCommit={(v) => write('vi', v)} testId="prop-name-vi" />
    </>
  );
}

function ConditionField({
  element,
  services,
  locale,
  variables,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  variables: FeelVariable[];
}) {
  const t = translator(locale);
  const bo = element.businessObject;
  const current = String((bo.conditionExpression as Moddle | undefined)?.body ?? '');
  const source = bo.sourceRef as Moddle | undefined;
  const isDefault = source?.default === bo;
  const write = (text: string) => {
    const body = text.trim();
    services.modeling.updateProperties(element, {
      conditionExpression: body
        ? services.moddle.create('bpmn:FormalExpression', { body, language: FEEL_LANGUAGE })
        : undefined,
    });
  };
  return (
    <>
      <FeelField
        label={t('propsCondition')}
        value={current}
        onCommit={write}
        variables={variables}
        hint={isDefault ? t('propsDefaultFlowHint') : t('propsConditionHint')}
        invalidMessage={(message) => t('propsConditionInvalid', { message })}
        placeholder="days > 5"
        testId="prop-condition"
      />
      <label className="props-check">
        <input
          type="checkbox"
          checked={isDefault}
          onChange={(e) => {
            // The default flow of a gateway has no condition: it is taken when none holds.
            if (e.target.checked) services.modeling.updateProperties(element, { conditionExpression: undefined });
            // Through the gateway's shape, so that bpmn-js redraws the old and the new default flow's mark.
            const gateway = services.elementRegistry.get(String(source?.id));
            if (gateway) services.modeling.updateProperties(gateway, { default: e.target.checked ? bo : undefined });
          }}
        />
        {t('propsDefaultFlow')}
      </label>
    </>
  );
}

function UserTaskFields({
  element,
  services,
  locale,
  departments,
  forms,
  people,
  variables,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  departments: PanelCatalog['departments'];
  forms: PanelCatalog['forms'];
  people: PanelCatalog['people'];
  variables: FeelVariable[];
}) {
  const t = translator(locale);
  const bo = element.businessObject;
  const attr = (name: string) => String(bo.get(`trellis:${name}`) ?? '');
  const set = (name: string, value: string) =>
    services.modeling.updateProperties(element, {
      [`trellis:${name}`]: value.trim() === '' ? undefined : value.trim(),
    });
  const groups = attr('candidateGroups')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const groupsAreExpression = attr('candidateGroups').startsWith('=');
  return (
    <>
      <fieldset className="props-group">
        <legend>{t('propsDepartments')}</legend>
        {groupsAreExpression ? (
          <CommitField
            label={t('propsDepartmentsExpression')}
            value={attr('candidateGroups')}
            onCommit={(v) => set('candidateGroups', v)}
          />
        ) : (
          departments.map((d) => (
            <label key={d.key} className="props-check">
              <input
                type="checkbox"
                checked={groups.includes(d.key)}
                onChange={(e) =>
                  set(
                    'candidateGroups',
                    (e.target.checked ? [...groups, d.key] : groups.filter((g) => g !== d.key)).join(', '),
                  )
                }
              />
              {d.name}
            </label>
          ))
        )}
      </fieldset>
      <label className="props-check">
        <input
          type="checkbox"
          checked={attr('candidateRole') === 'manager'}
          onChange={(e) => set('candidateRole', e.target.checked ? 'manager' : '')}
          data-testid="prop-managers-only"
        />
        {t('propsManagersOnly')}
      </label>
      <FourEyesFields element={element} services={services} locale={locale} />
      <Picker
        label={t('propsForm')}
        value={attr('formKey')}
        options={forms.map((f) => ({ value: f.key, label: `${f.title} (${f.key}, v${f.version})` }))}
        none={t('propsFormNone')}
        onPick={(v) => set('formKey', v)}
        hint={t('propsFormHint')}
        testId="prop-form"
      />
      <FormLinks value={attr('formKey')} locale={locale} suggested={suggestedFormKey(element.id)} />
      <AssignmentFields element={element} services={services} locale={locale} people={people} variables={variables} />
    </>
  );
}

/** A select of the catalog's entries, with "none"; a value the catalog does not have stays shown (and named so). */
function Picker({
  label,
  value,
  options,
  none,
  onPick,
  hint,
  testId,
}: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  none: string;
  onPick: (v: string) => void;
  hint?: string;
  testId?: string;
}) {
  const id = useId();
  const missing = value !== '' && !options.some((o) => o.value === value);
  return (
    <label htmlFor={id} className="props-field">
      {label}
      <select
        id={id}
        value={value}
        onChange={(e) => onPick(e.target.value)}
        data-testid={testId}
        aria-describedby={hint ? `${id}-note` : undefined}
      >
        <option value="">{none}</option>
        {missing && <option value={value}>{value} ?</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <span id={`${id}-note`} className="muted small">
          {hint}
        </span>
      )}
    </label>
  );
}

/** Beside a form picker: open the picked form in the form designer, or make a new one (in another tab; the draft keeps saving here). */
function FormLinks({ value, locale, suggested }: { value: string; locale: Locale; suggested: string }) {
  const t = translator(locale);
  return (
    <span className="props-links small">
      {value && (
        <a href={`/forms/${encodeURIComponent(value)}`} target="_blank" rel="noopener" data-testid="open-form">
          {t('propsOpenForm', { key: value })}
        </a>
      )}
      <a href={`/forms/new?key=${encodeURIComponent(suggested)}`} target="_blank" rel="noopener" data-testid="new-form">
        {t('propsNewForm')}
      </a>
    </span>
  );
}

/** A form key suggested from an element's id: lower-case words joined by hyphens (reviewInvoice → review-invoice-form). */
export function suggestedFormKey(id: string): string {
  const words = id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const key = `${/^[a-z]/.test(words) ? words : `form-${words}`}-form`.replace(/-+/g, '-');
  return key.slice(0, 60);
}

/** The process's start form (trellis:startForm on the process), picked on its start event. */
function StartFormField({
  element,
  services,
  locale,
  forms,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  forms: PanelCatalog['forms'];
}) {
  const t = translator(locale);
  const process = element.businessObject.$parent as Moddle;
  const value = String(process.get('trellis:startForm') ?? '');
  const key = String(process.get('trellis:key') ?? process.id ?? 'start');
  return (
    <>
      <Picker
        label={t('propsStartForm')}
        value={value}
        options={forms.map((f) => ({ value: f.key, label: `${f.title} (${f.key}, v${f.version})` }))}
        none={t('propsFormNone')}
        onPick={(v) =>
          services.modeling.updateModdleProperties(element, process, { 'trellis:startForm': v || undefined })
        }
        hint={t('propsStartFormHint')}
        testId="prop-start-form"
      />
      <FormLinks value={value} locale={locale} suggested={suggestedFormKey(`${key}-start`)} />
    </>
  );
}

/** Four-eyes rule: who may not work the task — whoever started the process, whoever completed the tasks ticked. */
function FourEyesFields({
  element,
  services,
  locale,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
}) {
  const t = translator(locale);
  const bo = element.businessObject;
  const notInitiator = bo.get('trellis:notInitiator') === true;
  const excluded = String(bo.get('trellis:notCompletedBy') ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const others = services.elementRegistry.filter((e) => e.type === 'bpmn:UserTask' && e.id !== element.id);
  const setExcluded = (ids: string[]) =>
    services.modeling.updateProperties(element, {
      'trellis:notCompletedBy': ids.length > 0 ? ids.join(', ') : undefined,
    });
  return (
    <fieldset className="props-group">
      <legend>{t('propsFourEyes')}</legend>
      <label className="props-check">
        <input
          type="checkbox"
          checked={notInitiator}
          onChange={(e) =>
            services.modeling.updateProperties(element, { 'trellis:notInitiator': e.target.checked ? true : undefined })
          }
          data-testid="prop-not-initiator"
        />
        {t('propsNotInitiator')}
      </label>
      {others.map((o) => (
        <label key={o.id} className="props-check">
          <input
            type="checkbox"
            checked={excluded.includes(o.id)}
            onChange={(e) => setExcluded(e.target.checked ? [...excluded, o.id] : excluded.filter((x) => x !== o.id))}
          />
          {t('propsNotCompletedBy', { name: o.businessObject.name || o.id })}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * Multi-instance: "for each item of" a list (or a number of times), what each run calls its item,
 * where the runs' results are collected, and "done when" (e.g. when two of them approve).
 */
function MultiInstanceFields({
  element,
  loop,
  services,
  locale,
  variables,
}: {
  element: DiagramElement;
  loop: Moddle;
  services: ModelerServices;
  locale: Locale;
  variables: FeelVariable[];
}) {
  const t = translator(locale);
  const attr = (name: string) => String(loop.get(`trellis:${name}`) ?? '');
  const set = (name: string, value: string) =>
    services.modeling.updateModdleProperties(element, loop, { [`trellis:${name}`]: value.trim() || undefined });
  const completion = String((loop.completionCondition as Moddle | undefined)?.body ?? '');
  const item = attr('elementVariable') || 'item';
  const inRun = [
    ...variables,
    { name: item, detail: t('propsLoopItemDetail') },
    { name: 'loopCounter', detail: 'number' },
  ];
  const counts = [
    ...inRun,
    { name: 'nrOfInstances', detail: 'number' },
    { name: 'nrOfCompletedInstances', detail: 'number' },
    { name: 'nrOfActiveInstances', detail: 'number' },
  ];
  const [approvals, setApprovals] = useState('2');
  const collected = attr('outputCollection');
  return (
    <fieldset className="props-group">
      <legend>{t('propsLoop')}</legend>
      <FeelField
        label={t('propsLoopCollection')}
        value={attr('collection')}
        onCommit={(v) => set('collection', v)}
        variables={variables}
        hint={t('propsLoopCollectionHint')}
        invalidMessage={(message) => t('propsConditionInvalid', { message })}
        placeholder="approvers"
        testId="prop-loop-collection"
      />
      <CommitField
        label={t('propsLoopItem')}
        value={attr('elementVariable')}
        onCommit={(v) => set('elementVariable', v)}
        placeholder="item"
      />
      <CommitField
        label={t('propsLoopOutput')}
        value={collected}
        onCommit={(v) => set('outputCollection', v)}
        hint={t('propsLoopOutputHint')}
        placeholder="decisions"
        testId="prop-loop-output"
      />
      <FeelField
        label={t('propsLoopDone')}
        value={completion}
        onCommit={(v) =>
          services.modeling.updateModdleProperties(element, loop, {
            completionCondition: v.trim()
              ? services.moddle.create('bpmn:FormalExpression', { body: v.trim() })
              : undefined,
          })
        }
        variables={collected ? [...counts, { name: collected, detail: 'list' }] : counts}
        hint={t('propsLoopDoneHint')}
        invalidMessage={(message) => t('propsConditionInvalid', { message })}
        placeholder="nrOfCompletedInstances >= 2"
        testId="prop-loop-done"
      />
      <div className="props-row">
        <label htmlFor={`${element.id}-approvals`} className="visually-hidden">
          {t('propsLoopApprovals')}
        </label>
        <input
          id={`${element.id}-approvals`}
          type="number"
          min={1}
          max={999}
          value={approvals}
          onChange={(e) => setApprovals(e.target.value)}
        />
        <button
          type="button"
          className="secondary"
          onClick={() => {
            if (!/^\d{1,3}$/.test(approvals)) return;
            // Each run's submission is collected; done when that many of them say "approve".
            const list = collected || 'decisions';
            services.modeling.updateModdleProperties(element, loop, {
              'trellis:outputCollection': list,
              completionCondition: services.moddle.create('bpmn:FormalExpression', {
                body: approvalsDone(list, Number(approvals)),
              }),
            });
          }}
          data-testid="prop-loop-approvals"
        >
          {t('propsLoopApprovals')}
        </button>
      </div>
    </fieldset>
  );
}

/** "Done when N of them approve": the runs' collected submissions, counted by their decision. */
export function approvalsDone(list: string, n: number): string {
  return `count(${list}[item.decision = "approve"]) >= ${n}`;
}

/** A business rule task's decision table (the company's, latest version at publish) and where its result goes. */
function DecisionFields({
  element,
  services,
  locale,
  decisions,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  decisions: PanelCatalog['decisions'];
}) {
  const t = translator(locale);
  const bo = element.businessObject;
  const attr = (name: string) => String(bo.get(`trellis:${name}`) ?? '');
  const set = (name: string, value: string) =>
    services.modeling.updateProperties(element, { [`trellis:${name}`]: value.trim() || undefined });
  // The engine's own rule for a variable name (the definition schema), not a copy of it.
  const variableProblem =
    attr('resultVariable') !== '' &&
    !businessRuleTaskSchema.shape.resultVariable.safeParse(attr('resultVariable')).success;
  return (
    <>
      <Picker
        label={t('propsDecision')}
        value={attr('decisionRef')}
        options={decisions.map((d) => ({ value: d.key, label: `${d.name} (${d.key}, v${d.version})` }))}
        none={t('propsFormNone')}
        onPick={(v) => set('decisionRef', v)}
        hint={t('propsDecisionHint')}
        testId="prop-decision"
      />
      <span className="props-links small">
        {attr('decisionRef') && (
          <a
            href={`/decisions/${encodeURIComponent(attr('decisionRef'))}`}
            target="_blank"
            rel="noopener"
            data-testid="open-decision"
          >
            {t('decisionOpenInEditor', { key: attr('decisionRef') })}
          </a>
        )}
        <a
          href={`/decisions/new?key=${encodeURIComponent(suggestedFormKey(element.id).replace(/-form$/, '-table'))}`}
          target="_blank"
          rel="noopener"
          data-testid="new-decision"
        >
          {t('decisionNewFromTask')}
        </a>
      </span>
      <CommitField
        label={t('propsResultVariable')}
        value={attr('resultVariable')}
        onCommit={(v) => set('resultVariable', v)}
        placeholder="approver"
        error={variableProblem ? t('propsResultVariableInvalid') : null}
        testId="prop-result-variable"
      />
      <Picker
        label={t('propsMapResult')}
        value={attr('mapDecisionResult')}
        options={(['singleEntry', 'singleResult', 'collectEntries'] as const).map((m) => ({
          value: m,
          label: t(`mapResult_${m}`),
        }))}
        none={t('mapResult_resultList')}
        onPick={(v) => set('mapDecisionResult', v)}
        testId="prop-map-result"
      />
    </>
  );
}

/** The process a call activity starts (its key; the latest published version runs). */
function CalledProcessField({
  element,
  services,
  locale,
  processes,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  processes: PanelCatalog['processes'];
}) {
  const t = translator(locale);
  const value = String(element.businessObject.get('calledElement') ?? '');
  return (
    <Picker
      label={t('propsCalledProcess')}
      value={value}
      options={processes.map((p) => ({
        value: p.key,
        label: `${p.name} (${p.key})${p.published ? '' : ` — ${t('propsNotPublished')}`}`,
      }))}
      none={t('propsFormNone')}
      onPick={(v) => services.modeling.updateProperties(element, { calledElement: v || undefined })}
      hint={t('propsCalledProcessHint')}
      testId="prop-called-process"
    />
  );
}

/** The name a message or signal goes by (its bpmn:Message or bpmn:Signal): what a sender names, the same for every element that shares it. */
function EventNameField({
  element,
  target,
  kind,
  services,
  locale,
}: {
  element: DiagramElement;
  target: Moddle;
  kind: 'message' | 'signal';
  services: ModelerServices;
  locale: Locale;
}) {
  const t = translator(locale);
  const refProp = kind === 'message' ? 'messageRef' : 'signalRef';
  const refType = kind === 'message' ? 'bpmn:Message' : 'bpmn:Signal';
  const ref = target[refProp] as Moddle | undefined;
  const current = ref ? String(ref.name ?? '') : '';
  const problem = (v: string) =>
    v.trim().length > 200 || v.trim().startsWith('=') || /^[$#]\{/.test(v.trim()) ? t('propsEventNameInvalid') : null;
  const [typed, setTyped] = useState(current);
  const write = (v: string) => {
    const name = v.trim();
    if (problem(name)) return;
    if (!name) {
      if (ref) services.modeling.updateModdleProperties(element, target, { [refProp]: undefined });
      return;
    }
    let definitions = element.businessObject as Moddle | undefined;
    while (definitions && definitions.$type !== 'bpmn:Definitions')
      definitions = definitions.$parent as Moddle | undefined;
    if (!definitions) return;
    const roots = (definitions.rootElements as Moddle[] | undefined) ?? [];
    // A name another element already waits for or sends: the same message.
    const same = roots.find((r) => r.$type === refType && r.name === name);
    if (same) {
      if (same !== ref) services.modeling.updateModdleProperties(element, target, { [refProp]: same });
      return;
    }
    if (ref) {
      services.modeling.updateModdleProperties(element, ref, { name });
      return;
    }
    const prefix = kind === 'message' ? 'Message' : 'Signal';
    let id = `${prefix}_${element.id}`;
    for (let n = 2; roots.some((r) => r.id === id); n++) id = `${prefix}_${element.id}_${n}`;
    const created = services.moddle.create(refType, { id, name });
    services.modeling.updateModdleProperties(element, definitions, { rootElements: [...roots, created] });
    services.modeling.updateModdleProperties(element, target, { [refProp]: created });
  };
  return (
    <CommitField
      label={t(kind === 'message' ? 'propsMessageName' : 'propsSignalName')}
      value={current}
      onCommit={write}
      onTyping={setTyped}
      placeholder={String(element.businessObject.name ?? element.id)}
      hint={t(kind === 'message' ? 'propsMessageNameHint' : 'propsSignalNameHint')}
      error={problem(typed)}
      testId={`prop-${kind}-name`}
    />
  );
}

/** Documentation: for whoever reads the process; one text, shown as text. */
function DocumentationField({
  element,
  services,
  locale,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
}) {
  const t = translator(locale);
  const id = useId();
  const documentation = (element.businessObject.documentation as Moddle[] | undefined) ?? [];
  const current = String(documentation[0]?.text ?? '');
  const write = (v: string) => {
    const text = v.trim();
    if (text === current) return;
    services.modeling.updateProperties(element, {
      documentation: text ? [services.moddle.create('bpmn:Documentation', { text })] : [],
    });
  };
  return (
    <label htmlFor={id} className="props-field">
      {t('propsDocumentation')}
      <textarea
        id={id}
        key={current}
        defaultValue={current}
        rows={3}
        maxLength={10_000}
        onBlur={(e) => write(e.currentTarget.value)}
        aria-describedby={`${id}-note`}
        data-testid="prop-documentation"
      />
      <span id={`${id}-note`} className="muted small">
        {t('propsDocumentationHint')}
      </span>
    </label>
  );
}

/** Which instance a message reaches: its correlation key (FEEL), checked as typed. */
function CorrelationField({
  element,
  target,
  services,
  locale,
  variables,
}: {
  element: DiagramElement;
  target: Moddle;
  services: ModelerServices;
  locale: Locale;
  variables: FeelVariable[];
}) {
  const t = translator(locale);
  return (
    <FeelField
      label={t('propsCorrelationKey')}
      value={String(target.get('trellis:correlationKey') ?? '')}
      onCommit={(v) =>
        services.modeling.updateModdleProperties(element, target, { 'trellis:correlationKey': v.trim() || undefined })
      }
      variables={variables}
      hint={t('propsCorrelationKeyHint')}
      invalidMessage={(message) => t('propsConditionInvalid', { message })}
      placeholder="invoiceNumber"
      testId="prop-correlation-key"
    />
  );
}

/** What a timer waits for, in words: a wait, a date and time, or a weekly time. */
type TimerKind = 'duration' | 'date' | 'weekly';

/** A weekday's ISO number (1 = Monday) and the next date on or after `from` that falls on it, at hh:mm local time, with the local offset. */
export function nextWeekly(weekday: number, time: string, from: Date): string {
  const [h, m] = time.split(':').map(Number);
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate(), h ?? 9, m ?? 0, 0, 0);
  const iso = ((d.getDay() + 6) % 7) + 1;
  d.setDate(d.getDate() + ((weekday - iso + 7) % 7));
  if (d.getTime() < from.getTime()) d.setDate(d.getDate() + 7);
  return localIso(d);
}

/** A local date and time with its UTC offset, as ISO 8601 (2026-12-07T09:00:00+07:00). */
export function localIso(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:00${offset >= 0 ? '+' : '-'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** Reads a timer's ISO text back into the panel's words (undefined: written some other way, e.g. FEEL or a cron, kept as is). */
export function timerWords(definition: {
  duration?: string;
  date?: string;
  cycle?: string;
}):
  | { kind: 'duration'; amount: string; unit: string }
  | { kind: 'date'; local: string }
  | { kind: 'weekly'; weekday: number; time: string }
  | undefined {
  const d = definition.duration && /^P(?:(\d+)([DW])|T(\d+)([HM]))$/.exec(definition.duration);
  if (d) return { kind: 'duration', amount: d[1] ?? d[3] ?? '', unit: d[2] ?? d[4] ?? 'D' };
  const at = definition.date && /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(definition.date);
  if (at) return { kind: 'date', local: `${at[1]}T${at[2]}` };
  const c = definition.cycle && /^R\/(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})[^/]*\/P(?:1W|7D)$/.exec(definition.cycle);
  if (c) {
    const day = new Date(Number(c[1]), Number(c[2]) - 1, Number(c[3]));
    return { kind: 'weekly', weekday: ((day.getDay() + 6) % 7) + 1, time: c[4]! };
  }
  return undefined;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** A timer in words ("2 days", "on 31/12 at 17:00", "every Monday at 09:00"), written as the ISO 8601 the engine runs. */
function TimerField({
  element,
  definition,
  services,
  locale,
}: {
  element: DiagramElement;
  definition: Moddle;
  services: ModelerServices;
  locale: Locale;
}) {
  const t = translator(locale);
  const body = (name: string) => String((definition[name] as Moddle | undefined)?.body ?? '') || undefined;
  const current = { duration: body('timeDuration'), date: body('timeDate'), cycle: body('timeCycle') };
  const words = timerWords(current);
  const [kind, setKind] = useState<TimerKind>(
    words?.kind ?? (current.date ? 'date' : current.cycle ? 'weekly' : 'duration'),
  );
  const [amount, setAmount] = useState(words?.kind === 'duration' ? words.amount : '');
  const [unit, setUnit] = useState<string>(words?.kind === 'duration' ? words.unit : 'D');
  const [local, setLocal] = useState(words?.kind === 'date' ? words.local : '');
  const [weekday, setWeekday] = useState(words?.kind === 'weekly' ? words.weekday : 1);
  const [time, setTime] = useState(words?.kind === 'weekly' ? words.time : '09:00');
  const write = (field: 'timeDuration' | 'timeDate' | 'timeCycle', text: string) => {
    const props: Record<string, unknown> = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
    props[field] = services.moddle.create('bpmn:FormalExpression', { body: text });
    services.modeling.updateModdleProperties(element, definition, props);
  };
  const writeDuration = (n: string, u: string) => {
    if (!/^\d{1,4}$/.test(n) || Number(n) === 0) return;
    write('timeDuration', u === 'H' || u === 'M' ? `PT${n}${u}` : `P${n}${u}`);
  };
  const writeDate = (value: string) => {
    const d = new Date(value);
    if (!value || Number.isNaN(d.getTime())) return;
    write('timeDate', localIso(d));
  };
  const writeWeekly = (day: number, hhmm: string) => {
    if (!/^\d{2}:\d{2}$/.test(hhmm)) return;
    write('timeCycle', `R/${nextWeekly(day, hhmm, new Date())}/P1W`);
  };
  const id = useId();
  const iso = current.duration ?? current.date ?? current.cycle;
  const after =
    element.type === 'bpmn:BoundaryEvent'
      ? t('propsTimerAfterTask')
      : element.type === 'bpmn:StartEvent'
        ? t('propsTimerAfterPublish')
        : t('propsTimerAfterArrival');
  return (
    <fieldset className="props-group">
      <legend>{t('propsTimerWhen')}</legend>
      <label htmlFor={`${id}-k`} className="props-field">
        {t('propsTimerKind')}
        <select
          id={`${id}-k`}
          value={kind}
          onChange={(e) => setKind(e.target.value as TimerKind)}
          data-testid="prop-timer-kind"
        >
          <option value="duration">{t('propsTimerKind_duration')}</option>
          <option value="date">{t('propsTimerKind_date')}</option>
          <option value="weekly">{t('propsTimerKind_weekly')}</option>
        </select>
      </label>
      {kind === 'duration' && (
        <div className="props-row">
          <label htmlFor={`${id}-n`} className="visually-hidden">
            {t('propsTimerAmount')}
          </label>
          <input
            id={`${id}-n`}
            type="number"
            min={1}
            max={9999}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            onBlur={() => writeDuration(amount, unit)}
            data-testid="prop-timer-amount"
          />
          <label htmlFor={`${id}-u`} className="visually-hidden">
            {t('propsTimerUnit')}
          </label>
          <select
            id={`${id}-u`}
            value={unit}
            onChange={(e) => {
              setUnit(e.target.value);
              writeDuration(amount, e.target.value);
            }}
            data-testid="prop-timer-unit"
          >
            {UNITS.map(([u, key]) => (
              <option key={u} value={u}>
                {t(`propsUnit_${key}`)}
              </option>
            ))}
          </select>
          <span className="muted small">{after}</span>
        </div>
      )}
      {kind === 'date' && (
        <label htmlFor={`${id}-d`} className="props-field">
          {t('propsTimerDate')}
          <input
            id={`${id}-d`}
            type="datetime-local"
            value={local}
            onChange={(e) => setLocal(e.target.value)}
            onBlur={() => writeDate(local)}
            data-testid="prop-timer-date"
          />
        </label>
      )}
      {kind === 'weekly' && (
        <div className="props-row">
          <label htmlFor={`${id}-w`} className="visually-hidden">
            {t('propsTimerWeekday')}
          </label>
          <select
            id={`${id}-w`}
            value={weekday}
            onChange={(e) => {
              setWeekday(Number(e.target.value));
              writeWeekly(Number(e.target.value), time);
            }}
            data-testid="prop-timer-weekday"
          >
            {WEEKDAYS.map((d) => (
              <option key={d} value={d}>
                {t(`propsWeekday_${d}`)}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-t`} className="visually-hidden">
            {t('propsTimerTime')}
          </label>
          <input
            id={`${id}-t`}
            type="time"
            value={time}
            onChange={(e) => setTime(e.target.value)}
            onBlur={() => writeWeekly(weekday, time)}
            data-testid="prop-timer-time"
          />
        </div>
      )}
      <span className="muted small">
        {iso ? (words ? t('propsTimerIs', { iso }) : t('propsTimerOther', { iso })) : t('propsTimerUnset')}
      </span>
    </fieldset>
  );
}
