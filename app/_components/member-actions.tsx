'use client';

/**
 * An admin's actions on the members page (app/admin/members): invite a colleague, revoke an
 * invitation, change a member's role, revoke a membership, and manage departments (add, rename,
 * delete when empty, members, manager). Destructive steps ask first. The server checks the role
 * and the company again; these only save a round trip. Names, addresses and server messages are
 * rendered as text.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { MemberRole } from '@/db/schema';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';
import { CommandMessage, FormActions, useCommand } from './command';
import { trpc, type ClientFailure } from './trpc';

type Option = { id: string; label: string };

/** A refusal of the buttons and selects: what the server said of each field, or its message. */
const refusal = (failure: ClientFailure) =>
  failure.fields.length ? failure.fields.map((f) => f.message).join(' ') : failure.message;

/** A button that asks once more before `action`. */
function ConfirmButton({
  label,
  question,
  yes,
  locale,
  danger = true,
  disabled,
  onConfirm,
}: {
  label: string;
  question: string;
  yes: string;
  locale: Locale;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => Promise<unknown>;
}) {
  const t = translator(locale);
  const [asking, setAsking] = useState(false);
  const { busy, message, run } = useCommand(refusal);
  return (
    <div className="member-actions">
      {asking ? (
        <div className="confirm" role="group" aria-label={label}>
          <p>{question}</p>
          <div className="buttons">
            <button
              type="button"
              className={danger ? 'primary danger' : 'primary'}
              disabled={busy}
              onClick={() => run(onConfirm, { done: () => setAsking(false) })}
            >
              {yes}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(false)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          className={danger ? 'secondary danger' : 'secondary'}
          disabled={disabled}
          onClick={() => setAsking(true)}
        >
          {label}
        </button>
      )}
      <CommandMessage message={message} as="div" />
    </div>
  );
}

// ——— Invitations ———

