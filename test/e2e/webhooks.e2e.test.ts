/**
 * In a real browser: staff see no Webhooks link and the page refuses them (in both languages).
 * The admin, in Vietnamese, is told which field is wrong, then adds a webhook for "task.created"
 * to a local receiver (node:http on 127.0.0.1, which the app may reach because TRELLIS_HTTP_ALLOW
 * names it) and sees its secret once: not after a reload. Starting a process whose first step is
 * a user task makes the app's own worker deliver the event; the receiver checks the signature
 * with the secret the page showed (the README's recipe). The receiver refuses the first attempt
 * (410), the page shows it failed, the admin sends it again and sees it delivered. A new secret
 * signs the next delivery; a webhook turned off gets no more; the page reads in English too;
 * deletion asks first. A URL with markup in it shows literally. Screenshots land in
 * test/e2e/screenshots.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishProcess } from '@/app/server/services/definitions';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
let receiver: Server;
let hookUrl = '';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}
const received: Received[] = [];
/** What the receiver answers, in turn; 200 once these run out. */
const answers = [410];

/** The README's recipe: HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret, compared in constant time, fresh timestamps only. */
function verify(secret: string, { headers, body }: Received): boolean {
  const timestamp = String(headers['x-trellis-timestamp'] ?? '');
  const signature = String(headers['x-trellis-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const actual = Buffer.from(signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      received.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'gone');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // Markup in the query: the page must show it as text.
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/senvang?ref=<script>alert(1)</script>`;

  // The app's own worker sends deliveries, and may reach the loopback receiver only because the allow-list names it.
  process.env.TRELLIS_WORKER = 'on';
  process.env.TRELLIS_HTTP_ALLOW = '127.0.0.1';
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
});
const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('dialog', () => {
      throw new Error('a dialog opened: user text was run as markup');
    });
  },
  async prepare(db, tenantId) {
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'supplier-onboarding',
          version: 1,
          name: { en: 'Supplier onboarding', vi: 'Tiếp nhận nhà cung cấp' },
          startForm: 'supplier-start',
          businessKey: 'supplier',
          elements: [
            { id: 's', type: 'startEvent' },
            {
              id: 'review',
              type: 'userTask',
              formKey: 'supplier-review',
              candidateGroups: ['accounting'],
              name: { en: 'Check documents', vi: 'Kiểm tra hồ sơ' },
            },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 's', target: 'review' },
            { id: 'f2', source: 'review', target: 'e' },
          ],
        },
        forms: [
          {
            key: 'supplier-start',
            version: 1,
            title: 'Nhà cung cấp',
            schema: {
              type: 'object',
              required: ['supplier'],
              properties: { supplier: { type: 'string', title: 'Tên nhà cung cấp' } },
            },
          },
          {
            key: 'supplier-review',
            version: 1,
            title: 'Kiểm tra',
            schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
          },
        ],
      },
      null,
    );
  },
});

/** Starts the process in the browser, as the signed-in user; returns the instance id. */
async function startSupplier(name: string): Promise<string> {
  await page.goto(`${app.url}/start/supplier-onboarding`);
  await page.waitForLoadState('networkidle');
  await page.locator('#root_supplier').fill(name);
  await page.getByRole('button', { name: 'Gửi', exact: true }).click();
  await page.waitForURL('**/instances/*');
  return page.url().split('/instances/')[1]!;
}

/** The receiver's requests so far, once there are at least `count`. */
async function receivedAtLeast(count: number): Promise<Received[]> {
  await expect.poll(() => received.length, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(count);
  return received;
}

const row = () => page.locator('tr', { has: page.locator('.webhook-url') });
const deliveryStatuses = () => page.getByTestId('delivery-status').allTextContents();
/** Waits until the open deliveries list (re-read with its Refresh button) shows these statuses. */
const expectDeliveries = (statuses: string[]) =>
  expect
    .poll(
      async () => {
        await page.getByRole('button', { name: 'Làm mới', exact: true }).click();
        return deliveryStatuses();
      },
      { timeout: 20_000, interval: 500 },
    )
    .toEqual(statuses);

describe('outgoing webhooks in the browser', () => {
  it('are not in the navigation of staff, and their page refuses them in their language', async () => {
    await signInAs('Bùi Thị Ngọc');
    expect(await page.locator('a[href="/admin/webhooks"]').count()).toBe(0);
    await page.goto(`${app.url}/admin/webhooks`);
    await expect.poll(() => page.locator('.notice.error').textContent()).toBe('Only an admin may manage webhooks.');
    expect(await page.locator('#webhook-url').count()).toBe(0);
    await page.getByRole('button', { name: 'VI' }).click();
    await expect
      .poll(() => page.locator('.notice.error').textContent())
      .toBe('Chỉ quản trị viên mới được quản lý webhook.');
    await shot('webhooks-01-staff-refused-vi');
    await signOut();
  });

  let secret = '';

  it('the admin, in Vietnamese, is told which field is wrong, then adds a webhook and sees its secret once', async () => {
    await signInAs('Ngô Quốc Bảo');
    await page.getByRole('link', { name: 'Webhook', exact: true }).click();
    await page.waitForURL('**/admin/webhooks');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Webhook');
    await page.waitForLoadState('networkidle');
    await expect.poll(() => page.locator('.panel.muted').textContent()).toBe('Chưa có webhook nào.');

    // nothing filled in: each field says what it needs
    await page.getByRole('button', { name: 'Thêm webhook', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-field="url"]').textContent())
      .toBe('URL nhận: Hãy nhập URL của hệ thống nhận.');
    expect(await page.locator('[data-field="events"]').textContent()).toBe('Sự kiện: Hãy chọn ít nhất một sự kiện.');

    // the server refuses a URL that is not one: its message, markup and all, is shown as text beside the URL field
    await page.getByLabel('URL nhận').fill('<script>alert(1)</script>');
    await page.getByRole('checkbox', { name: /Công việc được tạo/ }).check();
    await page.getByRole('button', { name: 'Thêm webhook', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-field="url"]').textContent())
      .toBe('URL nhận: The webhook URL "<script>alert(1)</script>" is not an absolute URL; start it with "https://".');
    expect(await page.locator('[data-field="events"]').count()).toBe(0);
    expect(await page.getByLabel('URL nhận').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('main script').count()).toBe(0);
    await shot('webhooks-02-url-refused-vi');

    // a ftp: URL names the field too
    await page.getByLabel('URL nhận').fill('ftp://127.0.0.1/hooks');
    await page.getByRole('button', { name: 'Thêm webhook', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-field="url"]').textContent())
      .toContain('only https: (or http:) URLs receive webhooks');

    // the receiver's URL, subscribed to task.created only
    await page.getByLabel('URL nhận').fill(hookUrl);
    expect(await page.getByRole('checkbox', { name: /Công việc được tạo/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /Quy trình dừng do sự cố/ }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Thêm webhook', exact: true }).click();
    const panel = page.getByTestId('webhook-secret-panel');
    await expect.poll(() => panel.count()).toBe(1);
    secret = (await page.getByTestId('webhook-secret').textContent())!;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const told = (await panel.textContent())!;
    expect(told).toContain('chỉ hiển thị một lần này và sẽ không hiển thị lại');
    for (const header of ['X-Trellis-Signature', 'X-Trellis-Timestamp', 'X-Trellis-Delivery'])
      expect(told).toContain(header);
    expect(told).toContain('HMAC-SHA256');
    expect(await page.locator('[data-field]').count()).toBe(0);

    // the list shows it, its URL as typed (markup as text), its event, on, and when
    await expect.poll(() => row().count()).toBe(1);
    expect(await row().locator('.webhook-url').textContent()).toBe(hookUrl);
    expect(await row().locator('script').count()).toBe(0);
    expect(await row().textContent()).toContain('Công việc được tạo');
    expect(await row().textContent()).toContain('task.created');
    expect(await row().textContent()).not.toContain('task.completed');
    expect(await row().getByTestId('webhook-state').textContent()).toBe('Đang bật');
    expect(await row().locator('td.nowrap').textContent()).toMatch(/\d{4}/);
    await shot('webhooks-03-secret-once-vi');

    // shown once: a reload has no trace of it
    await page.reload();
    await page.waitForLoadState('networkidle');
    await expect.poll(() => row().count()).toBe(1);
    expect(await page.getByTestId('webhook-secret-panel').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  let firstDelivery = '';

  it('starting a process sends "task.created", signed with that secret; refused once, it is failed, then sent again and delivered', async () => {
    const instanceId = await startSupplier('Công ty TNHH Hòa Bình');

    // the app's worker posts the event; the receiver checks the signature with the secret the page showed
    const [first] = await receivedAtLeast(1);
    expect(first!.status).toBe(410);
    expect(first!.path).toBe('/hooks/senvang?ref=%3Cscript%3Ealert(1)%3C/script%3E');
    expect(first!.headers['x-trellis-event']).toBe('task.created');
    expect(verify(secret, first!)).toBe(true);
    expect(verify('0'.repeat(64), first!)).toBe(false);
    const body = JSON.parse(first!.body) as { id: string; type: string; instanceId: string; elementId: string };
    expect(body).toMatchObject({ type: 'task.created', instanceId, elementId: 'review' });
    firstDelivery = String(first!.headers['x-trellis-delivery']);
    expect(body.id).toBe(firstDelivery);

    // the admin opens the webhook's deliveries: failed, with the reason
    await page.goto(`${app.url}/admin/webhooks`);
    await row().getByRole('link', { name: 'Lần gửi', exact: true }).click();
    await page.waitForURL(/deliveries=/);
    await page.waitForLoadState('networkidle');
    await expectDeliveries(['Gửi lỗi']);
    const delivery = page.locator(`tr[data-delivery="${firstDelivery}"]`);
    expect(await delivery.locator('td.message').textContent()).toContain('410 Gone');
    expect(await delivery.textContent()).toContain('Công việc được tạo');
    expect(await page.locator('#deliveries-title').textContent()).toBe(`Các lần gửi gần đây tới ${hookUrl}`);
    await shot('webhooks-04-delivery-failed-vi');

    // sent again: same delivery id, signed again, answered 200
    await delivery.getByRole('button', { name: 'Gửi lại', exact: true }).click();
    await expectDeliveries(['Đã gửi']);
    const second = (await receivedAtLeast(2))[1]!;
    expect(second.status).toBe(200);
    expect(second.headers['x-trellis-delivery']).toBe(firstDelivery);
    expect(verify(secret, second)).toBe(true);
    expect(await delivery.locator('td.message').textContent()).toBe('—');
    expect(await delivery.locator('td').nth(3).textContent()).toBe('1');
    expect(await delivery.getByRole('button', { name: 'Gửi lại' }).count()).toBe(0);
    await page.waitForLoadState('networkidle');
    await shot('webhooks-05-delivered-vi');
  });

  it('a new secret is shown once and signs the next delivery; turned off, the webhook gets no more', async () => {
    await page.goto(`${app.url}/admin/webhooks`);
    await page.waitForLoadState('networkidle');
    await row().getByRole('button', { name: 'Đổi khóa', exact: true }).click();
    expect(await row().locator('.confirm').textContent()).toContain('Khóa hiện tại sẽ hết hiệu lực ngay');
    await row().getByRole('button', { name: 'Đồng ý đổi khóa', exact: true }).click();
    await expect.poll(() => page.getByTestId('webhook-secret').count()).toBe(1);
    const rotated = (await page.getByTestId('webhook-secret').textContent())!;
    expect(rotated).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated).not.toBe(secret);
    expect(await page.getByTestId('webhook-secret-panel').textContent()).toContain('Khóa cũ không còn hiệu lực');
    await shot('webhooks-06-new-secret-vi');

    await startSupplier('Công ty Cổ phần Phương Nam');
    const third = (await receivedAtLeast(3))[2]!;
    expect(third.headers['x-trellis-event']).toBe('task.created');
    expect(verify(rotated, third)).toBe(true);
    expect(verify(secret, third)).toBe(false);

    // turned off: the state shows it, and a new event enqueues nothing (it would be written with the event)
    await page.goto(`${app.url}/admin/webhooks`);
    await page.waitForLoadState('networkidle');
    await row().getByRole('button', { name: 'Tắt', exact: true }).click();
    await expect.poll(() => row().getByTestId('webhook-state').textContent()).toBe('Đã tắt');
    expect(await row().getByRole('button', { name: 'Bật', exact: true }).count()).toBe(1);
    await startSupplier('Công ty TNHH Minh Long');
    await page.goto(`${app.url}/admin/webhooks`);
    await row().getByRole('link', { name: 'Lần gửi', exact: true }).click();
    await page.waitForURL(/deliveries=/);
    await page.waitForLoadState('networkidle');
    await expectDeliveries(['Đã gửi', 'Đã gửi']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received).toHaveLength(3);
    await page.waitForLoadState('networkidle');
    await shot('webhooks-07-turned-off-vi');
  });

  it('the page reads in English too', async () => {
    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Webhooks');
    expect(await row().getByTestId('webhook-state').textContent()).toBe('Off');
    expect(await row().textContent()).toContain('Task created');
    expect(await page.locator('#deliveries-title').textContent()).toBe(`Recent deliveries to ${hookUrl}`);
    expect(await deliveryStatuses()).toEqual(['Delivered', 'Delivered']);
    await page.waitForLoadState('networkidle');
    await shot('webhooks-08-list-en');
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Webhook');
    await page.waitForLoadState('networkidle');
  });

  it('deleting asks first; confirmed, the webhook is gone', async () => {
    await row().getByRole('button', { name: 'Xóa', exact: true }).click();
    const confirm = row().locator('.confirm');
    expect(await confirm.textContent()).toContain(`Xóa webhook tới ${hookUrl}?`);
    await shot('webhooks-09-delete-confirm-vi');
    await confirm.getByRole('button', { name: 'Hủy bỏ', exact: true }).click();
    expect(await row().count()).toBe(1);
    expect(await row().locator('.confirm').count()).toBe(0);

    await row().getByRole('button', { name: 'Xóa', exact: true }).click();
    await row().getByRole('button', { name: 'Đồng ý xóa', exact: true }).click();
    await expect.poll(() => row().count()).toBe(0);
    expect(await page.locator('.panel.muted').textContent()).toBe('Chưa có webhook nào.');
    // its deliveries went with it
    expect(await page.locator('#deliveries').count()).toBe(0);
    await page.getByRole('button', { name: 'EN' }).click();
  });
});
