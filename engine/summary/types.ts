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
