'use client';

/**
 * The form designer: a palette of field kinds, the form's fields (add by click, move up and down,
 * duplicate, delete with undo), the selected field's settings (a react-hook-form form whose zod
 * schema is the model's own, engine/forms/authoring.ts), and beside them the form as staff will
 * see it, in English and Vietnamese, rendered by the same RJSF renderer the task page uses, with
 * the same validation; a JSON tab shows the schema, uiSchema and texts it publishes. What stops
 * publishing is listed as it is edited (checkDesignForm, the rule the server applies again).
 * Labels, help and options are rendered as text.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { Component, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useFieldArray, useForm } from 'react-hook-form';
import {
  checkDesignForm,
  conditionsFor,
  designFieldSchema,
  FIELD_KINDS,
  keyFromLabel,
  newField,
  toFormDefinition,
  type DesignField,
  type DesignForm,
  type FieldKind,
  type ShowWhen,
} from '@/engine/forms/authoring';
import { isRunnablePattern } from '@/engine/forms/patterns';
import { translator, type Locale, type MessageKey } from '../../_i18n/messages';
import { JsonForm } from '../json-form';
import { describeFailure, trpc } from '../trpc';
import { announcePublished } from '../../_shared/published';
import { FieldsDropArea, FormDnd, PaletteItem, SortableFields } from './sortable-fields';

const PALETTE = FIELD_KINDS.filter((k) => k !== 'custom');
/** Kinds a table's column may be. */
const COLUMN_KINDS: FieldKind[] = ['text', 'number', 'money', 'percent', 'date', 'select', 'yesNo', 'email', 'file'];

export interface FormDesignerProps {
  locale: Locale;
  design: DesignForm;
  /** The version opened; null for a new form. */
  baseVersion: number | null;
  /** The draft's revision when a draft was opened (null: none saved yet). */
  draftRevision?: number | null;
}

/** How long after the last change the draft is saved. */
const AUTOSAVE_MS = 1_200;

type Selection = { field: number; column?: number } | null;

