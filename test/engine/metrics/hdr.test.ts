import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHistogram, encodeHistogram, hdrPercentile, newHistogram } from '../../../engine/metrics/index.ts';
import { recordScaled } from '../../../engine/metrics/hdr.ts';
import { TrendSink } from '../../../engine/metrics/sinks.ts';
import { prng } from './helpers.ts';

/** k6's exact percentile (TrendSink.P): linear interpolation between closest ranks. */
function exactPercentile(sortedValues: number[], pct: number): number {
  const i = (pct / 100) * (sortedValues.length - 1);
  const lo = sortedValues[Math.floor(i)]!;
  const hi = sortedValues[Math.ceil(i)]!;
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** The documented bound: 0.1 % relative plus 0.0005 units absolute. */
const bound = (exact: number) => Math.abs(exact) * 0.001 + 0.0005;

describe('HDR percentiles', () => {
  const r = prng(42);
  // A long-tailed latency-like data set, 0.01 ms .. ~60 s, with 3 decimals.
  const values = Array.from({ length: 50_000 }, () => Math.round(Math.exp(r() * 15 - 4.6) * 1000) / 1000);
  const sink = new TrendSink();
  for (const v of values) sink.add(v);
  const sortedValues = [...values].sort((a, b) => a - b);
  const h = newHistogram();
  for (const v of values) recordScaled(h, v);

  for (const p of [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]) {
    it(`keeps p(${p}) within the documented error of the exact percentile (histograms, sinks past the cap)`, () => {
      const exact = exactPercentile(sortedValues, p);
      const got = hdrPercentile(h, p, sortedValues[0]!, sortedValues.at(-1)!);
      assert.ok(Math.abs(got - exact) <= bound(exact), `p(${p}): got ${got}, exact ${exact}, bound ${bound(exact)}`);
    });
  }

  it("gives k6's exact percentiles from a sink that kept every value", () => {
    assert.equal(sink.isExact, true);
    for (const p of [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100])
      assert.equal(sink.stat(`p(${p})`), exactPercentile(sortedValues, p), `p(${p})`);
  });

  it('keeps min, max, avg and count exact', () => {
    assert.equal(sink.stat('min'), sortedValues[0]);
    assert.equal(sink.stat('max'), sortedValues.at(-1));
    assert.equal(sink.stat('count'), values.length);
    const avg = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(sink.stat('avg')! - avg) < 1e-9 * avg);
  });

  it('interpolates between two samples as k6 does', () => {
    const s = new TrendSink();
    s.add(1);
    s.add(2);
    assert.equal(s.stat('med'), 1.5);
    assert.equal(s.stat('p(90)'), 1.9);
  });

  it('returns 0 for every stat of an empty trend, like k6', () => {
    const s = new TrendSink();
    assert.deepEqual(
      ['avg', 'min', 'max', 'med', 'p(95)'].map((k) => s.stat(k)),
      [0, 0, 0, 0, 0],
    );
  });

  it('records negative values as 0 in the histogram, while the sink keeps them exact', () => {
    const s = new TrendSink();
    for (const v of [-10, -5, 5, 10]) s.add(v);
    assert.equal(s.stat('min'), -10);
    assert.equal(s.stat('avg'), 0);
    assert.equal(s.stat('p(0)'), -10);
    assert.equal(s.stat('med'), 0);
    assert.equal(s.stat('max'), 10);
    assert.equal(hdrPercentile(s.hist, 0, -10, 10), 0);
  });

  it('survives encoding and decoding unchanged', () => {
    const h = newHistogram();
    for (const v of values.slice(0, 1000)) recordScaled(h, v);
    const back = decodeHistogram(encodeHistogram(h));
    assert.equal(back.totalCount, 1000);
    assert.equal(hdrPercentile(back, 95, 0, Infinity), hdrPercentile(h, 95, 0, Infinity));
  });

  it('clamps values beyond the trackable range instead of failing', () => {
    const s = new TrendSink();
    s.add(1e300);
    assert.equal(s.stat('count'), 1);
    assert.equal(s.stat('max'), 1e300);
  });
});

describe('FastHistogram (the per-sample recorder)', () => {
  it('holds exactly the counts an HDR histogram would, across the whole value range', async () => {
    const { FastHistogram } = await import('../../../engine/metrics/fast-histogram.ts');
    const r = prng(3);
    const fast = new FastHistogram();
    const ref = newHistogram();
    const values = [
      0, 0.0004, 0.001, 2.047, 2.048, 2.049, 4.095, 4.096, 1000, 4294967.295, 4294967.296, 1e10, 1e300, -5,
    ];
    for (let i = 0; i < 100_000; i++) values.push(r() ** 4 * 1e7);
    for (const v of values) {
      fast.record(v);
      recordScaled(ref, v);
    }
    const back = fast.toHdr();
    assert.equal(back.totalCount, ref.totalCount);
    for (let p = 0; p <= 100; p += 0.5)
      assert.equal(back.getValueAtPercentile(p), ref.getValueAtPercentile(p), `p${p}`);
  });
});
