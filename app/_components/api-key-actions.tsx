'use client';

/**
 * An admin's actions on the company's API keys (app/admin/api-keys): create one, see its token
 * once, revoke one (after a question in a row of its own, under the key's). The server checks the
 * role again; these only save a round trip.
 *
 * A token reaches the browser only in the answer to `apiKeys.create` and lives only in
 * ApiKeyCreator's state: never in the page's server-rendered data, so a reload or another visit
 * cannot show it again. Names and server messages are rendered as text.
 *
 * The service checks what is sent and names each wrong field (`name`, `scopes.jobTypes.2`) in
 * the admin's language; the form shows each refusal beside its field (the field's description, not
 * an alert of its own: the one alert is the line by the submit button) and focuses the first. The
 * lists are typed one name per line: lines are trimmed and blank ones dropped, so "entry n" in a
 * refusal is the n-th name.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, FormActions, useCommand } from './command';
import { ConfirmAction } from './confirm-action';
import { CopyButton } from './copy-button';
import { SecretOnce } from './secret-once';
import { trpc } from './trpc';

/** Longest expiry in days and longest name (the service's MAX_API_KEY_DAYS and MAX_API_KEY_NAME_LENGTH, sent by the page). */
export interface ApiKeyLimits {
  maxDays: number;
  maxNameLength: number;
}

const textLists = ['messages', 'signals', 'jobTypes'] as const;
type TextList = (typeof textLists)[number];

/** Where a refusal is shown: beside the field it names, the rights as a whole, or one list of them. */
type Slot = 'name' | 'expiresInDays' | 'scopes' | 'scopes.start' | `scopes.${TextList}` | 'scopes.readInstances';
const slots: readonly Slot[] = [
  'name',
  'expiresInDays',
  'scopes',
  'scopes.start',
  'scopes.messages',
  'scopes.signals',
  'scopes.jobTypes',
  'scopes.readInstances',
];

/** The slot of a refused field: `scopes.jobTypes.2` → `scopes.jobTypes`; an unknown scope → the rights as a whole. */
function slotOf(field: string): Slot | null {
  const [head, list] = field.split('.');
  if (head === 'name' || head === 'expiresInDays') return head;
  if (head !== 'scopes') return null;
  const scoped = `scopes.${list}` as Slot;
  return list !== undefined && slots.includes(scoped) ? scoped : 'scopes';
}

/** The element id a slot's input (or fieldset) has, for focus and aria-describedby. */
const idOf = (slot: Slot) => `apikey-${slot.replace('.', '-')}`;

const namesIn = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/**
 * The create form, and in its place the token once a key is made (until "I have saved it").
 * `processes`: the published processes (key and name in the admin's language) to tick;
 * `messages`: message names those processes wait for, offered to add.
 */
export function ApiKeyCreator({
  locale,
  processes,
  messages,
  limits,
}: {
  locale: Locale;
  processes: { key: string; name: string }[];
  messages: string[];
  limits: ApiKeyLimits;
}) {
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  return created ? (
    <ApiKeyToken locale={locale} created={created} dismiss={() => setCreated(null)} />
  ) : (
    <NewApiKeyForm locale={locale} processes={processes} messages={messages} limits={limits} created={setCreated} />
  );
}

function ApiKeyToken({
  locale,
  created,
  dismiss,
}: {
  locale: Locale;
  created: { name: string; token: string };
  dismiss: () => void;
}) {
  const t = translator(locale);
  return (
    <SecretOnce
      secret={created.token}
      className="secret-panel token-panel"
      testId="apikey-token-panel"
      titleId="apikey-token-title"
      heading="h3"
      title={t('apiKeyTokenTitle', { name: created.name })}
      once={t('apiKeyTokenOnce')}
      warningId="apikey-token-once"
      dismiss={t('apiKeyTokenDismiss')}
      onDismiss={dismiss}
    >
      <label htmlFor="apikey-token">{t('apiKeyTokenLabel')}</label>
      <div className="secret-row">
        <input
          id="apikey-token"
          className="token"
          type="text"
          readOnly
          value={created.token}
          spellCheck={false}
          autoComplete="off"
          aria-describedby="apikey-token-once"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton
          text={created.token}
          label={t('apiKeyCopy')}
          copied={t('apiKeyCopied')}
          failed={t('apiKeyCopyFailed')}
        />
      </div>
      <p className="muted">{t('apiKeyTokenUse', { base: '/api/v1', openapi: '/api/v1/openapi.json' })}</p>
    </SecretOnce>
  );
}

