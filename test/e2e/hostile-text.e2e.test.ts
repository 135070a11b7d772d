/**
 * Issue 19: markup typed by people — in a process name, a task name (both languages), form field
 * titles of the start and the task form, a business key, a summary variable, a comment and a case
 * file's name — is shown as text on every page that shows it, in Chromium: the inbox (All, and a
 * search for a word of it), the task page, the bell, the instance list, the instance page (its
 * history, data and diagram), the CSV export, My requests, the start catalogue (also searched for
 * the markup itself) and the start form. On each page: no script of ours ran (`window.__xss` unset,
 * no dialog), no element was made from the text (no `img[src="x"]`, no `onerror` handler of theirs,
 * no script holding `__xss` but Next's own escaped flight data), and the text is there, visible.
 */
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Executor } from '@/db/client';
import { users } from '@/db/schema';
import { resolveActor } from '@/app/server/actor';
import { DEMO_USERS } from '@/app/server/seed';
import { DEFAULT_ATTACHMENT_LIMITS, databaseStore, uploadCaseFile } from '@/app/server/services/attachments';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
/** Dialogs the pages opened (an injected `alert` would be one): must stay empty. */
const dialogs: string[] = [];

const img = (n: number) => `<img src=x onerror="window.__xss=${n}">`;
const script = (n: number) => `<script>window.__xss=${n}</script>`;

const PROCESS = { en: `Vendor ${img(1)} payment`, vi: `Thanh toán ${img(1)} nhà cung cấp` };
const TASK = { en: `Approve ${script(2)} payment`, vi: `Duyệt <img src=x onerror=alert(1)> thanh toán` };
/** The start form's title of `vendor`: the task page's summary labels it by it. */
const VENDOR_LABEL = `Vendor ${img(3)}`;
const DECISION_LABEL = `Decision ${script(4)}`;
/** The business key: markup, and a formula for a spreadsheet. */
const REFERENCE = `=1+2 ${img(5)}`;
/** A summary variable (`summary: ['vendor']`). */
const VENDOR = `Công ty ${script(6)} Độc Hại`;
const ADMIN = DEMO_USERS.find((u) => u.displayName === 'Ngô Quốc Bảo')!.email;
/** Mentions the admin, so that the bell has it. Shorter than a notification's excerpt (140). */
const COMMENT = `@Ngô Quốc Bảo ${img(7)} ${script(8)} xem giúp`;
/** `</script>` would lose its part before the slash (a file name is its last path segment). */
const FILE = `${img(9)}.pdf`;
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');

const hostile = { instanceId: '', taskId: '' };

async function idOf(db: Executor, email: string) {
  return (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}

/**
 * The hostile process published and started by Ngọc, claimed by Hùng, who comments on it
 * (mentioning the admin) and attaches a file to the case; and a plain invoice beside it.
 */
async function prepare(db: Executor, tenantId: string) {
  await publishProcess(
    db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'hostile-payment',
        version: 1,
        name: PROCESS,
        category: 'accounting',
        startForm: 'hostile-payment-start',
        businessKey: 'reference',
        summary: ['vendor'],
        elements: [
          { id: 'start', type: 'startEvent' },
          {
            id: 'approve',
            type: 'userTask',
            name: TASK,
            formKey: 'hostile-payment-decision',
            candidateGroups: ['accounting'],
          },
          { id: 'end', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 'start', target: 'approve' },
          { id: 'f2', source: 'approve', target: 'end' },
        ],
      },
      forms: [
        {
          key: 'hostile-payment-start',
          version: 1,
          title: 'Payment',
          schema: {
            type: 'object',
            required: ['reference', 'vendor'],
            properties: {
              reference: { type: 'string', title: 'Reference' },
              vendor: { type: 'string', title: VENDOR_LABEL },
              amount: { type: 'number', title: 'Amount' },
            },
          },
        },
        {
          key: 'hostile-payment-decision',
          version: 1,
          title: 'Decision',
          schema: {
            type: 'object',
            required: ['decision'],
            properties: { decision: { type: 'string', title: DECISION_LABEL, enum: ['approve', 'reject'] } },
          },
        },
      ],
    },
    null,
  );
  const ngoc = await callerFor(db, demo.ngoc);
  const variables = { reference: REFERENCE, vendor: VENDOR, amount: 4_200_000 };
  const started = await ngoc.instance.start({ definitionKey: 'hostile-payment', variables });
  hostile.instanceId = started.id;
  hostile.taskId = started.taskIds[0]!;
  // A plain invoice for the same department: the search must leave it out.
  await ngoc.instance.start({
    definitionKey: 'invoice-approval',
    variables: {
      vendor: 'Nhà sách Đông Á',
      invoiceNumber: 'HD-PLAIN-01',
      amount: 1_200_000,
      category: 'office-supplies',
      dueDate: '2099-03-01',
      description: 'Văn phòng phẩm',
    },
  });
  const hung = await callerFor(db, demo.hung);
  await hung.task.claim({ id: hostile.taskId });
  await hung.collab.comment({ taskId: hostile.taskId, body: COMMENT, mentions: [await idOf(db, ADMIN)] });
  const hungActor = (await resolveActor(db, await idOf(db, demo.hung), 'en', tenantId))!;
  const file = { instanceId: hostile.instanceId, name: FILE, bytes: PDF };
  await uploadCaseFile(db, hungActor, file, DEFAULT_ATTACHMENT_LIMITS, databaseStore);
}

