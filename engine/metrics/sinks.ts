/**
 * One sink per metric type (k6 `metrics/sink.go`), used on both sides:
 * a worker folds samples with `add` and hands deltas out with `take()` (which resets);
 * the parent folds those deltas in with `merge()` and reads stats with `stat()`/`values()`.
 * Trends keep an HDR histogram plus exact count/sum/min/max, and every value while a budget allows
 * (exact-values.ts), so that their percentiles are k6's exact ones.
 */
import type { MetricType } from './api.ts';
import { addHistogramData, FastHistogram, type SparseBuckets } from './fast-histogram.ts';
import { ExactValues, percentileSorted, type ValueBudget } from './exact-values.ts';
import { encodeHistogram, newHistogram, percentile, type Histogram } from './hdr.ts';

export interface CounterData {
  type: 'counter';
  n: number;
  sum: number;
}
export interface GaugeData {
  type: 'gauge';
  n: number;
  value: number;
  time: number;
  min: number;
  max: number;
}
export interface RateData {
  type: 'rate';
  passes: number;
  total: number;
}
/**
 * `hdr`: HDR-encoded text (what the parent hands on, e.g. in part exports), or the sparse buckets a
 * worker sends (it never builds or encodes an HDR histogram itself).
 * `values`: every one of the `count` values, when the sender kept them all; without it the
 * receiving sink reads its percentiles from HDR from then on.
 */
export interface TrendData {
  type: 'trend';
  count: number;
  sum: number;
  min: number;
  max: number;
  hdr: string | SparseBuckets;
  values?: ArrayLike<number>;
}
export type SinkData = CounterData | GaugeData | RateData | TrendData;

export interface Sink {
  readonly type: MetricType;
  add(value: number, time: number): void;
  isEmpty(): boolean;
  /** How many samples were added (an add(0) counts): zero means the metric was never touched. */
  samples(): number;
  /** The delta since the last take (structured-clone safe), or null when nothing was added; resets. */
  take(): SinkData | null;
  merge(d: SinkData): void;
  /** One aggregation by stat name ("count", "rate", "value", "avg", "p(95)", ...); undefined if not applicable. */
  stat(key: string, elapsedMs: number): number | undefined;
  /** k6's summary values for this metric type. */
  values(elapsedMs: number, trendStats: readonly string[]): Record<string, number>;
}

export class CounterSink implements Sink {
  readonly type = 'counter' as const;
  n = 0;
  sum = 0;
  add(value: number): void {
    this.n++;
    this.sum += value;
  }
  isEmpty(): boolean {
    return this.n === 0;
  }
  samples(): number {
    return this.n;
  }
  take(): CounterData | null {
    if (this.n === 0) return null;
    const d: CounterData = { type: 'counter', n: this.n, sum: this.sum };
    this.n = 0;
    this.sum = 0;
    return d;
  }
  merge(d: SinkData): void {
    if (d.type !== 'counter') return;
    this.n += d.n;
    this.sum += d.sum;
  }
  stat(key: string, elapsedMs: number): number | undefined {
    if (key === 'count') return this.sum;
    if (key === 'rate') return elapsedMs > 0 ? this.sum / (elapsedMs / 1000) : 0;
    return undefined;
  }
  values(elapsedMs: number): Record<string, number> {
    return { count: this.sum, rate: this.stat('rate', elapsedMs)! };
  }
}

export class GaugeSink implements Sink {
  readonly type = 'gauge' as const;
  n = 0;
  value = 0;
  time = -Infinity;
  min = 0;
  max = 0;
  add(value: number, time: number): void {
    if (this.n === 0 || value < this.min) this.min = value;
    if (this.n === 0 || value > this.max) this.max = value;
    // The latest sample by time wins (ties: the later added), so that merging workers
    // gives the same value as one worker seeing every sample.
    if (this.n === 0 || time >= this.time) {
      this.value = value;
      this.time = time;
    }
    this.n++;
  }
  isEmpty(): boolean {
    return this.n === 0;
  }
  samples(): number {
    return this.n;
  }
  take(): GaugeData | null {
    if (this.n === 0) return null;
    const d: GaugeData = { type: 'gauge', n: this.n, value: this.value, time: this.time, min: this.min, max: this.max };
    this.n = 0;
    this.time = -Infinity;
    return d;
  }
  merge(d: SinkData): void {
    if (d.type !== 'gauge' || d.n === 0) return;
    if (this.n === 0 || d.min < this.min) this.min = d.min;
    if (this.n === 0 || d.max > this.max) this.max = d.max;
    if (this.n === 0 || d.time >= this.time) {
      this.value = d.value;
      this.time = d.time;
    }
    this.n += d.n;
  }
  stat(key: string): number | undefined {
    if (key === 'value') return this.value;
    if (key === 'min') return this.min;
    if (key === 'max') return this.max;
    return undefined;
  }
  values(): Record<string, number> {
    return { value: this.value, min: this.min, max: this.max };
  }
}

