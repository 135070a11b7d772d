import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import { start } from '../runtime/step';
import { caseSummary, foldForSearch, searchDocument, searchQuery, searchWords } from './search';

describe('search without accents', () => {
  it('folds Vietnamese to plain letters, lower case, words split on anything else', () => {
    expect(foldForSearch('Hóa đơn ĐIỆN Tử — Công ty TNHH Thương mại Hòa Bình')).toBe(
      'hoa don dien tu cong ty tnhh thuong mai hoa binh',
    );
    expect(foldForSearch('HD-2026/0042')).toBe('hd 2026 0042');
    expect(foldForSearch('  Nguyễn Thị Ánh  ')).toBe('nguyen thi anh');
  });

  it('makes a query of every word, the last one a prefix, with nothing of the query language left', () => {
    expect(searchQuery('hóa đơn')).toBe('hoa:* & don:*');
    expect(searchQuery("a & b | !c :* ( ) '")).toBe('a:* & b:* & c:*');
    expect(searchQuery('   ')).toBeNull();
    expect(searchQuery('<img src=x onerror=alert(1)>')).toBe('img:* & src:* & x:* & onerror:* & alert:* & 1:*');
  });

  it('bounds what a search may ask: eight distinct words of at most 64 characters', () => {
    expect(searchWords('a b c d e f g h i j a')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(searchWords('x'.repeat(1_000))[0]).toHaveLength(64);
  });

  it('builds a document of texts, numbers and every language of a localized name', () => {
    expect(
      searchDocument([
        { en: 'Approve the invoice', vi: 'Duyệt hóa đơn' },
        'Nhà sách Đông Á',
        1_200_000,
        null,
        true,
        ['ignored'],
      ]),
    ).toBe('approve the invoice duyet hoa don nha sach dong a 1200000');
    expect(searchDocument(['x'.repeat(10_000)]).length).toBe(4_000);
  });

  it('sums a case up by the declared variables: texts (at most 200 characters), numbers and yes/no only', () => {
    expect(
      caseSummary(['vendor', 'amount', 'urgent', 'items', 'missing'], {
        vendor: 'Hòa Bình',
        amount: 5,
        urgent: true,
        items: [1],
        other: 'x',
      }),
    ).toEqual({ vendor: 'Hòa Bình', amount: 5, urgent: true });
    expect(caseSummary(undefined, { a: 1 })).toBeUndefined();
    expect((caseSummary(['v'], { v: 'y'.repeat(500) })!.v as string).length).toBe(200);
  });
});

describe('a process’s summary on its tasks', () => {
  it('puts the summary values of the moment on each task created, only when the process declares some', () => {
    const definition = (summary?: string[]) =>
      compile({
        formatVersion: 1,
        key: 'k',
        version: 1,
        name: 'n',
        ...(summary ? { summary } : {}),
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'a', type: 'userTask', formKey: 'f', candidateGroups: ['g'] },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'a' },
          { id: 'f2', source: 'a', target: 'e' },
        ],
      });
    const created = (summary?: string[]) =>
      start(definition(summary), { vendor: 'Hòa Bình', amount: 12_000_000, note: 'x' }).effects.find(
        (e) => e.type === 'createTask',
      );
    expect(created(['vendor', 'amount'])).toMatchObject({ summary: { vendor: 'Hòa Bình', amount: 12_000_000 } });
    expect(created()).not.toHaveProperty('summary');
  });
});
