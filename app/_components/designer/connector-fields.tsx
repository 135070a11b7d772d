'use client';

/**
 * A service task's connector and its settings. The settings are a react-hook-form form whose zod
 * schema is the connectors' own check (app/_connectors/check.ts): the readers the worker runs on
 * a job's settings, run here on the literal values as they are typed, and the engine's FEEL
 * checker on `=FEEL` ones. What the form holds is written into the diagram as `trellis:Setting`
 * elements when a field loses focus: what the BPMN export and the JSON definition carry.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useId, useMemo } from 'react';
import { useForm } from 'react-hook-form';
import { CONNECTORS, connectorSettingsSchema, isConnector, type ConnectorType } from '@/app/_connectors/check';
import { serviceTaskSchema } from '@/engine/model/definition';
import { translator, type Locale, type MessageKey } from '../../_i18n/messages';
import type { DiagramElement, ModelerServices } from './modeler';

/** The settings stored on the task, in the order they are. */
export function settingsOf(bo: DiagramElement['businessObject']): [string, string][] {
  return (bo.extensionElements?.values ?? [])
    .filter((v) => v.$type === 'trellis:Setting' && typeof v.name === 'string')
    .map((v) => [String(v.name), String(v.value ?? '')]);
}

/** Writes the task's settings, keeping its other extension values (names, mappings). */
function writeSettings(
  element: DiagramElement,
  services: ModelerServices,
  settings: [string, string][],
  props: Record<string, unknown> = {},
) {
  const bo = element.businessObject;
  const others = (bo.extensionElements?.values ?? []).filter((v) => v.$type !== 'trellis:Setting');
  const values = [
    ...others,
    ...settings.map(([name, value]) => services.moddle.create('trellis:Setting', { name, value })),
  ];
  services.modeling.updateProperties(element, {
    ...props,
    extensionElements: values.length > 0 ? services.moddle.create('bpmn:ExtensionElements', { values }) : undefined,
  });
}

type Kind = '' | ConnectorType | 'worker';

