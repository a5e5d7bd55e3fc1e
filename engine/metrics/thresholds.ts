/**
 * Threshold evaluation with k6's semantics (k6 `metrics/thresholds.go`, `metrics/engine/engine.go`):
 * - counter: count = sum of values, rate = count / elapsed seconds; gauge: value = last value;
 *   rate: rate = passes / total; trend: avg, min, max, med, p(N) (from the HDR histogram).
 * - `==` and `===` are the same numeric comparison.
 * - During the run (every 2 s) a metric without samples is skipped: its thresholds keep their
 *   last state (initially ok). At the end (`final`) it is evaluated like k6: empty counter,
 *   gauge and trend aggregations read 0; an empty Rate has no "rate" in k6, which logs a
 *   threshold error and does not count the threshold as breached; we report ok with observed null.
 * - abortOnFail: the run must abort once such a threshold fails and its delayAbortEval is
 *   strictly less than the elapsed time (no delay: at once). The abort decision is sticky.
 */
import type { ThresholdEvaluation, ThresholdState } from './api.ts';
import type { Sink } from './sinks.ts';
import { parsePercentileKey } from './sinks.ts';
import type { MetricThresholds, ThresholdConfig, ThresholdExpression } from './thresholds-parser.ts';

interface Runtime {
  key: string;
  cfg: ThresholdConfig;
  ok: boolean;
  observed: number | null;
}

export function compare(lhs: number, expr: ThresholdExpression): boolean {
  const v = expr.value;
  switch (expr.operator) {
    case '>':
      return lhs > v;
    case '>=':
      return lhs >= v;
    case '<=':
      return lhs <= v;
    case '<':
      return lhs < v;
    case '==':
    case '===':
      return lhs === v;
    case '!=':
      return lhs !== v;
  }
}

export class ThresholdSet {
  private readonly items: Runtime[] = [];
  private aborted = false;

  constructor(metrics: readonly MetricThresholds[]) {
    for (const m of metrics)
      for (const cfg of m.thresholds) this.items.push({ key: m.key, cfg, ok: true, observed: null });
  }

  get size(): number {
    return this.items.length;
  }

  evaluate(elapsedMs: number, sinkOf: (key: string) => Sink | undefined, final: boolean): ThresholdEvaluation {
    for (const t of this.items) {
      const sink = sinkOf(t.key);
      if (sink === undefined || (!final && sink.isEmpty())) continue;
      const lhs = sink.stat(t.cfg.expression.statKey, elapsedMs);
      if (lhs === undefined) {
        t.ok = true;
        t.observed = null;
        continue;
      }
      t.observed = lhs;
      t.ok = compare(lhs, t.cfg.expression);
      if (!t.ok && t.cfg.abortOnFail && !this.aborted) {
        this.aborted = t.cfg.delayAbortEvalMs === null || t.cfg.delayAbortEvalMs < elapsedMs;
      }
    }
    return { states: this.states(), abort: this.aborted };
  }

  states(): ThresholdState[] {
    return this.items.map((t) => ({
      metric: t.key,
      expression: t.cfg.expression.source,
      ok: t.ok,
      observed: t.observed,
      abortOnFail: t.cfg.abortOnFail,
      delayAbortEval: t.cfg.delayAbortEval,
    }));
  }

  /** { key: { expression: { ok } } } for the summary. */
  byMetric(): Map<string, Record<string, { ok: boolean }>> {
    const out = new Map<string, Record<string, { ok: boolean }>>();
    for (const t of this.items) {
      const m = out.get(t.key) ?? {};
      // Several thresholds with the same text on one metric: any failure marks it failed.
      const prev = m[t.cfg.expression.source];
      m[t.cfg.expression.source] = { ok: (prev?.ok ?? true) && t.ok };
      out.set(t.key, m);
    }
    return out;
  }
}

/**
 * Evaluates a parsed threshold against an exported summary metric's values, in either shape:
 * handleSummary (`values` of a metric: { "p(95)": 12, avg: ... }, { count, rate }, { rate, passes, fails })
 * or --summary-export (flat; a Rate's ratio is under `value`). Used by the orchestrator.
 */
export function evaluateThresholdOnValues(
  expr: ThresholdExpression,
  values: Readonly<Record<string, unknown>>,
): { ok: boolean; observed: number } | { error: string } {
  const observed = lookupStat(expr, values);
  if (observed === undefined) {
    const have = Object.keys(values).filter((k) => typeof values[k] === 'number');
    return {
      error:
        `cannot evaluate ${JSON.stringify(expr.source)}: the summary has no ${expr.statKey} for this metric (it has: ${have.join(', ') || 'nothing'}); ` +
        `add it to summaryTrendStats (--summary-trend-stats) or use an available aggregation`,
    };
  }
  return { ok: compare(observed, expr), observed };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && !Number.isNaN(v) ? v : undefined;
}

function lookupStat(expr: ThresholdExpression, values: Readonly<Record<string, unknown>>): number | undefined {
  switch (expr.aggregation) {
    case 'p': {
      for (const [k, v] of Object.entries(values)) {
        if (parsePercentileKey(k) === expr.percentile && num(v) !== undefined) return num(v);
      }
      return expr.percentile === 50 ? num(values.med) : undefined;
    }
    case 'med': {
      const med = num(values.med);
      if (med !== undefined) return med;
      for (const [k, v] of Object.entries(values)) if (parsePercentileKey(k) === 50) return num(v);
      return undefined;
    }
    case 'rate': {
      const rate = num(values.rate);
      if (rate !== undefined) return rate;
      // --summary-export writes a Rate's ratio as "value" (beside passes/fails).
      return 'passes' in values || 'fails' in values ? num(values.value) : undefined;
    }
    default:
      return num(values[expr.aggregation]);
  }
}
