/**
 * Baseline comparison: per metric and stat, baseline, current, delta, ratio and how much worse the
 * current run is; a regression rule fails a row when it is worse by more than its maxIncreasePct.
 * Percentiles come from the HDR histograms when both sides stored one for the metric (exact, not
 * interpolated from a summary); every other value comes from summary.json. Each row says its source.
 */
import { decodeHistograms, hdrPercentile, type DecodedHistograms } from './hdr.ts';
import { ReportError } from './errors.ts';
import { readJson, resolveSide, validateHistograms, validateSummary } from './load.ts';
import { DEFAULT_RULES } from './rules.ts';
import { defaultStats, normalizeSummary, percentileOf, worseDirection, type NormalizedMetric } from './summary.ts';
import type { Comparison, ComparisonRow, ComparisonSide, RegressionRule, Worse } from './types.ts';

interface Side {
  info: ComparisonSide;
  metrics: Map<string, NormalizedMetric>;
  hdr: DecodedHistograms | null;
}

async function openSide(input: string): Promise<Side> {
  const { summaryPath, histogramsPath } = await resolveSide(input);
  const metrics = normalizeSummary(validateSummary(await readJson(summaryPath), summaryPath));
  const hdr = histogramsPath ? decodeHistograms(validateHistograms(await readJson(histogramsPath), histogramsPath), histogramsPath) : null;
  return { info: { input, summaryPath, histogramsPath }, metrics, hdr };
}

function summaryValue(m: NormalizedMetric | undefined, stat: string): number | null {
  if (!m) return null;
  const v = m.stats[stat] ?? (stat === 'med' ? m.stats['p(50)'] : stat === 'p(50)' ? m.stats.med : undefined);
  return v ?? null;
}

function values(base: Side, cur: Side, metric: string, stat: string): { b: number | null; c: number | null; source: 'hdr' | 'summary' } {
  const hb = base.hdr?.get(metric) ?? null;
  const hc = cur.hdr?.get(metric) ?? null;
  if (percentileOf(stat) !== null && hb && hc && base.hdr && cur.hdr) {
    const bm = base.metrics.get(metric)?.stats;
    const cm = cur.metrics.get(metric)?.stats;
    const b = hdrPercentile(hb, base.hdr.scale, stat, bm?.min, bm?.max);
    const c = hdrPercentile(hc, cur.hdr.scale, stat, cm?.min, cm?.max);
    if (b !== null && c !== null) return { b, c, source: 'hdr' };
  }
  return { b: summaryValue(base.metrics.get(metric), stat), c: summaryValue(cur.metrics.get(metric), stat), source: 'summary' };
}

/** Percent by which `c` is worse than `b` (negative: better); null when b is 0 and c differs. */
export function worsePercent(b: number, c: number, worse: Worse): number | null {
  if (b === c) return 0;
  if (b === 0) return null;
  const pct = ((c - b) / Math.abs(b)) * 100;
  return worse === 'higher' ? pct : -pct;
}

function isWorse(b: number, c: number, worse: Worse): boolean {
  return worse === 'higher' ? c > b : c < b;
}

function makeRow(base: Side, cur: Side, metric: string, stat: string, rule: RegressionRule | null): ComparisonRow {
  const type = (cur.metrics.get(metric) ?? base.metrics.get(metric))?.type ?? 'trend';
  const worse = worseDirection(metric, type);
  const { b, c, source } = values(base, cur, metric, stat);
  const both = b !== null && c !== null;
  const worsePct = both ? worsePercent(b, c, worse) : null;
  let verdict: ComparisonRow['verdict'] = 'info';
  if (rule) {
    if (!both) verdict = 'missing';
    else {
      // A zero baseline has no percentage: any worsening of it exceeds every rule.
      const exceeded = worsePct === null ? isWorse(b, c, worse) : worsePct > rule.maxIncreasePct + 1e-9;
      verdict = exceeded ? 'regressed' : 'ok';
    }
  }
  return {
    metric,
    stat,
    baseline: b,
    current: c,
    delta: both ? c - b : null,
    ratio: both && b !== 0 ? c / b : null,
    worsePct,
    worse,
    source,
    maxIncreasePct: rule ? rule.maxIncreasePct : null,
    verdict,
  };
}

/** k6 built-ins left out of the informational rows (a rule can still name them): request phases, bytes. */
const QUIET = new Set(['http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_duration{expected_response:true}', 'data_sent', 'data_received']);

function rowKeys(base: Side, cur: Side, rules: RegressionRule[]): Array<{ metric: string; stat: string; rule: RegressionRule | null }> {
  const keys: Array<{ metric: string; stat: string; rule: RegressionRule | null }> = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!base.metrics.has(rule.metric) && !cur.metrics.has(rule.metric)) {
      throw new ReportError('REPORT_UNKNOWN_METRIC', `regression rule ${rule.metric}:${rule.stat}:${rule.maxIncreasePct}: metric "${rule.metric}" is in neither ${base.info.summaryPath} nor ${cur.info.summaryPath}`);
    }
    keys.push({ metric: rule.metric, stat: rule.stat, rule });
    seen.add(`${rule.metric}\u0000${rule.stat}`);
  }
  const shared = [...cur.metrics.keys()].filter((m) => base.metrics.has(m) && !QUIET.has(m)).sort();
  for (const metric of shared) {
    for (const stat of defaultStats(cur.metrics.get(metric)!.type)) {
      const key = `${metric}\u0000${stat}`;
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push({ metric, stat, rule: null });
    }
  }
  return keys;
}

function notesFor(base: Side, cur: Side, rows: ComparisonRow[], rules: RegressionRule[]): string[] {
  const notes: string[] = [];
  if (rules.length === 0) notes.push('No regression rules: the comparison is informational and cannot fail.');
  if (!base.hdr || !cur.hdr) {
    const which = [!base.hdr && 'baseline', !cur.hdr && 'current'].filter(Boolean).join(' and ');
    notes.push(`No histograms.json for the ${which}: percentiles come from summary.json values.`);
  }
  for (const r of rows) if (r.verdict === 'missing') notes.push(`Rule ${r.metric} ${r.stat}: a side has no value, not compared.`);
  return notes;
}

export async function compareResults(baseline: string, current: string, rules?: RegressionRule[]): Promise<Comparison> {
  const activeRules = rules ?? [...DEFAULT_RULES];
  const base = await openSide(baseline);
  const cur = await openSide(current);
  try {
    const rows = rowKeys(base, cur, activeRules)
      .map((k) => makeRow(base, cur, k.metric, k.stat, k.rule))
      .filter((r) => r.verdict !== 'info' || r.baseline !== null || r.current !== null);
    const regressions = rows.filter((r) => r.verdict === 'regressed');
    return {
      version: 1,
      baseline: base.info,
      current: cur.info,
      rules: activeRules,
      rows,
      ok: regressions.length === 0,
      regressions,
      notes: notesFor(base, cur, rows, activeRules),
    };
  } finally {
    base.hdr?.destroy();
    cur.hdr?.destroy();
  }
}