export function InviteForm({
  locale,
  roles,
  departments,
}: {
  locale: Locale;
  roles: readonly MemberRole[];
  departments: Option[];
}) {
  const t = translator(locale);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('staff');
  const [chosen, setChosen] = useState<string[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<'email' | 'role' | 'groupIds', string>>>({});
  const { busy, message, setMessage, run } = useCommand((failure) => {
    const named: Partial<Record<'email' | 'role' | 'groupIds', string>> = {};
    for (const f of failure.fields)
      if (f.field === 'email' || f.field === 'role' || f.field === 'groupIds') named[f.field] = f.message;
    setFieldErrors(named);
    return Object.keys(named).length === 0 ? failure.message : null;
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    if (email.trim() === '') {
      setFieldErrors({ email: t('inviteEmailRequired') });
      return;
    }
    setFieldErrors({});
    await run(() => trpc.invitation.create.mutate({ email, role, groupIds: chosen }), {
      done: (created) => {
        setEmail('');
        setChosen([]);
        return t('inviteSent', { email: created.email });
      },
    });
  };

  return (
    <form className="webhook-form invite-form" noValidate onSubmit={submit} aria-label={t('inviteTitle')}>
      <div className="field-row">
        <div className="field">
          <label htmlFor="invite-email">{t('inviteEmail')}</label>
          <input
            id="invite-email"
            name="email"
            type="email"
            autoComplete="off"
            spellCheck={false}
            maxLength={320}
            placeholder="ten.ho@congty.vn"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={fieldErrors.email ? true : undefined}
            aria-describedby={fieldErrors.email ? 'invite-email-error' : undefined}
          />
          {fieldErrors.email && (
            <div id="invite-email-error" role="alert" className="field-error" data-field="email">
              <strong>{t('inviteEmail')}:</strong> {fieldErrors.email}
            </div>
          )}
        </div>
        <div className="field">
          <label htmlFor="invite-role">{t('inviteRole')}</label>
          <select id="invite-role" name="role" value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`role_${r}`)} — {t(`roleHint_${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {departments.length > 0 && (
        <fieldset className="field" aria-describedby={fieldErrors.groupIds ? 'invite-groups-error' : undefined}>
          <legend>{t('inviteDepartments')}</legend>
          <div className="event-choices">
            {departments.map((d) => (
              <label key={d.id} className="check">
                <input
                  type="checkbox"
                  name="groupIds"
                  value={d.id}
                  checked={chosen.includes(d.id)}
                  onChange={(e) =>
                    setChosen((now) => (e.target.checked ? [...now, d.id] : now.filter((x) => x !== d.id)))
                  }
                />
                <span>{d.label}</span>
              </label>
            ))}
          </div>
          {fieldErrors.groupIds && (
            <div id="invite-groups-error" role="alert" className="field-error" data-field="groupIds">
              {fieldErrors.groupIds}
            </div>
          )}
        </fieldset>
      )}
      <FormActions busy={busy} label={t('inviteSend')} busyLabel={t('inviteSending')} message={message} />
    </form>
  );
}

export function RevokeInvitationButton({ id, email, locale }: { id: string; email: string; locale: Locale }) {
  const t = translator(locale);
  return (
    <ConfirmButton
      locale={locale}
      label={t('invitationRevoke')}
      question={t('invitationRevokeConfirm', { email })}
      yes={t('invitationRevokeYes')}
      onConfirm={() => trpc.invitation.revoke.mutate({ id })}
    />
  );
}

// ——— Members ———

/** A member's role: changed as soon as another is chosen (the server refuses demoting the last admin). */
export function MemberRoleSelect({
  userId,
  name,
  role,
  roles,
  locale,
}: {
  userId: string;
  name: string;
  role: MemberRole;
  roles: readonly MemberRole[];
  locale: Locale;
}) {
  const t = translator(locale);
  const { busy, message, run } = useCommand(refusal);
  const [value, setValue] = useState(role);
  const [saved, setSaved] = useState(false);
  return (
    <div className="member-actions">
      <select
        aria-label={t('memberRoleLabel', { name })}
        value={value}
        disabled={busy}
        onChange={async (e) => {
          const next = e.target.value as MemberRole;
          setValue(next);
          setSaved(false);
          const ok = await run(() => trpc.member.setRole.mutate({ userId, role: next }));
          if (ok) setSaved(true);
          else setValue(role);
        }}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {t(`role_${r}`)}
          </option>
        ))}
      </select>
      {saved && (
        <span role="status" className="muted">
          {t('memberRoleSaved')}
        </span>
      )}
      <CommandMessage message={message} as="div" />
    </div>
  );
}

export function RemoveMemberButton({
  userId,
  name,
  company,
  locale,
}: {
  userId: string;
  name: string;
  company: string;
  locale: Locale;
}) {
  const t = translator(locale);
  return (
    <ConfirmButton
      locale={locale}
      label={t('memberRemove')}
      question={t('memberRemoveConfirm', { name, company })}
      yes={t('memberRemoveYes')}
      onConfirm={() => trpc.member.remove.mutate({ userId })}
    />
  );
}

// ——— Departments ———

type NameFields = 'key' | 'name.en' | 'name.vi';

function NameInputs({
  prefix,
  locale,
  en,
  vi,
  setEn,
  setVi,
  errors,
}: {
  prefix: string;
  locale: Locale;
  en: string;
  vi: string;
  setEn: (v: string) => void;
  setVi: (v: string) => void;
  errors: Partial<Record<NameFields, string>>;
}) {
  const t = translator(locale);
  const field = (lang: 'en' | 'vi', value: string, set: (v: string) => void, label: string) => {
    const error = errors[`name.${lang}`];
    const id = `${prefix}-name-${lang}`;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="text"
          maxLength={100}
          value={value}
          onChange={(e) => set(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error && (
          <div id={`${id}-error`} role="alert" className="field-error" data-field={`name.${lang}`}>
            <strong>{label}:</strong> {error}
          </div>
        )}
      </div>
    );
  };
  return (
    <>
      {field('vi', vi, setVi, t('departmentNameVi'))}
      {field('en', en, setEn, t('departmentNameEn'))}
    </>
  );
}

/** A department command: a refusal naming the key or a name is shown beside that field, any other as the line. */
function useDepartmentCommand() {
  const [errors, setErrors] = useState<Partial<Record<NameFields, string>>>({});
  const command = useCommand((failure) => {
    const named: Partial<Record<NameFields, string>> = {};
    for (const f of failure.fields)
      if (f.field === 'key' || f.field === 'name.en' || f.field === 'name.vi') named[f.field] = f.message;
    setErrors(named);
    return Object.keys(named).length ? null : failure.message;
  });
  return { ...command, errors, setErrors };
}

export function NewDepartmentForm({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const [key, setKey] = useState('');
  const [en, setEn] = useState('');
  const [vi, setVi] = useState('');
  const { busy, message, run, errors, setErrors } = useDepartmentCommand();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() => trpc.department.create.mutate({ key, name: { en, vi } }), {
      done: () => {
        setErrors({});
        setKey('');
        setEn('');
        setVi('');
        return t('departmentCreated');
      },
    });
  };
  return (
    <form className="webhook-form department-form" noValidate onSubmit={submit} aria-label={t('departmentNewTitle')}>
      <div className="field-row">
        <div className="field">
          <label htmlFor="department-key">{t('departmentKey')}</label>
          <input
            id="department-key"
            type="text"
            maxLength={40}
            spellCheck={false}
            autoComplete="off"
            placeholder="legal"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-invalid={errors.key ? true : undefined}
            aria-describedby={errors.key ? 'department-key-error department-key-hint' : 'department-key-hint'}
          />
          <div id="department-key-hint" className="hint">
            {t('departmentKeyHint')}
          </div>
          {errors.key && (
            <div id="department-key-error" role="alert" className="field-error" data-field="key">
              <strong>{t('departmentKey')}:</strong> {errors.key}
            </div>
          )}
        </div>
        <NameInputs
          prefix="department-new"
          locale={locale}
          en={en}
          vi={vi}
          setEn={setEn}
          setVi={setVi}
          errors={errors}
        />
      </div>
      <FormActions busy={busy} label={t('departmentCreate')} busyLabel={t('departmentCreating')} message={message} />
    </form>
  );
}

/** Rename (both languages) and delete (only when empty) of one department. */
export function DepartmentEditor({
  id,
  name,
  empty,
  displayName,
  locale,
}: {
  id: string;
  name: { en: string; vi: string };
  empty: boolean;
  displayName: string;
  locale: Locale;
}) {
  const t = translator(locale);
  const [open, setOpen] = useState(false);
  const [en, setEn] = useState(name.en);
  const [vi, setVi] = useState(name.vi);
  const { busy, message, run, errors, setErrors } = useDepartmentCommand();
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(() => trpc.department.rename.mutate({ id, name: { en, vi } }), {
      done: () => {
        setErrors({});
        setOpen(false);
      },
    });
  };
  return (
    <div className="department-editor">
      {open ? (
        <form className="webhook-form" noValidate onSubmit={save} aria-label={t('departmentRename')}>
          <div className="field-row">
            <NameInputs
              prefix={`department-${id}`}
              locale={locale}
              en={en}
              vi={vi}
              setEn={setEn}
              setVi={setVi}
              errors={errors}
            />
          </div>
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>
              {t('departmentRenameSave')}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {t('cancel')}
            </button>
          </div>
          <CommandMessage message={message} as="div" />
        </form>
      ) : (
        <div className="buttons">
          <button type="button" className="secondary" onClick={() => setOpen(true)}>
            {t('departmentRename')}
          </button>
          {empty ? (
            <ConfirmButton
              locale={locale}
              label={t('departmentDelete')}
              question={t('departmentDeleteConfirm', { name: displayName })}
              yes={t('departmentDeleteYes')}
              onConfirm={() => trpc.department.delete.mutate({ id })}
            />
          ) : (
            <button type="button" className="secondary danger" disabled title={t('departmentDeleteWhenEmpty')}>
              {t('departmentDelete')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** Members of one department: the manager choice, add a member, remove one. */
export function DepartmentMembers({
  groupId,
  members,
  managerId,
  candidates,
  locale,
  children,
}: {
  groupId: string;
  members: Option[];
  managerId: string | null;
  candidates: Option[];
  locale: Locale;
  children?: ReactNode;
}) {
  const t = translator(locale);
  const { busy, message, run } = useCommand(refusal);
  const [adding, setAdding] = useState('');
  const outside = candidates.filter((c) => !members.some((m) => m.id === c.id));
  return (
    <div className="department-members">
      <div className="field">
        <label htmlFor={`manager-${groupId}`}>{t('departmentManager')}</label>
        <select
          id={`manager-${groupId}`}
          value={managerId ?? ''}
          disabled={busy}
          onChange={(e) => run(() => trpc.department.setManager.mutate({ groupId, userId: e.target.value || null }))}
        >
          <option value="">{t('departmentNoManager')}</option>
          {candidates.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      {children}
      {members.length === 0 ? (
        <p className="muted">{t('departmentNoMembers')}</p>
      ) : (
        <ul className="department-member-list" aria-label={t('departmentMembers')}>
          {members.map((m) => (
            <li key={m.id}>
              <span>{m.label}</span>
              {m.id === managerId && <span className="badge">{t('memberManagerOf')}</span>}
              <button
                type="button"
                className="linkish"
                disabled={busy}
                aria-label={t('departmentRemoveMember', { name: m.label })}
                onClick={() => run(() => trpc.department.removeMember.mutate({ groupId, userId: m.id }))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {outside.length > 0 && (
        <form
          className="add-member"
          onSubmit={(e) => {
            e.preventDefault();
            if (adding)
              void run(() => trpc.department.addMember.mutate({ groupId, userId: adding }), {
                done: () => setAdding(''),
              });
          }}
        >
          <select aria-label={t('departmentAddMember')} value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t('departmentChooseMember')}</option>
            {outside.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
          <button type="submit" className="secondary" disabled={busy || !adding}>
            {t('departmentAddMember')}
          </button>
        </form>
      )}
      <CommandMessage message={message} as="div" />
    </div>
  );
}
