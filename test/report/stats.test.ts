/**
 * The regression gate's statistics against values worked by hand (the same formulas as R's
 * wilcox.test(y, x, alternative = "greater", exact = FALSE, correct = TRUE) and
 * prop.test(..., alternative = "greater", correct = TRUE)), every sample passed through an HDR
 * histogram as the engine stores it (histograms.json, scale 1000).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { histogramBins } from '../../report/hdr.ts';
import {
  binsOf,
  erfc,
  inverseCdf,
  mannWhitney,
  meanDifferenceCi,
  normalQuantile,
  percentileDifferenceCi,
  poissonRates,
  seededUniform,
  twoProportions,
  type Bins,
} from '../../report/stats.ts';

const SCALE = 1000;

/** Values recorded into an HDR histogram (×1000), encoded and decoded as histograms.json does, then binned. */
function binsFromHistogram(values: number[]): Bins {
  const h = hdr.build({
    bitBucketSize: 32,
    useWebAssembly: false,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
  });
  for (const v of values) h.recordValue(Math.round(v * SCALE));
  const decoded = hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(h), 32, false);
  h.destroy();
  try {
    return histogramBins(decoded, SCALE);
  } finally {
    decoded.destroy();
  }
}

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual}, expected ${expected} ± ${tol}`);

describe('normal distribution helpers', () => {
  it('erfc matches known values', () => {
    close(erfc(0), 1, 1e-7, 'erfc(0)');
    close(erfc(1), 0.157299207, 1e-7, 'erfc(1)');
    close(erfc(3) / 2.209049699858544e-5, 1, 1e-6, 'erfc(3) relative');
  });

  it('normalQuantile inverts the upper tail', () => {
    close(normalQuantile(0.995), 2.5758293035489, 1e-8, 'z 0.995');
    close(normalQuantile(0.975), 1.959963984540054, 1e-8, 'z 0.975');
    close(normalQuantile(0.5), 0, 1e-12, 'z 0.5');
  });
});

describe('mannWhitney from histograms', () => {
  it('gives U = 16 and p = 0.0152 for y = 5..8 against x = 1..4 (no ties)', () => {
    const r = mannWhitney(binsFromHistogram([1, 2, 3, 4]), binsFromHistogram([5, 6, 7, 8]));
    assert.equal(r.u, 16);
    assert.equal(r.mean, 8);
    close(r.sd, Math.sqrt(12), 1e-12, 'sd');
    close(r.pGreater, 0.0151914, 1e-6, 'one-sided p'); // 1 − Φ((16 − 8 − 0.5)/√12)
    close(r.pTwoSided, 2 * 0.0151914, 2e-6, 'two-sided p');
    assert.ok(r.pLess > 0.99);
  });

  it('treats equal values as one tied group: U = 25.5, tie-corrected sd 5.4398, p = 0.0330', () => {
    // x = 1..5, y = 3..8: three values held by both sides (t = 2 each, Σ(t³ − t) = 18), N = 11.
    const r = mannWhitney(binsFromHistogram([1, 2, 3, 4, 5]), binsFromHistogram([3, 4, 5, 6, 7, 8]));
    assert.equal(r.u, 25.5);
    assert.equal(r.mean, 15);
    close(r.sd, 5.43975266817427, 1e-9, 'sd'); // √(5·6/12 · (12 − 18/110))
    close(r.pGreater, 0.0330077, 1e-6, 'one-sided p');
  });

  it('counts a bin of many equal samples as one tied group, like the raw samples', () => {
    const x = [...Array(50).fill(10), ...Array(50).fill(20)];
    const y = [...Array(30).fill(10), ...Array(70).fill(20)];
    const r = mannWhitney(binsFromHistogram(x), binsFromHistogram(y));
    // Pairs y > x: 70·50; ties: 30·50 + 70·50 → U = 3500 + 0.5·5000 = 6000.
    assert.equal(r.u, 6000);
    assert.ok(r.pGreater < 0.01 && r.pGreater > 0.001, `p ${r.pGreater}`);
  });

  it('finds nothing between two identical samples', () => {
    const v = Array.from({ length: 200 }, (_, i) => 1 + (i % 37) * 0.25);
    const r = mannWhitney(binsFromHistogram(v), binsFromHistogram(v));
    assert.equal(r.u, r.mean);
    assert.ok(r.pGreater > 0.4 && r.pTwoSided === 1, `p ${r.pGreater}`);
  });
});

describe('twoProportions and poissonRates', () => {
  it('gives p = 0.0489 for 20/1000 against 10/1000 failures (continuity-corrected pooled z)', () => {
    const r = twoProportions(10, 1000, 20, 1000, true, 0.01);
    close(r.p, 0.0488982, 1e-6, 'p');
    assert.ok(r.ci![0] < 0.01 && r.ci![1] > 0.01 && r.ci![0] < 0, `ci ${r.ci}`);
  });

  it('tests a drop of a success rate when lower is worse', () => {
    assert.ok(twoProportions(990, 1000, 900, 1000, false, 0.01).p < 1e-10);
    assert.ok(twoProportions(900, 1000, 990, 1000, false, 0.01).p > 0.99);
  });

  it('compares counts as Poisson events', () => {
    const r = poissonRates(100, 1, 144, 1, true, 0.01); // z = 44 / √244 = 2.817
    close(r.p, 0.002425, 2e-5, 'p');
  });
});

describe('intervals of a difference', () => {
  it('inverseCdf reads the sample at rank ceil(q·n)', () => {
    const b = binsOf([
      [1, 2],
      [5, 2],
      [9, 1],
    ]);
    assert.deepEqual(
      [0.1, 0.4, 0.41, 0.8, 0.81, 1].map((q) => inverseCdf(b, q)),
      [1, 1, 5, 5, 9, 9],
    );
  });

  it('the p(95) difference of 1..1000 ms against the same ×1.2 lies in its interval, which excludes 0', () => {
    const b = binsFromHistogram(Array.from({ length: 1000 }, (_, i) => i + 1));
    const c = binsFromHistogram(Array.from({ length: 1000 }, (_, i) => (i + 1) * 1.2));
    const [lo, hi] = percentileDifferenceCi(b, c, 95, 0.01);
    assert.ok(lo > 0 && lo < 190 && hi > 190 && hi < 260, `[${lo}, ${hi}]`);
  });

  it('is [0, 0] between two single-valued samples', () => {
    const b = binsFromHistogram(Array(30).fill(7));
    assert.deepEqual(percentileDifferenceCi(b, b, 95, 0.01), [0, 0]);
  });

  it('is reproducible (seeded)', () => {
    const b = binsFromHistogram(Array.from({ length: 300 }, (_, i) => (i * 7919) % 101));
    const c = binsFromHistogram(Array.from({ length: 300 }, (_, i) => (i * 104729) % 103));
    assert.deepEqual(percentileDifferenceCi(b, c, 90, 0.05), percentileDifferenceCi(b, c, 90, 0.05));
  });

  it('covers the true median difference about as often as its level says (0.90, 200 trials)', () => {
    const u = seededUniform(7);
    const draw = () => Array.from({ length: 150 }, () => Math.round(-Math.log(u()) * 20 * 1000) / 1000); // exponential, median 13.86
    let covered = 0;
    for (let t = 0; t < 200; t++) {
      const [lo, hi] = percentileDifferenceCi(
        binsFromHistogram(draw()),
        binsFromHistogram(draw()),
        50,
        0.1,
        1000,
        t + 1,
      );
      if (lo <= 0 && hi >= 0) covered++;
    }
    assert.ok(covered >= 160 && covered <= 195, `covered ${covered} of 200`);
  });

  it('gives Welch intervals for the mean difference', () => {
    const b = binsOf([
      [10, 50],
      [20, 50],
    ]); // mean 15, variance 25.25
    const c = binsOf([
      [12, 50],
      [22, 50],
    ]);
    const [lo, hi] = meanDifferenceCi(b, c, 0.05);
    close((lo + hi) / 2, 2, 1e-9, 'centre');
    close((hi - lo) / 2, 1.959964 * Math.sqrt((2 * 25.252525) / 100), 1e-4, 'half width');
  });
});
