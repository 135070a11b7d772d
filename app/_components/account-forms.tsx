'use client';

/**
 * The account forms: sign in, sign up, forgot and reset password. Plain forms posting to server
 * actions (they work before JavaScript loads); errors come back per field, as text, in the
 * page's language, with what was typed kept (never the password).
 */
import Link from 'next/link';
import { useActionState } from 'react';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';
import {
  forgotPasswordAction,
  resetPasswordAction,
  signInAction,
  signUpAction,
  type FormState,
} from '../server/account-actions';

type Field = { name: string; label: MessageKey; type: string; autoComplete: string; hint?: string };

function Fields({ fields, state, t }: { fields: Field[]; state: FormState; t: ReturnType<typeof translator> }) {
  return (
    <>
      {fields.map((f) => {
        const error = state.fields?.[f.name];
        return (
          <div key={f.name} className={`field${error ? ' has-error' : ''}`}>
            <label htmlFor={`account-${f.name}`}>{t(f.label)}</label>
            <input
              id={`account-${f.name}`}
              name={f.name}
              type={f.type}
              autoComplete={f.autoComplete}
              defaultValue={f.type === 'password' ? undefined : (state.values?.[f.name] ?? '')}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `account-${f.name}-error` : undefined}
              required
            />
            {f.hint && !error && <div className="muted small">{f.hint}</div>}
            {error && (
              <div id={`account-${f.name}-error`} className="error-text small" role="alert">
                {error}
              </div>
            )}
          </div>
        );
      })}
    </>
  );
}

function Problem({ state }: { state: FormState }) {
  if (state.error)
    return (
      <div className="notice error" role="alert">
        {state.error}
      </div>
    );
  if (state.done)
    return (
      <div className="notice" role="status">
        {state.done}
      </div>
    );
  return null;
}

export function SignInForm({ locale, next }: { locale: Locale; next?: string }) {
  const t = translator(locale);
  const [state, action, pending] = useActionState(signInAction, {});
  return (
    <form action={action} className="panel account-form" aria-label={t('signInTitle')}>
      <Problem state={state} />
      {next && <input type="hidden" name="next" value={next} />}
      <Fields
        t={t}
        state={state}
        fields={[
          { name: 'email', label: 'fieldEmail', type: 'email', autoComplete: 'username' },
          { name: 'password', label: 'fieldPassword', type: 'password', autoComplete: 'current-password' },
        ]}
      />
      <button type="submit" className="primary" disabled={pending}>
        {pending ? t('signInWorking') : t('signInButton')}
      </button>
      <p className="account-links">
        <Link href="/forgot-password">{t('forgotLink')}</Link>
      </p>
    </form>
  );
}

export function SignUpForm({
  locale,
  invite,
  email,
  next,
  minPassword,
}: {
  locale: Locale;
  invite?: string;
  /** Prefilled: the invited address. */ email?: string;
  next?: string;
  minPassword: number;
}) {
  const t = translator(locale);
  const [state, action, pending] = useActionState(signUpAction, email ? { values: { email } } : {});
  const fields: Field[] = [
    { name: 'name', label: 'fieldName', type: 'text', autoComplete: 'name' },
    { name: 'email', label: 'fieldEmail', type: 'email', autoComplete: 'email' },
    {
      name: 'password',
      label: 'fieldPassword',
      type: 'password',
      autoComplete: 'new-password',
      hint: t('passwordHint', { min: minPassword }),
    },
  ];
  if (!invite) fields.push({ name: 'company', label: 'fieldCompany', type: 'text', autoComplete: 'organization' });
  return (
    <form action={action} className="panel account-form" aria-label={t('signUpTitle')}>
      <Problem state={state} />
      {invite && <input type="hidden" name="invite" value={invite} />}
      {next && <input type="hidden" name="next" value={next} />}
      <Fields t={t} state={state} fields={fields} />
      <button type="submit" className="primary" disabled={pending}>
        {pending ? t('signUpWorking') : t('signUpButton')}
      </button>
    </form>
  );
}

export function ForgotPasswordForm({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const [state, action, pending] = useActionState(forgotPasswordAction, {});
  return (
    <form action={action} className="panel account-form" aria-label={t('forgotTitle')}>
      <Problem state={state} />
      <Fields
        t={t}
        state={state}
        fields={[{ name: 'email', label: 'fieldEmail', type: 'email', autoComplete: 'username' }]}
      />
      <button type="submit" className="primary" disabled={pending}>
        {t('forgotButton')}
      </button>
    </form>
  );
}

export function ResetPasswordForm({
  locale,
  token,
  minPassword,
}: {
  locale: Locale;
  token: string;
  minPassword: number;
}) {
  const t = translator(locale);
  const [state, action, pending] = useActionState(resetPasswordAction, {});
  if (state.done)
    return (
      <div className="panel account-form">
        <Problem state={state} />
        <Link href="/sign-in" className="button">
          {t('signInButton')}
        </Link>
      </div>
    );
  return (
    <form action={action} className="panel account-form" aria-label={t('resetTitle')}>
      <Problem state={state} />
      <input type="hidden" name="token" value={token} />
      <Fields
        t={t}
        state={state}
        fields={[
          {
            name: 'password',
            label: 'fieldNewPassword',
            type: 'password',
            autoComplete: 'new-password',
            hint: t('passwordHint', { min: minPassword }),
          },
        ]}
      />
      <button type="submit" className="primary" disabled={pending}>
        {t('resetButton')}
      </button>
    </form>
  );
}
