/**
 * The contract between the engine's runtime (VUs, executors, modules: the producers of
 * samples) and its metrics room (sinks, HDR histograms, thresholds, summary, time series).
 *
 * Data flow:
 *   VU code / built-in instrumentation --add()--> WorkerMetrics (one per worker thread)
 *   WorkerMetrics --flush(): MetricsSnapshot (structured-clone safe, HDR encoded)--> parent
 *   parent: Aggregator.merge(snapshot) ... evaluateThresholds() every 2 s ... summary at the end.
 *
 * The per-sample path (`add`) must allocate little and never format: it folds the value
 * into the sink of the metric and of every submetric whose selector matches the tags.
 */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** k6's "contains": time values are milliseconds, data values are bytes. */
export type ValueType = 'default' | 'time' | 'data';
export type Tags = Readonly<Record<string, string>>;

export interface MetricDefinition {
  name: string;
  type: MetricType;
  contains: ValueType;
}

/**
 * A submetric selector as written in a threshold key: `http_req_duration{name:submit,method:POST}`.
 * `key` is the text as the user wrote it (used as the summary's metric name), `tags` the parsed filter.
 */
export interface SubmetricSelector {
  key: string;
  parent: string;
  tags: Tags;
}

/** Worker-side sink. Implemented by `WorkerMetrics` in the metrics room. */
export interface SampleSink {
  /** Idempotent for the same type; a conflicting redefinition throws (as k6 does). */
  define(name: string, type: MetricType, contains?: ValueType): void;
  /** Adds one sample. `time` defaults to Date.now(). Unknown metric throws. */
  add(name: string, value: number, tags: Tags, time?: number): void;
  /**
   * Optional fast path: `add(names[i], values[i], tags, time)` for every i, with the names looked
   * up once per `names` array (pass a constant array). Callers fall back to `add` without it.
   */
  addSamples?(names: readonly string[], values: ArrayLike<number>, tags: Tags, time: number): void;
}

/** Flush payload from a worker to the parent. Opaque to the runtime; produced and consumed by the metrics room. */
export interface MetricsSnapshot {
  readonly kind: 'k6-llm-perf/metrics-snapshot';
  readonly [field: string]: unknown;
}

/** One threshold's state, as k6 reports it. */
export interface ThresholdState {
  metric: string; // metric or submetric key as written
  expression: string; // e.g. "p(95)<5000"
  ok: boolean;
  observed: number | null; // the aggregation's current value
  abortOnFail: boolean;
  delayAbortEval: string | null;
}

export interface ThresholdEvaluation {
  states: ThresholdState[];
  /** True when a threshold with abortOnFail is failing and its delayAbortEval has passed. */
  abort: boolean;
}

/** The built-in metric names (k6's). The metrics room defines them all with k6's types. */
export const BUILTIN_METRICS = [
  'vus',
  'vus_max',
  'iterations',
  'iteration_duration',
  'dropped_iterations',
  'data_received',
  'data_sent',
  'checks',
  'group_duration',
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_failed',
] as const;
