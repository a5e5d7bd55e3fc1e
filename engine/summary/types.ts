/** k6's handleSummary(data) shape (k6 `js/summary.go`), as the engine produces it. */
import type { MetricType, ValueType } from '../metrics/api.ts';
import type { SummaryGroup } from '../metrics/groups.ts';

export type { SummaryCheck, SummaryGroup } from '../metrics/groups.ts';

export interface K6SummaryMetric {
  type: MetricType;
  contains: ValueType;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryData {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, K6SummaryMetric>;
  setup_data?: unknown;
}

export const DEFAULT_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

const STAT = /^(avg|min|med|max|count|p\((\d+(\.\d+)?)\))$/;

/** Checks summaryTrendStats as k6 does (avg, min, med, max, count, p(N) with 0 <= N <= 100); every problem at once. */
export function validateSummaryTrendStats(stats: unknown): string[] {
  if (!Array.isArray(stats))
    return [`summaryTrendStats: expected an array of stat names like ["avg", "p(95)"], got ${JSON.stringify(stats)}`];
  const errors: string[] = [];
  stats.forEach((s, i) => {
    const m = typeof s === 'string' ? STAT.exec(s) : null;
    if (!m || (m[2] !== undefined && Number(m[2]) > 100)) {
      errors.push(
        `summaryTrendStats[${i}]: invalid stat ${JSON.stringify(s)} (expected avg, min, med, max, count or p(N) with N between 0 and 100)`,
      );
    }
  });
  return errors;
}
