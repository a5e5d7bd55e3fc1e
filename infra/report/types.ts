/** Shapes of the results folder files this room reads (docs/results.md) and of a comparison. */

/** One trend's stats in a time-series bucket (milliseconds for time metrics). */
export interface BucketTrend {
  count: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ScenarioBucket {
  vus?: number;
  iterations?: number;
  http_reqs?: number;
  http_req_failed?: number;
  http_req_duration?: BucketTrend;
}

export interface Bucket {
  t: number;
  vus?: number;
  iterations?: number;
  dropped_iterations?: number;
  http_reqs?: number;
  http_req_failed?: number;
  checks_passed?: number;
  checks_failed?: number;
  trends?: Record<string, BucketTrend>;
  scenarios?: Record<string, ScenarioBucket>;
}

/** timeseries.json, version 1. */
export interface Timeseries {
  version: 1;
  bucketSeconds: number;
  startTime: string;
  buckets: Bucket[];
}

/** histograms.json, version 1: metric key → hdr-histogram-js compressed base64; values were recorded × scale. */
export interface HistogramsFile {
  version: 1;
  encoding: string;
  scale: number;
  histograms: Record<string, string>;
}

/** One metric in k6's --summary-export shape: flat stats plus `thresholds` (expression → failed?). */
export interface SummaryMetric {
  [stat: string]: unknown;
}

/** summary.json: k6's --summary-export shape (the handleSummary shape with `values` is also accepted). */
export interface Summary {
  metrics: Record<string, SummaryMetric>;
  [field: string]: unknown;
}

export interface VerdictCheck {
  source: string;
  metric: string;
  expression: string;
  observed: number | null;
  ok: boolean;
}

export interface Verdict {
  ok: boolean;
  exitCode: number;
  checks: VerdictCheck[];
}

/** meta.json: free-form run metadata written by the orchestrator. */
export type Meta = Record<string, unknown>;

export interface RegressionRule {
  metric: string;
  /** 'p(95)', 'p(99.9)', 'avg', 'med', 'min', 'max', 'rate', 'count', 'value' */
  stat: string;
  /** The largest tolerated worsening, in percent of the baseline value. */
  maxIncreasePct: number;
}

/** Which direction is worse for a metric's stat. */
export type Worse = 'higher' | 'lower';

/**
 * regressed: worse than the rule allows; ok: a rule applies and holds;
 * info: no rule applies to this row; missing: a rule applies but one side lacks the value.
 */
export type RowVerdict = 'regressed' | 'ok' | 'info' | 'missing';

export interface ComparisonRow {
  metric: string;
  stat: string;
  baseline: number | null;
  current: number | null;
  /** current − baseline */
  delta: number | null;
  /** current ÷ baseline (null when the baseline is 0 or a side is missing) */
  ratio: number | null;
  /** How much worse the current value is, in percent of the baseline (negative: better). */
  worsePct: number | null;
  worse: Worse;
  /** Where the two values come from: both decoded HDR histograms, or the summary.json values. */
  source: 'hdr' | 'summary';
  maxIncreasePct: number | null;
  verdict: RowVerdict;
}

export interface ComparisonSide {
  /** The path given by the user. */
  input: string;
  summaryPath: string;
  histogramsPath: string | null;
}

export interface Comparison {
  version: 1;
  baseline: ComparisonSide;
  current: ComparisonSide;
  rules: RegressionRule[];
  rows: ComparisonRow[];
  ok: boolean;
  regressions: ComparisonRow[];
  notes: string[];
}
