/** Builds k6's handleSummary(data) object from the aggregated sinks. */
import type { MetricDefinition } from '../metrics/api.ts';
import type { SummaryGroup } from '../metrics/groups.ts';
import type { Sink } from '../metrics/sinks.ts';
import type { K6SummaryData, K6SummaryMetric } from './types.ts';

export interface SummaryContext {
  /** The resolved test options (summaryTimeUnit and noColor are read from it). */
  options: object;
  state: { testRunDurationMs: number; isStdOutTTY: boolean; isStdErrTTY: boolean };
  /** setup()'s return value; `setup_data` is present only when it is not undefined. */
  setupData?: unknown;
}

export interface SummaryInput {
  ctx: SummaryContext;
  trendStats: readonly string[];
  metrics: { key: string; sink: Sink; def: MetricDefinition }[];
  thresholds: Map<string, Record<string, { ok: boolean }>>;
  rootGroup: SummaryGroup;
}

export function buildSummaryData(input: SummaryInput): K6SummaryData {
  const { ctx, trendStats } = input;
  const opts = ctx.options as { summaryTimeUnit?: unknown; noColor?: unknown };
  const metrics: Record<string, K6SummaryMetric> = {};
  for (const { key, sink, def } of [...input.metrics].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const m: K6SummaryMetric = {
      type: def.type,
      contains: def.contains,
      values: sink.values(ctx.state.testRunDurationMs, trendStats),
    };
    const th = input.thresholds.get(key);
    if (th) m.thresholds = th;
    metrics[key] = m;
  }
  const data: K6SummaryData = {
    root_group: input.rootGroup,
    options: {
      summaryTrendStats: [...trendStats],
      summaryTimeUnit: typeof opts.summaryTimeUnit === 'string' ? opts.summaryTimeUnit : '',
      noColor: opts.noColor === true,
    },
    state: {
      isStdOutTTY: ctx.state.isStdOutTTY,
      isStdErrTTY: ctx.state.isStdErrTTY,
      testRunDurationMs: ctx.state.testRunDurationMs,
    },
    metrics,
  };
  if (ctx.setupData !== undefined) data.setup_data = structuredClone(ctx.setupData);
  return data;
}
