import { publicRoute } from '../../../server/api/http';
import { openApiDocument } from '../../../server/api/openapi';

/** The API's OpenAPI 3.1 document: public, and indented so that a person can read it in a browser. */
export const GET = publicRoute(
  'GET /api/v1/openapi.json',
  () =>
    new Response(JSON.stringify(openApiDocument(), null, 2), {
      status: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
    }),
);
