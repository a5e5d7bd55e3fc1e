import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeMetric, percentileOf, worseDirection } from '../../report/summary.ts';

describe('normalizeMetric', () => {
  it('reads a Trend of the --summary-export shape, with a failed threshold as true', () => {
    const m = normalizeMetric('http_req_duration', {
      avg: 2,
      min: 1,
      med: 1.5,
      max: 9,
      'p(95)': 8,
      thresholds: { 'p(95)<5': true, 'avg<10': false },
    });
    assert.equal(m.type, 'trend');
    assert.equal(m.stats['p(95)'], 8);
    assert.equal(m.stats['p(50)'], 1.5);
    assert.deepEqual(m.thresholds, [
      { expression: 'p(95)<5', ok: false },
      { expression: 'avg<10', ok: true },
    ]);
  });

  it("reads a Rate's ratio from `value` as `rate`", () => {
    const m = normalizeMetric('checks', { passes: 9, fails: 1, value: 0.9 });
    assert.equal(m.type, 'rate');
    assert.equal(m.stats.rate, 0.9);
  });

  it('tells a Counter from a Gauge by its stats', () => {
    assert.equal(normalizeMetric('http_reqs', { count: 10, rate: 2 }).type, 'counter');
    assert.equal(normalizeMetric('vus', { value: 1, min: 0, max: 5 }).type, 'gauge');
  });

  it('reads the handleSummary shape: type given, stats under values, thresholds with ok', () => {
    const m = normalizeMetric('http_req_failed', {
      type: 'rate',
      contains: 'default',
      values: { rate: 0.1, passes: 1, fails: 9 },
      thresholds: { 'rate<0.05': { ok: false } },
    });
    assert.equal(m.type, 'rate');
    assert.equal(m.stats.rate, 0.1);
    assert.deepEqual(m.thresholds, [{ expression: 'rate<0.05', ok: false }]);
  });
});

describe('worseDirection', () => {
  it('calls higher worse for durations and failure metrics', () => {
    assert.equal(worseDirection('http_req_duration{name:submit}', 'trend'), 'higher');
    assert.equal(worseDirection('http_req_failed', 'rate'), 'higher');
    assert.equal(worseDirection('dropped_iterations', 'counter'), 'higher');
    assert.equal(worseDirection('outbox_events_lost', 'counter'), 'higher');
  });

  it('calls lower worse for success rates and throughput', () => {
    assert.equal(worseDirection('checks', 'rate'), 'lower');
    assert.equal(worseDirection('e2e_success', 'rate'), 'lower');
    assert.equal(worseDirection('http_reqs', 'counter'), 'lower');
  });

  it('judges a submetric by its parent name, not its tag values', () => {
    assert.equal(worseDirection('checks{check:no error}', 'rate'), 'lower');
  });
});

describe('percentileOf', () => {
  it('reads p(N) and med, and nothing else', () => {
    assert.equal(percentileOf('p(99.9)'), 99.9);
    assert.equal(percentileOf('med'), 50);
    assert.equal(percentileOf('avg'), null);
    assert.equal(percentileOf('p(101)'), null);
  });
});
