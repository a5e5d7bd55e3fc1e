import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggregator, WorkerMetrics } from '../../../engine/metrics/index.ts';
import { FINALIZE_AFTER_MS } from '../../../engine/metrics/timeseries-store.ts';
import { T0 } from './helpers.ts';

interface Bucket {
  t: number;
  vus: number;
  iterations: number;
  dropped_iterations: number;
  http_reqs: number;
  http_req_failed: number;
  checks_passed: number;
  checks_failed: number;
  trends: Record<string, { count: number; avg: number; p50: number; p95: number; p99: number; max: number }>;
  scenarios: Record<string, Record<string, unknown>>;
}
interface Series {
  version: number;
  bucketSeconds: number;
  startTime: string;
  buckets: Bucket[];
}

function build(): Series {
  const agg = new Aggregator({ thresholds: {}, startTime: T0 });
  const w1 = new WorkerMetrics({ submetrics: [], startTime: T0 });
  const w2 = new WorkerMetrics({ submetrics: [], startTime: T0 });
  w1.define('e2e_duration', 'trend', 'time');
  // second 0: worker 1 and 2 both
  w1.add('vus', 4, {}, T0 + 100);
  w2.add('vus', 10, {}, T0 + 900);
  for (let i = 1; i <= 100; i++) {
    const w = i % 2 ? w1 : w2;
    w.add('http_reqs', 1, { scenario: i <= 60 ? 'load' : 'spike' }, T0 + i * 5);
    w.add('http_req_duration', i, { scenario: i <= 60 ? 'load' : 'spike' }, T0 + i * 5);
    w.add('http_req_failed', i % 10 === 0 ? 1 : 0, { scenario: 'load' }, T0 + i * 5);
  }
  w1.add('iterations', 1, { scenario: 'load' }, T0 + 10);
  w1.add('checks', 1, { scenario: 'load', group: '', check: 'ok' }, T0 + 10);
  w2.add('checks', 0, { scenario: 'load', group: '', check: 'ok' }, T0 + 10);
  w1.add('e2e_duration', 800, { scenario: 'load' }, T0 + 500);
  // second 2: only worker 2, no vus sample
  w2.add('dropped_iterations', 3, { scenario: 'spike' }, T0 + 2500);
  agg.merge(structuredClone(w1.flush()));
  agg.merge(structuredClone(w2.flush()));
  return agg.timeseries() as Series;
}

describe('timeseries.json', () => {
  const s = build();
  const b0 = s.buckets[0]!;

  it('has the version 1 header with the test start', () => {
    assert.deepEqual([s.version, s.bucketSeconds, s.startTime], [1, 1, new Date(T0).toISOString()]);
  });

  it('omits seconds without samples and numbers buckets in seconds since the start', () => {
    assert.deepEqual(
      s.buckets.map((b) => b.t),
      [0, 2],
    );
  });

  it('sums counts within a bucket across workers', () => {
    assert.deepEqual(
      [
        b0.http_reqs,
        b0.http_req_failed,
        b0.iterations,
        b0.checks_passed,
        b0.checks_failed,
        s.buckets[1]!.dropped_iterations,
      ],
      [100, 10, 1, 1, 1, 3],
    );
  });

  it('takes the last vus value by time and repeats it in a bucket without one', () => {
    assert.equal(b0.vus, 10);
    assert.equal(s.buckets[1]!.vus, 10);
  });

  it("computes every trend's stats from the bucket's own histogram", () => {
    const d = b0.trends.http_req_duration!;
    assert.equal(d.count, 100);
    assert.equal(d.avg, 50.5);
    assert.equal(d.max, 100);
    assert.ok(
      Math.abs(d.p50 - 50.5) < 0.1 && Math.abs(d.p95 - 95.05) < 0.1 && Math.abs(d.p99 - 99.01) < 0.1,
      JSON.stringify(d),
    );
    assert.deepEqual(b0.trends.e2e_duration, { count: 1, avg: 800, p50: 800, p95: 800, p99: 800, max: 800 });
  });

  it('splits each bucket by scenario', () => {
    assert.deepEqual(Object.keys(b0.scenarios), ['load', 'spike']);
    assert.equal(b0.scenarios.load!.http_reqs, 60);
    assert.equal(b0.scenarios.spike!.http_reqs, 40);
    assert.equal((b0.scenarios.spike!.http_req_duration as { max: number }).max, 100);
    assert.equal(s.buckets[1]!.scenarios.spike!.dropped_iterations, 3);
  });
});

describe('time-series buckets in the parent', () => {
  it("counts samples without a scenario (setup, teardown) in the test-wide bucket only, next to every scenario's", () => {
    const agg = new Aggregator({ thresholds: {}, startTime: T0 });
    const w = new WorkerMetrics({ submetrics: [], startTime: T0 });
    w.add('http_reqs', 1, {}, T0 + 1);
    w.add('http_req_duration', 1000, {}, T0 + 1);
    for (let i = 1; i <= 10; i++) {
      w.add('http_reqs', 1, { scenario: i % 2 ? 'a' : 'b' }, T0 + 10 + i);
      w.add('http_req_duration', i, { scenario: i % 2 ? 'a' : 'b' }, T0 + 10 + i);
    }
    w.add('iterations', 1, { scenario: 'b' }, T0 + 30);
    agg.merge(structuredClone(w.flush()));
    const b0 = (agg.timeseries() as Series).buckets[0]!;
    const d = b0.trends.http_req_duration!;
    assert.deepEqual([b0.http_reqs, b0.iterations, d.count, d.max, d.avg], [11, 1, 11, 1000, (55 + 1000) / 11]);
    assert.equal(d.p50, 6);
    const a = b0.scenarios.a as {
      http_reqs: number;
      iterations: number;
      http_req_duration: { count: number; max: number };
    };
    const b = b0.scenarios.b as typeof a;
    assert.deepEqual([a.http_reqs, a.iterations, a.http_req_duration.count, a.http_req_duration.max], [5, 0, 5, 9]);
    assert.deepEqual([b.http_reqs, b.iterations, b.http_req_duration.count, b.http_req_duration.max], [5, 1, 5, 10]);
  });

  it('finalizes old buckets yet still adds late counts to them', () => {
    const agg = new Aggregator({ thresholds: {}, startTime: T0 });
    const w = new WorkerMetrics({ submetrics: [], startTime: T0 });
    w.add('http_req_duration', 5, {}, T0);
    w.add('http_req_duration', 7, {}, T0 + FINALIZE_AFTER_MS + 2000);
    agg.merge(structuredClone(w.flush()));
    w.add('http_req_duration', 9, {}, T0 + 1);
    w.add('http_reqs', 1, {}, T0 + 1);
    agg.merge(structuredClone(w.flush()));
    const b0 = (agg.timeseries() as Series).buckets[0]!;
    assert.equal(b0.http_reqs, 1);
    assert.deepEqual(
      [b0.trends.http_req_duration!.count, b0.trends.http_req_duration!.avg, b0.trends.http_req_duration!.max],
      [2, 7, 9],
    );
  });
});
