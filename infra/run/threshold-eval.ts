/**
 * Re-evaluates one k6 threshold expression against a metric of summary.json, with the
 * engine's own expression parser (engine/metrics): the orchestrator never parses k6's grammar itself.
 */
import { parseThresholdExpression, parseMetricKey } from '../../engine/metrics/thresholds-parser.ts';
import { statsOf, type SummaryMetric } from './summary-values.ts';

export interface ThresholdOutcome {
  ok: boolean;
  observed: number | null;
  note?: string;
}

/** The stat a parsed expression needs, as it is named in summary.json. */
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

export function compare(observed: number, operator: string, value: number): boolean {
  switch (operator) {
    case '<': return observed < value;
    case '<=': return observed <= value;
    case '>': return observed > value;
    case '>=': return observed >= value;
    case '==': case '===': return observed === value;
    case '!=': return observed !== value;
    default: throw new Error(`unknown operator ${operator}`);
  }
}

/** Evaluates `expression` against the metric (absent metric: a failure, since nothing was measured). */
export function evaluateThreshold(expression: string, metric: SummaryMetric | undefined): ThresholdOutcome {
  const parsed = parseThresholdExpression(expression);
  if (!metric) return { ok: false, observed: null, note: 'metric absent from summary.json (no samples)' };
  const stats = statsOf(metric);
  // A counter's `rate` aggregation is the export's `rate`; a Rate metric's is its `value`.
  const observed = stats[parsed.statKey] ?? (parsed.statKey === 'rate' ? stats.value : undefined);
  if (observed === undefined) {
    return { ok: false, observed: null, note: `stat ${parsed.statKey} absent from summary.json (summary-trend-stats?)` };
  }
  return { ok: compare(observed, parsed.operator, parsed.value), observed };
}
