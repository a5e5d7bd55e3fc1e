/**
 * The statistics of the regression gate (docs/regression.md), pure functions over "bins":
 * a sample summarised as sorted distinct values with their counts (an HDR histogram's recorded
 * buckets, each read as its lowest value). Every test here is one-sided in the direction that
 * is worse for the metric, and every interval is two-sided at level 1 − alpha.
 *
 *  - Mann-Whitney U (trends): each distinct value is a tied group; the normal approximation with
 *    the tie-corrected variance and a 0.5 continuity correction.
 *  - Two-proportion z test (rates), pooled variance, continuity corrected; the difference's interval
 *    is Agresti-Caffo's (one success and one failure added to each side).
 *  - Poisson rate comparison (counters): normal approximation of the difference of two rates.
 *  - The interval of a percentile difference: a bootstrap that draws each side's resampled order
 *    statistic directly (the k-th of n uniforms is Beta(k, n + 1 − k)), read through that side's
 *    empirical inverse distribution; seeded, so a comparison is reproducible.
 */
import { mulberry32 } from '../engine/runtime/mulberry32.ts';

/** Distinct values (ascending) and how many samples had each. */
export interface Bins {
  values: Float64Array;
  counts: Float64Array;
  /** cumulative[i]: samples at values[0..i] */
  cumulative: Float64Array;
  total: number;
}

export function binsOf(pairs: Iterable<readonly [number, number]>): Bins {
  const merged = new Map<number, number>();
  for (const [v, c] of pairs) if (c > 0) merged.set(v, (merged.get(v) ?? 0) + c);
  const values = Float64Array.from(merged.keys()).sort();
  const counts = values.map((v) => merged.get(v)!);
  const cumulative = new Float64Array(counts.length);
  let total = 0;
  counts.forEach((c, i) => (cumulative[i] = total += c));
  return { values, counts, cumulative, total };
}

/** Complementary error function, Numerical Recipes' Chebyshev fit (relative error < 1.2e-7 everywhere, tails included). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalUpper(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export interface MannWhitney {
  /** U of the second sample (`y`): the number of (x, y) pairs with y > x, ties counting one half. */
  u: number;
  /** Its mean under the null hypothesis, n_x·n_y / 2. */
  mean: number;
  /** Its tie-corrected standard deviation under the null hypothesis. */
  sd: number;
  /** z of "y tends to be greater than x" (continuity corrected). */
  z: number;
  /** One-sided p-value of "y is stochastically greater than x". */
  pGreater: number;
  /** One-sided p-value of "y is stochastically less than x". */
  pLess: number;
  /** Two-sided p-value. */
  pTwoSided: number;
}

/**
 * Mann-Whitney U of `y` against `x`, both given as bins. Ranks are assigned over the merged
 * values; a value held by both sides (or many times by one) is one tied group with the mean rank.
 */
export function mannWhitney(x: Bins, y: Bins): MannWhitney {
  const nx = x.total;
  const ny = y.total;
  const n = nx + ny;
  let i = 0;
  let j = 0;
  let below = 0; // samples ranked before the current group
  let rankSumY = 0;
  let ties = 0; // Σ (t³ − t)
  while (i < x.values.length || j < y.values.length) {
    const vx = i < x.values.length ? x.values[i]! : Infinity;
    const vy = j < y.values.length ? y.values[j]! : Infinity;
    const v = Math.min(vx, vy);
    const a = vx === v ? x.counts[i++]! : 0;
    const b = vy === v ? y.counts[j++]! : 0;
    const t = a + b;
    rankSumY += b * (below + (t + 1) / 2);
    ties += t * t * t - t;
    below += t;
  }
  const u = rankSumY - (ny * (ny + 1)) / 2;
  const mean = (nx * ny) / 2;
  const variance = n > 1 ? ((nx * ny) / 12) * (n + 1 - ties / (n * (n - 1))) : 0;
  const sd = Math.sqrt(Math.max(variance, 0));
  if (sd === 0) return { u, mean, sd, z: 0, pGreater: 1, pLess: 1, pTwoSided: 1 };
  const diff = u - mean;
  const z = (diff - Math.sign(diff) * Math.min(0.5, Math.abs(diff))) / sd;
  const pGreater = normalUpper((diff - 0.5) / sd);
  const pLess = normalUpper((-diff - 0.5) / sd);
  return {
    u,
    mean,
    sd,
    z,
    pGreater: Math.min(1, pGreater),
    pLess: Math.min(1, pLess),
    pTwoSided: Math.min(1, 2 * Math.min(pGreater, pLess)),
  };
}

export interface TestResult {
  /** One-sided p-value of "the current side is worse". */
  p: number;
  /** Interval of current − baseline at level 1 − alpha, or null when none applies. */
  ci: [number, number] | null;
}

