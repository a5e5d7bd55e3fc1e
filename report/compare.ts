/**
 * Baseline comparison: per metric and stat, baseline, current, delta with its interval, the p-value
 * of "the current run is worse", and a verdict with its reason. A rule fails a row only when the
 * worsening is beyond its maxIncreasePct, beyond its absolute floor, statistically significant (the
 * test, and the delta's interval excluding 0), and (with several baseline runs) outside the baseline
 * runs' own spread; too few samples to tell is
 * "inconclusive" (a failure only when strict). Method and assumptions: docs/regression.md.
 */
import { ReportError } from './errors.ts';
import { resolveRuns } from './load.ts';
import { DEFAULT_ALPHA, DEFAULT_MIN_SAMPLES, DEFAULT_RULES, defaultMinAbsolute } from './rules.ts';
import { evidence, type Evidence } from './significance.ts';
import {
  closeSide,
  hasMetric,
  histogram,
  metricType,
  newSide,
  openRun,
  runValues,
  sideValue,
  type Run,
  type Side,
} from './sides.ts';
import { defaultStats, worseDirection } from './summary.ts';
import type { Comparison, ComparisonRow, RegressionRule, Worse } from './types.ts';
import { fmtNumber, fmtP } from './format.ts';

export interface CompareOptions {
  /** An inconclusive rule row fails the comparison too. */
  strict?: boolean;
  /** The significance level of rules that give none (default 0.01). */
  alpha?: number;
}

/** Percent by which `c` is worse than `b` (negative: better); null when b is 0 and c differs. */
export function worsePercent(b: number, c: number, worse: Worse): number | null {
  if (b === c) return 0;
  if (b === 0) return null;
  const pct = ((c - b) / Math.abs(b)) * 100;
  return worse === 'higher' ? pct : -pct;
}

interface Decision {
  verdict: ComparisonRow['verdict'];
  reason: string;
}

interface Inputs {
  b: number;
  c: number;
  worse: Worse;
  worsePct: number | null;
  rule: Required<RegressionRule>;
  ev: Evidence;
  spread: ComparisonRow['spread'];
}

/** The verdict of a ruled row whose both values exist, in the order the conditions are checked. */
function decide({ b, c, worse, worsePct, rule, ev, spread }: Inputs): Decision {
  const worseBy = worse === 'higher' ? c - b : b - c;
  if (worsePct !== null && worsePct <= rule.maxIncreasePct + 1e-9) {
    return {
      verdict: 'ok',
      reason:
        worsePct <= 0
          ? 'not worse'
          : `${worsePct.toFixed(1)}% worse, within the rule's ${fmtNumber(rule.maxIncreasePct)}%`,
    };
  }
  if (worsePct === null && worseBy <= 0) return { verdict: 'ok', reason: 'not worse' };
  if (worseBy <= rule.minAbsolute)
    return { verdict: 'ok', reason: `worse by ${fmtNumber(worseBy)}, within the floor ${fmtNumber(rule.minAbsolute)}` };
  const { baseline: nb, current: nc } = ev.samples;
  if (ev.pValue === null) {
    const why =
      nb === null || nc === null
        ? 'no sample distribution on both sides (histograms.json, or a rate/counter summary)'
        : 'no test for this stat';
    return { verdict: 'inconclusive', reason: `beyond the rule and the floor, but ${why}` };
  }
  if (nb === null || nc === null || nb < rule.minSamples || nc < rule.minSamples) {
    return {
      verdict: 'inconclusive',
      reason: `too few samples (baseline ${nb ?? '?'}, current ${nc ?? '?'}; the rule needs ${rule.minSamples} each)`,
    };
  }
  if (ev.pValue >= rule.alpha)
    return { verdict: 'ok', reason: `not significant (p=${fmtP(ev.pValue)} ≥ α ${rule.alpha})` };
  if (ev.ci && (worse === 'higher' ? ev.ci[0] <= 0 : ev.ci[1] >= 0)) {
    return {
      verdict: 'ok',
      reason: `p=${fmtP(ev.pValue)}, but the ${Math.round((1 - rule.alpha) * 100)}% interval of the delta [${fmtNumber(ev.ci[0])}, ${fmtNumber(ev.ci[1])}] holds 0`,
    };
  }
  if (spread && (worse === 'higher' ? c <= spread.max : c >= spread.min)) {
    return {
      verdict: 'ok',
      reason: `significant (p=${fmtP(ev.pValue)}) but within the ${spread.runs} baseline runs' spread ${fmtNumber(spread.min)}..${fmtNumber(spread.max)}`,
    };
  }
  const pct = worsePct === null ? 'from 0' : `${worsePct.toFixed(1)}% > ${fmtNumber(rule.maxIncreasePct)}%`;
  const beyond = spread
    ? `, beyond the baseline runs' ${worse === 'higher' ? 'max' : 'min'} ${fmtNumber(worse === 'higher' ? spread.max : spread.min)}`
    : '';
  return {
    verdict: 'regressed',
    reason: `${pct}, ${fmtNumber(worseBy)} > floor ${fmtNumber(rule.minAbsolute)}, p=${fmtP(ev.pValue)} < α ${rule.alpha}${beyond}`,
  };
}