function NewApiKeyForm({
  locale,
  processes,
  messages,
  limits,
  created,
}: {
  locale: Locale;
  processes: { key: string; name: string }[];
  messages: string[];
  limits: ApiKeyLimits;
  created: (key: { name: string; token: string }) => void;
}) {
  const t = translator(locale);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [start, setStart] = useState<string[]>([]);
  const [lists, setLists] = useState<Record<TextList, string>>({ messages: '', signals: '', jobTypes: '' });
  const [readInstances, setReadInstances] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Slot, string[]>>>({});
  const { busy, message, setMessage, run } = useCommand((failure) => {
    const named: Partial<Record<Slot, string[]>> = {};
    const other: string[] = [];
    for (const f of failure.fields) {
      const slot = slotOf(f.field);
      if (slot) (named[slot] ??= []).push(f.message);
      else other.push(`${f.label}: ${f.message}`);
    }
    setErrors(named);
    if (failure.fields.length === 0) return failure.message;
    return [t('apiKeyFixFields'), ...other].join(' ');
  });

  // After a refusal, the first field it names takes the focus, so a keyboard or screen reader user starts there.
  useEffect(() => {
    const first = slots.find((slot) => errors[slot]);
    if (first) document.getElementById(idOf(first))?.focus();
  }, [errors]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    const expiresInDays = days.trim() === '' ? NaN : Number(days);
    // A number is all the procedure's input takes: anything else is refused here, in the service's words.
    if (!Number.isFinite(expiresInDays)) {
      setErrors({ expiresInDays: [t('apiKeyErrExpiry', { max: limits.maxDays, value: days.trim() || '—' })] });
      return;
    }
    setErrors({});
    const scopes = {
      start,
      messages: namesIn(lists.messages),
      signals: namesIn(lists.signals),
      jobTypes: namesIn(lists.jobTypes),
      readInstances,
    };
    await run(() => trpc.apiKeys.create.mutate({ name, expiresInDays, scopes }), {
      done: (key) => {
        created({ name: key.name, token: key.token });
        return t('apiKeyCreated');
      },
    });
  };

  /**
   * The refusals of a slot, beside its field and in its aria-describedby; `label` prefixes them where
   * the message does not name the field itself.
   */
  const fieldErrors = (slot: Slot, label?: string) =>
    errors[slot] && (
      <div id={`${idOf(slot)}-error`} className="field-error" data-field={slot}>
        {errors[slot].map((text, i) => (
          <div key={i}>
            {label && <strong>{label}:</strong>} {text}
          </div>
        ))}
      </div>
    );
  const invalid = (slot: Slot) => (errors[slot] ? true : undefined);
  const describedBy = (slot: Slot, hint?: string) =>
    [errors[slot] ? `${idOf(slot)}-error` : null, hint ?? null].filter(Boolean).join(' ') || undefined;

  const addMessage = (known: string) =>
    setLists((now) =>
      namesIn(now.messages).includes(known) ? now : { ...now, messages: [...namesIn(now.messages), known].join('\n') },
    );

  return (
    <form className="apikey-form" noValidate onSubmit={submit}>
      <div className="field-row">
        <div className="field name">
          <label htmlFor={idOf('name')}>{t('apiKeyName')}</label>
          <input
            id={idOf('name')}
            name="name"
            type="text"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={invalid('name')}
            aria-describedby={describedBy('name', 'apikey-name-hint')}
          />
          <div id="apikey-name-hint" className="hint">
            {t('apiKeyNameHint', { max: limits.maxNameLength })}
          </div>
          {fieldErrors('name', t('apiKeyName'))}
        </div>
        <div className="field days">
          <label htmlFor={idOf('expiresInDays')}>{t('apiKeyExpiresInDays')}</label>
          <input
            id={idOf('expiresInDays')}
            name="expiresInDays"
            type="number"
            inputMode="numeric"
            min={1}
            max={limits.maxDays}
            step={1}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            aria-invalid={invalid('expiresInDays')}
            aria-describedby={describedBy('expiresInDays', 'apikey-days-hint')}
          />
          <div id="apikey-days-hint" className="hint">
            {t('apiKeyExpiresHint', { max: limits.maxDays })}
          </div>
          {fieldErrors('expiresInDays', t('apiKeyExpiresInDays'))}
        </div>
      </div>

      <fieldset
        id={idOf('scopes')}
        tabIndex={-1}
        className="field scopes"
        aria-invalid={invalid('scopes')}
        aria-describedby={describedBy('scopes', 'apikey-scopes-hint')}
      >
        <legend>{t('apiKeyScopes')}</legend>
        <div id="apikey-scopes-hint" className="hint">
          {t('apiKeyScopesHint')}
        </div>
        {fieldErrors('scopes')}

        <fieldset
          id={idOf('scopes.start')}
          tabIndex={-1}
          className="field"
          aria-invalid={invalid('scopes.start')}
          aria-describedby={describedBy('scopes.start')}
        >
          <legend>{t('apiKeyScope_start')}</legend>
          {processes.length === 0 ? (
            <p className="muted">{t('apiKeyNoProcesses')}</p>
          ) : (
            <div className="event-choices">
              {processes.map((p) => (
                <label key={p.key} className="check">
                  <input
                    type="checkbox"
                    name="start"
                    value={p.key}
                    checked={start.includes(p.key)}
                    onChange={(e) =>
                      setStart((now) => (e.target.checked ? [...now, p.key] : now.filter((k) => k !== p.key)))
                    }
                  />
                  <span>
                    {p.name} <code>{p.key}</code>
                  </span>
                </label>
              ))}
            </div>
          )}
          {fieldErrors('scopes.start')}
        </fieldset>

        {textLists.map((list) => {
          const slot: Slot = `scopes.${list}`;
          const hint = `${idOf(slot)}-hint`;
          return (
            <div className="field" key={list}>
              <label htmlFor={idOf(slot)}>{t(`apiKeyScope_${list}`)}</label>
              <textarea
                id={idOf(slot)}
                name={list}
                rows={3}
                spellCheck={false}
                autoComplete="off"
                value={lists[list]}
                onChange={(e) => setLists((now) => ({ ...now, [list]: e.target.value }))}
                aria-invalid={invalid(slot)}
                aria-describedby={describedBy(slot, hint)}
              />
              <div id={hint} className="hint">
                {list === 'signals'
                  ? t('apiKeySignalsHint')
                  : list === 'jobTypes'
                    ? t('apiKeyTaskTypesHint')
                    : t('apiKeyListHint')}
              </div>
              {list === 'messages' && messages.length > 0 && (
                <div className="known-names">
                  <span className="muted">{t('apiKeyMessagesKnown')}</span>
                  {messages.map((known) => (
                    <button
                      key={known}
                      type="button"
                      className="secondary chip"
                      aria-label={t('apiKeyAddMessage', { name: known })}
                      onClick={() => addMessage(known)}
                    >
                      + {known}
                    </button>
                  ))}
                </div>
              )}
              {fieldErrors(slot)}
            </div>
          );
        })}

        <div className="field">
          <label className="check">
            <input
              id={idOf('scopes.readInstances')}
              type="checkbox"
              name="readInstances"
              checked={readInstances}
              onChange={(e) => setReadInstances(e.target.checked)}
              aria-invalid={invalid('scopes.readInstances')}
              aria-describedby={describedBy('scopes.readInstances', 'apikey-read-hint')}
            />
            <span>{t('apiKeyScope_readInstances')}</span>
          </label>
          <div id="apikey-read-hint" className="hint">
            {t('apiKeyReadInstancesHint')}
          </div>
          {fieldErrors('scopes.readInstances')}
        </div>
      </fieldset>

      <FormActions busy={busy} label={t('apiKeyCreate')} busyLabel={t('apiKeyCreating')} message={message} />
    </form>
  );
}

