/**
 * Issue 17's third "done when": every form of the template library (definitions/), every RJSF
 * sample of the corpus (copied into test/fixtures/corpus/forms) and the designer's own expense
 * claim opens in the form designer and renders in its preview exactly as on the task page staff
 * use — the same labels, help, inputs of the same kinds with the same ids, values, and states — in
 * English and in Vietnamese. Prepared before the app starts: one process whose parallel branches
 * give Bùi Thị Ngọc a task with each form.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { publishProcess } from '@/app/server/services/definitions';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { toFormDefinition } from '@/engine/forms/authoring';
import { expenseClaim } from '@/engine/forms/fixtures/expense-claim';
import { formDefinitionSchema, type FormDefinition, type JsonSchema } from '@/engine/forms/form';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

/** The forms: the template library's, the corpus samples (as forms keyed by their file's name), the designer's expense claim. */
function galleryForms(): FormDefinition[] {
  const root = process.cwd();
  const found: FormDefinition[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.form.json'))
        found.push(formDefinitionSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
    }
  };
  walk(path.join(root, 'definitions'));
  // The library's forms that bring a kind of field, widget or rule no form before them has: every
  // way a form can be rendered is seen in the browser, without one page per form of a library that
  // grows (each form of it is read back by the designer's model in engine/forms/authoring.test.ts).
  const covered = new Set<string>();
  const library = found
    .sort((a, b) => a.key.localeCompare(b.key))
    .filter((form) => {
      const fresh = [...features(form)].filter((f) => !covered.has(f));
      for (const f of fresh) covered.add(f);
      return fresh.length > 0 || form.key.startsWith('invoice-');
    });
  found.length = 0;
  found.push(...library);
  const corpus = path.join(root, 'test', 'fixtures', 'corpus', 'forms');
  for (const name of readdirSync(corpus)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const sample = JSON.parse(readFileSync(path.join(corpus, name), 'utf8')) as {
      schema: JsonSchema;
      uiSchema?: Record<string, unknown>;
    };
    found.push(
      formDefinitionSchema.parse({
        key: `corpus-${name.replace(/\.json$/, '')}`,
        version: 1,
        title: `Corpus ${name}`,
        schema: sample.schema,
        uiSchema: sample.uiSchema ?? {},
      }),
    );
  }
  found.push(toFormDefinition(expenseClaim()));
  return found;
}
const FORMS = galleryForms();

/** What a form is made of, as the renderer sees it: each field's type, format, choices, widget and marks, nesting, conditions. */
function features(form: FormDefinition): Set<string> {
  const out = new Set<string>();
  const ui = (form.uiSchema ?? {}) as Record<string, unknown>;
  const visit = (schema: JsonSchema, uiAt: Record<string, unknown>, depth: string) => {
    for (const key of ['if', 'allOf', 'anyOf', 'oneOf', 'dependencies'])
      if (schema[key] !== undefined) out.add(`${depth}:${key}`);
    const props = { ...((schema.properties ?? {}) as Record<string, JsonSchema>) };
    for (const branch of [
      schema.then,
      schema.else,
      ...(Array.isArray(schema.allOf) ? (schema.allOf as JsonSchema[]).flatMap((a) => [a.then, a.else]) : []),
    ]) {
      const more = (branch as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined;
      if (more) Object.assign(props, more);
    }
    for (const [name, field] of Object.entries(props)) {
      const fieldUi = (uiAt[name] ?? {}) as Record<string, unknown>;
      const items = field.items as JsonSchema | undefined;
      const marks = [
        `type:${String(field.type)}`,
        field.format ? `format:${String(field.format)}` : '',
        field.enum || field.oneOf ? `choice:${String(field.type)}` : '',
        items?.oneOf || items?.enum ? `choices:${fieldUi['ui:widget'] ?? ''}` : '',
        field['x-attachment'] ? 'file' : '',
        field['x-compute'] ? 'computed' : '',
        field.readOnly ? 'read-only' : '',
        fieldUi['ui:widget'] ? `widget:${String(fieldUi['ui:widget'])}` : '',
        fieldUi['ui:field'] ? `field:${String(fieldUi['ui:field'])}` : '',
      ];
      for (const mark of marks) if (mark) out.add(depth === 'top' ? mark : `${depth}:${mark}`);
      if (items?.type === 'object') visit(items, (fieldUi.items ?? {}) as Record<string, unknown>, 'rows');
      if (field.type === 'object') visit(field, fieldUi, 'group');
    }
  };
  visit(form.schema, ui, 'top');
  return out;
}

const { shot, signInAs } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
  },
  async prepare(db, tenantId) {
    const [ngoc] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'ngoc.bui@senvang.example'));
    const [trang] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'trang.hoang@senvang.example'));
    const tasks = FORMS.map((f) => ({
      id: `task_${f.key.replace(/-/g, '_')}`,
      type: 'userTask',
      name: `Form ${f.key}`,
      assignee: '=initiator.email',
      formKey: f.key,
    }));
    const definition = {
      formatVersion: 1,
      key: 'form-gallery',
      version: 1,
      name: 'Form gallery',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'fork', type: 'parallelGateway' },
        ...tasks,
        { id: 'join', type: 'parallelGateway' },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f_start', source: 'start', target: 'fork' },
        ...tasks.flatMap((t) => [
          { id: `f_in_${t.id}`, source: 'fork', target: t.id },
          { id: `f_out_${t.id}`, source: t.id, target: 'join' },
        ]),
        { id: 'f_end', source: 'join', target: 'end' },
      ],
    };
    await publishProcess(db, tenantId, { definition, forms: FORMS }, trang!.id);
    const caller = createCaller(await createContextInner({ db, userId: ngoc!.id, locale: 'en' }));
    await caller.instance.start({ definitionKey: 'form-gallery', variables: {} });
  },
});

