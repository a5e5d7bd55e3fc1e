/**
 * Execution segments, with k6's syntax: a segment is `from:to` (or `to`, meaning `0:to`), each a
 * fraction `1/4`, a decimal `0.25` or a percentage `25%`; a sequence is `0,1/4,1/2,1`.
 * `--execution-segment 1/2:1` makes this process run its share of every scenario.
 *
 * The same arithmetic splits a process's share over its worker threads. Integers (VUs, iterations)
 * and global indexes (iteration k of an arrival-rate scenario, VU j of a ramp) are striped: among the
 * first n items a segment owns exactly ceil(n*to) - ceil(n*from), so contiguous segments share every
 * prefix without gaps or overlaps. (k6's striping algorithm spreads remainders differently; totals match.)
 */
export interface Segment {
  readonly from: number;
  readonly to: number;
}

export const FULL_SEGMENT: Segment = { from: 0, to: 1 };
const EPS = 1e-9;

function parseFraction(text: string): number | null {
  const t = text.trim();
  let value: number;
  if (/^\d+\/\d+$/.test(t)) {
    const [a, b] = t.split('/').map(Number) as [number, number];
    if (b === 0) return null;
    value = a / b;
  } else if (/^\d+(\.\d+)?%$/.test(t)) {
    value = Number(t.slice(0, -1)) / 100;
  } else if (/^\d+(\.\d+)?$/.test(t)) {
    value = Number(t);
  } else {
    return null;
  }
  return value >= 0 && value <= 1 ? value : null;
}

/** Parses `--execution-segment`; returns the segment or an error text. */
export function parseSegment(text: string): Segment | { error: string } {
  const parts = text.split(':');
  const bad = {
    error: `--execution-segment: expected "from:to" with fractions between 0 and 1 (e.g. "0:1/2", "50%:100%"), got ${JSON.stringify(text)}`,
  };
  if (parts.length > 2) return bad;
  const from = parts.length === 2 ? parseFraction(parts[0]!) : 0;
  const to = parseFraction(parts[parts.length - 1]!);
  if (from === null || to === null) return bad;
  if (from >= to)
    return { error: `--execution-segment: "from" (${parts[0]}) must be less than "to" (${parts[parts.length - 1]})` };
  return { from, to };
}

/** Parses `--execution-segment-sequence`; returns the boundaries or an error text. */
export function parseSegmentSequence(text: string): number[] | { error: string } {
  const values = text.split(',').map(parseFraction);
  if (values.length < 2 || values.some((v) => v === null)) {
    return {
      error: `--execution-segment-sequence: expected increasing fractions like "0,1/3,2/3,1", got ${JSON.stringify(text)}`,
    };
  }
  const nums = values as number[];
  for (let i = 1; i < nums.length; i++) {
    if (nums[i]! <= nums[i - 1]!)
      return { error: `--execution-segment-sequence: values must increase, got ${JSON.stringify(text)}` };
  }
  return nums;
}

/** k6's rule: with a sequence, the segment must be one of its adjacent pairs. */
export function checkSegmentInSequence(seg: Segment, seq: number[]): string | null {
  for (let i = 1; i < seq.length; i++) {
    if (Math.abs(seq[i - 1]! - seg.from) < EPS && Math.abs(seq[i]! - seg.to) < EPS) return null;
  }
  return `--execution-segment ${seg.from}:${seg.to} is not one of the segments of --execution-segment-sequence ${seq.join(',')}`;
}

/** How many of `n` items a segment owns. */
export function scaleInt(n: number, seg: Segment): number {
  return Math.ceil(n * seg.to - EPS) - Math.ceil(n * seg.from - EPS);
}

/** Whether global item `k` (0-based) belongs to the segment. */
export function owns(seg: Segment, k: number): boolean {
  return scaleInt(k + 1, seg) - scaleInt(k, seg) === 1;
}

/** The `i`-th (0-based) global index the segment owns. */
export function nthOwned(seg: Segment, i: number): number {
  const width = seg.to - seg.from;
  let k = Math.max(0, Math.floor(i / width) - 2);
  while (scaleInt(k + 1, seg) <= i) k++;
  return k;
}

/** Worker `index` of `count`'s share of a process segment. */
export function subSegment(seg: Segment, index: number, count: number): Segment {
  const width = seg.to - seg.from;
  return { from: seg.from + (width * index) / count, to: seg.from + (width * (index + 1)) / count };
}

export function isFull(seg: Segment): boolean {
  return seg.from < EPS && seg.to > 1 - EPS;
}
