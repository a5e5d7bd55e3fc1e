/** Number and label formatting shared by the terminal table, the Markdown and the HTML page. */
import type { ComparisonRow } from './types.ts';

export function fmtNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-3)) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
  return v.toFixed(digits);
}

export function fmtSigned(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return (v > 0 ? '+' : '') + fmtNumber(v);
}

/** "+18.0% worse", "−3.2% better", "same", or "from 0" when the baseline is zero. */
export function fmtChange(r: ComparisonRow): string {
  if (r.baseline === null || r.current === null) return '–';
  if (r.worsePct === null) return 'from 0';
  if (Math.abs(r.worsePct) < 0.05) return 'same';
  const pct = `${Math.abs(r.worsePct).toFixed(1)}%`;
  return r.worsePct > 0 ? `${pct} worse` : `${pct} better`;
}

export function fmtRule(r: ComparisonRow): string {
  return r.maxIncreasePct === null ? '' : `≤${fmtNumber(r.maxIncreasePct)}% worse`;
}

/** The delta's interval, "[-1.20, +3.40]", or "–". */
export function fmtCi(r: ComparisonRow): string {
  return r.ci === null ? '–' : `[${fmtSigned(r.ci[0])}, ${fmtSigned(r.ci[1])}]`;
}

/** The p-value ("0.034", "2.1e-7"), or "–" when no test applies. */
export function fmtP(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '–';
  return p < 1e-4 ? p.toExponential(1) : p < 0.01 ? p.toPrecision(2) : p.toFixed(3);
}

/** The absolute floor of a ruled row ("1"), "" without a rule. */
export function fmtFloor(r: ComparisonRow): string {
  return r.minAbsolute === null ? '' : fmtNumber(r.minAbsolute);
}

export function fmtRatio(r: ComparisonRow): string {
  return r.ratio === null ? '–' : `×${r.ratio.toFixed(3)}`;
}

export const VERDICT_LABEL: Record<ComparisonRow['verdict'], string> = {
  regressed: 'REGRESSED',
  ok: 'ok',
  inconclusive: 'inconclusive',
  info: '',
  missing: 'missing',
};
