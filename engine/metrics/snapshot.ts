/**
 * The worker -> parent payload. Structured-clone safe: plain objects, numbers, strings, and each
 * Trend's values as a Float64Array of its own (`transferables` lists their buffers, so a message
 * moves them instead of copying); histograms as sparse buckets or compressed base64. Every field
 * holds deltas since the previous flush, except `definitions`, which lists every metric the worker
 * knows (small, idempotent).
 */
import type { MetricDefinition, MetricsSnapshot, Tags } from './api.ts';
import type { CheckCount } from './groups.ts';
import type { SinkData } from './sinks.ts';
import type { BucketData } from './timeseries.ts';

export const SNAPSHOT_KIND = 'k6-llm-perf/metrics-snapshot' as const;

export type SnapshotBody = {
  kind: typeof SNAPSHOT_KIND;
  version: 1;
  definitions: MetricDefinition[];
  metrics: Record<string, SinkData>;
  submetrics: Record<string, { parent: string; tags: Tags; data: SinkData }>;
  checks: CheckCount[];
  groups: string[];
  buckets: BucketData[];
};

export function isSnapshotBody(s: MetricsSnapshot): s is MetricsSnapshot & SnapshotBody {
  return s.kind === SNAPSHOT_KIND && (s as { version?: unknown }).version === 1;
}

/** The buffers of the Trend values in `snapshots`, to pass as postMessage's transfer list. */
export function transferables(snapshots: readonly MetricsSnapshot[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (d: SinkData): void => {
    if (d.type === 'trend' && d.values instanceof Float64Array) out.push(d.values.buffer as ArrayBuffer);
  };
  for (const s of snapshots) {
    if (!isSnapshotBody(s)) continue;
    for (const d of Object.values(s.metrics)) add(d);
    for (const sub of Object.values(s.submetrics)) add(sub.data);
  }
  return out;
}
