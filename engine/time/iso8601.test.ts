import { describe, expect, it } from 'vitest';
import {
  addDuration,
  nextOccurrence,
  parseCycle,
  parseDuration,
  parseInstant,
  readCycle,
  readDuration,
  readInstant,
} from './iso8601';

describe('ISO 8601 timers', () => {
  it('parses durations and rejects nonsense', () => {
    expect(parseDuration('P2D')).toMatchObject({ days: 2 });
    expect(parseDuration('PT1H30M')).toMatchObject({ hours: 1, minutes: 30 });
    expect(parseDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7.5,
    });
    for (const bad of ['P', 'PT', '2D', 'P2', 'P-1D', '0/5 0/1 * 1/1 * ?']) expect(parseDuration(bad)).toBeNull();
  });

  it('adds calendar days across month ends and hours across days', () => {
    const at = new Date('2026-01-31T09:00:00Z');
    expect(addDuration(at, parseDuration('P1D')!).toISOString()).toBe('2026-02-01T09:00:00.000Z');
    expect(addDuration(at, parseDuration('PT48H')!).toISOString()).toBe('2026-02-02T09:00:00.000Z');
    expect(addDuration(new Date('2026-12-31T23:30:00Z'), parseDuration('PT45M')!).toISOString()).toBe(
      '2027-01-01T00:15:00.000Z',
    );
  });

  it('parses instants and cycles', () => {
    expect(parseInstant('2026-12-15')?.toISOString()).toBe('2026-12-15T00:00:00.000Z');
    expect(parseInstant('2026-12-15T10:00:00+07:00')?.toISOString()).toBe('2026-12-15T03:00:00.000Z');
    expect(parseInstant('15/12/2026')).toBeNull();
    expect(parseCycle('R3/PT10H')).toMatchObject({ repetitions: 3, start: null, interval: { hours: 10 } });
    expect(parseCycle('R/P2D')).toMatchObject({ repetitions: null, interval: { days: 2 } });
    expect(parseCycle('R2/2026-12-01T09:00:00Z/P1W')?.start?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(parseCycle('0/5 0/1 * 1/1 * ?')).toBeNull();
  });
});

describe('impossible dates and times are refused, naming the text', () => {
  const refused: [string, RegExp][] = [
    ['2024-02-30', /^"2024-02-30" is not a real date: February 2024 has 29 days$/],
    ['2023-02-29', /^"2023-02-29" is not a real date: February 2023 has 28 days$/],
    ['2026-04-31T10:00:00Z', /^"2026-04-31T10:00:00Z" is not a real date: April 2026 has 30 days$/],
    ['2026-13-01', /^"2026-13-01" is not a real date: there is no month 13$/],
    ['2026-00-10', /^"2026-00-10" is not a real date: there is no month 00$/],
    ['2026-01-00', /^"2026-01-00" is not a real date: there is no day 00$/],
    ['2026-01-01T25:00:00Z', /^"2026-01-01T25:00:00Z" is not a real time: there is no hour 25$/],
    [
      '2026-01-01T24:00:00Z',
      /^"2026-01-01T24:00:00Z" is not a real time: there is no hour 24; write 00:00 of the next day$/,
    ],
    ['2026-01-01T10:60:00Z', /there is no minute 60$/],
    ['2026-01-01T10:00:61Z', /there is no second 61$/],
    ['2026-01-01T10:00:00+25:00', /there is no time zone offset \+25:00$/],
    // A date-time without an offset is refused: whose 09:00 would it be?
    ['2026-01-01T10:00:00', /^"2026-01-01T10:00:00" is not an ISO 8601 date or date-time/],
  ];
  it.each(refused)('%s', (text, message) => {
    const read = readInstant(text);
    expect(read).toEqual({ ok: false, message: expect.stringMatching(message) });
    expect(parseInstant(text)).toBeNull();
  });

  it('accepts real ones: leap days, the last second of a day, offsets, years below 100', () => {
    expect(parseInstant('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseInstant('2026-12-31T23:59:59.999Z')?.toISOString()).toBe('2026-12-31T23:59:59.999Z');
    expect(parseInstant('2026-01-01T00:30:00-05:30')?.toISOString()).toBe('2026-01-01T06:00:00.000Z');
    expect(parseInstant('0050-03-01')?.getUTCFullYear()).toBe(50);
  });

  it('a cycle names the part that is wrong: its start date, its interval', () => {
    expect(readCycle('R2/2024-02-30T09:00:00Z/P1D')).toEqual({
      ok: false,
      message:
        '"R2/2024-02-30T09:00:00Z/P1D" has a start that is not one: "2024-02-30T09:00:00Z" is not a real date: February 2024 has 29 days',
    });
    expect(readCycle('R/P1X')).toEqual({
      ok: false,
      message: expect.stringMatching(/^"R\/P1X" has an interval that is not one: "P1X" is not an ISO 8601 duration/),
    });
    expect(readDuration(`P${'9'.repeat(400)}Y`)).toEqual({
      ok: false,
      message: expect.stringContaining('is longer than 10,000 years'),
    });
  });
});

describe('the next occurrence after a late firing skips what was missed', () => {
  const at = (iso: string) => new Date(iso);
  it('keeps the cadence when on time', () => {
    expect(nextOccurrence(at('2026-03-02T08:00:00Z'), parseDuration('PT1H')!, at('2026-03-02T08:00:05Z'))).toEqual({
      at: at('2026-03-02T09:00:00Z'),
      skipped: 0,
    });
  });
  it('jumps over missed fixed-length occurrences at once, keeping the phase', () => {
    // down for three days and a bit: the next hourly occurrence is the first after now
    expect(nextOccurrence(at('2026-03-02T08:00:00Z'), parseDuration('PT1H')!, at('2026-03-05T10:30:00Z'))).toEqual({
      at: at('2026-03-05T11:00:00Z'),
      skipped: 74,
    });
    expect(
      nextOccurrence(at('2026-03-02T08:00:00Z'), parseDuration('PT1S')!, at('2036-03-02T08:00:00Z')).at.toISOString(),
    ).toBe('2036-03-02T08:00:01.000Z');
  });
  it('steps calendar months; a zero interval is due at now (whoever fires it caps how often)', () => {
    expect(nextOccurrence(at('2026-01-15T02:00:00Z'), parseDuration('P1M')!, at('2026-05-20T00:00:00Z'))).toEqual({
      at: at('2026-06-15T02:00:00Z'),
      skipped: 4,
    });
    expect(nextOccurrence(at('2026-01-15T02:00:00Z'), parseDuration('PT0S')!, at('2026-05-20T00:00:00Z'))).toEqual({
      at: at('2026-05-20T00:00:00Z'),
      skipped: 0,
    });
  });
});
