/**
 * Reading metrics out of summary.json. Two shapes are accepted:
 *  - k6 `--summary-export`: `{ metrics: { name: { avg, med, 'p(95)', ..., thresholds: { expr: failed } } } }`
 *    where a Rate's ratio is `value` and a threshold's boolean is true when it FAILED (k6 #1498);
 *  - k6 `handleSummary(data)`: `{ metrics: { name: { type, values: {...}, thresholds: { expr: { ok } } } } }`.
 * Both become a NormalizedMetric: the type (given or inferred from the stats present) and numeric stats,
 * a Rate's ratio under `rate`.
 */
import type { Summary, SummaryMetric, Worse } from './types.ts';

export type MetricKind = 'trend' | 'rate' | 'counter' | 'gauge';

export interface NormalizedMetric {
  name: string;
  type: MetricKind;
  stats: Record<string, number>;
  thresholds: Array<{ expression: string; ok: boolean }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function inferType(stats: Record<string, number>): MetricKind {
  if ('passes' in stats || 'fails' in stats) return 'rate';
  if ('avg' in stats || 'med' in stats) return 'trend';
  if ('count' in stats && 'rate' in stats) return 'counter';
  return 'gauge';
}

function thresholdsOf(metric: SummaryMetric): Array<{ expression: string; ok: boolean }> {
  if (!isObject(metric.thresholds)) return [];
  return Object.entries(metric.thresholds).map(([expression, v]) => ({
    expression,
    // export shape: true means failed; handleSummary shape: { ok }
    ok: isObject(v) ? v.ok === true : v === false,
  }));
}

export function normalizeMetric(name: string, metric: SummaryMetric): NormalizedMetric {
  const raw = isObject(metric.values) ? metric.values : metric;
  const stats: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) stats[k] = v;
  const given = typeof metric.type === 'string' ? metric.type : null;
  const type: MetricKind =
    given === 'trend' || given === 'rate' || given === 'counter' || given === 'gauge' ? given : inferType(stats);
  if (type === 'rate' && !('rate' in stats) && 'value' in stats) stats.rate = stats.value;
  if (type === 'trend' && 'med' in stats && !('p(50)' in stats)) stats['p(50)'] = stats.med;
  return { name, type, stats, thresholds: thresholdsOf(metric) };
}

export function normalizeSummary(summary: Summary): Map<string, NormalizedMetric> {
  const out = new Map<string, NormalizedMetric>();
  for (const [name, metric] of Object.entries(summary.metrics)) out.set(name, normalizeMetric(name, metric));
  return out;
}

/** `p(95)` → 95; `med` → 50; anything else → null. */
export function percentileOf(stat: string): number | null {
  if (stat === 'med') return 50;
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (!m) return null;
  const p = Number(m[1]);
  return p >= 0 && p <= 100 ? p : null;
}

/** The stats a comparison shows for a metric type when no rule asks for others. */
export function defaultStats(type: MetricKind): string[] {
  switch (type) {
    case 'trend':
      return ['avg', 'med', 'p(95)', 'p(99)', 'max'];
    case 'rate':
      return ['rate'];
    case 'counter':
      return ['count', 'rate'];
    case 'gauge':
      return [];
  }
}

const FAILURE_NAME = /(fail|error|drop|lost|timeout|reject|retr)/i;

/**
 * Which direction is worse, so that a rule's maxIncreasePct reads "worse by more than N%":
 *  - a metric whose name says failure (fail, error, dropped, lost, timeout, rejected, retries): higher is worse;
 *  - Trend (durations, sizes) and Gauge: higher is worse;
 *  - Rate (success ratios such as `checks`): lower is worse;
 *  - Counter (throughput: `http_reqs`, `iterations`, their `/s` rate): lower is worse.
 */
export function worseDirection(metric: string, type: MetricKind): Worse {
  const base = metric.split('{')[0] ?? metric;
  if (FAILURE_NAME.test(base)) return 'higher';
  if (type === 'trend' || type === 'gauge') return 'higher';
  return 'lower';
}
