import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvRow } from './csv';

describe('csvCell', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+x', `"'+x"`],
    ['-x', `"'-x"`],
    ['@x', `"'@x"`],
    ['\tx', `"'\tx"`],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
  ])('writes %j, which a spreadsheet would run, as quoted text', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['Phê duyệt hóa đơn', 'Phê duyệt hóa đơn'],
    ['1+1=2', '1+1=2'],
    ['', ''],
  ])('quotes %j only when it must', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes numbers as they are, and nothing for null, undefined and non-finite numbers', () => {
    expect([csvCell(3), csvCell(-2), csvCell(null), csvCell(undefined), csvCell(Number.NaN)]).toEqual([
      '3',
      '-2',
      '',
      '',
      '',
    ]);
  });
});

describe('csvRow', () => {
  it('joins the cells with commas and ends with CRLF', () => {
    expect(csvRow(['HD-1', '=cmd', 'a,b', null, 2])).toBe(`HD-1,"'=cmd","a,b",,2\r\n`);
  });

  it('has the byte-order mark Excel needs for UTF-8', () => {
    expect(CSV_BOM).toBe('\uFEFF');
  });
});
