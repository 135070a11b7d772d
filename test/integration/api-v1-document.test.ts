/**
 * The REST API's OpenAPI document is valid OpenAPI 3.1: checked against the OpenAPI Initiative's
 * own JSON Schema for 3.1 documents (the 2022-10-07 schema, with its dialect), which
 * @seriousme/openapi-schema-validator bundles and runs with ajv. api-v1.test.ts checks that it
 * describes every route handler and that the real answers satisfy its components; this checks the
 * document is one a tool (a client generator, Swagger UI) can read at all. Pure: builds the
 * document in memory, no database.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '@/app/server/api/openapi';

describe('the OpenAPI document', () => {
  it('validates against the official OpenAPI 3.1 schema', async () => {
    const doc = openApiDocument();
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 4_000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('the validator is not a yes-man: a parameter `in` no place a parameter can be is refused', async () => {
    const doc = structuredClone(openApiDocument()) as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const first = Object.values(doc.paths)[0]!;
    (Object.values(first)[0] as Record<string, unknown>).parameters = [{ name: 'x', in: 'nowhere' }];
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.valid).toBe(false);
  });
});