export function FormDesigner({ locale, design: initial, baseVersion, draftRevision = null }: FormDesignerProps) {
  const t = translator(locale);
  const router = useRouter();
  const [design, setDesign] = useState<DesignForm>(initial);
  const [history, setHistory] = useState<DesignForm[]>([]);
  const [selected, setSelected] = useState<Selection>(initial.fields.length > 0 ? { field: 0 } : null);
  const [tab, setTab] = useState<'preview' | 'json'>('preview');
  const [notice, setNotice] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState(false);
  // The settings form shows the field it was opened on; an undo opens it again on the field restored.
  const [undone, setUndone] = useState(0);

  const problems = useMemo(() => checkDesignForm(design, isRunnablePattern), [design]);
  const definition = useMemo(() => toFormDefinition(design), [design]);

  // The form as last changed: handlers made before a re-render (the settings form's) change this one, never an older one.
  const latest = useRef(design);
  latest.current = design;

  // The draft, saved a moment after each change, valid or not, with the revision last seen: a draft
  // someone saved meanwhile is a conflict that names them, and autosaving stops until a reload.
  const revision = useRef<number | null>(draftRevision);
  const [draft, setDraft] = useState<{ kind: 'idle' | 'dirty' | 'saving' | 'saved' | 'failed'; text?: string }>(
    draftRevision === null ? { kind: 'idle' } : { kind: 'saved' },
  );
  const stopped = useRef(false);
  const inFlight = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const saveDraft = async (): Promise<void> => {
    if (stopped.current) return;
    if (inFlight.current) {
      again.current = true;
      return inFlight.current;
    }
    const run = (async () => {
      setDraft({ kind: 'saving' });
      try {
        const saved = await trpc.form.saveDraft.mutate({ design: latest.current, revision: revision.current });
        if (revision.current === null && window.location.pathname.startsWith('/forms/new'))
          window.history.replaceState(null, '', `/forms/${encodeURIComponent(latest.current.key)}`);
        revision.current = saved.revision;
        setDraft({ kind: 'saved' });
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.code === 'CONFLICT') stopped.current = true;
        setDraft({ kind: 'failed', text: failure.message });
      }
    })();
    inFlight.current = run;
    await run;
    inFlight.current = null;
    if (again.current) {
      again.current = false;
      await saveDraft();
    }
  };
  const saveRef = useRef(saveDraft);
  saveRef.current = saveDraft;
  useEffect(() => {
    if (!changed || stopped.current) return;
    setDraft((d) => (d.kind === 'failed' ? d : { kind: 'dirty' }));
    const timer = setTimeout(() => void saveRef.current(), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [design, changed]);

  // Changes not yet in the draft are not lost silently.
  const unsaved = changed && draft.kind !== 'saved';
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);

  /** Every change keeps the form before it, for Undo. */
  const change = (next: DesignForm, select?: Selection) => {
    const before = latest.current;
    setHistory((h) => [...h.slice(-99), before]);
    latest.current = next;
    setDesign(next);
    setChanged(true);
    if (select !== undefined) setSelected(select);
  };
  const setFields = (fields: DesignField[], select?: Selection) => change({ ...latest.current, fields }, select);
  const undo = () => {
    const previous = history.at(-1);
    if (!previous) return;
    setHistory((h) => h.slice(0, -1));
    setDesign(previous);
    setUndone((n) => n + 1);
    setSelected((s) =>
      s && s.field < previous.fields.length ? { field: s.field } : previous.fields.length > 0 ? { field: 0 } : null,
    );
    setNotice(null);
  };

  /** A new field of a kind: after the selected field (a palette click), or where it was dropped (`place`). */
  const add = (kind: FieldKind, place?: number) => {
    const label = { en: t(`formKind_${kind}` as MessageKey), vi: translator('vi')(`formKind_${kind}` as MessageKey) };
    const fields = latest.current.fields;
    const field = newField(
      kind,
      keyFromLabel(
        label.en,
        fields.map((f) => f.key),
      ),
      label,
    );
    const at =
      place !== undefined
        ? Math.max(0, Math.min(place, fields.length))
        : selected
          ? Math.min(selected.field + 1, fields.length)
          : fields.length;
    setFields([...fields.slice(0, at), field, ...fields.slice(at)], { field: at });
  };
  const move = (index: number, by: -1 | 1) => {
    const to = index + by;
    if (to < 0 || to >= latest.current.fields.length) return;
    const fields = [...latest.current.fields];
    [fields[index], fields[to]] = [fields[to]!, fields[index]!];
    setFields(fields, { field: to });
  };
  /** Dropped at another place (dragged, or moved with the keyboard): the fields between shift by one. */
  const moveTo = (from: number, to: number) => {
    const fields = [...latest.current.fields];
    if (from === to || !fields[from] || to < 0 || to >= fields.length) return;
    const [field] = fields.splice(from, 1);
    fields.splice(to, 0, field!);
    setFields(fields, { field: to });
  };
  const duplicate = (index: number) => {
    const fields = latest.current.fields;
    const source = fields[index]!;
    const copy = {
      ...structuredClone(source),
      key: keyFromLabel(
        source.key,
        fields.map((f) => f.key),
      ),
    };
    setFields([...fields.slice(0, index + 1), copy, ...fields.slice(index + 1)], { field: index + 1 });
  };
  const remove = (index: number) => {
    const fields = latest.current.fields;
    const gone = fields[index]!;
    setFields(
      fields.filter((_, i) => i !== index),
      fields.length > 1 ? { field: Math.max(0, index - 1) } : null,
    );
    setNotice({ error: false, text: t('formFieldDeleted', { name: gone.label[locale] || gone.label.en || gone.key }) });
  };
  const updateField = (index: number, update: (field: DesignField) => DesignField) =>
    setFields(latest.current.fields.map((f, i) => (i === index ? update(f) : f)));

  const publish = async () => {
    setNotice(null);
    if (problems.length > 0) {
      setNotice({ error: true, text: t('formPublishBlocked', { count: problems.length }) });
      return;
    }
    setBusy(true);
    let wasStopped = stopped.current;
    try {
      // A save under way finishes first; none starts after: the publish removes the draft.
      await inFlight.current;
      wasStopped = stopped.current;
      stopped.current = true;
      const done = await trpc.form.publish.mutate({ design, baseVersion });
      setChanged(false);
      announcePublished({ kind: 'form', key: done.key });
      setNotice({ error: false, text: t('formPublished', { version: done.version }) });
      router.replace(`/forms/${done.key}`);
      router.refresh();
    } catch (error) {
      stopped.current = wasStopped;
      setNotice({ error: true, text: describeFailure(error).message });
    } finally {
      setBusy(false);
    }
  };

  const current = selected ? design.fields[selected.field] : undefined;
  const column = current && selected?.column !== undefined ? current.columns?.[selected.column] : undefined;

  return (
    <div className="form-designer">
      <div className="form-designer-bar">
        <span className="muted" role="status" data-testid="form-status">
          {baseVersion === null ? t('formNew') : t('formVersionOpened', { version: baseVersion })}
          {changed || draftRevision !== null ? ` · ${t('formUnpublishedChanges')}` : ''}
        </span>
        <span
          className={draft.kind === 'failed' ? 'field-error' : 'muted small'}
          data-testid="form-draft-status"
          data-state={draft.kind}
        >
          {draft.kind === 'saving' || draft.kind === 'dirty'
            ? t('formDraftSaving')
            : draft.kind === 'saved'
              ? t('formDraftSaved', { revision: revision.current ?? 0 })
              : draft.kind === 'failed'
                ? t('formDraftFailed', { reason: draft.text ?? '' })
                : ''}
        </span>
        <button type="button" className="secondary" onClick={undo} disabled={history.length === 0}>
          {t('formUndo')}
        </button>
        <button type="button" className="primary" onClick={publish} disabled={busy} aria-busy={busy}>
          {t('formPublish')}
        </button>
      </div>
      {notice && (
        <p className={notice.error ? 'notice error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      <TitleFields
        key={undone}
        design={design}
        locale={locale}
        onChange={(title) => change({ ...latest.current, title })}
      />
      <FormDnd
        names={design.fields.map((f) => f.label[locale] || f.label.en || f.key)}
        locale={locale}
        onMove={moveTo}
        onAdd={add}
      >
        <div className="form-designer-grid">
          <section aria-labelledby="form-palette-title" className="panel">
            <h2 id="form-palette-title">{t('formPalette')}</h2>
            <ul className="form-palette">
              {PALETTE.map((kind) => (
                <li key={kind}>
                  <PaletteItem
                    kind={kind}
                    label={t(`formKind_${kind}` as MessageKey)}
                    hint={t('formPaletteHint')}
                    onAdd={() => add(kind)}
                  />
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="form-fields-title" className="panel">
            <h2 id="form-fields-title">{t('formFields')}</h2>
            <FieldsDropArea>
              {design.fields.length === 0 ? (
                <p className="muted">{t('formNoFields')}</p>
              ) : (
                <SortableFields
                  names={design.fields.map((f) => f.label[locale] || f.label.en || f.key)}
                  locale={locale}
                  itemProps={(i) => ({
                    className: selected?.field === i ? 'selected' : undefined,
                    'data-key': design.fields[i]!.key,
                  })}
                  testId="form-fields"
                >
                  {(i, handle) => {
                    const f = design.fields[i]!;
                    const name = f.label[locale] || f.label.en || f.key;
                    return (
                      <>
                        {handle}
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => setSelected({ field: i })}
                          aria-pressed={selected?.field === i}
                          aria-label={t('formSelectField', { name })}
                        >
                          <strong>{name}</strong>{' '}
                          <span className="muted small">{t(`formKind_${f.kind}` as MessageKey)}</span>
                          {f.required && <span className="muted small"> · {t('formRequired')}</span>}
                          {f.showWhen && <span className="muted small"> · {t('formShownWhen')}</span>}
                          {f.compute && <span className="muted small"> · {t('formComputed')}</span>}
                        </button>
                        <span className="form-field-actions">
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => move(i, -1)}
                            disabled={i === 0}
                            aria-label={t('formMoveUp', { name })}
                          >
                            ↑
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => move(i, 1)}
                            disabled={i === design.fields.length - 1}
                            aria-label={t('formMoveDown', { name })}
                          >
                            ↓
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => duplicate(i)}
                            aria-label={t('formDuplicate', { name })}
                          >
                            {t('formCopyShort')}
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => remove(i)}
                            aria-label={t('formDelete', { name })}
                          >
                            ✕
                          </button>
                        </span>
                      </>
                    );
                  }}
                </SortableFields>
              )}
            </FieldsDropArea>
            {problems.length > 0 && (
              <div className="form-problems" data-testid="form-problems">
                <h3>{t('designerProblems')}</h3>
                <ul>
                  {problems.map((p, i) => (
                    <li key={i}>{t(`formProblem_${p.code}` as MessageKey, { field: p.field ?? '' })}</li>
                  ))}
                </ul>
              </div>
            )}
          </section>
          <section aria-labelledby="form-settings-title" className="panel">
            <h2 id="form-settings-title">{t('formSettings')}</h2>
            {!current ? (
              <p className="muted">{t('formNothingSelected')}</p>
            ) : column ? (
              <>
                <button type="button" className="link-button" onClick={() => setSelected({ field: selected!.field })}>
                  ← {current.label[locale] || current.key}
                </button>
                <FieldSettings
                  key={`${selected!.field}-${selected!.column}-${undone}`}
                  field={column}
                  earlier={[]}
                  locale={locale}
                  kinds={COLUMN_KINDS}
                  computeFrom={{
                    sums: [],
                    factors: (current.columns ?? [])
                      .filter((c, j) => j !== selected!.column && NUMERIC_KINDS.includes(c.kind) && !c.compute)
                      .map((c) => ({ value: c.key, label: c.label[locale] || c.label.en || c.key })),
                  }}
                  onChange={(next) => {
                    const at = selected!.column!;
                    updateField(selected!.field, (f) => ({
                      ...f,
                      columns: (f.columns ?? []).map((c, j) => (j === at ? next : c)),
                    }));
                  }}
                />
              </>
            ) : current.kind === 'custom' ? (
              <p className="muted">{t('formCustomNote')}</p>
            ) : (
              <>
                <FieldSettings
                  key={`${selected!.field}-${current.kind}-${undone}`}
                  field={current}
                  earlier={design.fields.slice(0, selected!.field)}
                  locale={locale}
                  computeFrom={{
                    sums: design.fields
                      .filter((f) => f.kind === 'rows')
                      .flatMap((f) =>
                        (f.columns ?? [])
                          .filter((c) => NUMERIC_KINDS.includes(c.kind))
                          .map((c) => ({
                            value: `${f.key}.${c.key}`,
                            label: `${f.label[locale] || f.label.en || f.key} → ${c.label[locale] || c.label.en || c.key}`,
                          })),
                      ),
                    factors: [],
                  }}
                  // A table's columns are edited beside the settings: what the settings form holds of them is older.
                  onChange={(next) =>
                    updateField(selected!.field, (f) => ({ ...next, ...(f.columns ? { columns: f.columns } : {}) }))
                  }
                />
                {current.kind === 'rows' && (
                  <Columns
                    field={current}
                    locale={locale}
                    onChange={(next) => updateField(selected!.field, (f) => ({ ...f, columns: next.columns }))}
                    onSelect={(j) => setSelected({ field: selected!.field, column: j })}
                  />
                )}
              </>
            )}
          </section>
        </div>
      </FormDnd>
      <section aria-labelledby="form-preview-title" className="panel form-preview">
        <div className="form-preview-head">
          <h2 id="form-preview-title">{t('formPreview')}</h2>
          <div role="tablist" aria-label={t('formPreview')}>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'preview'}
              className="secondary"
              onClick={() => setTab('preview')}
            >
              {t('formTabPreview')}
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'json'}
              className="secondary"
              onClick={() => setTab('json')}
            >
              JSON
            </button>
          </div>
        </div>
        {tab === 'preview' ? (
          <div className="form-preview-pair">
            {(['en', 'vi'] as const).map((l) => (
              <div key={l} lang={l} data-testid={`preview-${l}`} className="form-preview-one">
                <h3>{l === 'en' ? 'English' : 'Tiếng Việt'}</h3>
                <PreviewBoundary key={JSON.stringify(definition)} locale={locale}>
                  <JsonForm
                    form={definition}
                    locale={l}
                    idPrefix={`preview_${l}`}
                    submitLabel={translator(l)('formPreviewCheck')}
                    onSubmit={async () => setNotice({ error: false, text: t('formPreviewValid') })}
                  />
                </PreviewBoundary>
              </div>
            ))}
          </div>
        ) : (
          <pre className="form-json" data-testid="form-json" tabIndex={0}>
            {JSON.stringify(
              { schema: definition.schema, uiSchema: definition.uiSchema, i18n: definition.i18n },
              null,
              2,
            )}
          </pre>
        )}
      </section>
    </div>
  );
}

