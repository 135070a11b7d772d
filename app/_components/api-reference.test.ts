/**
 * The API reference page's reading of the real OpenAPI document (api-reference-model.ts) and its
 * rendering (api-reference.tsx): every operation is there, in its area; fields read with their
 * rules and descriptions; `$ref` cycles and depth are bounded; the document's texts are text, with
 * backtick spans as code.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { API_BASE, openApiDocument, operations } from '@/app/server/api/openapi';
import { ApiReference, DocText } from './api-reference';
import { apiReference, fieldTree, MAX_DEPTH, type ApiDocument, type FieldNode } from './api-reference-model';

const signed = new Set(operations.filter((o) => o.signed).map((o) => o.operationId));
const reference = apiReference(openApiDocument(), signed);
const byId = new Map(reference.areas.flatMap((a) => a.operations).map((op) => [op.id, op]));
const op = (id: string) => {
  const found = byId.get(id);
  if (!found) throw new Error(`No operation "${id}" in the reference`);
  return found;
};
const child = (node: FieldNode | undefined, name: string) => node?.children.find((c) => c.name === name);
const render = (doc: ApiDocument, locale: 'en' | 'vi' = 'en') =>
  renderToStaticMarkup(
    createElement(ApiReference, {
      reference: apiReference(doc, signed),
      documentHref: `${API_BASE}/openapi.json`,
      locale,
    }),
  );
/** The deepest level of a tree (the root is 0). */
const depthOf = (node: FieldNode): number => Math.max(0, ...node.children.map((c) => 1 + depthOf(c)));

