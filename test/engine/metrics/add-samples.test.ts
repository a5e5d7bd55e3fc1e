import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggregator, WorkerMetrics } from '../../../engine/metrics/index.ts';
import { T0 } from './helpers.ts';

const NAMES = ['http_reqs', 'http_req_duration', 'http_req_waiting', 'http_req_failed'] as const;

function fill(w: WorkerMetrics, batched: boolean): void {
  for (let i = 0; i < 500; i++) {
    const tags = { scenario: i % 3 ? 'a' : 'b', name: 'x', expected_response: i % 7 ? 'true' : 'false' };
    const values = [1, (i % 50) + 0.5, (i % 40) + 0.25, i % 7 ? 0 : 1];
    const time = T0 + i * 10;
    if (batched) w.addSamples(NAMES, values, tags, time);
    else NAMES.forEach((n, k) => w.add(n, values[k]!, tags, time));
  }
}

function summary(batched: boolean): unknown {
  const thresholds = { 'http_req_duration{expected_response:true}': ['p(95)<1000'] };
  const w = new WorkerMetrics({ submetrics: Aggregator.parseThresholds(thresholds).selectors, startTime: T0 });
  fill(w, batched);
  const agg = new Aggregator({ thresholds, startTime: T0 });
  agg.merge(w.flush());
  const keys = [
    'http_reqs',
    'http_req_duration',
    'http_req_waiting',
    'http_req_failed',
    'http_req_duration{expected_response:true}',
  ];
  const stats = keys.map((k) => agg.sinkOf(k)?.values(5000, ['count', 'avg', 'min', 'max', 'p(90)', 'p(99)']));
  assert.ok(stats.every((v) => v !== undefined));
  return { stats, series: agg.timeseries(), histograms: agg.histograms() };
}

describe('WorkerMetrics.addSamples', () => {
  it('gives the same metrics, submetrics and time series as one add per sample', () => {
    assert.deepEqual(summary(true), summary(false));
  });

  it('refuses an unknown metric name like add does', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    assert.throws(() => w.addSamples(['http_reqs', 'no_such_metric'], [1, 1], {}, T0), /not defined/);
  });

  it('refuses NaN like add does', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    assert.throws(() => w.addSamples(['http_req_duration'], [Number.NaN], {}, T0), /NaN/);
  });
});