function TitleFields({
  design,
  locale,
  onChange,
}: {
  design: DesignForm;
  locale: Locale;
  onChange: (title: DesignForm['title']) => void;
}) {
  const t = translator(locale);
  const id = useId();
  return (
    <div className="form-title-fields">
      <label htmlFor={`${id}-en`} className="props-field">
        {t('formTitleEn')}
        <input
          id={`${id}-en`}
          defaultValue={design.title.en}
          onBlur={(e) =>
            e.currentTarget.value !== design.title.en && onChange({ ...design.title, en: e.currentTarget.value })
          }
          maxLength={500}
        />
      </label>
      <label htmlFor={`${id}-vi`} className="props-field">
        {t('formTitleVi')}
        <input
          id={`${id}-vi`}
          defaultValue={design.title.vi}
          onBlur={(e) =>
            e.currentTarget.value !== design.title.vi && onChange({ ...design.title, vi: e.currentTarget.value })
          }
          maxLength={500}
        />
      </label>
    </div>
  );
}

const NUMERIC_KINDS: FieldKind[] = ['number', 'money', 'percent'];
/** What a number may be worked out from: a table's numeric columns (a total), or its row's other numeric columns (a product). */
type ComputeFrom = { sums: { value: string; label: string }[]; factors: { value: string; label: string }[] };

