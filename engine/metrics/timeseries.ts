/**
 * Per-second time series (docs/results.md, timeseries.json version 1).
 *
 * Worker side (`BucketRecorder`): each sample of a metric with a time-series role is folded into
 * the bucket of its second: into that bucket's part of its scenario (tag `scenario`), or into the
 * bucket's own part when it has none (setup, teardown). The bucket's test-wide part is derived at
 * flush (its own part plus every scenario part), so a sample is folded once, not twice. Trend
 * metrics get a histogram per part (pooled, reset after each flush). `take()` hands out every
 * bucket touched since the last flush.
 *
 * Parent side: `TimeSeriesStore` in timeseries-store.ts.
 *
 * Buckets start at whole seconds counted from `origin` (the test start when the engine passes
 * `startTime`, else the Unix epoch).
 */
import { FastHistogram, type SparseBuckets } from './fast-histogram.ts';

/** Worker-side recording histograms are reused across flushes. */
class FastPool {
  private readonly free: FastHistogram[] = [];
  take(): FastHistogram {
    return this.free.pop() ?? new FastHistogram();
  }
  give(h: FastHistogram): void {
    h.reset();
    if (this.free.length < 256) this.free.push(h);
  }
}

export type Role = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const ROLE_NONE = 0,
  ROLE_VUS = 1,
  ROLE_ITER = 2,
  ROLE_DROPPED = 3,
  ROLE_REQS = 4,
  ROLE_FAILED = 5,
  ROLE_CHECKS = 6,
  ROLE_TREND = 7;

export function roleOf(name: string, type: string): Role {
  switch (name) {
    case 'vus':
      return ROLE_VUS;
    case 'iterations':
      return ROLE_ITER;
    case 'dropped_iterations':
      return ROLE_DROPPED;
    case 'http_reqs':
      return ROLE_REQS;
    case 'http_req_failed':
      return ROLE_FAILED;
    case 'checks':
      return ROLE_CHECKS;
    default:
      return type === 'trend' ? ROLE_TREND : ROLE_NONE;
  }
}

export interface Counts {
  vus: number | null;
  vusTime: number;
  iterations: number;
  dropped_iterations: number;
  http_reqs: number;
  http_req_failed: number;
  checks_passed: number;
  checks_failed: number;
}
/** `hdr`: the second's histogram as sparse buckets (fast-histogram.ts); HDR-encoded text is accepted too. */
export interface TrendAccData {
  count: number;
  sum: number;
  min: number;
  max: number;
  hdr: string | SparseBuckets;
}
export interface PartData {
  counts: Counts;
  trends: Record<string, TrendAccData>;
}
export interface BucketData extends PartData {
  startMs: number;
  scenarios: Record<string, PartData>;
}

export const emptyCounts = (): Counts => ({
  vus: null,
  vusTime: -Infinity,
  iterations: 0,
  dropped_iterations: 0,
  http_reqs: 0,
  http_req_failed: 0,
  checks_passed: 0,
  checks_failed: 0,
});

/** Adds `c` into `into`: counts add, `vus` keeps the later sample by time. */
export function mergeCounts(into: Counts, c: Counts): void {
  if (c.vus !== null && c.vusTime >= into.vusTime) {
    into.vus = c.vus;
    into.vusTime = c.vusTime;
  }
  into.iterations += c.iterations;
  into.dropped_iterations += c.dropped_iterations;
  into.http_reqs += c.http_reqs;
  into.http_req_failed += c.http_req_failed;
  into.checks_passed += c.checks_passed;
  into.checks_failed += c.checks_failed;
}

interface TrendAcc {
  count: number;
  sum: number;
  min: number;
  max: number;
  hist: FastHistogram;
}

/** Trend accumulators are indexed by the metric's trend id (BucketRecorder.trendId), not by name. */
class Part {
  readonly counts: Counts = emptyCounts();
  readonly trends: Array<TrendAcc | undefined> = [];
}

function fold(part: Part, role: Role, trend: number, value: number, time: number, pool: FastPool): void {
  const c = part.counts;
  switch (role) {
    case ROLE_VUS:
      if (time >= c.vusTime) {
        c.vus = value;
        c.vusTime = time;
      }
      return;
    case ROLE_ITER:
      c.iterations += value;
      return;
    case ROLE_DROPPED:
      c.dropped_iterations += value;
      return;
    case ROLE_REQS:
      c.http_reqs += value;
      return;
    case ROLE_FAILED:
      if (value !== 0) c.http_req_failed++;
      return;
    case ROLE_CHECKS:
      if (value !== 0) c.checks_passed++;
      else c.checks_failed++;
      return;
    case ROLE_TREND: {
      let acc = part.trends[trend];
      if (acc === undefined) {
        acc = { count: 0, sum: 0, min: value, max: value, hist: pool.take() };
        part.trends[trend] = acc;
      }
      if (value < acc.min) acc.min = value;
      if (value > acc.max) acc.max = value;
      acc.count++;
      acc.sum += value;
      acc.hist.record(value);
      return;
    }
    case ROLE_NONE:
      return; // no time series for this metric
  }
}

