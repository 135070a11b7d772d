/**
 * The company's people, for admins: invite a colleague (the link goes to the email outbox),
 * pending invitations (revoke), members with their role (change it; the last admin stays) and
 * access (revoke), and departments with their members and manager (add, rename in both
 * languages, delete when empty). Everything a person typed is rendered as text.
 */
import { memberRoles } from '../../server/services/members';
import { localize } from '@/engine/model/definition';
import {
  DepartmentEditor,
  DepartmentMembers,
  InviteForm,
  MemberRoleSelect,
  NewDepartmentForm,
  RemoveMemberButton,
  RevokeInvitationButton,
} from '../../_components/member-actions';
import { formatDateTime } from '../../_i18n/format';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function MembersPage() {
  const { caller, actor, locale, t } = await signedInPage();
  const data = await pageData(Promise.all([caller.member.list(), caller.department.list(), caller.invitation.list()]));
  const [members, departments, invitations] = data;
  const departmentName = (name: Parameters<typeof localize>[0]) => localize(name, locale) ?? '';
  const candidates = members.map((m) => ({ id: m.userId, label: `${m.displayName} (${m.email})` }));

  return (
    <>
      <h1>{t('membersTitle')}</h1>
      <p className="muted">{t('membersIntro', { company: actor.tenantName })}</p>

      <section className="panel" aria-labelledby="invite-title">
        <h2 id="invite-title">{t('inviteTitle')}</h2>
        <p className="muted">{t('inviteIntro')}</p>
        <InviteForm
          locale={locale}
          roles={memberRoles}
          departments={departments.map((d) => ({ id: d.id, label: departmentName(d.name) }))}
        />
      </section>

      <section aria-labelledby="invitations-title">
        <h2 id="invitations-title">{t('invitationsTitle')}</h2>
        {invitations.length === 0 ? (
          <div className="panel muted">{t('invitationsEmpty')}</div>
        ) : (
          <table className="list invitations" aria-label={t('invitationsTitle')}>
            <thead>
              <tr>
                <th>{t('colEmail')}</th>
                <th>{t('colRole')}</th>
                <th>{t('colDepartments')}</th>
                <th>{t('colInvitedBy')}</th>
                <th>{t('colExpires')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invitations.map((inv) => (
                <tr key={inv.id} data-invitation={inv.email}>
                  <td className="email">{inv.email}</td>
                  <td>{t(`role_${inv.role}`)}</td>
                  <td>{inv.groups.map((g) => departmentName(g.name)).join(', ') || '—'}</td>
                  <td>
                    {inv.invitedBy ?? '—'}
                    <div className="muted nowrap">{formatDateTime(inv.createdAt, locale)}</div>
                  </td>
                  <td className="nowrap">
                    {inv.expired ? (
                      <span className="badge incident">{t('invitationExpired')}</span>
                    ) : (
                      formatDateTime(inv.expiresAt, locale)
                    )}
                  </td>
                  <td className="actions">
                    <RevokeInvitationButton id={inv.id} email={inv.email} locale={locale} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="members-title">
        <h2 id="members-title">{t('membersListTitle')}</h2>
        <table className="list members" aria-label={t('membersListTitle')}>
          <thead>
            <tr>
              <th>{t('colMember')}</th>
              <th>{t('colRole')}</th>
              <th>{t('colDepartments')}</th>
              <th>{t('colJoined')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId} data-member={m.email}>
                <td>
                  <strong>{m.displayName}</strong>{' '}
                  {m.userId === actor.userId && <span className="muted">{t('memberYou')}</span>}
                  <div className="muted email">{m.email}</div>
                  {m.title && <div className="muted">{m.title}</div>}
                </td>
                <td>
                  <MemberRoleSelect
                    userId={m.userId}
                    name={m.displayName}
                    role={m.role}
                    roles={memberRoles}
                    locale={locale}
                  />
                </td>
                <td>
                  {m.departments.length === 0 ? (
                    <span className="muted">{t('memberNoDepartment')}</span>
                  ) : (
                    <ul className="plain">
                      {m.departments.map((d) => (
                        <li key={d.groupId}>
                          {departmentName(d.name)}
                          {d.role === 'manager' && <span className="muted"> · {t('memberManagerOf')}</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className="nowrap">{formatDateTime(m.joinedAt, locale)}</td>
                <td className="actions">
                  <RemoveMemberButton
                    userId={m.userId}
                    name={m.displayName}
                    company={actor.tenantName}
                    locale={locale}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="departments-title">
        <h2 id="departments-title">{t('departmentsTitle')}</h2>
        <p className="muted">{t('departmentsIntro')}</p>
        {departments.length === 0 ? (
          <div className="panel muted">{t('departmentsEmpty')}</div>
        ) : (
          <div className="department-cards">
            {departments.map((d) => (
              <article
                key={d.id}
                className="card department"
                data-department={d.key}
                aria-labelledby={`department-${d.id}`}
              >
                <h3 id={`department-${d.id}`}>
                  {departmentName(d.name)} <code>{d.key}</code>
                </h3>
                <DepartmentMembers
                  groupId={d.id}
                  managerId={d.manager?.userId ?? null}
                  members={d.members.map((m) => ({ id: m.userId, label: m.displayName }))}
                  candidates={candidates}
                  locale={locale}
                />
                <DepartmentEditor
                  id={d.id}
                  name={{ en: localize(d.name, 'en') ?? '', vi: localize(d.name, 'vi') ?? '' }}
                  empty={d.members.length === 0}
                  displayName={departmentName(d.name)}
                  locale={locale}
                />
              </article>
            ))}
          </div>
        )}
        <section className="panel" aria-labelledby="department-new-title">
          <h2 id="department-new-title">{t('departmentNewTitle')}</h2>
          <NewDepartmentForm locale={locale} />
        </section>
      </section>
    </>
  );
}