/** Kinds whose default value the settings edit (the others keep a default they were given as written). */
const DEFAULT_KINDS: FieldKind[] = [
  'text',
  'longText',
  'email',
  'phone',
  'person',
  'department',
  'number',
  'money',
  'percent',
  'date',
  'yesNo',
  'select',
  'radio',
];

/** A field's settings: a react-hook-form form on the model's zod schema; every valid change goes to the form at once. */
function FieldSettings({
  field,
  earlier,
  locale,
  onChange,
  kinds,
  computeFrom,
}: {
  field: DesignField;
  earlier: DesignField[];
  locale: Locale;
  onChange: (field: DesignField) => void;
  kinds?: FieldKind[];
  computeFrom: ComputeFrom;
}) {
  const t = translator(locale);
  const id = useId();
  const form = useForm<DesignField>({
    defaultValues: field,
    mode: 'onChange',
    resolver: zodResolver(designFieldSchema) as never,
  });
  const { register, watch, formState, control, setValue } = form;
  const options = useFieldArray({ control, name: 'options' as never });
  useEffect(() => {
    const subscription = watch((values) => {
      const parsed = designFieldSchema.safeParse(clean(values as DesignField));
      if (parsed.success) onChange(parsed.data as DesignField);
    });
    return () => subscription.unsubscribe();
    // The form is made once per selected field (its key in the parent).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const kind = watch('kind');
  const number = { setValueAs: (v: unknown) => (v === '' || v === null || v === undefined ? undefined : Number(v)) };
  const text = (
    name:
      'label.en' | 'label.vi' | 'help.en' | 'help.vi' | 'key' | 'pattern' | 'patternMessage.en' | 'patternMessage.vi',
    label: string,
    extra?: { hint?: string },
  ) => {
    const error = name === 'key' ? formState.errors.key?.message : undefined;
    return (
      <label htmlFor={`${id}-${name}`} className="props-field">
        {label}
        <input
          id={`${id}-${name}`}
          {...register(name)}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          data-testid={`field-${name.replace('.', '-')}`}
        />
        {(error || extra?.hint) && (
          <span className={error ? 'field-error' : 'muted small'}>{error ?? extra?.hint}</span>
        )}
      </label>
    );
  };
  const showWhen = watch('showWhen');
  const source = earlier.find((f) => f.key === showWhen?.field);
  const compute = watch('compute');
  const setCompute = (next: DesignField['compute']) =>
    setValue('compute', next, { shouldValidate: true, shouldDirty: true });
  return (
    <form className="props" onSubmit={(e) => e.preventDefault()} data-testid="field-settings">
      {field.kind === 'rows' || field.kind === 'custom' ? (
        <p className="muted small">
          {t('formFieldKind')}: {t(`formKind_${field.kind}` as MessageKey)}
        </p>
      ) : (
        <label htmlFor={`${id}-kind`} className="props-field">
          {t('formFieldKind')}
          <select id={`${id}-kind`} {...register('kind')} data-testid="field-kind">
            {(kinds ?? PALETTE.filter((k) => k !== 'rows')).map((k) => (
              <option key={k} value={k}>
                {t(`formKind_${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      )}
      {text('label.en', t('formLabelEn'))}
      {text('label.vi', t('formLabelVi'))}
      {text('key', t('formKey'), { hint: t('formKeyHint') })}
      <button
        type="button"
        className="link-button small"
        onClick={() =>
          setValue(
            'key',
            keyFromLabel(
              watch('label.en') || watch('label.vi'),
              earlier.map((f) => f.key),
            ),
            { shouldValidate: true, shouldDirty: true },
          )
        }
      >
        {t('formKeyFromLabel')}
      </button>
      {kind !== 'heading' && (
        <>
          {text('help.en', t('formHelpEn'))}
          {text('help.vi', t('formHelpVi'))}
          <label className="props-check">
            <input type="checkbox" {...register('required')} data-testid="field-required" />
            {t('formRequired')}
          </label>
          <label className="props-check">
            <input type="checkbox" {...register('readOnly')} />
            {t('formReadOnly')}
          </label>
        </>
      )}
      {['number', 'money', 'percent', 'rows'].includes(kind) && (
        <div className="props-row">
          <label htmlFor={`${id}-min`} className="props-field">
            {kind === 'rows' ? t('formMinRows') : t('formMin')}
            <input id={`${id}-min`} type="number" {...register('min', number)} data-testid="field-min" />
          </label>
          <label htmlFor={`${id}-max`} className="props-field">
            {kind === 'rows' ? t('formMaxRows') : t('formMax')}
            <input id={`${id}-max`} type="number" {...register('max', number)} data-testid="field-max" />
          </label>
        </div>
      )}
      {NUMERIC_KINDS.includes(kind) && (computeFrom.sums.length > 0 || computeFrom.factors.length > 0 || compute) && (
        <fieldset className="props-group">
          <legend>{t('formCompute')}</legend>
          <label htmlFor={`${id}-compute`} className="props-field">
            {t('formComputeHow')}
            <select
              id={`${id}-compute`}
              value={!compute ? '' : 'sum' in compute ? `sum:${compute.sum}` : 'product'}
              onChange={(e) => {
                const v = e.target.value;
                setCompute(
                  v === ''
                    ? undefined
                    : v === 'product'
                      ? { product: computeFrom.factors.slice(0, 2).map((f) => f.value) }
                      : { sum: v.slice(4) },
                );
              }}
              data-testid="field-compute"
            >
              <option value="">{t('formComputeNone')}</option>
              {computeFrom.sums.map((o) => (
                <option key={o.value} value={`sum:${o.value}`}>
                  {t('formComputeSum', { of: o.label })}
                </option>
              ))}
              {computeFrom.factors.length > 0 && <option value="product">{t('formComputeProduct')}</option>}
            </select>
          </label>
          {compute && 'product' in compute && (
            <div role="group" aria-label={t('formComputeProduct')}>
              {computeFrom.factors.map((f) => (
                <label key={f.value} className="props-check">
                  <input
                    type="checkbox"
                    checked={compute.product.includes(f.value)}
                    onChange={(e) =>
                      setCompute({
                        product: e.target.checked
                          ? [...compute.product, f.value]
                          : compute.product.filter((p) => p !== f.value),
                      })
                    }
                    data-testid={`field-factor-${f.value}`}
                  />
                  {f.label}
                </label>
              ))}
            </div>
          )}
        </fieldset>
      )}
      {['text', 'longText', 'phone'].includes(kind) && (
        <>
          <div className="props-row">
            <label htmlFor={`${id}-minLength`} className="props-field">
              {t('formMinLength')}
              <input id={`${id}-minLength`} type="number" min={0} {...register('minLength', number)} />
            </label>
            <label htmlFor={`${id}-maxLength`} className="props-field">
              {t('formMaxLength')}
              <input id={`${id}-maxLength`} type="number" min={0} {...register('maxLength', number)} />
            </label>
          </div>
          {text('pattern', t('formPattern'), { hint: t('formPatternHint') })}
          {text('patternMessage.en', t('formPatternMessageEn'), { hint: t('formPatternMessageHint') })}
          {text('patternMessage.vi', t('formPatternMessageVi'))}
        </>
      )}
      {['select', 'radio', 'checkboxes'].includes(kind) && (
        <fieldset className="props-group">
          <legend>{t('formOptions')}</legend>
          {options.fields.map((o, j) => (
            <div key={o.id} className="form-option-row">
              <label htmlFor={`${id}-o${j}-v`} className="props-field">
                {t('formOptionValue')}
                <input
                  id={`${id}-o${j}-v`}
                  {...register(`options.${j}.value` as const)}
                  data-testid={`option-${j}-value`}
                />
              </label>
              <label htmlFor={`${id}-o${j}-en`} className="props-field">
                {t('formLabelEn')}
                <input
                  id={`${id}-o${j}-en`}
                  {...register(`options.${j}.label.en` as const)}
                  data-testid={`option-${j}-en`}
                />
              </label>
              <label htmlFor={`${id}-o${j}-vi`} className="props-field">
                {t('formLabelVi')}
                <input
                  id={`${id}-o${j}-vi`}
                  {...register(`options.${j}.label.vi` as const)}
                  data-testid={`option-${j}-vi`}
                />
              </label>
              <button
                type="button"
                className="secondary small"
                onClick={() => options.remove(j)}
                aria-label={t('formOptionRemove', { n: j + 1 })}
              >
                ✕
              </button>
            </div>
          ))}
          <button
            type="button"
            className="secondary small"
            onClick={() =>
              options.append({ value: `option-${options.fields.length + 1}`, label: { en: '', vi: '' } } as never)
            }
          >
            + {t('formOptionAdd')}
          </button>
        </fieldset>
      )}
      {DEFAULT_KINDS.includes(kind) && (
        <label htmlFor={`${id}-default`} className="props-field">
          {t('formDefault')}
          {kind === 'yesNo' || kind === 'select' || kind === 'radio' ? (
            <select
              id={`${id}-default`}
              {...register('default', {
                setValueAs: (v: unknown) =>
                  v === '' || v === undefined ? undefined : kind === 'yesNo' ? v === 'true' || v === true : String(v),
              })}
              data-testid="field-default"
            >
              <option value="">{t('formDefaultNone')}</option>
              {kind === 'yesNo' ? (
                <>
                  <option value="true">{t('formDefaultYes')}</option>
                  <option value="false">{t('formDefaultNo')}</option>
                </>
              ) : (
                (watch('options') ?? []).map((o, j) => (
                  <option key={j} value={o.value}>
                    {o.label[locale] || o.label.en || o.value}
                  </option>
                ))
              )}
            </select>
          ) : (
            <input
              id={`${id}-default`}
              type={['number', 'money', 'percent'].includes(kind) ? 'number' : kind === 'date' ? 'date' : 'text'}
              {...register(
                'default',
                ['number', 'money', 'percent'].includes(kind)
                  ? number
                  : { setValueAs: (v: unknown) => (v === '' || v === undefined || v === null ? undefined : String(v)) },
              )}
              autoComplete="off"
              data-testid="field-default"
            />
          )}
        </label>
      )}
      {earlier.length > 0 && (
        <fieldset className="props-group">
          <legend>{t('formShowWhen')}</legend>
          <label htmlFor={`${id}-sw-field`} className="props-field">
            {t('formShowWhenField')}
            <select
              id={`${id}-sw-field`}
              value={showWhen?.field ?? ''}
              onChange={(e) => {
                const on = earlier.find((f) => f.key === e.target.value);
                const is = on ? conditionsFor(on.kind)[0] : undefined;
                setValue('showWhen', on && is ? ({ field: on.key, is } as ShowWhen) : undefined, {
                  shouldValidate: true,
                  shouldDirty: true,
                });
              }}
              data-testid="show-when-field"
            >
              <option value="">{t('formShowAlways')}</option>
              {earlier
                .filter((f) => conditionsFor(f.kind).length > 0)
                .map((f) => (
                  <option key={f.key} value={f.key}>
                    {f.label[locale] || f.label.en || f.key}
                  </option>
                ))}
            </select>
          </label>
          {showWhen && source && (
            <div className="props-row">
              <label htmlFor={`${id}-sw-is`} className="visually-hidden">
                {t('formShowWhenIs')}
              </label>
              <select
                id={`${id}-sw-is`}
                value={showWhen.is}
                onChange={(e) =>
                  setValue(
                    'showWhen',
                    { ...showWhen, is: e.target.value as ShowWhen['is'] },
                    { shouldValidate: true, shouldDirty: true },
                  )
                }
                data-testid="show-when-is"
              >
                {conditionsFor(source.kind).map((is) => (
                  <option key={is} value={is}>
                    {t(`formIs_${is}` as MessageKey)}
                  </option>
                ))}
              </select>
              {!['yes', 'no', 'filled'].includes(showWhen.is) &&
                (source.options ? (
                  <select
                    aria-label={t('formShowWhenValue')}
                    value={String(showWhen.value ?? '')}
                    onChange={(e) =>
                      setValue(
                        'showWhen',
                        { ...showWhen, value: e.target.value },
                        { shouldValidate: true, shouldDirty: true },
                      )
                    }
                    data-testid="show-when-value"
                  >
                    <option value="" />
                    {source.options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label[locale] || o.label.en || o.value}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    aria-label={t('formShowWhenValue')}
                    type={['number', 'money', 'percent'].includes(source.kind) ? 'number' : 'text'}
                    defaultValue={showWhen.value === undefined ? '' : String(showWhen.value)}
                    onChange={(e) =>
                      setValue(
                        'showWhen',
                        {
                          ...showWhen,
                          value: ['number', 'money', 'percent'].includes(source.kind)
                            ? e.target.value === ''
                              ? undefined
                              : Number(e.target.value)
                            : e.target.value,
                        },
                        { shouldValidate: true, shouldDirty: true },
                      )
                    }
                    data-testid="show-when-value"
                  />
                ))}
            </div>
          )}
        </fieldset>
      )}
    </form>
  );
}

/** RHF's values as the model has them: empty numbers and texts left out. */
function clean(field: DesignField): DesignField {
  const out = { ...field } as Record<string, unknown>;
  for (const name of ['min', 'max', 'minLength', 'maxLength'])
    if (out[name] === undefined || (typeof out[name] === 'number' && Number.isNaN(out[name]))) delete out[name];
  if (out.pattern === '') delete out.pattern;
  // The pattern's message: both languages or none (an empty one is left out).
  const message = out.patternMessage as { en?: string; vi?: string } | undefined;
  if (!message || (!message.en && !message.vi)) delete out.patternMessage;
  else out.patternMessage = { en: message.en ?? '', vi: message.vi ?? '' };
  if (out.default === '' || (typeof out.default === 'number' && Number.isNaN(out.default))) delete out.default;
  if (out.showWhen === undefined || out.showWhen === null) delete out.showWhen;
  if (out.compute === undefined || out.compute === null || !NUMERIC_KINDS.includes(field.kind)) delete out.compute;
  if (!['select', 'radio', 'checkboxes'].includes(field.kind)) delete out.options;
  else if (!Array.isArray(out.options)) out.options = [];
  return out as unknown as DesignField;
}

/** A table's columns: add one of a kind, open one's settings, move, remove. */
function Columns({
  field,
  locale,
  onChange,
  onSelect,
}: {
  field: DesignField;
  locale: Locale;
  onChange: (field: DesignField) => void;
  onSelect: (column: number) => void;
}) {
  const t = translator(locale);
  const id = useId();
  const [kind, setKind] = useState<FieldKind>('text');
  const columns = field.columns ?? [];
  return (
    <fieldset className="props-group" data-testid="columns">
      <legend>{t('formColumns')}</legend>
      <ol className="form-field-list">
        {columns.map((c, j) => (
          <li key={`${j}-${c.key}`}>
            <button
              type="button"
              className="link-button"
              onClick={() => onSelect(j)}
              aria-label={t('formSelectField', { name: c.label[locale] || c.key })}
            >
              {c.label[locale] || c.label.en || c.key}{' '}
              <span className="muted small">{t(`formKind_${c.kind}` as MessageKey)}</span>
            </button>
            <button
              type="button"
              className="secondary small"
              onClick={() => onChange({ ...field, columns: columns.filter((_, i) => i !== j) })}
              aria-label={t('formDelete', { name: c.label[locale] || c.key })}
            >
              ✕
            </button>
          </li>
        ))}
      </ol>
      <div className="props-row">
        <label htmlFor={`${id}-kind`} className="visually-hidden">
          {t('formColumnKind')}
        </label>
        <select
          id={`${id}-kind`}
          value={kind}
          onChange={(e) => setKind(e.target.value as FieldKind)}
          data-testid="column-kind"
        >
          {COLUMN_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`formKind_${k}` as MessageKey)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="secondary small"
          onClick={() => {
            const label = {
              en: t(`formKind_${kind}` as MessageKey),
              vi: translator('vi')(`formKind_${kind}` as MessageKey),
            };
            onChange({
              ...field,
              columns: [
                ...columns,
                newField(
                  kind,
                  keyFromLabel(
                    label.en,
                    columns.map((c) => c.key),
                  ),
                  label,
                ),
              ],
            });
          }}
          data-testid="column-add"
        >
          + {t('formColumnAdd')}
        </button>
      </div>
    </fieldset>
  );
}

/** A preview that cannot render (a kept keyword RJSF does not know) says so instead of breaking the page. */
class PreviewBoundary extends Component<{ locale: Locale; children: ReactNode }, { failed: string | null }> {
  override state = { failed: null as string | null };
  static getDerivedStateFromError(error: Error) {
    return { failed: error.message };
  }
  override render() {
    if (this.state.failed)
      return (
        <p className="notice error">
          {translator(this.props.locale)('formPreviewFailed', { message: this.state.failed })}
        </p>
      );
    return this.props.children;
  }
}
