/** The report's tables: thresholds with pass/fail, run metadata, every metric of the summary. */
import { normalizeSummary, type NormalizedMetric } from './summary.ts';
import type { Meta, Summary, Verdict } from './types.ts';

export interface ThresholdRow {
  source: string;
  metric: string;
  expression: string;
  observed: number | null;
  ok: boolean;
  /** A check the orchestrator did not evaluate (e.g. a regression rule with a side missing). */
  skipped: boolean;
  note: string;
}

/** `p(95)<500` → 'p(95)', `rate < 0.01` → 'rate'; the aggregation a threshold expression reads. */
function aggregationOf(expression: string): string {
  const m = /^\s*([a-z]+(?:\(\s*\d+(?:\.\d+)?\s*\))?)/i.exec(expression);
  return m ? m[1]!.replace(/\s+/g, '') : '';
}

function observedFrom(metric: NormalizedMetric, expression: string): number | null {
  const agg = aggregationOf(expression);
  const v =
    metric.stats[agg] ??
    (agg === 'p(50)' ? metric.stats.med : undefined) ??
    (agg === 'value' ? metric.stats.rate : undefined);
  return v ?? null;
}

/** From verdict.json when present (thresholds, run-level and regression checks), else summary.json's thresholds. */
export function thresholdRows(summary: Summary, verdict: Verdict | null): { rows: ThresholdRow[]; from: string } {
  if (verdict) {
    const rows = verdict.checks.map((c) => {
      const extra = c as unknown as { skipped?: unknown; note?: unknown };
      return {
        source: String(c.source ?? 'threshold'),
        metric: c.metric,
        expression: String(c.expression ?? ''),
        observed: typeof c.observed === 'number' ? c.observed : null,
        ok: c.ok,
        skipped: extra.skipped === true,
        note: typeof extra.note === 'string' ? extra.note : '',
      };
    });
    return { rows, from: 'verdict.json' };
  }
  const rows: ThresholdRow[] = [];
  for (const m of normalizeSummary(summary).values()) {
    for (const t of m.thresholds)
      rows.push({
        source: 'threshold',
        metric: m.name,
        expression: t.expression,
        observed: observedFrom(m, t.expression),
        ok: t.ok,
        skipped: false,
        note: '',
      });
  }
  return { rows, from: 'summary.json' };
}

const PREFERRED = [
  'scenario',
  'engine',
  'engineVersion',
  'infra',
  'provider',
  'infraProvider',
  'versions',
  'node',
  'kit',
  'git',
  'gitCommit',
  'commit',
  'seed',
  'start',
  'end',
  'startTime',
  'endTime',
];

function flatten(prefix: string, value: unknown, out: Array<[string, string]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
    return;
  }
  out.push([
    prefix,
    Array.isArray(value)
      ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')
      : String(value),
  ]);
}

/** meta.json flattened to `a.b` → text, the usual keys first (scenario, engine, infra, versions, git, seed, times). */
export function metaRows(meta: Meta): Array<[string, string]> {
  const rank = (k: string) => {
    const i = PREFERRED.indexOf(k.split('.')[0]!);
    return i === -1 ? PREFERRED.length : i;
  };
  const keys = Object.keys(meta).sort((a, b) => rank(a) - rank(b));
  const out: Array<[string, string]> = [];
  for (const k of keys) flatten(k, meta[k], out);
  return out;
}

export interface MetricRow {
  name: string;
  type: string;
  stats: Array<[string, number]>;
}

const STAT_ORDER = ['count', 'rate', 'value', 'passes', 'fails', 'avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

export function metricRows(summary: Summary): MetricRow[] {
  return [...normalizeSummary(summary).values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => {
      const names = Object.keys(m.stats).filter(
        (s) => !(m.type === 'trend' && s === 'p(50)') && !(m.type === 'rate' && s === 'value'),
      );
      const rank = (s: string) => (STAT_ORDER.indexOf(s) === -1 ? STAT_ORDER.length : STAT_ORDER.indexOf(s));
      names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
      return { name: m.name, type: m.type, stats: names.map((s) => [s, m.stats[s]!] as [string, number]) };
    });
}