/**
 * Two proportions, successes `s` of `n` trials per side. `higherIsWorse` picks the one-sided test.
 * Continuity-corrected pooled z; interval of p_c − p_b by Agresti-Caffo.
 */
export function twoProportions(
  sb: number,
  nb: number,
  sc: number,
  nc: number,
  higherIsWorse: boolean,
  alpha: number,
): TestResult {
  const pb = sb / nb;
  const pc = sc / nc;
  const pooled = (sb + sc) / (nb + nc);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nb + 1 / nc));
  const worse = higherIsWorse ? pc - pb : pb - pc;
  const corrected = worse - 0.5 * (1 / nb + 1 / nc);
  const p = se === 0 ? (worse > 0 ? 0 : 1) : normalUpper(corrected / se);
  const ab = (sb + 1) / (nb + 2);
  const ac = (sc + 1) / (nc + 2);
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt((ab * (1 - ab)) / (nb + 2) + (ac * (1 - ac)) / (nc + 2));
  return { p: Math.min(1, p), ci: [ac - ab - half, ac - ab + half] };
}

/**
 * Two Poisson counts `cb`, `cc` over `tb`, `tc` seconds (pass 1, 1 to compare the counts themselves).
 * Normal approximation of the difference of the rates; `higherIsWorse` picks the one-sided test.
 */
export function poissonRates(
  cb: number,
  tb: number,
  cc: number,
  tc: number,
  higherIsWorse: boolean,
  alpha: number,
): TestResult {
  const d = cc / tc - cb / tb;
  const se = Math.sqrt(cb / (tb * tb) + cc / (tc * tc));
  const worse = higherIsWorse ? d : -d;
  const p = se === 0 ? (worse > 0 ? 0 : 1) : normalUpper(worse / se);
  const half = normalQuantile(1 - alpha / 2) * se;
  return { p, ci: [d - half, d + half] };
}

/** Mean and variance of binned samples. */
export function moments(b: Bins): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < b.values.length; i++) sum += b.values[i]! * b.counts[i]!;
  const mean = b.total ? sum / b.total : 0;
  let ss = 0;
  for (let i = 0; i < b.values.length; i++) ss += b.counts[i]! * (b.values[i]! - mean) ** 2;
  return { mean, variance: b.total > 1 ? ss / (b.total - 1) : 0 };
}

/** Interval of mean_c − mean_b at level 1 − alpha (Welch's normal approximation). */
export function meanDifferenceCi(b: Bins, c: Bins, alpha: number): [number, number] {
  const mb = moments(b);
  const mc = moments(c);
  const d = mc.mean - mb.mean;
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt(mb.variance / b.total + mc.variance / c.total);
  return [d - half, d + half];
}

/** A seeded uniform generator on (0, 1): the engine's mulberry32 moved half a step off 0 (exact in doubles). */
export function seededUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() + 0.5 / 4294967296;
}

function standardNormal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted by U^(1/shape)). */
function gamma(shape: number, u: () => number): number {
  if (shape < 1) return gamma(shape + 1, u) * u() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x ** 4 || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** The value at cumulative probability `q` of binned samples (the sample of rank ceil(q·n)). */
export function inverseCdf(b: Bins, q: number): number {
  const rank = Math.min(b.total, Math.max(1, Math.ceil(q * b.total)));
  let lo = 0;
  let hi = b.values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b.cumulative[mid]! >= rank) hi = mid;
    else lo = mid + 1;
  }
  return b.values[lo]!;
}

/** One bootstrap draw of a side's pct-percentile: the resample's order statistic of rank k. */
function drawPercentile(b: Bins, pct: number, u: () => number): number {
  const k = Math.round((pct / 100) * (b.total - 1)) + 1;
  const x = gamma(k, u);
  const y = gamma(b.total + 1 - k, u);
  return inverseCdf(b, x / (x + y));
}

/**
 * Percentile-bootstrap interval (level 1 − alpha) of percentile_c − percentile_b, `draws` resamples
 * of both sides, seeded. Each draw costs O(log bins), never O(samples).
 */
export function percentileDifferenceCi(
  b: Bins,
  c: Bins,
  pct: number,
  alpha: number,
  draws = 2000,
  seed = 42,
): [number, number] {
  const u = seededUniform(seed);
  const diffs = new Float64Array(draws);
  for (let i = 0; i < draws; i++) diffs[i] = drawPercentile(c, pct, u) - drawPercentile(b, pct, u);
  diffs.sort();
  const at = (q: number) => diffs[Math.min(draws - 1, Math.max(0, Math.floor(q * draws)))]!;
  return [at(alpha / 2), at(1 - alpha / 2)];
}
