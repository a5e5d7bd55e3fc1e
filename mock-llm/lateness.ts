/**
 * How late the stub wrote each token against the time it was due: a fixed-bucket
 * histogram (0.1 ms buckets from -1 ms to +1000 ms; the ends collect anything
 * beyond), recorded with one array increment per token. Negative values are tokens
 * written up to the scheduler's tolerance early. Read by /__admin/stats as
 * `scheduleLatenessMs`, so a user can tell whether the stub kept its own schedule
 * (a client's measured TTFT/ITL error minus this is the client's and the network's).
 */

const BUCKET_MS = 0.1;
const MIN_MS = -1;
const MAX_MS = 1000;
const BUCKETS = Math.round((MAX_MS - MIN_MS) / BUCKET_MS) + 1;

export interface LatenessSummary {
  /** Tokens recorded. */
  tokens: number;
  /** Quantiles of lateness in ms, each the upper edge of its 0.1 ms bucket; null when empty. */
  p50: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  mean: number | null;
}

export class LatenessHistogram {
  private counts = new Uint32Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private maxMs = -Infinity;

  record(ms: number): void {
    let b = Math.floor((ms - MIN_MS) / BUCKET_MS);
    if (b < 0) b = 0;
    else if (b >= BUCKETS) b = BUCKETS - 1;
    this.counts[b]!++;
    this.total++;
    this.sum += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.maxMs = -Infinity;
  }

  /** The upper edge of the bucket holding quantile q, in ms. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return round(Math.min(MIN_MS + (b + 1) * BUCKET_MS, this.maxMs));
    }
    return round(this.maxMs);
  }

  summary(): LatenessSummary {
    const empty = this.total === 0;
    return {
      tokens: this.total,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: empty ? null : round(this.maxMs),
      mean: empty ? null : round(this.sum / this.total),
    };
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
