import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Aggregator, WorkerMetrics } from '../../../engine/metrics/index.ts';
import type { TrendSink } from '../../../engine/metrics/sinks.ts';
import { T0, prng } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The JS heap and the typed arrays' backing stores (where a sink's kept values live). */
function heapAfterGc(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('memory', () => {
  it('stays flat while 1.8M more samples go into a trend whose sinks are past EXACT_CAP', () => {
    const agg = new Aggregator({ thresholds: { 'http_req_duration{name:a}': ['p(95)<500'] }, startTime: T0 });
    const { selectors } = Aggregator.parseThresholds({ 'http_req_duration{name:a}': ['p(95)<500'] });
    const w = new WorkerMetrics({ submetrics: selectors, startTime: T0 });
    const r = prng(1);
    const tagsA = { scenario: 'load', name: 'a' };
    const tagsB = { scenario: 'load', name: 'b' };
    const feed = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        // 2000 samples per second of test time: 4M samples span 2000 seconds of buckets.
        w.add('http_req_duration', r() * 2000, i % 2 ? tagsA : tagsB, T0 + i / 2);
        if (i % 50_000 === 49_999) {
          agg.merge(w.flush());
          agg.evaluateThresholds(i / 2);
        }
      }
    };
    // Warm up: histograms sized, pools filled, and both sinks (the metric's and the {name:a}
    // submetric's, which gets half the samples) past EXACT_CAP, so they have let go of their values.
    feed(0, 2_200_000);
    for (const key of ['http_req_duration', 'http_req_duration{name:a}'])
      assert.equal((agg.sinkOf(key) as TrendSink).isExact, false, key);
    const before = heapAfterGc();
    feed(2_200_000, 4_000_000);
    const after = heapAfterGc();
    const grownMiB = (after - before) / 2 ** 20;
    // 1.8M more samples as a float64 array alone would be 13.7 MiB; the budget covers the
    // finalized per-second stats (900 more buckets) and allocator noise.
    assert.ok(grownMiB < 6, `heap grew by ${grownMiB.toFixed(2)} MiB`);
    assert.equal(
      (
        agg.summaryData({
          options: {},
          state: { testRunDurationMs: 2_000_000, isStdOutTTY: false, isStdErrTTY: false },
        }).metrics.http_req_duration!.values as Record<string, number>
      ).avg > 0,
      true,
    );
  });
});