function spreadOf(base: Side, metric: string, stat: string): ComparisonRow['spread'] {
  if (base.runs.length < 2) return null;
  const values = runValues(base, metric, stat);
  if (values.some((v) => v === null)) return null;
  const nums = values as number[];
  return { min: Math.min(...nums), max: Math.max(...nums), runs: nums.length };
}

function fullRule(
  rule: RegressionRule,
  type: Parameters<typeof defaultMinAbsolute>[0],
  alpha: number,
): Required<RegressionRule> {
  return {
    ...rule,
    minAbsolute: rule.minAbsolute ?? defaultMinAbsolute(type, rule.stat),
    alpha: rule.alpha ?? alpha,
    minSamples: rule.minSamples ?? DEFAULT_MIN_SAMPLES,
  };
}

function makeRow(
  base: Side,
  cur: Side,
  metric: string,
  stat: string,
  given: RegressionRule | null,
  alpha: number,
  cache: Map<string, number>,
): ComparisonRow {
  const type = metricType(cur, metric) ?? metricType(base, metric) ?? 'trend';
  const worse = worseDirection(metric, type);
  const rule = given ? fullRule(given, type, alpha) : null;
  const useHdr = histogram(base, metric) !== null && histogram(cur, metric) !== null;
  const bv = sideValue(base, metric, stat, useHdr);
  const cv = sideValue(cur, metric, stat, useHdr);
  const [b, c] = [bv.value, cv.value];
  const both = b !== null && c !== null;
  const worsePct = both ? worsePercent(b, c, worse) : null;
  const ev = evidence(base, cur, metric, stat, type, worse, rule?.alpha ?? alpha, cache);
  const spread = spreadOf(base, metric, stat);
  let d: Decision = { verdict: 'info', reason: 'no rule' };
  if (rule)
    d = both
      ? decide({ b, c, worse, worsePct, rule, ev, spread })
      : { verdict: 'missing', reason: 'a side has no value' };
  return {
    metric,
    stat,
    baseline: b,
    current: c,
    delta: both ? c - b : null,
    ci: ev.ci,
    ratio: both && b !== 0 ? c / b : null,
    worsePct,
    worse,
    source: bv.source === 'hdr' && cv.source === 'hdr' ? 'hdr' : 'summary',
    pValue: ev.pValue,
    test: ev.test,
    samples: ev.samples,
    spread,
    maxIncreasePct: rule ? rule.maxIncreasePct : null,
    minAbsolute: rule ? rule.minAbsolute : null,
    alpha: rule ? rule.alpha : null,
    minSamples: rule ? rule.minSamples : null,
    verdict: d.verdict,
    reason: d.reason,
  };
}

/** k6 built-ins left out of the informational rows (a rule can still name them): request phases, bytes. */
const QUIET = new Set([
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_duration{expected_response:true}',
  'data_sent',
  'data_received',
]);

