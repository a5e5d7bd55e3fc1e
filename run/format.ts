/** Number and check formatting shared by the terminal table, summary.md and junit.xml. */
import type { VerdictCheck } from './verdict.ts';

/** Up to 4 significant decimals, no exponent for ordinary values. */
export function formatNumber(n: number | null): string {
  if (n === null || Number.isNaN(n)) return '—';
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function statusOf(c: VerdictCheck): 'pass' | 'FAIL' | 'skip' {
  if (c.skipped) return 'skip';
  return c.ok ? 'pass' : 'FAIL';
}

export function observedText(c: VerdictCheck): string {
  const v = formatNumber(c.observed);
  return c.note ? `${v} (${c.note})` : v;
}
