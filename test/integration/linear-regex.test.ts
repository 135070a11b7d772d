/**
 * Regular expressions cannot stall the server (issue 14, findings 5 and 6), through the API on a
 * real database: FEEL's `matches`/`split` run on RE2 however they are called, a literal pattern
 * RE2 cannot run is refused at publish naming its flow, and a form field `pattern` is checked in
 * linear time and refused at publish, naming the field, when RE2 cannot run it.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
let handle: DatabaseHandle;
let tenantId: string;

async function admin() {
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
  return createCaller(await createContextInner({ db: handle.db, userId: user!.id, tenantId, locale: 'en' }));
}

/** start (form with a pattern) → script task computing with regular expressions → user task → end. */
function process(key: string, pattern: string, set: Record<string, string>, condition?: string) {
  return {
    definition: {
      formatVersion: 1,
      key,
      version: 1,
      name: { en: 'Vendor check', vi: 'Kiểm tra nhà cung cấp' },
      startForm: `${key}-start`,
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'calc', type: 'scriptTask', set },
        { id: 'review', type: 'userTask', candidateGroups: ['accounting'], formKey: `${key}-start` },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 's', target: 'calc' },
        { id: 'f2', source: 'calc', target: 'review', ...(condition ? { condition } : {}) },
        { id: 'f3', source: 'review', target: 'e' },
      ],
    },
    forms: [
      {
        key: `${key}-start`,
        version: 1,
        title: 'Vendor',
        schema: { type: 'object', properties: { taxCode: { type: 'string', pattern }, text: { type: 'string' } } },
      },
    ],
  };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

describe('regular expressions run in linear time', () => {
  it('runs FEEL regular expressions on RE2 however they are called', async () => {
    const api = await admin();
    const set = {
      parts: 'split(text, "^(a+)+$")',
      direct: 'matches(text, "^(a|a)*$")',
      indirect: '{ f: matches }.f(text, "^(a|a)*$")',
      clock: '{ f: now }.f()',
    };
    await api.definition.publish(process('regex-run', '^[0-9]{10}$', set));
    const text = 'a'.repeat(10_000) + '!';
    const started = await api.instance.start({
      definitionKey: 'regex-run',
      variables: { taxCode: '0101234567', text },
    });
    const { variables } = (await api.instance.get({ id: started.id })) as { variables: Record<string, unknown> };
    expect(variables).toMatchObject({ parts: [text], direct: false, indirect: false, clock: null });
  });

  it('refuses at publish a literal pattern RE2 cannot run, naming the flow', async () => {
    const error = await (
      await admin()
    ).definition
      .publish(process('regex-refused', '^[0-9]+$', {}, String.raw`matches(text, "(a)\\1")`))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    expect((error as Error).message).toMatch(/f2.*cannot run in linear time/s);
  });

  it('checks a form pattern against a long value in linear time', async () => {
    const api = await admin();
    await api.definition.publish(process('regex-form', '^(a|a)*$', {}));
    const refusal = await api.instance
      .start({ definitionKey: 'regex-form', variables: { taxCode: 'a'.repeat(100_000) + '!' } })
      .catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'BAD_REQUEST' });
    expect((refusal as Error).message).toMatch(/taxCode/);
  });

  it('refuses at publish a form whose pattern RE2 cannot run, naming the field', async () => {
    const error = await (
      await admin()
    ).definition
      .publish(process('regex-form-refused', String.raw`^(\d)\1$`, {}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    expect((error as Error).message).toMatch(/taxCode.*cannot run in linear time/s);
  });
});
