import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrendSink, type TrendData } from '../../../engine/metrics/sinks.ts';
import { decodeHistogram, encodeHistogram, newHistogram, recordScaled } from '../../../engine/metrics/hdr.ts';
import { FastHistogram, addSparse } from '../../../engine/metrics/fast-histogram.ts';
import { prng } from './helpers.ts';

function values(n: number, seed: number): number[] {
  const r = prng(seed);
  // ms values from sub-millisecond to minutes, so that many HDR buckets are used.
  return Array.from({ length: n }, () => r() * 10 ** (r() * 8 - 3));
}

const countsOf = (h: ReturnType<typeof newHistogram>) => {
  const out: number[] = [];
  for (let v = 0; v < 60; v++) out.push(h.getValueAtPercentile(v * 1.66 + 0.5));
  return out;
};

describe('sparse bucket transfer (worker sinks)', () => {
  it('keeps the same buckets across resets and merges of histograms covering different ranges', () => {
    const fresh = (xs: number[]): FastHistogram => {
      const h = new FastHistogram();
      for (const x of xs) h.record(x);
      return h;
    };
    const reused = fresh([200.1, 200.5, 5000, 0.2]);
    reused.reset();
    assert.deepEqual([reused.toSparse(), reused.total], [[], 0]);
    for (const x of [3.2, 3.3, 1460]) reused.record(x);
    assert.deepEqual(reused.toSparse(), fresh([3.2, 3.3, 1460]).toSparse());
    const low = fresh([0.5, 1.5]);
    const high = fresh([200, 201, 90_000]);
    const merged = fresh([]);
    merged.addFrom(high);
    merged.addFrom(low);
    merged.addFrom(fresh([]));
    assert.deepEqual(merged.toSparse(), fresh([0.5, 1.5, 200, 201, 90_000]).toSparse());
    assert.equal(merged.total, 5);
    const all = values(500, 11);
    assert.deepEqual(countsOf(fresh(all).toHdr()), countsOf(fresh([...all].reverse()).toHdr()));
  });

  it('a sink that is only added to hands out sparse buckets, not HDR text', () => {
    const s = new TrendSink();
    for (const v of values(100, 1)) s.add(v);
    const d = s.take() as TrendData;
    assert.ok(Array.isArray(d.hdr));
    assert.equal(d.count, 100);
  });

  it('sparse buckets replay into the same HDR counts as recording every value', () => {
    const vs = values(5000, 2);
    const direct = newHistogram();
    const fast = new FastHistogram();
    for (const v of vs) {
      recordScaled(direct, v);
      fast.record(v);
    }
    const replayed = newHistogram();
    addSparse(replayed, fast.toSparse());
    assert.equal(replayed.totalCount, direct.totalCount);
    assert.deepEqual(countsOf(replayed), countsOf(direct));
  });

  it('a parent sink merging sparse deltas reads the same percentiles as one merging HDR text', () => {
    const viaSparse = new TrendSink();
    const viaText = new TrendSink();
    for (let round = 0; round < 3; round++) {
      const worker = new TrendSink();
      const vs = values(2000, 10 + round);
      for (const v of vs) worker.add(v);
      const d = worker.take() as TrendData;
      viaSparse.merge(d);
      const h = newHistogram();
      addSparse(h, d.hdr as number[]);
      viaText.merge({ ...d, hdr: encodeHistogram(h) });
    }
    for (const p of [0, 50, 90, 95, 99, 99.9, 100]) assert.equal(viaSparse.percentile(p), viaText.percentile(p));
    assert.equal(viaSparse.count, 6000);
  });

  it('a parent sink (merged into) still hands out HDR text, so part exports keep their format', () => {
    const parent = new TrendSink();
    const worker = new TrendSink();
    for (const v of values(300, 4)) worker.add(v);
    parent.merge(worker.take()!);
    const d = parent.take() as TrendData;
    assert.equal(typeof d.hdr, 'string');
    assert.equal(decodeHistogram(d.hdr as string).totalCount, 300);
  });
});
