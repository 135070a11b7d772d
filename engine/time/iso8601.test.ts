import { describe, expect, it } from 'vitest';
import { addDuration, parseCycle, parseDuration, parseInstant } from './iso8601';

describe('ISO 8601 timers', () => {
  it('parses durations and rejects nonsense', () => {
    expect(parseDuration('P2D')).toMatchObject({ days: 2 });
    expect(parseDuration('PT1H30M')).toMatchObject({ hours: 1, minutes: 30 });
    expect(parseDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.5 });
    for (const bad of ['P', 'PT', '2D', 'P2', 'P-1D', '0/5 0/1 * 1/1 * ?']) expect(parseDuration(bad)).toBeNull();
  });

  it('adds calendar days across month ends and hours across days', () => {
    const at = new Date('2026-01-31T09:00:00Z');
    expect(addDuration(at, parseDuration('P1D')!).toISOString()).toBe('2026-02-01T09:00:00.000Z');
    expect(addDuration(at, parseDuration('PT48H')!).toISOString()).toBe('2026-02-02T09:00:00.000Z');
    expect(addDuration(new Date('2026-12-31T23:30:00Z'), parseDuration('PT45M')!).toISOString()).toBe('2027-01-01T00:15:00.000Z');
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
