import { describe, expect, it } from 'vitest';
import { prefill } from './prefill';

describe('a task form opens with the instance values of its fields', () => {
  const schema = {
    type: 'object',
    properties: {
      creditor: { type: 'string' },
      amount: { type: 'number' },
      approved: { type: 'boolean' },
      note: { type: 'string' },
      lines: { type: 'array' },
    },
  };

  it('takes each declared field from the variable of the same name', () => {
    // given an approval form and the instance's variables
    const variables = {
      creditor: 'Công ty TNHH Hòa Bình',
      amount: 75_000_000,
      approved: false,
      lines: [{ qty: 1 }],
      secret: 'not on the form',
    };
    // when the form opens
    const data = prefill(schema, variables);
    // then it shows the values of its own fields, and nothing else
    expect(data).toEqual({
      creditor: 'Công ty TNHH Hòa Bình',
      amount: 75_000_000,
      approved: false,
      lines: [{ qty: 1 }],
    });
  });

  it('leaves out a value of another type than the field, null, and inherited names', () => {
    const data = prefill(
      { ...schema, properties: { ...schema.properties, constructor: { type: 'string' } } },
      { creditor: 42, amount: '300', approved: null },
    );
    expect(data).toEqual({});
  });

  it('opens empty without variables or properties', () => {
    expect(prefill(schema, undefined)).toEqual({});
    expect(prefill(undefined, { a: 1 })).toEqual({});
  });
});