/** k6 Rate: a non-zero value is a pass ("true"). */
export class RateSink implements Sink {
  readonly type = 'rate' as const;
  passes = 0;
  total = 0;
  add(value: number): void {
    this.total++;
    if (value !== 0) this.passes++;
  }
  isEmpty(): boolean {
    return this.total === 0;
  }
  samples(): number {
    return this.total;
  }
  take(): RateData | null {
    if (this.total === 0) return null;
    const d: RateData = { type: 'rate', passes: this.passes, total: this.total };
    this.passes = 0;
    this.total = 0;
    return d;
  }
  merge(d: SinkData): void {
    if (d.type !== 'rate') return;
    this.passes += d.passes;
    this.total += d.total;
  }
  /** Undefined when empty: k6 has no "rate" for an empty Rate sink (its thresholds then error, not fail). */
  stat(key: string): number | undefined {
    if (key === 'rate') return this.total > 0 ? this.passes / this.total : undefined;
    if (key === 'passes') return this.passes;
    if (key === 'fails') return this.total - this.passes;
    return undefined;
  }
  values(): Record<string, number> {
    return {
      rate: this.total > 0 ? this.passes / this.total : 0,
      passes: this.passes,
      fails: this.total - this.passes,
    };
  }
}

export class TrendSink implements Sink {
  readonly type = 'trend' as const;
  /**
   * Samples are recorded into `fast` (cheap). A sink that is only added to and taken from (a
   * worker's) hands out sparse buckets and never builds an HDR histogram; one that is merged into
   * or read (the parent's) folds `fast` into `merged` first.
   */
  private readonly fast = new FastHistogram();
  private merged: Histogram | null = null;
  /** Every value so far, or null once one was not sent or did not fit the budget. */
  private exact: ExactValues | null;
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  /** `budget`: shared by the parent's sinks (Aggregator); a sink of its own has EXACT_CAP. */
  constructor(private readonly budget?: ValueBudget) {
    this.exact = new ExactValues(budget);
  }
  add(value: number): void {
    if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.count++;
    this.sum += value;
    this.fast.record(value);
    if (this.exact !== null && !this.exact.push(value)) this.dropValues();
  }

  /** From now on the percentiles are read from the HDR histogram. */
  private dropValues(): void {
    this.exact!.release();
    this.exact = null;
  }

  /** The HDR histogram with every sample so far. */
  get hist(): Histogram {
    this.merged ??= newHistogram();
    if (this.fast.total > 0) {
      const h = this.fast.toHdr();
      this.merged.add(h);
      h.destroy();
      this.fast.reset();
    }
    return this.merged;
  }
  /** Whether percentiles are exact (every value kept) rather than read from the HDR histogram. */
  get isExact(): boolean {
    return this.exact !== null;
  }
  isEmpty(): boolean {
    return this.count === 0;
  }
  samples(): number {
    return this.count;
  }
  take(): TrendData | null {
    if (this.count === 0) return null;
    let hdr: string | SparseBuckets;
    if (this.merged === null) {
      hdr = this.fast.toSparse();
      this.fast.reset();
    } else {
      hdr = encodeHistogram(this.hist);
      this.merged.reset();
    }
    const d: TrendData = { type: 'trend', count: this.count, sum: this.sum, min: this.min, max: this.max, hdr };
    if (this.exact !== null) d.values = this.exact.take();
    else this.exact = new ExactValues(this.budget); // the next delta starts complete again
    this.count = 0;
    this.sum = 0;
    return d;
  }
  merge(d: SinkData): void {
    if (d.type !== 'trend' || d.count === 0) return;
    if (this.count === 0 || d.min < this.min) this.min = d.min;
    if (this.count === 0 || d.max > this.max) this.max = d.max;
    this.count += d.count;
    this.sum += d.sum;
    addHistogramData(this.hist, d.hdr);
    if (this.exact !== null) {
      const v = d.values;
      if (!completeValues(v, d.count) || !this.exact.pushAll(v)) this.dropValues();
    }
  }
  percentile(p: number): number {
    if (this.exact !== null && this.exact.length > 0) return percentileSorted(this.exact.ascending(), p / 100);
    return percentile(this.hist, p, this.min, this.max);
  }
  stat(key: string): number | undefined {
    switch (key) {
      case 'avg':
        return this.count > 0 ? this.sum / this.count : 0;
      case 'min':
        return this.min;
      case 'max':
        return this.max;
      case 'med':
        return this.percentile(50);
      case 'count':
        return this.count;
      default: {
        const p = parsePercentileKey(key);
        return p === null ? undefined : this.percentile(p);
      }
    }
  }
  values(_elapsedMs: number, trendStats: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of trendStats) {
      const v = this.stat(s);
      if (v !== undefined) out[s] = v;
    }
    return out;
  }
}

/** Whether `v` holds all `count` values of a delta (a part file read from disk may hold anything). */
function completeValues(v: unknown, count: number): v is ArrayLike<number> {
  if (v instanceof Float64Array) return v.length === count;
  if (!Array.isArray(v) || v.length !== count) return false;
  for (const x of v) if (typeof x !== 'number' || x !== x) return false;
  return true;
}

/** "p(99.9)" -> 99.9; anything else -> null. */
export function parsePercentileKey(key: string): number | null {
  if (!key.startsWith('p(') || !key.endsWith(')')) return null;
  const inner = key.slice(2, -1);
  if (!/^\d+(\.\d+)?$/.test(inner)) return null;
  const p = Number(inner);
  return p >= 0 && p <= 100 ? p : null;
}

/** `budget`: what a Trend sink's kept values count against (see TrendSink). */
export function newSink(type: MetricType, budget?: ValueBudget): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink(budget);
  }
}
