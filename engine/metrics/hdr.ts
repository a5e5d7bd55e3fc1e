/**
 * The one HDR histogram factory of the engine. Every Trend value goes through here: into
 * histograms.json, the per-second time series, and the percentiles of a Trend sink that has let
 * its values go (past the run's budget of kept values, or sent a delta without them); a sink that
 * kept every value reads k6's exact percentiles from them instead (exact-values.ts).
 *
 * Bounds and precision (documented contract, relied upon by histograms.json readers):
 * - A value `v` (milliseconds for time metrics, raw units otherwise) is recorded as the
 *   integer `round(v * SCALE)` (SCALE = 1000: ms -> µs). Resolution is therefore 0.001 units.
 * - 3 significant decimal digits: a recorded value is known to within its bucket, less than
 *   1/1024 of the value wide. Percentiles are computed as k6 does (linear interpolation between
 *   neighbouring ranks) from each bucket's lowest value: each is within 0.1 % (relative) +
 *   0.0005 units (absolute, from the rounding) of k6's exact percentile over the same samples,
 *   then clamped to the exact [min, max] kept beside the histogram. Values on a bucket boundary
 *   (every value below 2.048 units; whole milliseconds below 16.384 ms) read back exactly.
 * - Auto-resize: the trackable range grows with the largest value seen (memory grows with
 *   log2(max), about 4 KiB per doubling), never with the number of samples.
 *   Values above MAX_RECORDABLE (2^53 - 1 scaled units, ~285 years in ms) are clamped to it.
 * - Negative values cannot live in an HDR histogram: they are recorded as 0 in the histogram
 *   (so percentiles below zero read as 0), while the exact min, max, sum and count kept beside
 *   the histogram still see the real negative value. Documented limitation.
 * - Counts are 32-bit per bucket (a single bucket can hold ~2.1 billion samples).
 *
 * Encoding between threads and in histograms.json: hdr-histogram-js compressed base64.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

export const SCALE = 1000;
export const SIGNIFICANT_DIGITS = 3;
export const MAX_RECORDABLE = Number.MAX_SAFE_INTEGER;
export const ENCODING_NAME = 'hdr-histogram-js compressed base64';

/** A new empty histogram with the documented bounds. */
export function newHistogram(): Histogram {
  return hdr.build({
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 32,
  });
}

/** Records one value (in metric units) with the documented scaling, clamping and sign rules. */
export function recordScaled(h: Histogram, value: number): void {
  let v = Math.round(value * SCALE);
  if (!(v > 0))
    v = 0; // negative and NaN -> 0 (see header)
  else if (v > MAX_RECORDABLE) v = MAX_RECORDABLE;
  h.recordValue(v);
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** Adds an encoded histogram into `into`. */
export function addEncoded(into: Histogram, encoded: string): void {
  const other = decodeHistogram(encoded);
  into.add(other);
  other.destroy();
}

/**
 * The value (in scaled units) at HDR rank `rank` (1-based): the lowest value of the bucket holding
 * it. Values that sit on a bucket boundary therefore read back exactly;
 * any other value reads at most one bucket (< 1/1024 of the value) low.
 */
function valueAtRank(h: Histogram, rank: number): number {
  const n = h.totalCount;
  const highest = h.getValueAtPercentile((100 * (rank - 0.5)) / n);
  if (highest < 2048) return highest; // below 2^11 every integer has its own bucket
  const unit = 2 ** (Math.floor(Math.log2(highest)) - 10);
  return highest - unit + 1;
}

/**
 * The value at percentile `pct` (0..100), in metric units, computed like k6's Trend sink:
 * linear interpolation between the samples at ranks floor(i) and ceil(i), i = pct/100 * (n - 1)
 * (0-based), each read from the histogram (error bound above), then clamped to the exact
 * [min, max]. Returns 0 for an empty histogram, as k6's empty Trend does.
 */
export function percentile(h: Histogram, pct: number, min: number, max: number): number {
  const n = h.totalCount;
  if (n === 0) return 0;
  const i = (Math.min(Math.max(pct, 0), 100) / 100) * (n - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  const vLo = valueAtRank(h, lo + 1) / SCALE;
  const v = hi === lo ? vLo : vLo + (valueAtRank(h, hi + 1) / SCALE - vLo) * (i - lo);
  return v < min ? min : v > max ? max : v;
}
