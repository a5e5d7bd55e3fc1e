/**
 * Reading values out of a summary.json. Two shapes are accepted: k6's `--summary-export`
 * (flat stats per metric: `{ "avg": 1, "p(95)": 2 }`, rates as `value`, counters as `count`/`rate`)
 * and the handleSummary data shape (`{ "type": "trend", "values": { ... } }`).
 */
export type SummaryMetric = Record<string, unknown>;

export interface SummaryFile {
  metrics: Record<string, SummaryMetric>;
  state?: { testRunDurationMs?: number };
  [field: string]: unknown;
}

/** The metric's stats as a flat map of numbers, whatever the shape. */
export function statsOf(metric: SummaryMetric): Record<string, number> {
  const source =
    metric.values && typeof metric.values === 'object' ? (metric.values as Record<string, unknown>) : metric;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(source)) if (typeof v === 'number') out[k] = v;
  // handleSummary's Rate carries `rate`; the export carries `value`: expose both names.
  if (out.rate === undefined && out.value !== undefined && out.passes !== undefined) out.rate = out.value;
  if (out.value === undefined && out.rate !== undefined && out.passes !== undefined) out.value = out.rate;
  return out;
}

/**
 * The value a run-level check compares: a counter's count, a gauge's value, a rate's value.
 * Null when the metric is absent or is a trend (trends belong in `thresholds`).
 */
export function scalarOf(metric: SummaryMetric | undefined): number | null {
  if (!metric) return null;
  const s = statsOf(metric);
  if (s.passes !== undefined || s.fails !== undefined) return s.value ?? s.rate ?? null;
  if (s.count !== undefined) return s.count;
  if (s.value !== undefined) return s.value;
  return null;
}
