/**
 * The worker -> parent payload. Structured-clone safe: plain objects, numbers, strings;
 * histograms as compressed base64. Every field holds deltas since the previous flush,
 * except `definitions`, which lists every metric the worker knows (small, idempotent).
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
