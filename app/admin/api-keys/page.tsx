/**
 * The company's API keys, for admins: each key's name, the prefix that tells it apart, its rights
 * in short, its status (active, expired, revoked), who made it and when, when it expires and when
 * it was last used; revoke one (after a second click); create one, whose token is shown once, by
 * the form (never by this page: the server-rendered data has no token). Names are rendered as text.
 *
 * Each row is an ApiKeyRow: these cells, then its actions cell, rendered for revoked keys too so
 * that its live region outlives the revoke it announces.
 */
import Link from 'next/link';
import type { ApiKeyScopes } from '@/db/schema';
import { localize } from '@/engine/model/definition';
import { ApiKeyCreator, ApiKeyRow } from '../../_components/api-key-actions';
import { formatDateTime } from '../../_i18n/format';
import type { Locale, Translate } from '../../_i18n/messages';
import { MAX_API_KEY_DAYS, MAX_API_KEY_NAME_LENGTH } from '../../server/services/api-keys';
import { pageData, signedInPage } from '../../server/page-helpers';

/** Names one list of a key's rights shows before "and n more": the row stays short; the audit trail has them all. */
const SHOWN_PER_LIST = 3;

/** The table's columns, the actions included: a revoke question spans them all. */
const COLUMNS = 7;

export default async function ApiKeysPage() {
  const { caller, actor, locale, t } = await signedInPage();
  const [keys, choices] = await pageData(Promise.all([caller.apiKeys.list(), caller.apiKeys.choices()]));
  const processes = choices.processes
    .map((p) => ({ key: p.key, name: localize(p.name, locale) ?? p.key }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
  const processNames = new Map(processes.map((p) => [p.key, p.name]));

  return (
    <>
      <h1>{t('apiKeysTitle')}</h1>
      <p className="muted">{t('apiKeysIntro', { company: actor.tenantName })}</p>
      <p>
        <Link href="/developers/api">{t('apiDocsLink')}</Link>
      </p>

      {keys.length === 0 ? (
        <div className="panel muted">{t('apiKeysEmpty')}</div>
      ) : (
        <table className="list apikeys" aria-label={t('apiKeysTitle')}>
          <thead>
            <tr>
              <th>{t('colApiKeyName')}</th>
              <th>{t('colApiKeyRights')}</th>
              <th>{t('colStatus')}</th>
              <th>{t('colApiKeyCreated')}</th>
              <th>{t('colApiKeyExpires')}</th>
              <th>{t('colApiKeyLastUsed')}</th>
              <th>
                <span className="visually-hidden">{t('colApiKeyActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <ApiKeyRow
                key={key.id}
                apiKey={{ id: key.id, name: key.name, prefix: key.prefix, revoked: key.status === 'revoked' }}
                columns={COLUMNS}
                statusCell={statusCellId(key.id)}
                locale={locale}
              >
                <td className="name" data-label={t('colApiKeyName')}>
                  <div className="apikey-name">{key.name}</div>
                  <div className="muted prefix">
                    {t('apiKeyPrefix')} <code>trk_{key.prefix}_…</code>
                  </div>
                </td>
                <td className="rights" data-label={t('colApiKeyRights')}>
                  <Rights scopes={key.scopes} processNames={processNames} t={t} />
                </td>
                <td className="status" id={statusCellId(key.id)} tabIndex={-1} data-label={t('colStatus')}>
                  <span className={`badge apikey-${key.status}`} data-testid="apikey-status">
                    {t(`apiKeyStatus_${key.status}`)}
                  </span>
                  {key.revokedAt && (
                    <div className="muted when">{t('apiKeyRevokedAt', { date: when(key.revokedAt, locale) })}</div>
                  )}
                </td>
                <td data-label={t('colApiKeyCreated')}>
                  <div className="when">{when(key.createdAt, locale)}</div>
                  <div className="muted">{t('apiKeyCreatedBy', { name: key.createdBy.name })}</div>
                </td>
                <td className="when" data-label={t('colApiKeyExpires')}>
                  {when(key.expiresAt, locale)}
                </td>
                <td className="when" data-label={t('colApiKeyLastUsed')}>
                  {key.lastUsedAt ? when(key.lastUsedAt, locale) : t('apiKeyNeverUsed')}
                </td>
              </ApiKeyRow>
            ))}
          </tbody>
        </table>
      )}

      <section className="panel" aria-labelledby="apikey-create-title">
        <h2 id="apikey-create-title">{t('apiKeyCreateTitle')}</h2>
        <ApiKeyCreator
          locale={locale}
          processes={processes}
          messages={choices.messages}
          limits={{ maxDays: MAX_API_KEY_DAYS, maxNameLength: MAX_API_KEY_NAME_LENGTH }}
        />
      </section>
    </>
  );
}

const when = (date: Date, locale: Locale) => formatDateTime(date, locale);

/** The id of a row's status cell, where the focus lands once its key is revoked. */
const statusCellId = (keyId: string) => `apikey-status-${keyId}`;

/** A key's rights in short: each list that names something, its first names, then how many more. */
function Rights({
  scopes,
  processNames,
  t,
}: {
  scopes: ApiKeyScopes;
  processNames: Map<string, string>;
  t: Translate;
}) {
  const lists = [
    { label: t('apiKeyScope_start'), names: scopes.start.map((key) => processNames.get(key) ?? key) },
    { label: t('apiKeyScope_messages'), names: scopes.messages },
    { label: t('apiKeyScope_signals'), names: scopes.signals },
    { label: t('apiKeyScope_jobTypes'), names: scopes.jobTypes },
  ].filter((list) => list.names.length > 0);
  return (
    <ul className="rights">
      {lists.map(({ label, names }) => (
        <li key={label}>
          <span className="muted">{label}:</span> {names.slice(0, SHOWN_PER_LIST).join(', ')}
          {names.length > SHOWN_PER_LIST && <> {t('apiKeyMore', { count: names.length - SHOWN_PER_LIST })}</>}
        </li>
      ))}
      {scopes.readInstances && <li>{t('apiKeyScope_readInstances')}</li>}
    </ul>
  );
}
