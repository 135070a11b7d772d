/**
 * The REST API's reference for people (app/developers/api): the OpenAPI document as
 * api-reference-model.ts reads it — an overview, a table of contents by area, and each operation's
 * access, parameters, request body, answer and refusals, schemas as trees of fields. The page's
 * own words are in the reader's language; the document's texts are English, rendered as text with
 * `backtick` spans as code, never as markup.
 */
import { Fragment } from 'react';
import { translator, type Locale, type MessageKey, type Translate } from '../_i18n/messages';
import type { Answer, FieldNode, Reference, ReferenceOperation } from './api-reference-model';

/** The language of the document's own texts. */
const DOC_LANG = 'en';

/** A text of the document: `backtick` spans as code, the rest as text (an unmatched backtick stays one). */
export function DocText({ text }: { text: string }) {
  const parts = text.split('`');
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`${parts.at(-1)}`);
  return (
    <span lang={DOC_LANG}>
      {parts.map((part, i) =>
        i % 2 === 1 && part !== '' ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>,
      )}
    </span>
  );
}

const IN_LABEL: Record<string, MessageKey> = {
  path: 'apiDocsIn_path',
  header: 'apiDocsIn_header',
  query: 'apiDocsIn_query',
};

const opAnchor = (id: string) => `op-${id}`;
const areaAnchor = (area: string) => `area-${area}`;

function typeLabel(node: FieldNode, t: Translate): string {
  return node.types.length > 0 ? node.types.join(' | ') : t('apiDocsAnyType');
}

/** What a field that is not a named one is called: an array's items, a map's values, an option. */
function FieldName({ node, index, t }: { node: FieldNode; index: number; t: Translate }) {
  if (node.role === 'items') return <span className="api-field-role">{t('apiDocsItems')}</span>;
  if (node.role === 'values') return <span className="api-field-role">{t('apiDocsValues')}</span>;
  if (node.role === 'variant') return <span className="api-field-role">{t('apiDocsVariant', { n: index + 1 })}</span>;
  return <code className="api-field-name">{node.name}</code>;
}

/** A field's rules, what it says of other fields, and the fields inside it. */
function FieldBody({ node, t }: { node: FieldNode; t: Translate }) {
  const listsValues = node.children.some((c) => c.role === 'values');
  const others =
    node.others === 'refused'
      ? t('apiDocsOthersRefused')
      : node.others === 'allowed' && !listsValues
        ? node.children.some((c) => c.role === 'property')
          ? t('apiDocsOthersAllowed')
          : t('apiDocsAnyFields')
        : undefined;
  return (
    <>
      {node.constraints.length > 0 && (
        <ul className="api-rules">
          {node.constraints.map((c) => (
            <li key={c.kind}>
              {t(`apiDocsConstraint_${c.kind}`)}{' '}
              {c.values.map((v, i) => (
                <Fragment key={i}>
                  {i > 0 && ', '}
                  <code>{v}</code>
                </Fragment>
              ))}
            </li>
          ))}
        </ul>
      )}
      {node.stopped === 'cycle' && <p className="api-note muted">{t('apiDocsCycle', { name: node.ref ?? '' })}</p>}
      {node.stopped === 'depth' && <p className="api-note muted">{t('apiDocsTooDeep')}</p>}
      {node.children.length > 0 && <FieldList nodes={node.children} t={t} />}
      {others && <p className="api-note muted">{others}</p>}
    </>
  );
}

function Field({ node, index, t }: { node: FieldNode; index: number; t: Translate }) {
  const where = node.in === undefined ? undefined : IN_LABEL[node.in] ? t(IN_LABEL[node.in]!) : node.in;
  const named = node.role === 'property' || node.role === 'parameter';
  return (
    <li className="api-field" data-field={node.name || undefined}>
      <div className="api-field-head">
        <FieldName node={node} index={index} t={t} />
        {where && <span className="api-in">{where}</span>}
        <span className="api-type">{typeLabel(node, t)}</span>
        {node.ref && <span className="api-ref">{node.ref}</span>}
        {named &&
          (node.required ? (
            <span className="badge api-required">{t('apiDocsRequired')}</span>
          ) : (
            <span className="api-optional muted">{t('apiDocsOptional')}</span>
          ))}
      </div>
      {node.description && (
        <p className="api-field-desc">
          <DocText text={node.description} />
        </p>
      )}
      <FieldBody node={node} t={t} />
    </li>
  );
}

