/** Trend statistics of one time-series bucket, from its raw samples (k6's own percentile method). */
import { percentileSorted } from '../engine/metrics/index.ts';
import type { BucketTrend } from './types.ts';

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export function trendStats(values: number[]): BucketTrend {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    avg: round3(sum / sorted.length),
    p50: round3(percentileSorted(sorted, 0.5)),
    p95: round3(percentileSorted(sorted, 0.95)),
    p99: round3(percentileSorted(sorted, 0.99)),
    max: round3(sorted[sorted.length - 1]!),
  };
}
