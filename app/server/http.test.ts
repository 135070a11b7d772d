import { describe, expect, it } from 'vitest';
import { samePath } from './http';

describe('samePath', () => {
  it('keeps paths on this site', () => {
    expect(samePath('/inbox')).toBe('/inbox');
    expect(samePath('/inbox?done=1&instance=2')).toBe('/inbox?done=1&instance=2');
    expect(samePath('/tasks/3f0c')).toBe('/tasks/3f0c');
  });

  it.each([
    '//evil.example',
    '/\t/evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    '/',
  ])('sends %j home', (back) => {
    expect(samePath(back)).toBe('/');
    // or where the caller falls back to (sign-in: the inbox)
    expect(samePath(back, '/inbox')).toBe('/inbox');
  });
});
