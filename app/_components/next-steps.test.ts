/** "What happens next" in words (next-steps.tsx): both languages, department names, conditions as written and as text. */
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { processDefinitionSchema } from '@/engine/model/definition';
import { nextSteps } from '@/engine/model/next-steps';
import { NextStepsView } from './next-steps';

const invoice = processDefinitionSchema.parse(
  JSON.parse(readFileSync('definitions/accounting/invoice-approval/process.json', 'utf8')),
);
const departments = { operations: { en: 'Operations', vi: 'Vận hành' } };
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describe('NextStepsView', () => {
  it('says what follows the accounting approval, in Vietnamese and in English', () => {
    const render = (locale: 'vi' | 'en') =>
      text(
        renderToStaticMarkup(
          createElement(NextStepsView, { steps: nextSteps(invoice, 'accountingApproval')!, departments, locale }),
        ),
      );
    const vi = render('vi');
    for (const line of [
      'Khi công việc này hoàn thành:',
      'Từ chối — Nếu decision = "reject" :',
      'Quy trình kết thúc: “Hóa đơn bị từ chối” (kết quả: Bị từ chối)',
      'Công việc “Trưởng phòng Vận hành phê duyệt” — cho trưởng phòng Vận hành',
    ])
      expect(vi).toContain(line);
    const en = render('en');
    for (const line of [
      'When this task is completed:',
      'Approved — Otherwise:',
      'Task “Operations manager approval” — for managers of Operations',
      'The process ends: “Invoice approved” (outcome: Approved)',
    ])
      expect(en).toContain(line);
  });

  it('shows the designer’s text as text: a name or a condition with markup is escaped', () => {
    const hostile = processDefinitionSchema.parse({
      formatVersion: 1,
      key: 'h',
      version: 1,
      name: 'H',
      elements: [
        { id: 't', type: 'userTask', formKey: 'f' },
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'x', type: 'userTask', formKey: 'f', name: '<img src=x onerror=alert(1)>', assignee: '=<b>boss</b>' },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 't', target: 'g' },
        { id: 'a', source: 'g', target: 'x', condition: 'v = "<script>alert(1)</script>"' },
        { id: 'b', source: 'g', target: 'e' },
      ],
    });
    const html = renderToStaticMarkup(
      createElement(NextStepsView, { steps: nextSteps(hostile, 't')!, departments: {}, locale: 'en' }),
    );
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
