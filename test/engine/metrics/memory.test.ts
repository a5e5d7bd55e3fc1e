import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Aggregator, WorkerMetrics } from '../../../engine/metrics/index.ts';
import { T0, prng } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory', () => {
  it('stays flat while 2M samples go into a trend (no sample arrays)', () => {
    const agg = new Aggregator({ thresholds: { 'http_req_duration{name:a}': ['p(95)<500'] }, startTime: T0 });
    const { selectors } = Aggregator.parseThresholds({ 'http_req_duration{name:a}': ['p(95)<500'] });
    const w = new WorkerMetrics({ submetrics: selectors, startTime: T0 });
    const r = prng(1);
    const tagsA = { scenario: 'load', name: 'a' };
    const tagsB = { scenario: 'load', name: 'b' };
    const feed = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        // 2000 samples per second of test time: 2M samples span 1000 seconds of buckets.
        w.add('http_req_duration', r() * 2000, i % 2 ? tagsA : tagsB, T0 + i / 2);
        if (i % 50_000 === 49_999) {
          agg.merge(w.flush());
          agg.evaluateThresholds(i / 2);
        }
      }
    };
    feed(0, 200_000); // warm up: histograms sized, pools filled
    const before = heapAfterGc();
    feed(200_000, 2_000_000);
    const after = heapAfterGc();
    const grownMiB = (after - before) / 2 ** 20;
    // 1.8M more samples as a float64 array alone would be 13.7 MiB; the budget covers the
    // finalized per-second stats (900 more buckets) and allocator noise.
    assert.ok(grownMiB < 6, `heap grew by ${grownMiB.toFixed(2)} MiB`);
    assert.equal(
      (
        agg.summaryData({
          options: {},
          state: { testRunDurationMs: 1_000_000, isStdOutTTY: false, isStdErrTTY: false },
        }).metrics.http_req_duration!.values as Record<string, number>
      ).avg > 0,
      true,
    );
  });
});