export function FieldList({ nodes, t }: { nodes: FieldNode[]; t: Translate }) {
  return (
    <ul className="api-fields">
      {nodes.map((node, i) => (
        <Field key={`${node.role}:${node.name}:${i}`} node={node} index={i} t={t} />
      ))}
    </ul>
  );
}

/** A whole schema (a body): its component's name, type and description, then its fields. */
export function SchemaBlock({ node, t }: { node: FieldNode; t: Translate }) {
  return (
    <div className="api-schema">
      <p className="api-field-head">
        {node.ref && <code className="api-field-name">{node.ref}</code>}
        <span className="api-type">{typeLabel(node, t)}</span>
      </p>
      {node.description && (
        <p className="api-field-desc">
          <DocText text={node.description} />
        </p>
      )}
      <FieldBody node={node} t={t} />
    </div>
  );
}

function AnswerHeaders({ answer, t }: { answer: Answer; t: Translate }) {
  if (answer.headers.length === 0) return null;
  return (
    <div className="api-headers">
      <p className="api-label">{t('apiDocsHeaders')}</p>
      <FieldList nodes={answer.headers} t={t} />
    </div>
  );
}

function Operation({ op, t }: { op: ReferenceOperation; t: Translate }) {
  const titleId = `${opAnchor(op.id)}-title`;
  return (
    <article className="panel api-operation" id={opAnchor(op.id)} aria-labelledby={titleId} data-operation={op.id}>
      <h3 id={titleId}>
        <DocText text={op.summary} />
      </h3>
      <p className="api-endpoint">
        <span className={`api-method api-method-${op.method}`}>{op.method.toUpperCase()}</span>{' '}
        <code className="api-path">{op.path}</code>
      </p>
      <dl className="facts api-facts">
        <dt>{t('apiDocsOperationId')}</dt>
        <dd>
          <code>{op.id}</code>
        </dd>
        <dt>{t('apiDocsSecurity')}</dt>
        <dd data-security={op.security}>{t(`apiDocsSecurity_${op.security}`)}</dd>
      </dl>
      {op.description && (
        <p>
          <DocText text={op.description} />
        </p>
      )}
      {op.parameters.length > 0 && (
        <>
          <h4>{t('apiDocsParameters')}</h4>
          <FieldList nodes={op.parameters} t={t} />
        </>
      )}
      {op.body && (
        <>
          <h4>{t('apiDocsRequestBody')}</h4>
          <SchemaBlock node={op.body} t={t} />
        </>
      )}
      <h4>{t('apiDocsAnswers')}</h4>
      {op.success && (
        <div className="api-answer" data-status={op.success.status}>
          <p>
            <span className="api-status api-status-ok">{op.success.status}</span>{' '}
            <DocText text={op.success.description} />
          </p>
          <AnswerHeaders answer={op.success} t={t} />
          {op.success.body && <SchemaBlock node={op.success.body} t={t} />}
        </div>
      )}
      {op.refusals.length > 0 && (
        <details className="api-refusals">
          <summary>{t('apiDocsRefusals', { statuses: op.refusals.map((r) => r.status).join(', ') })}</summary>
          <dl>
            {op.refusals.map((r) => (
              <Fragment key={r.status}>
                <dt data-status={r.status}>
                  <span className="api-status">{r.status}</span> {r.name}
                </dt>
                <dd>
                  <DocText text={r.description} />
                  <AnswerHeaders answer={r} t={t} />
                </dd>
              </Fragment>
            ))}
          </dl>
        </details>
      )}
    </article>
  );
}