export function ConnectorFields({
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
  const bo = element.businessObject;
  const taskType = String(bo.get('trellis:taskType') ?? '');
  const kind: Kind = isConnector(taskType) ? taskType : taskType ? 'worker' : '';
  const retries = String(bo.get('trellis:retries') ?? '');
  const retriesWrong = retries !== '' && !serviceTaskSchema.shape.retries.safeParse(Number(retries)).success;
  const taskTypeWrong = kind === 'worker' && !serviceTaskSchema.shape.taskType.safeParse(taskType).success;
  const choose = (next: Kind) => {
    // Another connector has other settings: those of the one left are dropped (undo brings them back).
    const type = next === 'worker' ? 'worker' : next || undefined;
    writeSettings(element, services, [], { 'trellis:taskType': type });
  };
  return (
    <fieldset className="props-group">
      <legend>{t('propsConnector')}</legend>
      <label htmlFor={`${id}-kind`} className="props-field">
        {t('propsConnectorKind')}
        <select
          id={`${id}-kind`}
          value={kind}
          onChange={(e) => choose(e.target.value as Kind)}
          data-testid="prop-connector"
        >
          <option value="">{t('propsConnector_none')}</option>
          <option value="http">{t('propsConnector_http')}</option>
          <option value="email">{t('propsConnector_email')}</option>
          <option value="worker">{t('propsConnector_worker')}</option>
        </select>
      </label>
      {kind === 'worker' && (
        <TextSetting
          label={t('propsTaskType')}
          value={taskType}
          onCommit={(v) => services.modeling.updateProperties(element, { 'trellis:taskType': v.trim() || undefined })}
          error={taskTypeWrong ? t('propsTaskTypeInvalid') : undefined}
          hint={t('propsTaskTypeHint')}
          testId="prop-task-type"
        />
      )}
      {isConnector(kind) && (
        <SettingsForm
          key={`${element.id}-${kind}`}
          element={element}
          services={services}
          locale={locale}
          connector={kind}
        />
      )}
      <TextSetting
        label={t('propsRetries')}
        value={retries}
        onCommit={(v) =>
          services.modeling.updateProperties(element, {
            'trellis:retries': /^\d{1,3}$/.test(v.trim()) ? Number(v.trim()) : undefined,
          })
        }
        error={retriesWrong ? t('propsRetriesInvalid') : undefined}
        hint={t('propsRetriesHint')}
        testId="prop-retries"
      />
    </fieldset>
  );
}

/** A one-line field of its own (not part of the settings form). */
function TextSetting({
  label,
  value,
  onCommit,
  error,
  hint,
  testId,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  error?: string;
  hint?: string;
  testId?: string;
}) {
  const id = useId();
  return (
    <label htmlFor={id} className="props-field">
      {label}
      <input
        id={id}
        defaultValue={value}
        key={value}
        onBlur={(e) => e.currentTarget.value !== value && onCommit(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.value !== value && onCommit(e.currentTarget.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-note`}
        data-testid={testId}
        autoComplete="off"
      />
      <span id={`${id}-note`} className={error ? 'field-error' : 'muted small'} role={error ? 'alert' : undefined}>
        {error ?? hint}
      </span>
    </label>
  );
}

const MULTILINE = new Set(['headers', 'body']);
/** Settings checked together: a GET carries no body. */
const DEPENDS: Record<string, string[]> = { method: ['body'], body: ['method'] };
const PLACEHOLDERS: Record<string, string> = {
  url: 'https://api.example.com/invoices/{invoiceNumber}',
  headers: '{"Authorization": "Bearer …"}',
  body: '={ invoice: invoiceNumber, amount: amount }',
  timeoutMs: '10000',
  resultVariable: 'response',
  to: '=approverEmail',
  cc: 'ke-toan@congty.vn',
  subject: '="Hóa đơn " + invoiceNumber',
  from: 'Phòng Vận hành <van-hanh@congty.vn>',
};

function SettingsForm({
  element,
  services,
  locale,
  connector,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  connector: ConnectorType;
}) {
  const t = translator(locale);
  const id = useId();
  const names: readonly string[] = CONNECTORS[connector].settings;
  const stored = settingsOf(element.businessObject);
  const others = stored.filter(([name]) => !names.includes(name));
  const defaults = Object.fromEntries(names.map((n) => [n, stored.find(([name]) => name === n)?.[1] ?? '']));
  const schema = useMemo(() => connectorSettingsSchema(connector), [connector]);
  const form = useForm<Record<string, string>>({
    defaultValues: defaults,
    mode: 'onChange',
    resolver: zodResolver(schema),
  });
  const { register, formState, getValues, trigger, reset } = form;

  // Problems of settings stored before (an imported task, a draft reopened) show at once.
  useEffect(() => {
    if (stored.length > 0) void trigger();
    // Once, for what the task held when it was selected.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // An undo or redo changes the task under the form: show what it holds now.
  const storedKey = JSON.stringify(stored);
  useEffect(() => {
    const now = getValues();
    if (names.some((n) => (now[n] ?? '') !== defaults[n])) reset(defaults, { keepErrors: false });
    // storedKey stands for defaults.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storedKey]);

  const commit = () => {
    const values = getValues();
    const next: [string, string][] = [
      ...names.flatMap((n): [string, string][] =>
        values[n]?.trim() ? [[n, n === 'body' ? values[n]! : values[n]!.trim()]] : [],
      ),
      ...others,
    ];
    if (JSON.stringify(next) !== storedKey) writeSettings(element, services, next);
  };

  return (
    <div className="props-settings" data-testid={`connector-settings-${connector}`}>
      <p className="muted small">{t('propsSettingsHint')}</p>
      {names.map((name) => {
        const field = `${id}-${name}`;
        const error = formState.errors[name]?.message;
        const label = t(`propsSetting_${connector}_${name}` as MessageKey);
        const common = {
          id: field,
          ...register(name, { onBlur: commit, deps: DEPENDS[name] }),
          'aria-invalid': error ? true : undefined,
          'aria-describedby': error ? `${field}-note` : undefined,
          'data-testid': `setting-${name}`,
        };
        return (
          <label key={name} htmlFor={field} className="props-field">
            {label}
            {name === 'method' ? (
              <select {...common} onChange={(e) => void common.onChange(e).then(commit)}>
                <option value="">GET</option>
                {['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            ) : MULTILINE.has(name) ? (
              <textarea {...common} rows={3} placeholder={PLACEHOLDERS[name]} spellCheck={false} />
            ) : (
              <input
                {...common}
                placeholder={PLACEHOLDERS[name]}
                autoComplete="off"
                spellCheck={false}
                onKeyDown={(e) => e.key === 'Enter' && commit()}
              />
            )}
            {error && (
              <span id={`${field}-note`} className="field-error" role="alert">
                {error}
              </span>
            )}
          </label>
        );
      })}
      {others.length > 0 && (
        <div className="props-field">
          <span>{t('propsSettingsOther')}</span>
          <ul className="props-list">
            {others.map(([name, value]) => (
              <li key={name}>
                <code>
                  {name} = {value}
                </code>{' '}
                <button
                  type="button"
                  className="secondary small"
                  onClick={() =>
                    writeSettings(
                      element,
                      services,
                      stored.filter(([n]) => n !== name),
                    )
                  }
                >
                  {t('propsSettingRemove', { name })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
