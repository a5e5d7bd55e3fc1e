/**
 * The load shapes of llm-stream (scripts/lib/llm-load.ts), seeded so every figure is fixed:
 * Poisson gaps against the exponential distribution (Kolmogorov–Smirnov), length draws against
 * their mean and stddev, the split of total streams and rates over providers, and the scenarios
 * of a sweep.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildScenarios,
  drawLength,
  k6Rate,
  parseLevels,
  poissonArrivals,
  prng,
  promptOfTokens,
  seedOf,
  splitTotal,
  type LoadConfig,
} from '../../scripts/lib/llm-load.ts';
import { estimateTokens } from '../../scripts/lib/llm-stream.ts';

/** Kolmogorov–Smirnov statistic D of samples against a continuous CDF. */
function ksStatistic(samples: number[], cdf: (x: number) => number): number {
  const xs = [...samples].sort((a, b) => a - b);
  let d = 0;
  xs.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, (i + 1) / xs.length - f, f - i / xs.length);
  });
  return d;
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stddevOf = (xs: number[]) => {
  const m = meanOf(xs);
  return Math.sqrt(meanOf(xs.map((x) => (x - m) ** 2)));
};

describe('Poisson arrivals', () => {
  // 10/s over 300 s: about 3000 gaps. KS critical value at alpha = 0.01: 1.628 / sqrt(n) (about 0.030).
  for (const seed of [1, 42, 4242]) {
    it(`draws gaps that pass a Kolmogorov–Smirnov test against Exp(mean 100 ms) at alpha 0.01 (seed ${seed})`, () => {
      const t = poissonArrivals(10, 300_000, seed);
      const gaps = t.map((x, i) => x - (i === 0 ? 0 : t[i - 1]!));
      const d = ksStatistic(gaps, (x) => 1 - Math.exp(-x / 100));
      const critical = 1.628 / Math.sqrt(gaps.length);
      assert.ok(d < critical, `D = ${d.toFixed(4)}, critical ${critical.toFixed(4)}, n = ${gaps.length}`);
      assert.ok(Math.abs(gaps.length / 3000 - 1) < 0.06, `${gaps.length} arrivals, expected 3000 ± 6 % (3.3 sigma)`);
    });
  }

  it('rejects evenly spaced arrivals (the test has power)', () => {
    const even = Array.from({ length: 3000 }, () => 100);
    assert.ok(ksStatistic(even, (x) => 1 - Math.exp(-x / 100)) > 1.628 / Math.sqrt(3000));
  });

  it('gives the same schedule for the same seed, another for another, all inside the duration', () => {
    assert.deepEqual(poissonArrivals(5, 10_000, 7), poissonArrivals(5, 10_000, 7));
    assert.notDeepEqual(poissonArrivals(5, 10_000, 7), poissonArrivals(5, 10_000, 8));
    const t = poissonArrivals(5, 10_000, 7);
    assert.ok(t.every((x, i) => x >= 0 && x < 10_000 && (i === 0 || x >= t[i - 1]!)));
  });
});

describe('length draws', () => {
  it('have the stated mean within 1 % and stddev within 3 % over 10 000 draws (mean 128, stddev 32)', () => {
    const u = prng(42);
    const xs = Array.from({ length: 10_000 }, () => drawLength(128, 32, u));
    assert.ok(Math.abs(meanOf(xs) / 128 - 1) < 0.01, `mean ${meanOf(xs)}`);
    assert.ok(Math.abs(stddevOf(xs) / 32 - 1) < 0.03, `stddev ${stddevOf(xs)}`);
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1));
  });

  it('are fixed with stddev 0, and never under 1', () => {
    const u = prng(1);
    assert.deepEqual([drawLength(64, 0, u), drawLength(64, 0, u)], [64, 64]);
    assert.ok(Array.from({ length: 1000 }, () => drawLength(2, 50, u)).every((x) => x >= 1));
  });

  it('builds a prompt the client estimates at exactly the drawn length', () => {
    for (const n of [1, 7, 128, 1000]) assert.equal(estimateTokens(promptOfTokens(n, 3)), n);
  });
});

const config = (over: Partial<LoadConfig>): LoadConfig => ({
  shape: 'concurrency',
  providers: ['anthropic', 'openai'],
  levels: [16],
  sweep: false,
  warmupMs: 3000,
  measuredMs: 6000,
  maxVus: 20,
  seed: 42,
  ...over,
});

describe('sharing the load between providers', () => {
  it('splits total streams as evenly as integers allow, the first provider taking the remainder', () => {
    assert.deepEqual(splitTotal(16, 2), [8, 8]);
    assert.deepEqual(splitTotal(5, 2), [3, 2]);
    const { scenarios } = buildScenarios(config({ levels: [5] }));
    assert.deepEqual(
      Object.entries(scenarios).map(([n, s]) => [n, s.executor, s.vus]),
      [
        ['anthropic', 'constant-vus', 3],
        ['openai', 'constant-vus', 2],
      ],
    );
  });

  it('refuses fewer streams than providers, naming VUS', () => {
    assert.throws(() => buildScenarios(config({ levels: [1] })), /VUS: 1 streams in total cannot be shared by 2/);
  });

  it('halves a total rate between two providers, as k6 integer rates', () => {
    const { scenarios } = buildScenarios(config({ shape: 'rate', levels: [5] }));
    assert.deepEqual(
      { ...scenarios.openai, tags: undefined },
      {
        executor: 'constant-arrival-rate',
        rate: 25,
        timeUnit: '10s',
        duration: '9s',
        preAllocatedVUs: 10,
        maxVUs: 10,
        exec: 'stream',
        startTime: '0s',
        gracefulStop: '30s',
        tags: undefined,
      },
    );
    assert.deepEqual(k6Rate(3), { rate: 3, timeUnit: '1s' });
    assert.deepEqual(k6Rate(1 / 3), { rate: 333, timeUnit: '1000s' });
  });

  it('gives a Poisson scenario one iteration per drawn arrival', () => {
    const { scenarios, plans } = buildScenarios(config({ shape: 'poisson', levels: [4], providers: ['openai'] }));
    assert.equal(scenarios.openai!.executor, 'shared-iterations');
    assert.equal(scenarios.openai!.iterations, plans.openai!.arrivals!.length);
    assert.deepEqual(plans.openai!.arrivals, poissonArrivals(4, 9000, seedOf(42, 'openai')));
  });
});

describe('a sweep', () => {
  it('is one scenario per step and provider, started one step after another, tagged step:N', () => {
    const { scenarios, plans } = buildScenarios(
      config({ shape: 'rate', levels: [2, 4], sweep: true, providers: ['openai'] }),
    );
    assert.deepEqual(Object.keys(scenarios), ['openai_step1', 'openai_step2']);
    assert.deepEqual([scenarios.openai_step1!.startTime, scenarios.openai_step2!.startTime], ['0s', '9s']);
    assert.deepEqual(scenarios.openai_step2!.tags, { provider: 'openai', step: '2' });
    assert.deepEqual([plans.openai_step2!.step, plans.openai_step2!.level], [2, 4]);
  });

  it('names every bad level of SWEEP at once', () => {
    assert.deepEqual(parseLevels('1, 2.5,4', 'rate'), [1, 2.5, 4]);
    assert.throws(
      () => parseLevels('1,2.5,x,-1', 'concurrency'),
      /SWEEP: "2.5", "x", "-1" \(expected a list of positive integers/,
    );
  });
});
