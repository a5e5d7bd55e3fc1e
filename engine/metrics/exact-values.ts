/**
 * Every value of a Trend, kept so that its percentiles are k6's exact ones (k6's TrendSink keeps
 * every value and sorts them) rather than read from an HDR bucket.
 *
 * Why: an HDR bucket is 1/1024 of its value wide (16 µs at 20 ms). Reading a bucket's lowest value
 * put an inter-token latency whose exact median was 19.997 ms at 19.984 ms, a bias larger than the
 * error being measured (docs/llm-benchmarking.md). Kept values cost 8 bytes each, so a sink keeps
 * at most EXACT_CAP of them; past that it reads its HDR histogram, within the bound hdr.ts gives.
 *
 * Sorting is incremental: the values appended since the last read are sorted alone and merged into
 * the sorted prefix, so the threshold evaluation every 2 s costs O(n), not O(n log n).
 */

/** The most values one sink keeps (8 MiB). A sink with more samples reads percentiles from HDR. */
export const EXACT_CAP = 1 << 20;

/** k6's TrendSink.P: linear interpolation between the sorted values around pct × (n − 1); pct in 0..1. */
export function percentileSorted(sorted: ArrayLike<number>, pct: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0]!;
  const i = Math.min(Math.max(pct, 0), 1) * (n - 1);
  const lo = sorted[Math.floor(i)]!;
  const hi = sorted[Math.ceil(i)]!;
  return lo + (hi - lo) * (i - Math.floor(i));
}

export class ExactValues {
  private buf: Float64Array;
  /** buf[0, sorted) is in ascending order. */
  private sorted = 0;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Float64Array(initial);
  }

  push(v: number): void {
    if (this.length === this.buf.length) this.reserve(this.length + 1);
    this.buf[this.length++] = v;
  }

  pushAll(values: ArrayLike<number>): void {
    const n = values.length;
    if (this.length + n > this.buf.length) this.reserve(this.length + n);
    if (values instanceof Float64Array) this.buf.set(values, this.length);
    else for (let i = 0; i < n; i++) this.buf[this.length + i] = values[i]!;
    this.length += n;
  }

  private reserve(n: number): void {
    let size = this.buf.length;
    while (size < n) size *= 2;
    const next = new Float64Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** The values so far, in the order they came, and an empty buffer (what a worker sends). */
  take(): Float64Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    this.sorted = 0;
    return out;
  }

  /** A copy of the values (for a snapshot that leaves the sink as it was). */
  copy(): Float64Array {
    return this.buf.slice(0, this.length);
  }

  clear(): void {
    this.length = 0;
    this.sorted = 0;
  }

  /** The values in ascending order (a view: valid until the next push). */
  ascending(): Float64Array {
    const p = this.sorted;
    const n = this.length;
    if (p < n) {
      const buf = this.buf;
      const tail = buf.slice(p, n).sort();
      // Merge the sorted tail into the sorted prefix from the back, in place.
      let i = p - 1;
      let j = tail.length - 1;
      let k = n - 1;
      while (j >= 0) {
        if (i >= 0 && buf[i]! > tail[j]!) buf[k--] = buf[i--]!;
        else buf[k--] = tail[j--]!;
      }
      this.sorted = n;
    }
    return this.buf.subarray(0, n);
  }
}
