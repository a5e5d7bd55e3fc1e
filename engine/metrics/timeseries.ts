/**
 * Per-second time series (docs/results.md, timeseries.json version 1).
 *
 * Worker side (`BucketRecorder`): each sample of a metric with a time-series role is folded into
 * the bucket of its second, and into that bucket's per-scenario part (tag `scenario`). Trend
 * metrics get a histogram per bucket (pooled, reset after each flush). `take()` hands out every
 * bucket touched since the last flush.
 *
 * Parent side (`TimeSeriesStore`): buckets from all workers merge by their start time. A bucket
 * older than FINALIZE_AFTER_MS behind the newest one seen is finalized (stats computed, histograms
 * freed), so memory per bucket is a few numbers. Data arriving for an already finalized bucket
 * (a worker flushing very late) still adds its counts, count/avg/max exactly; its percentiles
 * keep the values computed at finalization (documented approximation).
 *
 * Buckets start at whole seconds counted from `origin` (the test start when the engine passes
 * `startTime`, else the Unix epoch).
 */
import { FastHistogram } from './fast-histogram.ts';
import { addEncoded, encodeHistogram, newHistogram, percentile, type Histogram } from './hdr.ts';

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
export const ROLE_NONE = 0, ROLE_VUS = 1, ROLE_ITER = 2, ROLE_DROPPED = 3, ROLE_REQS = 4, ROLE_FAILED = 5, ROLE_CHECKS = 6, ROLE_TREND = 7;

