/** Value formatting of k6's end-of-test text summary (humanized durations, bytes, rates). */
import type { K6SummaryMetric } from './types.ts';

const trimZeros = (v: number, digits: number): string => String(parseFloat(v.toFixed(digits)));

function truncTo(v: number, digits: number): string {
  const m = 10 ** digits;
  return trimZeros(Math.trunc(v * m) / m, digits);
}

export function humanizeBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 10) return `${bytes} B`;
  const e = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), units.length - 1);
  const v = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[e]}`;
}

const FIXED_UNITS: Record<string, { unit: string; coef: number }> = {
  s: { unit: 's', coef: 0.001 },
  ms: { unit: 'ms', coef: 1 },
  us: { unit: 'µs', coef: 1000 },
};

/** `ms` milliseconds as k6 prints them: 0s, 812ns, 12.3µs, 1.52ms, 2.5s, 1m3s, 1h2m3s (or a fixed unit). */
export function humanizeDuration(ms: number, timeUnit = ''): string {
  const fixed = FIXED_UNITS[timeUnit];
  if (fixed) return `${(ms * fixed.coef).toFixed(2)}${fixed.unit}`;
  if (ms === 0) return '0s';
  if (ms < 0.001) return `${Math.trunc(ms * 1e6)}ns`;
  if (ms < 1) return `${truncTo(ms * 1000, 2)}µs`;
  if (ms < 1000) return `${truncTo(ms, 2)}ms`;
  let out = `${truncTo((ms % 60_000) / 1000, ms > 60_000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60_000);
  if (rest < 1) return out;
  out = `${rest % 60}m${out}`;
  rest = Math.trunc(rest / 60);
  return rest < 1 ? out : `${rest}h${out}`;
}

export function humanizeValue(v: number, m: Pick<K6SummaryMetric, 'type' | 'contains'>, timeUnit = ''): string {
  if (m.type === 'rate') return `${(Math.trunc(v * 100 * 100) / 100).toFixed(2)}%`;
  if (m.contains === 'data') return humanizeBytes(v);
  if (m.contains === 'time') return humanizeDuration(v, timeUnit);
  return trimZeros(v, 6);
}
