import { describe, expect, it } from 'vitest';
import { dailySeries, formatAkt, formatPercent, parseAkt, shortHash, withdrawalProblem } from './money';

describe('formatAkt', () => {
  it('shows micro-units as AKT with two to six decimals', () => {
    expect(formatAkt(1_500_000)).toBe('1.50 AKT');
    expect(formatAkt(1234)).toBe('0.001234 AKT');
    expect(formatAkt(0)).toBe('0.00 AKT');
    expect(formatAkt(1_234_567_890_123)).toBe('1,234,567.890123 AKT');
    expect(formatAkt(-2_000_000)).toBe('−2.00 AKT');
    expect(formatAkt(5_000_000, false)).toBe('5.00');
    expect(formatAkt(undefined)).toBe('—');
  });
});

describe('parseAkt', () => {
  it('reads AKT without floating point', () => {
    expect(parseAkt('1.5')).toEqual({ uakt: 1_500_000 });
    expect(parseAkt(' 0,000001 ')).toEqual({ uakt: 1 });
    expect(parseAkt('12')).toEqual({ uakt: 12_000_000 });
    expect(parseAkt('0.1')).toEqual({ uakt: 100_000 });
    expect(parseAkt('999999999.999999')).toEqual({ uakt: 999_999_999_999_999 });
    expect(parseAkt('1000000000')).toEqual({ error: 'Enter a number of AKT, like 12.5.' });
  });
  it('says what is wrong', () => {
    expect(parseAkt('')).toEqual({ error: 'Enter an amount in AKT.' });
    expect(parseAkt('0')).toEqual({ error: 'Enter more than 0 AKT.' });
    expect(parseAkt('1.0000001')).toEqual({ error: 'Use at most 6 decimals (1 uakt is 0.000001 AKT).' });
    expect(parseAkt('-1')).toEqual({ error: 'Enter a number of AKT, like 12.5.' });
    expect(parseAkt('1e6')).toEqual({ error: 'Enter a number of AKT, like 12.5.' });
  });
});

describe('withdrawalProblem', () => {
  it('checks the address, the minimum and the balance', () => {
    expect(withdrawalProblem(5_000_000, 10_000_000, 1_000_000, false)).toBe('Set a payout address first.');
    expect(withdrawalProblem(500_000, 10_000_000, 1_000_000, true)).toBe('The minimum withdrawal is 1.00 AKT.');
    expect(withdrawalProblem(20_000_000, 10_000_000, 1_000_000, true)).toBe('You have 10.00 AKT available.');
    expect(withdrawalProblem(1_000_000, 10_000_000, 1_000_000, true)).toBeNull();
  });
});

describe('dailySeries', () => {
  const e = {
    from: '2026-11-01T12:00:00Z',
    to: '2026-11-04T06:00:00Z',
    periods: [
      { start: '2026-11-01T00:00:00Z', device_id: 'dev_a', usage: 10, participation: 5, total: 15 },
      { start: '2026-11-01T00:00:00Z', device_id: 'dev_b', usage: 1, participation: 2, total: 3 },
      { start: '2026-11-03T00:00:00Z', device_id: 'dev_a', usage: 0, participation: 7, total: 7 },
      { start: '2026-10-01T00:00:00Z', device_id: 'dev_a', usage: 99, participation: 99, total: 198 },
    ],
  };
  it('sums devices per UTC day and fills empty days', () => {
    const s = dailySeries(e);
    expect(s.days).toEqual([0, 1, 2, 3].map((i) => Date.parse('2026-11-01T00:00:00Z') / 1000 + i * 86400));
    expect(s.usage).toEqual([11, 0, 0, 0]);
    expect(s.participation).toEqual([7, 0, 7, 0]);
  });
  it('can show one device', () => {
    expect(dailySeries(e, 'dev_b').participation).toEqual([2, 0, 0, 0]);
  });
  it('is empty for a bad range', () => {
    expect(dailySeries({ from: 'x', to: '2026-11-04T06:00:00Z', periods: [] }).days).toEqual([]);
    expect(dailySeries({ from: '2026-11-04T06:00:00Z', to: '2026-11-01T00:00:00Z', periods: [] }).days).toEqual([]);
  });
});

describe('formatPercent and shortHash', () => {
  it('formats', () => {
    expect(formatPercent(0.98765)).toBe('98.8 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(1.2)).toBe('100 %');
    expect(formatPercent(null)).toBe('—');
    expect(shortHash('A'.repeat(64))).toBe('AAAAAAAA…AAAAAAAA');
    expect(shortHash('ABC')).toBe('ABC');
  });
});
