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
  /** A smaller worsening, in the metric's unit (ms for time trends), never fails (default per metric type, rules.ts). */
  minAbsolute?: number;
  /** Significance level of the one-sided test (default 0.01); the delta's interval is at 1 − alpha. */
  alpha?: number;
  /** Fewer samples on either side makes the row inconclusive (default 10). */
  minSamples?: number;
}

/** Which direction is worse for a metric's stat. */
export type Worse = 'higher' | 'lower';

/**
 * regressed: worse than the rule allows, beyond the floor, significant (and beyond the baseline runs' spread);
 * ok: a rule applies and holds; inconclusive: worse beyond the rule and the floor but too few samples (or no
 * sample distribution) to tell; info: no rule applies to this row; missing: a rule applies but one side lacks the value.
 */
export type RowVerdict = 'regressed' | 'ok' | 'inconclusive' | 'info' | 'missing';

/** Which test gave the p-value: Mann-Whitney U over the histograms, two proportions, two Poisson rates. */
export type SignificanceTest = 'mann-whitney' | 'two-proportion' | 'poisson';

export interface ComparisonRow {
  metric: string;
  stat: string;
  /** The baseline value: of the one baseline run, or of the pooled baseline runs. */
  baseline: number | null;
  current: number | null;
  /** current − baseline */
  delta: number | null;
  /** Interval of the delta at level 1 − alpha (bootstrap for percentiles; see docs/regression.md), null when none applies. */
  ci: [number, number] | null;
  /** current ÷ baseline (null when the baseline is 0 or a side is missing) */
  ratio: number | null;
  /** How much worse the current value is, in percent of the baseline (negative: better). */
  worsePct: number | null;
  worse: Worse;
  /** Where the two values come from: both decoded HDR histograms, or the summary.json values. */
  source: 'hdr' | 'summary';
  /** One-sided p-value of "the current run is worse", null when no test applies. */
  pValue: number | null;
  test: SignificanceTest | null;
  /** Samples (trend values, rate trials, counter events) behind each side, null when unknown. */
  samples: { baseline: number | null; current: number | null };
  /** With several baseline runs: their own values of this stat (the run-to-run spread). */
  spread: { min: number; max: number; runs: number } | null;
  maxIncreasePct: number | null;
  /** The absolute floor applied (the rule's or the default of the metric type). */
  minAbsolute: number | null;
  alpha: number | null;
  minSamples: number | null;
  verdict: RowVerdict;
  /** Why the row got its verdict, in words. */
  reason: string;
}

export interface ComparisonSide {
  /** The path given by the user. */
  input: string;
  summaryPath: string;
  histogramsPath: string | null;
}

export interface Comparison {
  version: 1;
  /** The first baseline run (all of them in `baselines`). */
  baseline: ComparisonSide;
  /** Every baseline run; several are pooled (docs/regression.md). */
  baselines: ComparisonSide[];
  current: ComparisonSide;
  rules: RegressionRule[];
  rows: ComparisonRow[];
  /** With strict, an inconclusive row fails too. */
  strict: boolean;
  ok: boolean;
  regressions: ComparisonRow[];
  inconclusive: ComparisonRow[];
  notes: string[];
}
