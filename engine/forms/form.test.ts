import { describe, expect, it } from 'vitest';
import decision from '../../definitions/accounting/invoice-approval/forms/invoice-decision.form.json';
import submission from '../../definitions/accounting/invoice-approval/forms/invoice-submission.form.json';
import { fieldTitles, formDefinitionSchema, localizeFormSchema, localizeFormTitle } from './form';

describe('form definitions', () => {
  it('parses the invoice forms', () => {
    expect(formDefinitionSchema.safeParse(submission).success).toBe(true);
    expect(formDefinitionSchema.safeParse(decision).success).toBe(true);
  });

  it('localizes titles and choice labels without touching the original', () => {
    const form = formDefinitionSchema.parse(submission);
    const vi = localizeFormSchema(form, 'vi') as {
      properties: Record<string, { title: string; oneOf?: { const: string; title: string }[] }>;
    };
    expect(vi.properties.vendor!.title).toBe('Nhà cung cấp');
    expect(vi.properties.category!.oneOf!.find((o) => o.const === 'travel')!.title).toBe('Công tác');
    expect((form.schema.properties as Record<string, { title: string }>).vendor!.title).toBe('Vendor');
    expect(localizeFormTitle(form, 'vi')).toBe('Gửi hóa đơn');
    expect(localizeFormTitle(form, 'en')).toBe('Submit an invoice');
    expect(fieldTitles(form, 'fr').amount).toBe('Amount (VND)');
  });

  it('rejects a form whose schema is not an object schema', () => {
    const result = formDefinitionSchema.safeParse({ ...submission, schema: { type: 'string' } });
    expect(result.success).toBe(false);
  });
});
