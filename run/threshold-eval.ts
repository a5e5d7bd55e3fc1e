/**
 * Re-evaluates one k6 threshold expression against a metric of summary.json with the engine's
 * own parser and evaluator (engine/metrics): the orchestrator never parses k6's grammar itself.
 */
import { evaluateThresholdOnValues, parseMetricKey, parseThresholdExpression } from '../engine/metrics/index.ts';
import type { SummaryMetric } from './summary-values.ts';

/** The note of a check whose metric got no samples (docs/thresholds.md "No evidence, no pass"). */
export const NO_SAMPLES = 'no samples';

export interface ThresholdOutcome {
  ok: boolean;
  observed: number | null;
  note?: string;
}

/** The stat a threshold expression needs, as summary.json names it ("p(95)", "avg", "rate"). */
export function statKeyOf(expression: string): string {
  return parseThresholdExpression(expression).statKey;
}

/** Null when the expression and the metric key parse; else the parser's message (for exit 104). */
export function checkExpression(expression: string, metricKey: string): string | null {
  try {
    parseMetricKey(metricKey);
    parseThresholdExpression(expression);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Comparison of a run-level check (`<=1.5`), with the operators of k6's grammar. */
export function compare(observed: number, operator: string, value: number): boolean {
  const expr = parseThresholdExpression(`value${operator}${value}`);
  const outcome = evaluateThresholdOnValues(expr, { value: observed });
  return 'ok' in outcome && outcome.ok;
}

/** Evaluates `expression` against the metric (absent metric: a failure, since nothing was measured). */
export function evaluateThreshold(expression: string, metric: SummaryMetric | undefined): ThresholdOutcome {
  if (!metric) return { ok: false, observed: null, note: 'metric absent from summary.json (no samples)' };
  const values =
    metric.values && typeof metric.values === 'object' ? (metric.values as Record<string, unknown>) : metric;
  const parsed = parseThresholdExpression(expression);
  // k6 passes a threshold on an empty Rate; the kit's gate does not (no evidence, no pass).
  if (parsed.aggregation === 'rate' && values.passes === 0 && values.fails === 0) {
    return { ok: false, observed: null, note: NO_SAMPLES };
  }
  const outcome = evaluateThresholdOnValues(parsed, values);
  if ('error' in outcome) return { ok: false, observed: null, note: outcome.error };
  return { ok: outcome.ok, observed: outcome.observed };
}
