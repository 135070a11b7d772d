/** The reserved field name check on hostile shapes: where, how deep, and what stays allowed. */
import { describe, expect, it } from 'vitest';
import { reservedKeyPath } from './input-keys';

describe('reservedKeyPath', () => {
  it('finds "__proto__" as JSON.parse makes it (an own property), naming the path', () => {
    expect(reservedKeyPath(JSON.parse('{"__proto__": {"isAdmin": true}}'))).toBe('__proto__');
    expect(reservedKeyPath(JSON.parse('{"variables": {"a": 1, "customer": {"__proto__": 1}}}'))).toBe(
      'variables.customer.__proto__',
    );
    expect(reservedKeyPath(JSON.parse('{"items": [1, {"x": [{}, {"__proto__": null}]}]}'))).toBe(
      'items.1.x.1.__proto__',
    );
  });

  it('leaves everything else alone, "constructor" and "prototype" included', () => {
    expect(
      reservedKeyPath({ constructor: 'Công ty Xây dựng', prototype: 'v2', nested: { constructor: { prototype: {} } } }),
    ).toBeNull();
    expect(reservedKeyPath([null, 1, 'x', { a: [true] }])).toBeNull();
    expect(reservedKeyPath(undefined)).toBeNull();
    // An object's inherited __proto__ (every object has one) is not a field.
    expect(reservedKeyPath({ a: {} })).toBeNull();
  });

  it('walks 100,000 levels without overflowing the stack, and stops at cycles', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}{"__proto__": 1}${'}'.repeat(100_000)}`);
    expect(reservedKeyPath(deep)?.split('.')).toHaveLength(100_001);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(reservedKeyPath(cyclic)).toBeNull();
  });
});
