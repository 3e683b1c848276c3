// Amounts and earnings as the portal shows them. The API counts integer micro-units (uakt);
// 1 AKT = 1,000,000 uakt. Parsing never goes through floating point.
import type { Earnings } from '../api/types';

export const UAKT_PER_AKT = 1_000_000;

/** 1500000 → "1.50 AKT"; 1234 → "0.001234 AKT"; at least two decimals, at most six. */
export function formatAkt(uakt: number | undefined, unit = true): string {
  if (uakt === undefined || !Number.isFinite(uakt)) return '—';
  const neg = uakt < 0;
  const abs = Math.abs(Math.trunc(uakt));
  const whole = Math.floor(abs / UAKT_PER_AKT);
  let frac = String(abs % UAKT_PER_AKT).padStart(6, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  const text = `${neg ? '−' : ''}${whole.toLocaleString('en-US')}.${frac}`;
  return unit ? `${text} AKT` : text;
}

/** "1.5" or "1,5" AKT → 1500000 uakt; an error sentence for anything else. */
export function parseAkt(text: string): { uakt: number } | { error: string } {
  const t = text.trim().replace(',', '.');
  if (t === '') return { error: 'Enter an amount in AKT.' };
  const m = /^(\d{1,9})(?:\.(\d{0,6}))?$/.exec(t);
  if (!m) {
    return /^\d*\.\d{7,}$/.test(t)
      ? { error: 'Use at most 6 decimals (1 uakt is 0.000001 AKT).' }
      : { error: 'Enter a number of AKT, like 12.5.' };
  }
  const uakt = Number(m[1]) * UAKT_PER_AKT + Number((m[2] ?? '').padEnd(6, '0'));
  if (uakt <= 0) return { error: 'Enter more than 0 AKT.' };
  return { uakt };
}

/** Why a withdrawal of `uakt` cannot be asked for, or null when it can. */
export function withdrawalProblem(uakt: number, available: number, minimum: number, hasAddress: boolean): string | null {
  if (!hasAddress) return 'Set a payout address first.';
  if (uakt < minimum) return `The minimum withdrawal is ${formatAkt(minimum)}.`;
  if (uakt > available) return `You have ${formatAkt(available)} available.`;
  return null;
}

export interface DailySeries {
  /** Day starts, Unix seconds (UTC midnight), every day of the range, oldest first. */
  days: number[];
  usage: number[];
  participation: number[];
}

const DAY = 86400;

/**
 * Per-day sums over all devices (or one) from GET /v1/earnings?group=day, with a zero for each
 * day without earnings so the chart's axis is continuous.
 */
export function dailySeries(e: Pick<Earnings, 'from' | 'to' | 'periods'>, deviceId?: string): DailySeries {
  const from = Math.floor(Date.parse(e.from ?? '') / 1000 / DAY) * DAY;
  const to = Math.ceil(Date.parse(e.to ?? '') / 1000 / DAY) * DAY;
  const out: DailySeries = { days: [], usage: [], participation: [] };
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from || (to - from) / DAY > 400) return out;
  const index = new Map<number, number>();
  for (let d = from; d < to; d += DAY) {
    index.set(d, out.days.length);
    out.days.push(d);
    out.usage.push(0);
    out.participation.push(0);
  }
  for (const p of e.periods ?? []) {
    if (deviceId && p.device_id !== deviceId) continue;
    const day = Math.floor(Date.parse(p.start ?? '') / 1000 / DAY) * DAY;
    const i = index.get(day);
    if (i === undefined) continue;
    out.usage[i] = (out.usage[i] ?? 0) + (p.usage ?? 0);
    out.participation[i] = (out.participation[i] ?? 0) + (p.participation ?? 0);
  }
  return out;
}

/** Percentage of a 0..1 fraction: 0.98765 → "98.8 %"; null → "—". */
export function formatPercent(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return '—';
  const p = Math.max(0, Math.min(1, f)) * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/** "3A1F…9C0D" for a long transaction hash (the whole hash stays in the title). */
export function shortHash(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 8)}…${hash.slice(-8)}` : hash;
}
