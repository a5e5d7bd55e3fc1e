/**
 * Every value of a Trend, kept so that its percentiles are k6's exact ones (k6's TrendSink keeps
 * every value and sorts them) rather than read from an HDR bucket.
 *
 * Why: an HDR bucket is 1/1024 of its value wide (16 µs at 20 ms). Reading a bucket's lowest value
 * put an inter-token latency whose exact median was 19.997 ms at 19.984 ms, a bias larger than the
 * error being measured (docs/llm-benchmarking.md). Kept values cost 8 bytes each, so the parent's
 * sinks keep at most RUN_VALUES_BUDGET of them together; past that, a sink that gets another value
 * lets its values go and reads its HDR histogram, within the bound hdr.ts gives.
 *
 * Sorting is incremental: the values appended since the last read are sorted alone and merged into
 * the sorted prefix, so the threshold evaluation every 2 s costs O(n), not O(n log n).
 */

/**
 * How many values the parent's Trends keep in all (16 MiB): past that, every Trend that gets
 * another value lets its values go and reads its HDR histogram. One worker delta of one Trend
 * carries at most EXACT_CAP values (a worker flushes every second, so this is rarely reached).
 */
export const RUN_VALUES_BUDGET = 1 << 21;
export const EXACT_CAP = 1 << 20;

/** A count of values that ExactValues may hold between them (capacity, not length, is counted). */
export class ValueBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

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

const NONE = new Float64Array(0);

export class ExactValues {
  private buf = NONE;
  /** buf[0, sorted) is in ascending order. */
  private sorted = 0;
  length = 0;

  /** A budget of its own of EXACT_CAP values unless one is shared. */
  constructor(private readonly budget = new ValueBudget(EXACT_CAP)) {}

  /** False, and nothing added, when the budget has no room for it. */
  push(v: number): boolean {
    if (this.length === this.buf.length && !this.reserve(this.length + 1)) return false;
    this.buf[this.length++] = v;
    return true;
  }

  /** False, and nothing added, when the budget has no room for them. */
  pushAll(values: ArrayLike<number>): boolean {
    const n = values.length;
    if (this.length + n > this.buf.length && !this.reserve(this.length + n)) return false;
    if (values instanceof Float64Array) this.buf.set(values, this.length);
    else for (let i = 0; i < n; i++) this.buf[this.length + i] = values[i]!;
    this.length += n;
    return true;
  }

  /** Room for n values: double, or as much as the budget leaves if that is still enough. */
  private reserve(n: number): boolean {
    const have = this.buf.length;
    const room = this.budget.limit - this.budget.used + have;
    if (n > room) return false;
    let size = Math.max(have, 256);
    while (size < n) size *= 2;
    size = Math.min(size, room);
    const next = new Float64Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.budget.used += size - have;
    this.buf = next;
    return true;
  }

  /** Lets the values go and gives their room back to the budget. */
  release(): void {
    this.budget.used -= this.buf.length;
    this.buf = NONE;
    this.length = 0;
    this.sorted = 0;
  }

  /** The values so far, in the order they came, and an empty buffer (what a worker sends). */
  take(): Float64Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    this.sorted = 0;
    return out;
  }

  /** Empties it, keeping its room (a worker's buffer, refilled every flush). */
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
