/**
 * How far a percentile of a finite sample moves by chance: what bench/llm-peers.ts sets a
 * difference between two clients' errors against before it names one of them closer.
 */
import { percentileSorted } from '../engine/metrics/index.ts';

/**
 * The standard error of a sample's p-quantile, distribution-free: half the distance between
 * the order statistics one standard deviation of the rank (√(n·p·(1 − p))) either side of it.
 */
export function quantileNoise(xs: number[], p: number): number {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  if (n < 2) return Infinity;
  const spread = Math.sqrt(n * p * (1 - p));
  const at = (rank: number): number => percentileSorted(sorted, Math.min(Math.max(rank, 0), n - 1) / (n - 1));
  const rank = p * (n - 1);
  return (at(rank + spread) - at(rank - spread)) / 2;
}
