/**
 * A form built in the designer (engine/forms/authoring.ts), as the server checks a submission
 * (ajv, app/server/forms.ts) and as the browser shows it (RJSF with the app's validator): a field
 * shown only when a condition holds is asked for, and accepted, exactly then.
 */
import { retrieveSchema } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import { toFormDefinition } from '@/engine/forms/authoring';
import type { JsonSchema } from '@/engine/forms/form';
import { expenseClaim } from '@/engine/forms/fixtures/expense-claim';
import { formValidator } from '../_components/form-validator';
import { compileFormSchema } from './forms';

describe('a form built in the designer', () => {
  const definition = toFormDefinition(expenseClaim());

  it('compiles on the server', () => {
    expect(() => compileFormSchema(definition.schema, definition.key)).not.toThrow();
  });

  it('asks for the reason only above 10,000,000 ₫, as the server checks it and as RJSF shows it', () => {
    const validate = compileFormSchema(definition.schema, definition.key);
    const lines = [{ date: '2026-12-01', category: 'travel', amount: 12_000_000 }];
    expect(validate({ employee: 'lan.nguyen@senvang.example', lines, total: 12_000_000 })).toBe(false);
    expect(
      validate({
        employee: 'lan.nguyen@senvang.example',
        lines,
        total: 12_000_000,
        reason: 'Hội nghị khách hàng ở Đà Nẵng',
      }),
    ).toBe(true);
    expect(
      validate({
        employee: 'lan.nguyen@senvang.example',
        lines: [{ date: '2026-12-01', amount: 900_000 }],
        total: 900_000,
      }),
    ).toBe(true);
    const shown = (data: Record<string, unknown>) =>
      Object.keys(
        (retrieveSchema(formValidator, definition.schema as never, definition.schema as never, data) as JsonSchema)
          .properties as object,
      );
    expect(shown({ total: 12_000_000 })).toContain('reason');
    expect(shown({ total: 900_000 })).not.toContain('reason');
  });
});
