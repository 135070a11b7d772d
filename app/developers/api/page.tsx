/**
 * The REST API's reference (issue 21: its OpenAPI document, browsable), public as the document is:
 * rendered from openApiDocument() itself, so it cannot describe the API otherwise than the API
 * checks requests. The page's words follow the reader's language; the document's stay English.
 */
import type { Metadata } from 'next';
import { ApiReference } from '../../_components/api-reference';
import { apiReference } from '../../_components/api-reference-model';
import { translator } from '../../_i18n/messages';
import { API_BASE, openApiDocument, operations } from '../../server/api/openapi';
import { serverCaller } from '../../server/request';

export async function generateMetadata(): Promise<Metadata> {
  const { ctx } = await serverCaller();
  return { title: `${translator(ctx.locale)('apiDocsTitle')} · Trellis` };
}

/** Operations authenticated by a signature of their own: the document says so only in words. */
const signed = new Set(operations.filter((o) => o.signed).map((o) => o.operationId));

export default async function ApiReferencePage() {
  const { ctx } = await serverCaller();
  return (
    <ApiReference
      reference={apiReference(openApiDocument(), signed)}
      documentHref={`${API_BASE}/openapi.json`}
      locale={ctx.locale}
    />
  );
}