/** What a person meets in a rendered form: labels, help, headings, inputs (kind, id without the form's prefix, value, state) and buttons but the submit. */
async function seen(form: Locator, prefix: string) {
  return form.evaluate((root, pre) => {
    const strip = (id: string | null) => (id ?? '').replace(new RegExp(`(^|\\s)${pre}`, 'g'), '$1#');
    const parts: string[][] = [];
    for (const e of root.querySelectorAll<HTMLElement>(
      'label, legend, h5, .field-description, input, select, textarea, button:not([type="submit"]), a[data-attachment], .money-hint',
    )) {
      if (e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement)
        parts.push([e.tagName, e.type, strip(e.id), e.value, String(e.disabled), String(e.readOnly)]);
      else if (e instanceof HTMLSelectElement)
        parts.push([
          e.tagName,
          strip(e.id),
          [...e.options].map((o) => o.textContent ?? '').join('|'),
          String(e.disabled),
        ]);
      else parts.push([e.tagName, strip(e.getAttribute('for')), (e.textContent ?? '').trim()]);
    }
    return parts;
  }, prefix);
}

describe('every form opens in the designer and renders there as on the task page', () => {
  it('in English and in Vietnamese', async () => {
    await signInAs('Bùi Thị Ngọc');
    const taskUrls = new Map<string, string>();
    for (const form of FORMS) {
      const link = page.getByRole('link', { name: `Form ${form.key}`, exact: true });
      taskUrls.set(form.key, `${app.url}${await link.getAttribute('href')}`);
    }
    expect(taskUrls.size).toBe(FORMS.length);
    console.log(
      `form gallery: ${FORMS.length} forms (${FORMS.filter((f) => !f.key.startsWith('corpus-') && f.key !== 'expense-claim').length} of the library's)`,
    );
    const seenOnTasks = new Map<string, { en: string[][]; vi: string[][] }>();
    for (const form of FORMS) {
      await page.goto(taskUrls.get(form.key)!);
      const rendered = page.locator('form.rjsf');
      await rendered.waitFor();
      // (person and department fields read the company's lists once the page is up)
      await page.waitForLoadState('networkidle');
      const en = await seen(rendered, 'root');
      await page.getByRole('button', { name: 'VI', exact: true }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Hoàn thành', exact: true }).count()).toBe(1);
      await page.waitForLoadState('networkidle');
      const vi = await seen(page.locator('form.rjsf'), 'root');
      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Complete task' }).count()).toBe(1);
      await page.waitForLoadState('networkidle');
      seenOnTasks.set(form.key, { en, vi });
      if (form.key === 'expense-claim') await shot('gallery-01-task-page');
    }
    await page.context().clearCookies();
    await signInAs('Hoàng Thu Trang');
    for (const form of FORMS) {
      await page.goto(`${app.url}/forms/${form.key}`);
      await page.getByTestId('form-fields').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.getByTestId('form-fields').locator('li').count(), form.key).toBeGreaterThan(0);
      const en = await seen(page.getByTestId('preview-en').locator('form.rjsf'), 'preview_en');
      const vi = await seen(page.getByTestId('preview-vi').locator('form.rjsf'), 'preview_vi');
      expect(en.length, form.key).toBeGreaterThan(0);
      expect(en, `${form.key} in English`).toEqual(seenOnTasks.get(form.key)!.en);
      expect(vi, `${form.key} in Vietnamese`).toEqual(seenOnTasks.get(form.key)!.vi);
      if (form.key === 'expense-claim') await shot('gallery-02-designer');
    }
  }, 300_000);
});