export function roleOf(name: string, type: string): Role {
  switch (name) {
    case 'vus': return ROLE_VUS;
    case 'iterations': return ROLE_ITER;
    case 'dropped_iterations': return ROLE_DROPPED;
    case 'http_reqs': return ROLE_REQS;
    case 'http_req_failed': return ROLE_FAILED;
    case 'checks': return ROLE_CHECKS;
    default: return type === 'trend' ? ROLE_TREND : ROLE_NONE;
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
export interface TrendAccData { count: number; sum: number; min: number; max: number; hdr: string }
export interface PartData { counts: Counts; trends: Record<string, TrendAccData> }
export interface BucketData extends PartData { startMs: number; scenarios: Record<string, PartData> }

const emptyCounts = (): Counts => ({ vus: null, vusTime: -Infinity, iterations: 0, dropped_iterations: 0, http_reqs: 0, http_req_failed: 0, checks_passed: 0, checks_failed: 0 });

interface TrendAcc { count: number; sum: number; min: number; max: number; hist: FastHistogram }

class Part {
  readonly counts: Counts = emptyCounts();
  readonly trends = new Map<string, TrendAcc>();
}

function fold(part: Part, role: Role, name: string, value: number, time: number, pool: FastPool): void {
  const c = part.counts;
  switch (role) {
    case ROLE_VUS:
      if (time >= c.vusTime) { c.vus = value; c.vusTime = time; }
      return;
    case ROLE_ITER: c.iterations += value; return;
    case ROLE_DROPPED: c.dropped_iterations += value; return;
    case ROLE_REQS: c.http_reqs += value; return;
    case ROLE_FAILED: if (value !== 0) c.http_req_failed++; return;
    case ROLE_CHECKS: if (value !== 0) c.checks_passed++; else c.checks_failed++; return;
    case ROLE_TREND: {
      let acc = part.trends.get(name);
      if (acc === undefined) {
        acc = { count: 0, sum: 0, min: value, max: value, hist: pool.take() };
        part.trends.set(name, acc);
      }
      if (value < acc.min) acc.min = value;
      if (value > acc.max) acc.max = value;
      acc.count++;
      acc.sum += value;
      acc.hist.record(value);
    }
  }
}

function takePart(part: Part, pool: FastPool): PartData {
  const trends: Record<string, TrendAccData> = {};
  for (const [name, acc] of part.trends) {
    const h = acc.hist.toHdr();
    trends[name] = { count: acc.count, sum: acc.sum, min: acc.min, max: acc.max, hdr: encodeHistogram(h) };
    h.destroy();
    pool.give(acc.hist);
  }
  return { counts: { ...part.counts }, trends };
}

class WorkerBucket {
  readonly all = new Part();
  readonly scenarios = new Map<string, Part>();
  constructor(readonly startMs: number) {}
}

export class BucketRecorder {
  private readonly buckets = new Map<number, WorkerBucket>();
  private readonly pool = new FastPool();
  private lastIndex = Number.NaN;
  private last: WorkerBucket | undefined;
  constructor(readonly origin: number) {}

  record(role: Role, name: string, value: number, time: number, scenario: string | undefined): void {
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
    fold(b.all, role, name, value, time, this.pool);
    if (scenario !== undefined) {
      let p = b.scenarios.get(scenario);
      if (p === undefined) {
        p = new Part();
        b.scenarios.set(scenario, p);
      }
      fold(p, role, name, value, time, this.pool);
    }
  }

  take(): BucketData[] {
    const out: BucketData[] = [];
    for (const b of this.buckets.values()) {
      const scenarios: Record<string, PartData> = {};
      for (const [name, p] of b.scenarios) scenarios[name] = takePart(p, this.pool);
      out.push({ startMs: b.startMs, ...takePart(b.all, this.pool), scenarios });
    }
    this.buckets.clear();
    this.last = undefined;
    this.lastIndex = Number.NaN;
    return out;
  }
}

// ---------------------------------------------------------------- parent side

export interface TrendStats { count: number; avg: number; p50: number; p95: number; p99: number; max: number }

interface MergedTrend { count: number; sum: number; min: number; max: number; hist: Histogram | null; stats: TrendStats | null }
interface MergedPart { counts: Counts; trends: Map<string, MergedTrend> }
interface MergedBucket { startMs: number; all: MergedPart; scenarios: Map<string, MergedPart>; final: boolean }

export const FINALIZE_AFTER_MS = 10_000;

const newMergedPart = (): MergedPart => ({ counts: emptyCounts(), trends: new Map() });

function mergeCounts(into: Counts, c: Counts): void {
  if (c.vus !== null && c.vusTime >= into.vusTime) { into.vus = c.vus; into.vusTime = c.vusTime; }
  into.iterations += c.iterations;
  into.dropped_iterations += c.dropped_iterations;
  into.http_reqs += c.http_reqs;
  into.http_req_failed += c.http_req_failed;
  into.checks_passed += c.checks_passed;
  into.checks_failed += c.checks_failed;
}

function mergePart(into: MergedPart, p: PartData): void {
  mergeCounts(into.counts, p.counts);
  for (const [name, d] of Object.entries(p.trends)) {
    let t = into.trends.get(name);
    if (t === undefined) {
      t = { count: 0, sum: 0, min: d.min, max: d.max, hist: newHistogram(), stats: null };
      into.trends.set(name, t);
    }
    if (d.min < t.min) t.min = d.min;
    if (d.max > t.max) t.max = d.max;
    t.count += d.count;
    t.sum += d.sum;
    if (t.hist) addEncoded(t.hist, d.hdr);
  }
}

function trendStats(t: MergedTrend): TrendStats {
  const avg = t.count > 0 ? t.sum / t.count : 0;
  if (t.hist === null) {
    const s = t.stats ?? { count: 0, avg: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    return { ...s, count: t.count, avg, max: t.max };
  }
  const p = (q: number) => percentile(t.hist!, q, t.min, t.max);
  return { count: t.count, avg, p50: p(50), p95: p(95), p99: p(99), max: t.max };
}

function finalizePart(p: MergedPart): void {
  for (const t of p.trends.values()) {
    if (t.hist === null) continue;
    t.stats = trendStats(t);
    t.hist.destroy();
    t.hist = null;
  }
}

export class TimeSeriesStore {
  private readonly buckets = new Map<number, MergedBucket>();
  /** Buckets not finalized yet (at most ~FINALIZE_AFTER_MS worth). */
  private readonly open = new Set<MergedBucket>();
  private newest = -Infinity;
  constructor(private readonly startTime: number | undefined) {}

  merge(data: readonly BucketData[]): void {
    for (const d of data) {
      let b = this.buckets.get(d.startMs);
      if (b === undefined) {
        b = { startMs: d.startMs, all: newMergedPart(), scenarios: new Map(), final: false };
        this.buckets.set(d.startMs, b);
        this.open.add(b);
      }
      mergePart(b.all, d);
      for (const [name, p] of Object.entries(d.scenarios)) {
        let mp = b.scenarios.get(name);
        if (mp === undefined) {
          mp = newMergedPart();
          b.scenarios.set(name, mp);
        }
        mergePart(mp, p);
      }
      if (d.startMs > this.newest) this.newest = d.startMs;
      if (b.final) this.finalize(b); // late data: free any histogram it brought
    }
    for (const b of this.open) {
      if (this.newest - b.startMs > FINALIZE_AFTER_MS) this.finalize(b);
    }
  }

  private finalize(b: MergedBucket): void {
    finalizePart(b.all);
    for (const p of b.scenarios.values()) finalizePart(p);
    b.final = true;
    this.open.delete(b);
  }

  /** timeseries.json (version 1). */
  toJSON(): object {
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    const start = this.startTime ?? (keys.length > 0 ? keys[0]! : Date.now());
    let lastVus = 0; // a gauge keeps its value: a bucket without a vus sample repeats the previous one
    const buckets = keys.map((k) => {
      const b = this.buckets.get(k)!;
      const scenarios: Record<string, object> = {};
      for (const [name, p] of [...b.scenarios].sort(([a], [c]) => a.localeCompare(c))) {
        const o: Record<string, unknown> = countsJSON(p.counts);
        if (p.counts.vus === null) delete o.vus; // only when VU samples carry the scenario tag
        for (const [tn, t] of p.trends) o[tn] = trendStats(t);
        scenarios[name] = o;
      }
      const trends: Record<string, TrendStats> = {};
      for (const [tn, t] of b.all.trends) trends[tn] = trendStats(t);
      lastVus = b.all.counts.vus ?? lastVus;
      return { t: Math.floor((k - start) / 1000), ...countsJSON(b.all.counts), vus: lastVus, trends, scenarios };
    });
    return { version: 1, bucketSeconds: 1, startTime: new Date(start).toISOString(), buckets };
  }
}

function countsJSON(c: Counts): Record<string, unknown> {
  return {
    vus: c.vus,
    iterations: c.iterations,
    dropped_iterations: c.dropped_iterations,
    http_reqs: c.http_reqs,
    http_req_failed: c.http_req_failed,
    checks_passed: c.checks_passed,
    checks_failed: c.checks_failed,
  };
}