const { signInAs, signOut } = appInBrowser({
  prepare,
  ready: (started) => {
    ({ app, page } = started);
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()} (${page.url()})`);
      void dialog.dismiss();
    });
  },
});

/** How long a page may take to show what a click or a refresh changes (two busy cores). */
const SOON = { timeout: 10_000 };

/**
 * Nothing the texts hold ran or became an element: no handler or script of theirs, Next's own
 * flight data aside (the page's data as escaped JSON in scripts, where `__xss` is only text).
 */
async function expectInert(where: string) {
  const found = await page.evaluate(() => ({
    xss: typeof (window as unknown as { __xss?: unknown }).__xss,
    images: document.querySelectorAll('img[src="x"]').length,
    handlers: [...document.querySelectorAll('[onerror]')].filter((e) =>
      /__xss|alert/.test(e.getAttribute('onerror') ?? ''),
    ).length,
    scripts: [...document.querySelectorAll('script')]
      .map((s) => s.textContent ?? '')
      .filter((text) => text.includes('__xss') && !/^\s*\(?self\.__next_f/.test(text)).length,
  }));
  expect(found, where).toEqual({ xss: 'undefined', images: 0, handlers: 0, scripts: 0 });
  expect(dialogs, where).toEqual([]);
}

/** Each text is on the page as visible text. */
async function expectShown(where: string, ...texts: string[]) {
  for (const text of texts) {
    const shown = page.getByText(text, { exact: false }).filter({ visible: true });
    await expect
      .poll(() => shown.count(), { ...SOON, message: `${where}: "${text}" shown as text` })
      .toBeGreaterThan(0);
  }
}

const textOf = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';

async function setLocale(locale: 'vi' | 'en') {
  const button = page.getByRole('button', { name: locale.toUpperCase(), exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') {
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed'), SOON).toBe('true');
  }
}

/** RFC 4180 cells of a CSV text (quotes, doubled quotes, CRLF line ends). */
function csvCells(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

describe('markup in people’s texts is shown as text', () => {
  it('the accountant: the inbox, its search, and the task page in both languages', async () => {
    await signInAs('Trần Văn Hùng');
    const row = page.locator(`table.inbox-table tbody tr[data-task-id="${hostile.taskId}"]`);
    await expect.poll(() => page.locator('table.inbox-table tbody tr').count(), SOON).toBe(2);
    expect(await row.locator('.task-name').textContent()).toBe(TASK.en);
    expect(await row.locator('.summary').textContent()).toBe(VENDOR);
    expect(await row.textContent()).toContain(`${PROCESS.en}${REFERENCE}`);
    await expectShown('/inbox', TASK.en, VENDOR, PROCESS.en, REFERENCE);
    await expectInert('/inbox');

    await page.goto(`${app.url}/inbox?q=onerror`);
    await expect.poll(() => page.locator('table.inbox-table tbody tr').count(), SOON).toBe(1);
    expect(await row.count()).toBe(1);
    await expectShown('/inbox?q=onerror', TASK.en, VENDOR, PROCESS.en, REFERENCE);
    await expectInert('/inbox?q=onerror');

    await page.goto(`${app.url}/tasks/${hostile.taskId}`);
    await expect.poll(() => textOf('h1'), SOON).toBe(TASK.en);
    expect(await page.locator('p.muted', { hasText: REFERENCE }).textContent()).toContain(
      `${PROCESS.en} · ${REFERENCE} · `,
    );
    expect(await textOf('dl.case-summary dt')).toBe(VENDOR_LABEL);
    expect(await textOf('dl.case-summary dd')).toBe(VENDOR);
    // the task form's field, labelled by its title; the comment and the case file as written
    await expect.poll(() => page.locator('form label', { hasText: DECISION_LABEL }).count(), SOON).toBeGreaterThan(0);
    expect(await page.locator('.comment-list .comment-body').allTextContents()).toEqual([COMMENT]);
    expect(await page.locator('.case-files li a').allTextContents()).toEqual([FILE]);
    await expectShown(
      `/tasks/${hostile.taskId}`,
      TASK.en,
      PROCESS.en,
      REFERENCE,
      VENDOR_LABEL,
      VENDOR,
      DECISION_LABEL,
      COMMENT,
      FILE,
    );
    await expectInert(`/tasks/${hostile.taskId}`);

    await setLocale('vi');
    await expect.poll(() => textOf('h1'), SOON).toBe(TASK.vi);
    await expectShown(
      `/tasks/${hostile.taskId} (vi)`,
      TASK.vi,
      PROCESS.vi,
      VENDOR_LABEL,
      DECISION_LABEL,
      COMMENT,
      FILE,
    );
    await expectInert(`/tasks/${hostile.taskId} (vi)`);
    await setLocale('en');
    await expect.poll(() => textOf('h1'), SOON).toBe(TASK.en);
    await signOut();
  });

  it('the admin: the bell, the instance list, the instance page and the CSV export', async () => {
    await signInAs('Ngô Quốc Bảo');
    const bell = page.locator('.bell-button');
    await expect.poll(() => bell.getAttribute('aria-label'), SOON).toBe('Notifications, 1 unread');
    await bell.click();
    const item = page.locator('.bell-panel li');
    await expect.poll(() => item.count(), SOON).toBe(1);
    expect(await item.locator('a').textContent()).toBe(`Trần Văn Hùng mentioned you on “${TASK.en}”: ${COMMENT}`);
    await expectShown('the bell', COMMENT);
    await expectInert('the bell');
    await page.keyboard.press('Escape');

    await page.goto(`${app.url}/instances`);
    const row = page.locator(`table.instances-table tbody tr[data-instance-id="${hostile.instanceId}"]`);
    await expect.poll(() => row.count(), SOON).toBe(1);
    expect(await row.locator('a.process-name').textContent()).toBe(REFERENCE);
    expect(await row.locator('td').nth(1).textContent()).toBe(`${PROCESS.en} v1`);
    expect(await row.locator('.step-name').textContent()).toBe(TASK.en);
    await expectShown('/instances', REFERENCE, PROCESS.en, TASK.en);
    await expectInert('/instances');

    await page.goto(`${app.url}/instances/${hostile.instanceId}`);
    await expect.poll(() => textOf('h1'), SOON).toBe(`${PROCESS.en} · ${REFERENCE}`);
    const diagram = page.locator('[data-testid="diagram-view"]');
    await expect.poll(() => diagram.getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    expect(await diagram.getAttribute('aria-label')).toContain(PROCESS.en);
    // bpmn-js wraps a name into lines (tspans) at its spaces: compare without them
    const drawn = await page.locator('.djs-element[data-element-id="approve"] text').first().textContent();
    expect(drawn?.replace(/\s+/g, '')).toBe(TASK.en.replace(/\s+/g, ''));
    expect(await page.locator('ol.history li[data-event="task.created"]').textContent()).toContain(`“${TASK.en}”`);
    expect(await page.locator('dl.facts [data-field="vendor"]').textContent()).toBe(`${VENDOR_LABEL}${VENDOR}`);
    await expectShown(`/instances/${hostile.instanceId}`, PROCESS.en, REFERENCE, TASK.en, VENDOR_LABEL, VENDOR);
    await expectInert(`/instances/${hostile.instanceId}`);

    const response = await page.request.get(`${app.url}/api/instances/export`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/csv');
    const csv = (await response.text()).replace(/^\uFEFF/, '');
    // quoted, quotes doubled, and the formula neutralized by a leading '
    expect(csv).toContain(
      `"'=1+2 <img src=x onerror=""window.__xss=5"">","Vendor <img src=x onerror=""window.__xss=1""> payment",1,`,
    );
    const cells = csvCells(csv);
    expect(cells.find((r) => r[0] === `'${REFERENCE}`)?.slice(1, 3)).toEqual([PROCESS.en, '1']);
    expect(cells.flat().filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    await signOut();
  });

  it('the requester: My requests, the start catalogue (searched for the markup) and the start form', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.goto(`${app.url}/requests`);
    const row = page.locator(`table.requests-table tbody tr[data-instance-id="${hostile.instanceId}"]`);
    await expect.poll(() => row.count(), SOON).toBe(1);
    expect(await row.locator('a.process-name').textContent()).toBe(PROCESS.en);
    expect(await row.locator('td').nth(1).textContent()).toBe(REFERENCE);
    expect(await row.locator('.step-name').textContent()).toBe(TASK.en);
    await expectShown('/requests', PROCESS.en, REFERENCE, TASK.en);
    await expectInert('/requests');

    await page.goto(`${app.url}/start`);
    const card = page.locator(
      'section[data-department="accounting"] article.card:has(a[href="/start/hostile-payment"]) h3',
    );
    await expect.poll(() => card.allTextContents(), SOON).toEqual([PROCESS.en]);
    await expectShown('/start', PROCESS.en);
    await expectInert('/start');

    // the search box's text comes back on the page (what was searched for): as text too
    await page.goto(`${app.url}/start?q=${encodeURIComponent(img(1))}`);
    await expect.poll(() => page.locator('article.card h3').allTextContents(), SOON).toEqual([PROCESS.en]);
    expect(await textOf('p.muted[role="status"]')).toContain(img(1));
    await expectInert('/start?q=<img …>');

    await page.goto(`${app.url}/start/hostile-payment`);
    await expect.poll(() => textOf('h1'), SOON).toBe(PROCESS.en);
    await expect.poll(() => page.locator('form label', { hasText: VENDOR_LABEL }).count(), SOON).toBeGreaterThan(0);
    await expectShown('/start/hostile-payment', PROCESS.en, VENDOR_LABEL);
    await expectInert('/start/hostile-payment');
    await signOut();
  });
});
