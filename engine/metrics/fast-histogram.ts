/**
 * A minimal recording-only histogram with exactly the bucket layout of the HDR histograms
 * built by `newHistogram()` (lowest discernible value 1, 3 significant digits: 2048 sub-buckets,
 * half-count 1024), used on the per-sample path of the workers because recording into an
 * hdr-histogram-js histogram costs ~250 ns per value.
 *
 * Index of a scaled integer value v (as HDR computes it):
 *   v < 2048:  index = v                      (bucket 0, unit 1)
 *   otherwise: b = floor(log2(v)) - 10, s = floor(v / 2^b)  (1024 <= s < 2048),  index = b * 1024 + s
 * and back: the lowest value of index i >= 2048 is s * 2^b with b = floor(i / 1024) - 1, s = i - b * 1024.
 * `toHdr()` replays every non-empty bucket's lowest value with its count into a real HDR histogram,
 * which therefore holds exactly the counts it would have held had each value been recorded there.
 * `toSparse()` gives the same buckets as [index, count, ...]: what workers send to the parent
 * (no HDR histogram and no encoding on the threads that run VUs); `addSparse()` replays them into
 * an HDR histogram exactly as `toHdr()` would have.
 */
import { addEncoded, newHistogram, MAX_RECORDABLE, SCALE, type Histogram } from './hdr.ts';

/** Non-empty buckets in the HDR layout as [index, count, index, count, ...] (structured-clone and JSON safe). */
export type SparseBuckets = number[];

const TWO_32 = 2 ** 32;
/** `bottom` of an empty histogram (above any index; a small integer, as V8 keeps it unboxed). */
const EMPTY = 0x7fffffff;

function indexOf(v: number): number {
  if (v < 2048) return v;
  let k: number;
  if (v < TWO_32) {
    k = 31 - Math.clz32(v);
  } else {
    k = Math.floor(Math.log2(v));
    if (2 ** k > v) k--;
    else if (2 ** (k + 1) <= v) k++;
  }
  const b = k - 10;
  const s = v < TWO_32 ? v >>> b : Math.floor(v / 2 ** b);
  return b * 1024 + s;
}

function lowestValueAt(i: number): number {
  if (i < 2048) return i;
  const b = Math.floor(i / 1024) - 1;
  return (i - b * 1024) * 2 ** b;
}

export class FastHistogram {
  private counts = new Uint32Array(4096);
  /**
   * The lowest and highest non-empty bucket (bottom > top when empty): the readers loop over
   * bottom..top only. A 200 ms TTFT sits near bucket 8,700, so a loop from 0 walked thousands of
   * empty buckets per series at every snapshot (once a second, on the thread that runs the VUs).
   */
  private bottom = EMPTY;
  private top = -1;
  total = 0;

  /** Records a value in metric units with the scaling and clamping rules of hdr.ts. */
  record(value: number): void {
    let v = Math.round(value * SCALE);
    if (!(v > 0)) v = 0;
    else if (v > MAX_RECORDABLE) v = MAX_RECORDABLE;
    const i = indexOf(v);
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]!++;
    if (i > this.top) this.top = i;
    if (i < this.bottom) this.bottom = i;
    this.total++;
  }

  private grow(i: number): void {
    let n = this.counts.length;
    while (n <= i) n *= 2;
    const next = new Uint32Array(n);
    next.set(this.counts);
    this.counts = next;
  }

  /** A new hdr-histogram-js histogram holding the same counts. */
  toHdr(): Histogram {
    const h = newHistogram();
    const c = this.counts;
    for (let i = this.bottom; i <= this.top; i++) {
      const n = c[i]!;
      if (n !== 0) h.recordValueWithCount(lowestValueAt(i), n);
    }
    return h;
  }

  /** Adds every count of `other` (the same as recording its values here). */
  addFrom(other: FastHistogram): void {
    const top = other.top;
    if (top < 0) return;
    if (top >= this.counts.length) this.grow(top);
    const into = this.counts;
    const from = other.counts;
    for (let i = other.bottom; i <= top; i++) into[i]! += from[i]!;
    if (top > this.top) this.top = top;
    if (other.bottom < this.bottom) this.bottom = other.bottom;
    this.total += other.total;
  }

  /** The non-empty buckets (see SparseBuckets). */
  toSparse(): SparseBuckets {
    const out: SparseBuckets = [];
    const c = this.counts;
    for (let i = this.bottom; i <= this.top; i++) {
      const n = c[i]!;
      if (n !== 0) out.push(i, n);
    }
    return out;
  }

  reset(): void {
    if (this.top >= 0) this.counts.fill(0, this.bottom, this.top + 1);
    this.bottom = EMPTY;
    this.top = -1;
    this.total = 0;
  }
}

/** Adds sparse buckets into an HDR histogram (the same counts `toHdr()` of their FastHistogram holds). */
export function addSparse(into: Histogram, s: SparseBuckets): void {
  for (let k = 0; k < s.length; k += 2) into.recordValueWithCount(lowestValueAt(s[k]!), s[k + 1]!);
}

/** Adds a histogram as sinks and time-series buckets carry it: HDR-encoded text, or sparse buckets. */
export function addHistogramData(into: Histogram, d: string | SparseBuckets): void {
  if (typeof d === 'string') addEncoded(into, d);
  else addSparse(into, d);
}
