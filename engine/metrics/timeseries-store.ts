/**
 * Parent side of the per-second time series (see timeseries.ts for the worker side and the format).
 * Buckets from all workers merge by their start time. A bucket older than FINALIZE_AFTER_MS behind
 * the newest one seen is finalized (stats computed, histograms freed), so memory per bucket is a
 * few numbers. Data arriving for an already finalized bucket still adds its counts, count/avg/max
 * exactly; its percentiles keep the values computed at finalization (documented approximation).
 */
import { addHistogramData } from './fast-histogram.ts';
import { newHistogram, percentile, type Histogram } from './hdr.ts';
import { emptyCounts, mergeCounts, type BucketData, type Counts, type PartData } from './timeseries.ts';

export interface TrendStats {
  count: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface MergedTrend {
  count: number;
  sum: number;
  min: number;
  max: number;
  hist: Histogram | null;
  stats: TrendStats | null;
}
interface MergedPart {
  counts: Counts;
  trends: Map<string, MergedTrend>;
}
interface MergedBucket {
  startMs: number;
  all: MergedPart;
  scenarios: Map<string, MergedPart>;
  final: boolean;
}

export const FINALIZE_AFTER_MS = 10_000;

const newMergedPart = (): MergedPart => ({ counts: emptyCounts(), trends: new Map() });

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
    if (t.hist) addHistogramData(t.hist, d.hdr);
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
