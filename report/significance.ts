/**
 * The evidence behind one comparison row: the samples on each side, the one-sided p-value of
 * "the current run is worse" and the interval of the delta (docs/regression.md). Trends use
 * Mann-Whitney U over both sides' histogram bins, rates two proportions, counters two Poisson rates;
 * a gauge or a trend without histograms has no sample distribution, hence no test.
 */
import { binsFor, counterEvents, rateTrials, type Side } from './sides.ts';
import { mannWhitney, meanDifferenceCi, percentileDifferenceCi, poissonRates, twoProportions } from './stats.ts';
import { percentileOf, type MetricKind } from './summary.ts';
import type { SignificanceTest, Worse } from './types.ts';

export interface Evidence {
  samples: { baseline: number | null; current: number | null };
  pValue: number | null;
  test: SignificanceTest | null;
  ci: [number, number] | null;
}

const NONE: Evidence = { samples: { baseline: null, current: null }, pValue: null, test: null, ci: null };

/** Mann-Whitney results are per metric and direction, whatever the stat: computed once. */
type Cache = Map<string, number>;

function trendEvidence(
  base: Side,
  cur: Side,
  metric: string,
  stat: string,
  worse: Worse,
  alpha: number,
  cache: Cache,
): Evidence {
  const b = binsFor(base, metric);
  const c = binsFor(cur, metric);
  if (!b || !c) return { ...NONE, samples: { baseline: b?.total ?? null, current: c?.total ?? null } };
  const key = `${metric}\u0000${worse}`;
  let p = cache.get(key);
  if (p === undefined) {
    const mw = mannWhitney(b, c);
    p = worse === 'higher' ? mw.pGreater : mw.pLess;
    cache.set(key, p);
  }
  const pct = percentileOf(stat);
  const ci =
    pct !== null ? percentileDifferenceCi(b, c, pct, alpha) : stat === 'avg' ? meanDifferenceCi(b, c, alpha) : null;
  return { samples: { baseline: b.total, current: c.total }, pValue: p, test: 'mann-whitney', ci };
}

function rateEvidence(base: Side, cur: Side, metric: string, worse: Worse, alpha: number): Evidence {
  const b = rateTrials(base, metric);
  const c = rateTrials(cur, metric);
  if (!b || !c || b.trials === 0 || c.trials === 0)
    return { ...NONE, samples: { baseline: b?.trials ?? null, current: c?.trials ?? null } };
  const r = twoProportions(b.passes, b.trials, c.passes, c.trials, worse === 'higher', alpha);
  return { samples: { baseline: b.trials, current: c.trials }, pValue: r.p, test: 'two-proportion', ci: r.ci };
}

function counterEvidence(base: Side, cur: Side, metric: string, stat: string, worse: Worse, alpha: number): Evidence {
  const b = counterEvents(base, metric);
  const c = counterEvents(cur, metric);
  if (!b || !c) return NONE;
  // `count` compares events per run (the baseline's mean count); `rate` events per second.
  const r =
    stat === 'count'
      ? poissonRates(b.count, b.runs, c.count, c.runs, worse === 'higher', alpha)
      : poissonRates(b.count, b.seconds, c.count, c.seconds, worse === 'higher', alpha);
  return { samples: { baseline: b.count, current: c.count }, pValue: r.p, test: 'poisson', ci: r.ci };
}

export function evidence(
  base: Side,
  cur: Side,
  metric: string,
  stat: string,
  type: MetricKind,
  worse: Worse,
  alpha: number,
  cache: Cache,
): Evidence {
  if (type === 'trend') return trendEvidence(base, cur, metric, stat, worse, alpha, cache);
  if (type === 'rate' && (stat === 'rate' || stat === 'value')) return rateEvidence(base, cur, metric, worse, alpha);
  if (type === 'counter' && (stat === 'count' || stat === 'rate'))
    return counterEvidence(base, cur, metric, stat, worse, alpha);
  return NONE;
}