describe('the API reference', () => {
  it('shows every operation of the API, with its path, in the table of contents and in full', () => {
    const html = render(openApiDocument());
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      expect(byId.get(operation.operationId)?.path).toBe(`${API_BASE}${operation.path}`);
      expect(html).toContain(`href="#op-${operation.operationId}"`);
      expect(html).toContain(`data-operation="${operation.operationId}"`);
      expect(html).toContain(`<code class="api-path">${API_BASE}${operation.path}</code>`);
    }
    expect(byId.size).toBe(operations.length);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain(`href="${API_BASE}/openapi.json"`);
  });

  it('groups operations by area, in the page’s order', () => {
    const areas = Object.fromEntries(reference.areas.map((a) => [a.area, a.operations.map((o) => o.id)]));
    expect(reference.areas.map((a) => a.area)).toEqual(['instances', 'messages', 'jobs', 'hooks', 'document']);
    expect(areas.instances).toEqual(['startInstance', 'getInstance']);
    expect(areas.messages).toEqual(['publishMessage', 'broadcastSignal']);
    expect(areas.jobs).toContain('fetchAndLockJobs');
    expect(areas.hooks).toEqual(['receiveInboundWebhook']);
    expect(areas.document).toEqual(['getOpenApiDocument']);
  });

  it('says how each operation is accessed: an API key, a signature, or nothing', () => {
    expect(op('startInstance').security).toBe('key');
    expect(op('receiveInboundWebhook').security).toBe('signed');
    expect(op('getOpenApiDocument').security).toBe('none');
  });

  it('reads StartInstanceRequest: definitionKey required with its description and pattern, no other field', () => {
    const body = op('startInstance').body!;
    expect(body.ref).toBe('StartInstanceRequest');
    expect(body.description).toBe('Starts an instance of a process.');
    expect(body.others).toBe('refused');
    const key = child(body, 'definitionKey')!;
    expect(key).toMatchObject({ required: true, types: ['string'] });
    expect(key.description).toMatch(/^The key of the process to start, e\.g\. "invoice-approval"/);
    expect(key.constraints).toEqual([{ kind: 'pattern', values: ['^[a-z0-9][a-z0-9-]{0,63}$'] }]);
    const variables = child(body, 'variables')!;
    expect(variables).toMatchObject({ required: false, types: ['object'], others: 'allowed', children: [] });
    expect(variables.constraints).toContainEqual({ kind: 'default', values: ['{}'] });

    const html = render(openApiDocument());
    const start = html.slice(
      html.indexOf('data-operation="startInstance"'),
      html.indexOf('data-operation="getInstance"'),
    );
    const field = start.slice(start.indexOf('data-field="definitionKey"'), start.indexOf('data-field="variables"'));
    expect(field).toContain('<span class="badge api-required">Required</span>');
    expect(field).toContain('The key of the process to start');
    expect(field).toContain('<code>start</code>'); // the description's `start` as code
    expect(start).toContain('No other fields: a field not listed is refused.');
  });

  it('shows the rules a person needs and not the ones zod writes for itself', () => {
    const id = op('getInstance').parameters.find((p) => p.name === 'id')!;
    expect(id).toMatchObject({ in: 'path', required: true, types: ['string'] });
    expect(id.description).toBe('The instance’s id, as the start answered it.');
    expect(id.constraints).toEqual([{ kind: 'format', values: ['uuid'] }]); // not the uuid's 200-character pattern
    const language = op('getInstance').parameters.find((p) => p.name === 'Accept-Language')!; // a $ref, resolved
    expect(language).toMatchObject({ in: 'header', required: false });
    const complete = op('completeJob').body!;
    expect(child(complete, 'attempts')!.constraints).toEqual([{ kind: 'minimum', values: ['1'] }]);
    const fetch = op('fetchAndLockJobs').body!;
    expect(child(fetch, 'jobTypes')!.constraints).toEqual([
      { kind: 'minItems', values: ['1'] },
      { kind: 'maxItems', values: ['50'] },
    ]);
    expect(child(fetch, 'jobTypes')!.children[0]).toMatchObject({ role: 'items', types: ['string'] });
    const correlationKey = child(op('publishMessage').body, 'correlationKey')!;
    expect(correlationKey.types).toEqual(['string', 'null']);
    expect(correlationKey.constraints).toEqual([{ kind: 'maxLength', values: ['500'] }]);
    expect(correlationKey.description).toMatch(/^Which instance it is for/);
    const status = child(op('getInstance').success?.body, 'status')!;
    expect(status.constraints).toEqual([
      { kind: 'enum', values: ['"active"', '"completed"', '"incident"', '"terminated"'] },
    ]);
  });

  it('reads answers: the success with its headers and schema, the refusals from the shared responses', () => {
    const start = op('startInstance');
    expect(start.success).toMatchObject({ status: '201', body: { ref: 'StartedInstance', others: 'allowed' } });
    expect(start.success!.headers.map((h) => h.name)).toEqual(['Location']);
    const jobs = op('fetchAndLockJobs').success!.body!;
    expect(child(jobs, 'jobs')!.children[0]).toMatchObject({ role: 'items', ref: 'LockedJob' });
    expect(start.refusals.map((r) => r.status)).toEqual([
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '429',
      '500',
      '503',
    ]);
    const unauthorized = start.refusals.find((r) => r.status === '401')!;
    expect(unauthorized.name).toBe('Unauthorized');
    expect(unauthorized.description).toMatch(/^No valid key/);
    expect(unauthorized.headers.map((h) => h.name)).toEqual(['WWW-Authenticate']);
    expect(reference.errorSchema?.ref).toBe('Error');
    expect(child(child(reference.errorSchema, 'fields'), '')?.role).toBe('items');
  });

  it('stops at a $ref cycle and at the depth limit, whatever the document', () => {
    const cyclic = {
      Node: { type: 'object', properties: { name: { type: 'string' }, next: { $ref: '#/components/schemas/Node' } } },
      A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
      B: { type: 'array', items: { $ref: '#/components/schemas/A' } },
    };
    const node = fieldTree({ $ref: '#/components/schemas/Node' }, cyclic);
    expect(child(node, 'next')).toMatchObject({ ref: 'Node', stopped: 'cycle', children: [] });
    const a = fieldTree({ $ref: '#/components/schemas/A' }, cyclic);
    expect(child(a, 'b')?.children[0]).toMatchObject({ role: 'items', ref: 'A', stopped: 'cycle' });

    // A chain of distinct components, far deeper than the page shows.
    const chain = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        `Level${i}`,
        { type: 'object', properties: { deeper: { $ref: `#/components/schemas/Level${i + 1}` } } },
      ]),
    );
    const deep = fieldTree({ $ref: '#/components/schemas/Level0' }, chain);
    expect(depthOf(deep)).toBe(MAX_DEPTH);
    let last = deep;
    while (last.children[0]) last = last.children[0];
    expect(last.stopped).toBe('depth');

    const doc = structuredClone(openApiDocument()) as ApiDocument;
    doc.components!.schemas = { ...doc.components!.schemas, ...cyclic, ...chain };
    (doc.paths['/instances']!.post as { requestBody: unknown }).requestBody = {
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
    };
    const html = render(doc);
    expect(html).toContain('Contains a Node again, as above.');
  });

  it('renders the document’s texts as text, with backtick spans as code', () => {
    expect(renderToStaticMarkup(createElement(DocText, { text: 'Send `Idempotency-Key` or `x' }))).toBe(
      '<span lang="en">Send <code>Idempotency-Key</code> or `x</span>',
    );
    const doc = structuredClone(openApiDocument()) as ApiDocument;
    doc.info.description = 'Hi <script>alert(1)</script> and `<img src=x onerror=alert(2)>`';
    (doc.paths['/instances']!.post as { summary: string }).summary = '<b>Start</b>';
    const html = render(doc);
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain(
      'Hi &lt;script&gt;alert(1)&lt;/script&gt; and <code>&lt;img src=x onerror=alert(2)&gt;</code>',
    );
    expect(html).toContain('&lt;b&gt;Start&lt;/b&gt;');
  });

  it('speaks Vietnamese around the document’s English, and says the descriptions are English', () => {
    const vi = render(openApiDocument(), 'vi');
    expect(vi).toContain('<h1>Tài liệu API</h1>');
    expect(vi).toContain('Mô tả API bằng tiếng Anh.');
    expect(vi).toContain('Thân yêu cầu');
    expect(vi).toContain('Bắt buộc');
    expect(vi).toContain('<span lang="en">Start a process instance</span>');
    expect(render(openApiDocument(), 'en')).not.toContain('api-language');
  });
});