export function ApiReference({
  reference,
  documentHref,
  locale,
}: {
  reference: Reference;
  /** Where the raw document is served. */
  documentHref: string;
  locale: Locale;
}) {
  const t = translator(locale);
  const area = (name: string) => t(`apiDocsArea_${name}` as MessageKey);
  // Said only where the page's language is not the document's (its English text is empty).
  const inEnglish = t('apiDocsInEnglish');
  return (
    <div className="api-reference">
      <h1>{t('apiDocsTitle')}</h1>
      <p className="muted">{t('apiDocsIntro')}</p>
      {inEnglish && <p className="notice api-language">{inEnglish}</p>}
      <p>
        <a href={documentHref} className="api-raw">
          {t('apiDocsRawLink')}
        </a>{' '}
        <code>{documentHref}</code>
      </p>

      <section className="panel" aria-labelledby="api-overview">
        <h2 id="api-overview">{t('apiDocsOverview')}</h2>
        {reference.description && (
          <p>
            <DocText text={reference.description} />
          </p>
        )}
        <dl className="facts api-facts">
          <dt>{t('apiDocsVersion')}</dt>
          <dd>
            <span lang={DOC_LANG}>{reference.title}</span> <code>{reference.version}</code>
          </dd>
          {reference.servers.length > 0 && (
            <>
              <dt>{t('apiDocsBaseAddress')}</dt>
              <dd>
                {reference.servers.map((url, i) => (
                  <Fragment key={url}>
                    {i > 0 && ', '}
                    <code>{url}</code>
                  </Fragment>
                ))}
              </dd>
            </>
          )}
          {reference.schemes.map((scheme) => (
            <Fragment key={scheme.name}>
              <dt>{t('apiDocsAuthentication')}</dt>
              <dd>
                {scheme.type === 'http' && scheme.scheme === 'bearer' ? (
                  t('apiDocsBearer')
                ) : (
                  <code>{[scheme.type, scheme.scheme].filter(Boolean).join(' ')}</code>
                )}
                {scheme.description && (
                  <>
                    {': '}
                    <DocText text={scheme.description} />
                  </>
                )}
              </dd>
            </Fragment>
          ))}
        </dl>
      </section>

      <nav className="panel api-toc" aria-labelledby="api-contents">
        <h2 id="api-contents">{t('apiDocsContents')}</h2>
        <ul>
          {reference.areas.map(({ area: name, operations }) => (
            <li key={name}>
              <a href={`#${areaAnchor(name)}`}>{area(name)}</a>
              <ul>
                {operations.map((op) => (
                  <li key={op.id}>
                    <a href={`#${opAnchor(op.id)}`}>
                      <span className={`api-method api-method-${op.method}`}>{op.method.toUpperCase()}</span>{' '}
                      <code className="api-path">{op.path}</code>
                    </a>{' '}
                    <DocText text={op.summary} />
                  </li>
                ))}
              </ul>
            </li>
          ))}
          {reference.errorSchema && (
            <li>
              <a href="#api-errors">{t('apiDocsErrorsTitle')}</a>
            </li>
          )}
        </ul>
      </nav>

      {reference.areas.map(({ area: name, operations }) => (
        <section key={name} id={areaAnchor(name)} aria-labelledby={`${areaAnchor(name)}-title`}>
          <h2 id={`${areaAnchor(name)}-title`}>{area(name)}</h2>
          {operations.map((op) => (
            <Operation key={op.id} op={op} t={t} />
          ))}
        </section>
      ))}

      {reference.errorSchema && (
        <section id="api-errors" aria-labelledby="api-errors-title">
          <h2 id="api-errors-title">{t('apiDocsErrorsTitle')}</h2>
          <div className="panel">
            <p className="muted">{t('apiDocsErrorsIntro')}</p>
            <SchemaBlock node={reference.errorSchema} t={t} />
          </div>
        </section>
      )}
    </div>
  );
}
