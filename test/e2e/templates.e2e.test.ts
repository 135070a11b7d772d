/**
 * The template library in Chromium (issue 18), mouse and keyboard: the demo company's designer is
 * offered the template's newer version of a process that came from it, sees what changed and takes
 * it as a new draft; the admin of a company just
 * signed up in the browser browses the library, sees the accounting pack's invoice approval (its
 * diagram, forms and README), imports the pack — its two departments created in the same step —
 * published at once, and the page then says where the process came from; in English and
 * Vietnamese, and on a phone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { templateOrigins } from '@/db/schema';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { packFolderFiles } from '@/app/server/pack-folder';
import { buildPack } from '@/engine/packs/pack';
import { call, signIn } from './api-client';
import { describe, expect, it } from 'vitest';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
/** The accounting pack as the library ships it. */
const accounting = JSON.parse(
  readFileSync(path.join(process.cwd(), 'definitions', 'accounting', 'pack.json'), 'utf8'),
) as { version: string };

const { shot, submitSignUp, signInAs, signOut } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
  },
  // The demo company's invoice approval as if imported from version 0.9.0 of the pack, whose description was older.
  async prepare(db, tenantId) {
    const definition = JSON.parse(
      readFileSync(path.join(process.cwd(), 'definitions', 'accounting', 'invoice-approval', 'process.json'), 'utf8'),
    ) as Record<string, unknown>;
    await db.insert(templateOrigins).values({
      tenantId,
      processKey: 'invoice-approval',
      packKey: 'accounting',
      packVersion: '0.9.0',
      templateKey: 'invoice-approval',
      departmentMap: { accounting: 'accounting', operations: 'operations' },
      base: { ...definition, description: { en: 'An invoice is approved.', vi: 'Hóa đơn được duyệt.' } } as never,
    });
  },
});

describe('the template library', () => {
  it('offers the demo company’s designer the template’s newer version: what changed, ticked, and a new draft with it', async () => {
    await signInAs('Hoàng Thu Trang');
    await page.goto(`${app.url}/templates`);
    const upgrade = page.getByTestId('upgrade-invoice-approval');
    await expect
      .poll(() => upgrade.textContent())
      .toContain(`Version ${accounting.version} of the template is out; yours came from 0.9.0.`);
    await upgrade.getByRole('button', { name: 'See what the upgrade changes' }).click();
    const change = upgrade.getByRole('checkbox', { name: 'Changed: process.description' });
    await change.waitFor();
    expect(await change.isChecked()).toBe(true);
    await shot('templates-00-upgrade');
    await upgrade.getByRole('button', { name: 'Upgrade: a new draft with the ticked changes' }).click();
    await expect
      .poll(() => upgrade.getByRole('status').textContent())
      .toContain('A new draft of “Invoice approval” has the changes');
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    const draft = (
      await call<{ draft: { content: { description: { en: string } } } }>(
        app.url,
        cookie,
        'process.get',
        { key: 'invoice-approval' },
        'query',
      )
    ).data!.draft;
    expect(draft.content.description.en).toContain('A supplier invoice is checked by Accounting');
    await signOut();
  });

  it('a new company’s admin imports the accounting pack, creating its departments, published at once', async () => {
    await page.goto(`${app.url}/sign-up`);
    await submitSignUp({
      name: 'Trần Thị Hoa',
      email: 'hoa.tran@hoasen.example',
      password: 'Mật khẩu của Hoa 2026',
      company: 'Công ty TNHH Hoa Sen',
    });
    // a new company's admin lands on the library, offered to start from packs
    await page.waitForURL('**/templates?welcome=1', { timeout: 15_000 });
    if ((await page.getByRole('button', { name: 'EN', exact: true }).getAttribute('aria-pressed')) !== 'true')
      await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('templates-welcome').textContent())
      .toContain('Công ty TNHH Hoa Sen is ready.');
    await page
      .getByRole('navigation', { name: 'Packs by department' })
      .getByRole('link', { name: 'Accounting' })
      .click();
    await page.waitForURL('**/templates?pack=accounting*');
    const pack = page.locator('[data-pack="accounting"]');
    await expect.poll(() => pack.getByRole('heading', { level: 2 }).textContent()).toContain('Accounting');
    expect(await pack.locator('[data-template="invoice-approval"] h3').textContent()).toBe('Invoice approval');
    await pack.locator('.djs-container').first().waitFor();
    const invoice = pack.locator('[data-template="invoice-approval"]');
    await invoice.getByText('Read me').click();
    expect(await invoice.locator('.readme').textContent()).toContain('Invoice approval');
    const form = page.getByTestId('import-accounting');
    expect(await form.getByTestId('map-accounting').inputValue()).toBe('create:accounting');
    expect(await form.getByTestId('map-operations').inputValue()).toBe('create:operations');
    expect(await form.getByTestId('map-risk').inputValue()).toBe('create:risk');
    await form.getByTestId('import-publish').check();
    await shot('templates-01-library');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => form.getByTestId('import-result').textContent(), { timeout: 20_000 })
      .toMatch(
        /^Imported: Invoice approval, Invoice payment, .*\. Departments created: accounting, operations, risk\.Open “Invoice approval” in the designer/,
      );
    await expect
      .poll(() => pack.locator('[data-template="invoice-approval"] [role="note"]').textContent())
      .toContain(`In your company, from accounting ${accounting.version}`);
    // published: the start page offers it
    await page.goto(`${app.url}/start`);
    await expect.poll(() => page.locator('article', { hasText: 'Invoice approval' }).count()).toBe(1);
  });

  it('imports a pack file: a hostile one is refused naming the file, a department’s pack file arrives', async () => {
    await page.goto(`${app.url}/templates`);
    const fixture = JSON.parse(
      readFileSync(path.join(process.cwd(), 'test', 'fixtures', 'packs', 'accounting-1.0.0.pack.json'), 'utf8'),
    ) as { files: Record<string, string> };
    fixture.files['invoice-approval/rules.dmn'] =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions/>';
    await page.getByTestId('pack-file').setInputFiles({
      name: 'hostile.trellis-pack.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(fixture)),
    });
    const fileForm = page.getByTestId('import-file-form');
    await fileForm.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => fileForm.getByTestId('import-result').textContent(), { timeout: 15_000 })
      .toContain('invoice-approval/rules.dmn: The file declares a DOCTYPE');
    await page
      .getByTestId('pack-file')
      .setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'is not a Trellis pack file' }).count()).toBe(1);
    const { manifest, files } = packFolderFiles(path.join(process.cwd(), 'definitions', 'it'));
    const { text } = await buildPack(manifest, files);
    await page
      .getByTestId('pack-file')
      .setInputFiles({ name: 'it.trellis-pack.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect
      .poll(() => page.getByTestId('pack-file-summary').textContent())
      .toBe('Pack “IT”: access-request, equipment-request, incident-escalation.');
    await fileForm.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => fileForm.getByTestId('import-result').textContent(), { timeout: 20_000 })
      .toMatch(/^Imported: access-request, equipment-request, incident-escalation\. Departments created: it\./);
    await shot('templates-04-pack-file');
  });

  it('speaks Vietnamese and fits a phone', async () => {
    await page.goto(`${app.url}/templates`);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thư viện quy trình mẫu');
    expect(await page.locator('[data-pack="accounting"] [data-template="invoice-approval"] h3').textContent()).toBe(
      'Phê duyệt hóa đơn',
    );
    await shot('templates-02-vi');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('templates-03-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'EN', exact: true }).click();
  });
});
