/** Shared fixtures for the metrics tests: a seeded PRNG and a small aggregator harness. */
import { Aggregator, WorkerMetrics, type Tags } from '../../../engine/metrics/index.ts';
import { mulberry32 } from '../../../engine/runtime/mulberry32.ts';

/** mulberry32: deterministic pseudo-random numbers in [0, 1). */
export const prng = mulberry32;

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export interface Sample {
  name: string;
  value: number;
  tags: Tags;
  time: number;
}

/** An aggregator fed by one worker with the given samples. */
export function aggregate(
  thresholds: unknown,
  samples: Sample[],
  defs: [string, 'counter' | 'gauge' | 'rate' | 'trend', ('default' | 'time' | 'data')?][] = [],
): Aggregator {
  const { selectors } = Aggregator.parseThresholds(thresholds);
  const agg = new Aggregator({ thresholds, startTime: T0 });
  const w = new WorkerMetrics({ submetrics: selectors, startTime: T0 });
  for (const [n, t, c] of defs) w.define(n, t, c);
  for (const s of samples) w.add(s.name, s.value, s.tags, s.time);
  agg.merge(structuredClone(w.flush()));
  return agg;
}

export const sample = (name: string, value: number, tags: Tags = {}, time = T0): Sample => ({
  name,
  value,
  tags,
  time,
});