/** Adds `from`'s samples into `into` (the same as folding them there too). */
function mergePart(into: Part, from: Part, pool: FastPool): void {
  mergeCounts(into.counts, from.counts);
  for (let id = 0; id < from.trends.length; id++) {
    const f = from.trends[id];
    if (f === undefined) continue;
    const t = into.trends[id];
    if (t === undefined) {
      const hist = pool.take();
      hist.addFrom(f.hist);
      into.trends[id] = { count: f.count, sum: f.sum, min: f.min, max: f.max, hist };
      continue;
    }
    if (f.min < t.min) t.min = f.min;
    if (f.max > t.max) t.max = f.max;
    t.count += f.count;
    t.sum += f.sum;
    t.hist.addFrom(f.hist);
  }
}

function takePart(part: Part, names: readonly string[], pool: FastPool): PartData {
  const trends: Record<string, TrendAccData> = {};
  for (let id = 0; id < part.trends.length; id++) {
    const acc = part.trends[id];
    if (acc === undefined) continue;
    trends[names[id]!] = { count: acc.count, sum: acc.sum, min: acc.min, max: acc.max, hdr: acc.hist.toSparse() };
    pool.give(acc.hist);
  }
  return { counts: { ...part.counts }, trends };
}

class WorkerBucket {
  readonly all = new Part();
  readonly scenarios = new Map<string, Part>();
  /** The part of the scenario of the previous sample: samples come in runs of one scenario. */
  lastScenario: string | undefined = undefined;
  lastPart: Part | undefined = undefined;
  constructor(readonly startMs: number) {}

  part(scenario: string): Part {
    if (scenario === this.lastScenario) return this.lastPart!;
    let p = this.scenarios.get(scenario);
    if (p === undefined) {
      p = new Part();
      this.scenarios.set(scenario, p);
    }
    this.lastScenario = scenario;
    this.lastPart = p;
    return p;
  }
}

export class BucketRecorder {
  private readonly buckets = new Map<number, WorkerBucket>();
  private readonly pool = new FastPool();
  private lastIndex = Number.NaN;
  private last: WorkerBucket | undefined;
  private readonly trendNames: string[] = [];
  constructor(readonly origin: number) {}

  /** The id to record a trend metric's samples with (record's `trend` argument). */
  trendId(name: string): number {
    const known = this.trendNames.indexOf(name);
    if (known >= 0) return known;
    this.trendNames.push(name);
    return this.trendNames.length - 1;
  }

  /** `trend`: the metric's trendId for ROLE_TREND, ignored for the other roles. */
  record(role: Role, trend: number, value: number, time: number, scenario: string | undefined): void {
    const index = Math.floor((time - this.origin) / 1000);
    let b = this.last;
    if (index !== this.lastIndex || b === undefined) {
      b = this.buckets.get(index);
      if (b === undefined) {
        b = new WorkerBucket(this.origin + index * 1000);
        this.buckets.set(index, b);
      }
      this.last = b;
      this.lastIndex = index;
    }
    fold(scenario === undefined ? b.all : b.part(scenario), role, trend, value, time, this.pool);
  }

  /**
   * Every bucket touched since the last take, and per trend id (trendId) the test-wide totals of
   * those buckets: the samples of that trend metric since the last take (WorkerMetrics takes its
   * trend sinks' deltas from them instead of recording each value a second time).
   */
  take(): { buckets: BucketData[]; trends: Array<TrendAccData | undefined> } {
    const buckets: BucketData[] = [];
    const totals = new Part();
    for (const b of this.buckets.values()) {
      const scenarios: Record<string, PartData> = {};
      for (const p of b.scenarios.values()) mergePart(b.all, p, this.pool);
      for (const [name, p] of b.scenarios) scenarios[name] = takePart(p, this.trendNames, this.pool);
      mergePart(totals, b.all, this.pool);
      buckets.push({ startMs: b.startMs, ...takePart(b.all, this.trendNames, this.pool), scenarios });
    }
    const trends: Array<TrendAccData | undefined> = [];
    for (let id = 0; id < totals.trends.length; id++) {
      const acc = totals.trends[id];
      if (acc === undefined) continue;
      trends[id] = { count: acc.count, sum: acc.sum, min: acc.min, max: acc.max, hdr: acc.hist.toSparse() };
      this.pool.give(acc.hist);
    }
    this.buckets.clear();
    this.last = undefined;
    this.lastIndex = Number.NaN;
    return { buckets, trends };
  }
}
