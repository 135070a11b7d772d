/**
 * Issue 19, languages: the language a person chooses is remembered for them, not only for the
 * browser — signing in on another browser (no language cookie, an English Accept-Language) opens in
 * it, pages and the API's refusals alike; someone who never chose still gets their browser's
 * language; a signed-out switch remembers nothing for anybody.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { demo } from '../support/callers';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

let app: App;
appInBrowser({ ready: (started) => ({ app } = started) });

/** The `lang` of a page as `cookie`'s session sees it, with an English browser. */
async function langOf(path: string, cookie: string): Promise<string | undefined> {
  const res = await fetch(`${app.url}${path}`, { headers: { cookie, 'accept-language': 'en-US,en;q=0.9' } });
  return /<html[^>]* lang="(\w+)"/.exec(await res.text())?.[1];
}

/** The language switch's form, as the page posts it. */
async function choose(locale: 'en' | 'vi', cookie?: string) {
  const res = await fetch(`${app.url}/api/locale`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: app.url, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ locale, back: '/inbox' }).toString(),
  });
  expect(res.status).toBe(303);
}

describe('the language remembered per person', () => {
  it('opens another browser in the language the person chose, pages and API alike', async () => {
    const laptop = await signIn(app.url, demo.hung, DEMO_PASSWORD);
    expect(await langOf('/inbox', laptop)).toBe('en'); // never chose: the browser's language
    await choose('vi', laptop);
    const phone = await signIn(app.url, demo.hung, DEMO_PASSWORD); // no language cookie, English browser
    expect(await langOf('/inbox', phone)).toBe('vi');
    const refused = await call(app.url, phone, 'task.claim', { id: '00000000-0000-4000-8000-000000000000' });
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.error)).toMatch(/[ăâđêôơư]/); // the refusal in Vietnamese
    // a colleague who never chose is unaffected; a signed-out switch remembers nothing for anybody
    await choose('vi');
    const colleague = await signIn(app.url, demo.lan, DEMO_PASSWORD);
    expect(await langOf('/inbox', colleague)).toBe('en');
    // choosing again is remembered again
    await choose('en', phone);
    expect(await langOf('/inbox', await signIn(app.url, demo.hung, DEMO_PASSWORD))).toBe('en');
  });
});
