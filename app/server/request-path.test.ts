import { describe, expect, it } from 'vitest';
import { pagePath, signInPath } from './request-path';

describe('the way back through sign-in', () => {
  it('sends a signed-out visitor to sign in with the page they opened as next=', () => {
    expect(signInPath('/tasks/3f0c2a4e-8f61-4c0b-9a51-6b1f0d2e7c11')).toBe(
      '/sign-in?next=%2Ftasks%2F3f0c2a4e-8f61-4c0b-9a51-6b1f0d2e7c11',
    );
    expect(signInPath('/admin/outbox?status=failed')).toBe('/sign-in?next=%2Fadmin%2Foutbox%3Fstatus%3Dfailed');
  });

  it.each([null, undefined, '', '/', '/inbox', '//evil.example/tasks/1', '/\\evil.example', 'https://evil.example/'])(
    'sends %j to plain sign-in (then the inbox)',
    (path) => {
      expect(signInPath(path)).toBe('/sign-in');
    },
  );

  it('keeps the query of the page asked for, without Next’s _rsc cache-buster', () => {
    expect(pagePath(new URL('http://127.0.0.1:3000/instances/abc?_rsc=1x2y'))).toBe('/instances/abc');
    expect(pagePath(new URL('http://127.0.0.1:3000/admin/outbox?status=failed&_rsc=1x2y'))).toBe(
      '/admin/outbox?status=failed',
    );
  });
});
