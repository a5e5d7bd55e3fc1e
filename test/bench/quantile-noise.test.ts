/**
 * The noise bench/llm-peers.ts judges its figures against: the distribution-free standard error
 * of a percentile, checked against the spread of that percentile over many seeded samples.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantileNoise } from '../../bench/quantile-noise.ts';
import { percentileSorted } from '../../engine/metrics/index.ts';
import { Rng } from '../../mock-llm/prng.ts';

/** Standard normal draws (Box–Muller) from a seeded generator. */
function normals(rng: Rng, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    out.push(r * Math.cos(t), r * Math.sin(t));
  }
  return out.slice(0, n);
}

const stddev = (xs: number[]): number => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
};

describe('quantileNoise', () => {
  it('matches the spread of the median and the p99 over 400 samples of 2,000 normal values', () => {
    const rng = new Rng(23);
    for (const p of [0.5, 0.99]) {
      const estimates: number[] = [];
      const noises: number[] = [];
      for (let i = 0; i < 400; i++) {
        const xs = normals(rng, 2000);
        estimates.push(percentileSorted(Float64Array.from(xs).sort(), p));
        noises.push(quantileNoise(xs, p));
      }
      const observed = stddev(estimates);
      const predicted = noises.reduce((a, b) => a + b, 0) / noises.length;
      // The median's standard error for a normal sample is √(π/2)·σ/√n = 0.028 here.
      if (p === 0.5) assert.ok(Math.abs(predicted - 0.028) < 0.003, `predicted ${predicted}`);
      assert.ok(Math.abs(predicted / observed - 1) < 0.2, `p${p * 100}: predicted ${predicted}, observed ${observed}`);
    }
  });

  it('is infinite below two values and zero for a constant sample', () => {
    assert.equal(quantileNoise([], 0.5), Infinity);
    assert.equal(quantileNoise([20], 0.5), Infinity);
    assert.equal(quantileNoise(Array(100).fill(20), 0.5), 0);
  });

  it('does not depend on the order of the values', () => {
    const xs = normals(new Rng(7), 500);
    assert.equal(quantileNoise(xs, 0.5), quantileNoise([...xs].reverse(), 0.5));
  });
});
