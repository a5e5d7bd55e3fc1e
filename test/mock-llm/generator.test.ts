/** The seeded generator and the latency/length distributions, checked by statistics (no clock). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig, type Distribution } from '../../mock-llm/config.ts';
import { sample, sampleCount } from '../../mock-llm/latency.ts';
import { pickFault } from '../../mock-llm/plan.ts';
import { hashString, Rng } from '../../mock-llm/prng.ts';

const N = 40_000;

function draws(d: Distribution, seed = 7): number[] {
  const rng = new Rng(seed, 1, 2, 3);
  const out: number[] = [];
  for (let i = 0; i < N; i++) out.push(sample(d, rng));
  return out.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Rng', () => {
  it('gives the same sequence for the same key', () => {
    const a = new Rng(42, 1, 2, 3);
    const b = new Rng(42, 1, 2, 3);
    for (let i = 0; i < 100; i++) assert.equal(a.nextU32(), b.nextU32());
  });

  it('gives another sequence when any key word changes', () => {
    const first = (r: Rng): number[] => [r.nextU32(), r.nextU32(), r.nextU32()];
    const base = first(new Rng(42, 1, 2, 3));
    for (const other of [new Rng(43, 1, 2, 3), new Rng(42, 9, 2, 3), new Rng(42, 1, 9, 3), new Rng(42, 1, 2, 9)]) {
      assert.notDeepEqual(first(other), base);
    }
  });

  it('draws floats in [0, 1) with a uniform spread over ten bins', () => {
    const rng = new Rng(1);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < N; i++) {
      const x = rng.next();
      assert.ok(x >= 0 && x < 1);
      bins[Math.floor(x * 10)]!++;
    }
    for (const count of bins) assert.ok(Math.abs(count - N / 10) < 0.05 * (N / 10), `bin count ${count}`);
  });

  it('hashes different strings to different values and the same string to the same value', () => {
    assert.deepEqual(hashString('hello'), hashString('hello'));
    assert.notDeepEqual(hashString('hello'), hashString('hellp'));
    assert.notDeepEqual(hashString('hello', 1), hashString('hello', 2));
  });
});

describe('latency distributions', () => {
  it('returns the value of a fixed distribution, bare number or object', () => {
    const rng = new Rng(1);
    assert.equal(sample(25, rng), 25);
    assert.equal(sample({ type: 'fixed', value: 7.5 }, rng), 7.5);
  });

  it('spreads a uniform distribution between min and max with the expected quartiles', () => {
    const xs = draws({ type: 'uniform', min: 100, max: 300 });
    assert.ok(xs[0]! >= 100 && xs[xs.length - 1]! < 300);
    assert.ok(Math.abs(quantile(xs, 0.25) - 150) < 4);
    assert.ok(Math.abs(quantile(xs, 0.5) - 200) < 4);
    assert.ok(Math.abs(quantile(xs, 0.75) - 250) < 4);
  });

  it('draws a normal distribution with the configured mean and standard deviation', () => {
    const xs = draws({ type: 'normal', mean: 200, stddev: 20 });
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    assert.ok(Math.abs(m - 200) < 0.5, `mean ${m}`);
    assert.ok(Math.abs(sd - 20) < 0.5, `stddev ${sd}`);
    assert.ok(Math.abs(quantile(xs, 0.975) - (200 + 1.96 * 20)) < 1.5);
  });

  it('clamps normal draws at zero', () => {
    const xs = draws({ type: 'normal', mean: 5, stddev: 10 });
    assert.equal(xs[0], 0);
    const zeros = xs.filter((x) => x === 0).length / xs.length;
    assert.ok(Math.abs(zeros - 0.3085) < 0.02, `share at zero ${zeros}`); // P(Z < -0.5)
  });

  it('places the median and the 95th percentile of a lognormal where configured', () => {
    const xs = draws({ type: 'lognormal', median: 300, p95: 900 });
    assert.ok(Math.abs(quantile(xs, 0.5) / 300 - 1) < 0.03, `median ${quantile(xs, 0.5)}`);
    assert.ok(Math.abs(quantile(xs, 0.95) / 900 - 1) < 0.04, `p95 ${quantile(xs, 0.95)}`);
    assert.ok(xs[0]! > 0);
  });

  it('rounds token counts and never returns fewer than one token', () => {
    const rng = new Rng(3);
    assert.equal(sampleCount(0, rng), 1);
    assert.equal(sampleCount(12.4, rng), 12);
    for (let i = 0; i < 1000; i++) {
      const n = sampleCount({ type: 'uniform', min: 10, max: 20 }, rng);
      assert.ok(Number.isInteger(n) && n >= 10 && n <= 20);
    }
  });
});

describe('pickFault', () => {
  it('maps uniform draws onto the error kinds in proportion to their rates', () => {
    const cfg = defaultConfig();
    cfg.errors = {
      rateLimit: 0.1,
      retryAfterSeconds: 1,
      serverError: 0.05,
      overloaded: 0.05,
      hang: 0.02,
      midStreamError: 0.03,
      disconnect: 0.01,
    };
    const rng = new Rng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const k = pickFault(cfg, rng.next()) ?? 'none';
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const expected: Record<string, number> = {
      rateLimit: 0.1,
      serverError: 0.05,
      overloaded: 0.05,
      hang: 0.02,
      midStreamError: 0.03,
      disconnect: 0.01,
      none: 0.74,
    };
    for (const [kind, p] of Object.entries(expected)) {
      const got = (counts.get(kind) ?? 0) / N;
      const tol = 4 * Math.sqrt((p * (1 - p)) / N); // 4 standard errors
      assert.ok(Math.abs(got - p) < tol, `${kind}: ${got} vs ${p} ± ${tol}`);
    }
  });

  it('returns no fault when every rate is zero', () => {
    const cfg = defaultConfig();
    for (const k of ['rateLimit', 'serverError', 'overloaded', 'hang', 'midStreamError', 'disconnect'] as const)
      cfg.errors[k] = 0;
    for (const u of [0, 0.5, 0.999999]) assert.equal(pickFault(cfg, u), null);
  });
});