/**
 * One key's row: the cells the page renders (`children`), then its actions cell. "Revoke" opens a
 * question in a row of its own under the key's, as wide as the table, so that the key's columns do
 * not squeeze around it; the focus goes to its safe answer, and back to "Revoke" when cancelled.
 * Revoked, the buttons go, the focus moves to the row's status cell (`statusCell`, which the
 * refreshed page shows revoked) and the live region, mounted from the start, says so. A key
 * revoked before has only that region, empty.
 */
export function ApiKeyRow({
  apiKey,
  columns,
  statusCell,
  locale,
  children,
}: {
  apiKey: { id: string; name: string; prefix: string; revoked: boolean };
  /** How many columns the table has, actions included: the question spans them all. */
  columns: number;
  statusCell: string;
  locale: Locale;
  children: ReactNode;
}) {
  const t = translator(locale);
  const [confirming, setConfirming] = useState(false);
  const [revoked, setRevoked] = useState(false);
  const { busy, message, run } = useCommand();
  const cancel = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (revoked) document.getElementById(statusCell)?.focus();
    else if (confirming) cancel.current?.focus();
    else if (asked.current) ask.current?.focus();
    asked.current = confirming;
  }, [confirming, revoked, statusCell]);
  const revoke = () =>
    run(() => trpc.apiKeys.revoke.mutate({ id: apiKey.id }), {
      done: () => {
        setRevoked(true);
        setConfirming(false);
        return t('apiKeyRevoked');
      },
    });
  const question = `apikey-revoke-${apiKey.id}`;
  const named = t('apiKeyRevokeNamed', { name: apiKey.name });

  return (
    <>
      <tr data-apikey={apiKey.id} data-prefix={apiKey.prefix} className={confirming ? 'asking' : undefined}>
        {children}
        <td className="actions">
          {!apiKey.revoked && !revoked && (
            <button
              type="button"
              className="secondary danger"
              ref={ask}
              aria-label={named}
              aria-expanded={confirming}
              aria-controls={confirming ? question : undefined}
              onClick={() => setConfirming((now) => !now)}
              disabled={busy}
            >
              {t('apiKeyRevoke')}
            </button>
          )}
          <div role="status" className="muted">
            {message && !message.error ? message.text : null}
          </div>
        </td>
      </tr>
      {confirming && (
        <tr className="apikey-question">
          <td colSpan={columns}>
            <ConfirmAction
              id={question}
              label={named}
              question={t('apiKeyRevokeConfirm', { name: apiKey.name, prefix: `trk_${apiKey.prefix}_…` })}
              yes={t('apiKeyRevokeYes')}
              onYes={revoke}
              danger
              cancel={t('apiKeyRevokeCancel')}
              cancelRef={cancel}
              onCancel={() => setConfirming(false)}

              busy={busy}
            >
              {message?.error && <CommandMessage message={message} as="div" />}
            </ConfirmAction>
          </td>
        </tr>
      )}
    </>
  );
}
