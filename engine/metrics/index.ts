/**
 * The metrics room: per-worker sample sinks, the parent aggregator, thresholds, summary,
 * time series and HDR histograms. Contract types live in ./api.ts.
 *
 * Typical use:
 *   // parent, before starting workers
 *   const { selectors, errors } = Aggregator.parseThresholds(options.thresholds); // errors -> exit 104
 *   const agg = new Aggregator({ thresholds: options.thresholds, summaryTrendStats, startTime });
 *   // each worker
 *   const wm = new WorkerMetrics({ submetrics: selectors, startTime });
 *   wm.define('my_trend', 'trend', 'time'); wm.add('my_trend', 12.5, { scenario: 'default' });
 *   port.postMessage(wm.flush());            // every ~1 s and at the end
 *   // parent
 *   agg.validateAgainstDefinitions(customDefs) // errors -> exit 104
 *   agg.merge(snapshot); agg.evaluateThresholds(elapsedMs)           // every 2 s: .abort -> stop, exit 99
 *   agg.evaluateThresholds(totalMs, { final: true })                  // at the end: any !ok -> exit 99
 *   const data = agg.summaryData({ options, state, setupData });
 */
export * from './api.ts';
export { WorkerMetrics, type WorkerMetricsOptions } from './worker.ts';
export { Aggregator, type AggregatorOptions } from './aggregator.ts';
export { BUILTIN_DEFINITIONS, EXPECTED_RESPONSE_SUBMETRIC } from './builtin.ts';
export { ThresholdConfigError, MetricError } from './errors.ts';
export {
  parseThresholdExpression,
  parseMetricKey,
  parseThresholdConfig,
  parseDuration,
  supportedAggregations,
  type ThresholdExpression,
  type ThresholdConfig,
  type MetricThresholds,
  type Operator,
  type Aggregation,
} from './thresholds-parser.ts';
export { evaluateThresholdOnValues, compare as compareThreshold } from './thresholds.ts';
export {
  SCALE as HDR_SCALE,
  ENCODING_NAME as HDR_ENCODING,
  newHistogram,
  decodeHistogram,
  encodeHistogram,
  percentile as hdrPercentile,
} from './hdr.ts';
export { percentileSorted, EXACT_CAP } from './exact-values.ts';
export { transferables } from './snapshot.ts';
export type { K6SummaryData, K6SummaryMetric, SummaryGroup, SummaryCheck } from '../summary/types.ts';
export type { SummaryContext } from '../summary/data.ts';
export type { TextSummaryOptions } from '../summary/text.ts';
export { DEFAULT_TREND_STATS, validateSummaryTrendStats } from '../summary/types.ts';