function rowKeys(
  base: Side,
  cur: Side,
  rules: RegressionRule[],
): Array<{ metric: string; stat: string; rule: RegressionRule | null }> {
  const keys: Array<{ metric: string; stat: string; rule: RegressionRule | null }> = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!hasMetric(base, rule.metric) && !hasMetric(cur, rule.metric)) {
      const where = [...base.runs, ...cur.runs].map((r) => r.info.summaryPath).join(' nor ');
      throw new ReportError(
        'REPORT_UNKNOWN_METRIC',
        `regression rule ${rule.metric}:${rule.stat}:${rule.maxIncreasePct}: metric "${rule.metric}" is in neither ${where}`,
      );
    }
    keys.push({ metric: rule.metric, stat: rule.stat, rule });
    seen.add(`${rule.metric}\u0000${rule.stat}`);
  }
  const current = cur.runs[0]!.metrics;
  const shared = [...current.keys()].filter((m) => hasMetric(base, m) && !QUIET.has(m)).sort();
  for (const metric of shared) {
    for (const stat of defaultStats(current.get(metric)!.type)) {
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
  const noHdrBase = base.runs.filter((r) => !r.hdr).length;
  if (noHdrBase || !cur.runs[0]!.hdr) {
    const which = [
      noHdrBase && (base.runs.length > 1 ? `${noHdrBase} of the ${base.runs.length} baseline runs` : 'baseline'),
      !cur.runs[0]!.hdr && 'current',
    ]
      .filter(Boolean)
      .join(' and ');
    notes.push(
      `No histograms.json for the ${which}: percentiles come from summary.json values, and trends cannot be tested for significance.`,
    );
  }
  if (base.runs.length > 1)
    notes.push(
      `Baseline: ${base.runs.length} runs pooled; a regression must also lie outside their run-to-run spread.`,
    );
  for (const r of rows)
    if (r.verdict === 'missing') notes.push(`Rule ${r.metric} ${r.stat}: a side has no value, not compared.`);
  return notes;
}

/** Opens every run of every baseline input (a results folder, a summary file or a folder of runs). */
async function openRuns(inputs: string[]): Promise<Run[]> {
  const runs: Run[] = [];
  try {
    for (const input of inputs) for (const side of await resolveRuns(input)) runs.push(await openRun(side));
  } catch (err) {
    for (const r of runs) r.hdr?.destroy();
    throw err;
  }
  return runs;
}

export async function compareResults(
  baseline: string | readonly string[],
  current: string,
  rules?: RegressionRule[],
  options: CompareOptions = {},
): Promise<Comparison> {
  const activeRules = rules ?? [...DEFAULT_RULES];
  const inputs = typeof baseline === 'string' ? [baseline] : [...baseline];
  if (inputs.length === 0)
    throw new ReportError(
      'REPORT_FILE_MISSING',
      'no baseline given: expected one or more results folders, or a folder of runs',
    );
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const baseRuns = await openRuns(inputs);
  const sides: Side[] = [];
  try {
    sides.push(newSide(baseRuns));
    const [base] = sides as [Side];
    const cur = newSide(await openRuns([current]));
    sides.push(cur);
    if (cur.runs.length !== 1)
      throw new ReportError(
        'REPORT_FILE_MISSING',
        `${current}: the current side must be one results folder or summary.json`,
      );
    const cache = new Map<string, number>();
    const rows = rowKeys(base, cur, activeRules)
      .map((k) => makeRow(base, cur, k.metric, k.stat, k.rule, alpha, cache))
      .filter((r) => r.verdict !== 'info' || r.baseline !== null || r.current !== null);
    const regressions = rows.filter((r) => r.verdict === 'regressed');
    const inconclusive = rows.filter((r) => r.verdict === 'inconclusive');
    const strict = options.strict === true;
    return {
      version: 1,
      baseline: base.runs[0]!.info,
      baselines: base.runs.map((r) => r.info),
      current: cur.runs[0]!.info,
      rules: activeRules,
      rows,
      strict,
      ok: regressions.length === 0 && !(strict && inconclusive.length > 0),
      regressions,
      inconclusive,
      notes: notesFor(base, cur, rows, activeRules),
    };
  } finally {
    if (sides.length) for (const s of sides) closeSide(s);
    else for (const r of baseRuns) r.hdr?.destroy();
  }
}
