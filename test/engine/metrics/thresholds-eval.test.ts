import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Aggregator,
  WorkerMetrics,
  evaluateThresholdOnValues,
  parseThresholdExpression,
} from '../../../engine/metrics/index.ts';
import { T0, aggregate, sample } from './helpers.ts';

const stateOf = (agg: Aggregator, elapsed: number, final = true) => agg.evaluateThresholds(elapsed, { final }).states;

describe('threshold aggregations and operators', () => {
  const trend = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => sample('http_req_duration', v));

  const cases: [string, boolean, number][] = [
    ['avg==5.5', true, 5.5],
    ['avg===5.5', true, 5.5],
    ['avg!=5.5', false, 5.5],
    ['min>=1', true, 1],
    ['min>1', false, 1],
    ['max<=10', true, 10],
    ['max<10', false, 10],
    ['med<5.51', true, 5.5],
    ['med<5.49', false, 5.5],
    ['p(90)<9.2', true, 9.1],
    ['p(90)<9', false, 9.1],
  ];
  for (const [expr, ok, observed] of cases) {
    it(`evaluates ${expr} on a trend of 1..10 as ${ok ? 'passing' : 'failing'}`, () => {
      const [s] = stateOf(aggregate({ http_req_duration: [expr] }, trend), 1000);
      assert.equal(s!.ok, ok);
      assert.ok(Math.abs(s!.observed! - observed) < observed * 0.001, `observed ${s!.observed}`);
    });
  }

  it('computes a counter rate as count divided by elapsed seconds', () => {
    const agg = aggregate(
      { http_reqs: ['rate>=4', 'count==20'] },
      Array.from({ length: 20 }, () => sample('http_reqs', 1)),
    );
    const [rate, count] = stateOf(agg, 5000);
    assert.equal(rate!.observed, 4);
    assert.equal(rate!.ok, true);
    assert.equal(count!.observed, 20);
    assert.equal(stateOf(agg, 10_000)[0]!.ok, false);
  });

  it('counts every non-zero value of a Rate as a pass', () => {
    const agg = aggregate(
      { checks: ['rate==0.75'] },
      [1, 0, 2, -1].map((v) => sample('checks', v)),
    );
    assert.deepEqual(
      stateOf(agg, 1000).map((s) => [s.ok, s.observed]),
      [[true, 0.75]],
    );
  });

  it('uses the last value of a gauge', () => {
    const agg = aggregate({ vus: ['value==3'] }, [sample('vus', 7, {}, T0), sample('vus', 3, {}, T0 + 10)]);
    assert.equal(stateOf(agg, 1000)[0]!.ok, true);
  });
});

describe('submetric thresholds', () => {
  const samples = [
    sample('http_req_duration', 100, { name: 'submit', method: 'POST' }),
    sample('http_req_duration', 200, { name: 'submit', method: 'GET' }),
    sample('http_req_duration', 5, { name: 'list', method: 'GET' }),
    sample('http_req_duration', 7, {}),
  ];

  it('only folds samples whose tags match every filter', () => {
    const agg = aggregate(
      {
        'http_req_duration{name:submit}': ['max==200'],
        'http_req_duration{name:submit,method:POST}': ['max==100', 'avg==100'],
      },
      samples,
    );
    assert.deepEqual(
      stateOf(agg, 1000).map((s) => s.ok),
      [true, true, true],
    );
  });

  it('does not let a submetric threshold see unrelated samples', () => {
    const agg = aggregate({ 'http_req_duration{name:list}': ['max<10'] }, samples);
    assert.equal(stateOf(agg, 1000)[0]!.observed, 5);
  });

  it('shows the submetric under its key in the summary', () => {
    const agg = aggregate({ 'http_req_duration{name:submit}': ['max<1000'] }, samples);
    const data = agg.summaryData({
      options: {},
      state: { testRunDurationMs: 1000, isStdOutTTY: false, isStdErrTTY: false },
    });
    assert.deepEqual(data.metrics['http_req_duration{name:submit}']?.thresholds, { 'max<1000': { ok: true } });
    assert.equal(data.metrics['http_req_duration{name:submit}']?.values.max, 200);
  });
});

describe('abortOnFail and delayAbortEval', () => {
  const failing = { http_req_duration: [{ threshold: 'avg<10', abortOnFail: true, delayAbortEval: '10s' }] };
  const samples = [sample('http_req_duration', 50)];

  it('does not abort before the delay has passed', () => {
    const agg = aggregate(failing, samples);
    const ev = agg.evaluateThresholds(10_000);
    assert.equal(ev.states[0]!.ok, false);
    assert.equal(ev.abort, false);
  });

  it('aborts once the elapsed time is beyond the delay', () => {
    const agg = aggregate(failing, samples);
    assert.equal(agg.evaluateThresholds(10_001).abort, true);
  });

  it('aborts at once without a delay', () => {
    const agg = aggregate({ http_req_duration: [{ threshold: 'avg<10', abortOnFail: true }] }, samples);
    assert.equal(agg.evaluateThresholds(1).abort, true);
  });

  it('never aborts for a failing threshold without abortOnFail', () => {
    const agg = aggregate({ http_req_duration: ['avg<10'] }, samples);
    assert.equal(agg.evaluateThresholds(60_000).abort, false);
  });

  it('reports the threshold configuration in each state', () => {
    const s = aggregate(failing, samples).evaluateThresholds(1).states[0]!;
    assert.deepEqual(
      { ...s, observed: null },
      {
        metric: 'http_req_duration',
        expression: 'avg<10',
        ok: false,
        observed: null,
        abortOnFail: true,
        delayAbortEval: '10s',
      },
    );
  });
});

describe('metrics without samples', () => {
  it('skips their thresholds during the run', () => {
    const agg = aggregate({ http_reqs: ['count>0'] }, []);
    assert.deepEqual(
      agg.evaluateThresholds(2000).states.map((s) => [s.ok, s.observed]),
      [[true, null]],
    );
  });

  it('evaluates empty counters, gauges and trends as zero at the end, as k6 does', () => {
    const agg = aggregate({ http_reqs: ['count>0'], vus: ['value==0'], http_req_duration: ['p(95)<500'] }, []);
    assert.deepEqual(
      agg.evaluateThresholds(2000, { final: true }).states.map((s) => [s.ok, s.observed]),
      [
        [false, 0],
        [true, 0],
        [true, 0],
      ],
    );
  });

  it('does not count a threshold on an empty Rate as breached (k6 logs an error instead)', () => {
    const agg = aggregate({ http_req_failed: ['rate<0.01'] }, []);
    assert.deepEqual(
      agg.evaluateThresholds(2000, { final: true }).states.map((s) => [s.ok, s.observed]),
      [[true, null]],
    );
  });

  it('still lists metrics with thresholds in the summary', () => {
    const agg = aggregate({ 'http_req_duration{name:none}': ['p(95)<500'] }, []);
    const data = agg.summaryData({
      options: {},
      state: { testRunDurationMs: 1000, isStdOutTTY: false, isStdErrTTY: false },
    });
    assert.ok(data.metrics['http_req_duration{name:none}']);
    assert.ok(data.metrics.http_req_duration);
  });
});

describe('evaluateThresholdOnValues (re-evaluation from a summary file)', () => {
  const ev = (expr: string, values: Record<string, unknown>) =>
    evaluateThresholdOnValues(parseThresholdExpression(expr), values);

  it('reads a percentile by its summary key', () => {
    assert.deepEqual(ev('p(95)<20', { 'p(95)': 12.3, avg: 5 }), { ok: true, observed: 12.3 });
  });

  it('reads p(99.9) and med', () => {
    assert.deepEqual(ev('p(99.9)>20', { 'p(99.9)': 12.3 }), { ok: false, observed: 12.3 });
    assert.deepEqual(ev('med<=5', { med: 5 }), { ok: true, observed: 5 });
  });

  it('reads a counter count and rate', () => {
    assert.deepEqual(ev('rate>10', { count: 100, rate: 20 }), { ok: true, observed: 20 });
    assert.deepEqual(ev('count<50', { count: 100, rate: 20 }), { ok: false, observed: 100 });
  });

  it('reads a Rate from the --summary-export shape, where it is called value', () => {
    assert.deepEqual(ev('rate<0.01', { value: 0.02, passes: 2, fails: 98 }), { ok: false, observed: 0.02 });
  });

  it('returns an error naming the missing aggregation', () => {
    const r = ev('p(99)<20', { 'p(95)': 12.3, avg: 5 });
    assert.ok('error' in r);
    assert.match(r.error, /no p\(99\).*p\(95\), avg/);
  });
});

describe('WorkerMetrics definitions', () => {
  it('throws on an unknown metric', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    assert.throws(() => w.add('nope', 1, {}), /metric "nope" is not defined/);
  });

  it('refuses NaN, which would poison every sum', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    assert.throws(() => w.add('http_reqs', Number.NaN, {}), /cannot add NaN/);
  });

  it('accepts the same definition twice and refuses a conflicting one', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    w.define('my', 'trend', 'time');
    w.define('my', 'trend', 'time');
    assert.throws(() => w.define('my', 'counter'), /already exists as a trend/);
    assert.throws(() => w.define('http_reqs', 'trend'), /already exists as a counter/);
  });

  it('defines every k6 built-in metric', () => {
    const names = new Aggregator({ thresholds: {} }).definitions().map((d) => d.name);
    for (const n of [
      'vus',
      'vus_max',
      'iterations',
      'iteration_duration',
      'dropped_iterations',
      'data_received',
      'data_sent',
      'checks',
      'group_duration',
      'http_reqs',
      'http_req_duration',
      'http_req_failed',
      'http_req_blocked',
      'http_req_connecting',
      'http_req_tls_handshaking',
      'http_req_sending',
      'http_req_waiting',
      'http_req_receiving',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });
});

describe('metric names', () => {
  it('refuses names k6 refuses', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    for (const bad of ['1abc', 'a', 'has-dash', 'has space', 'x'.repeat(130)])
      assert.throws(() => w.define(bad, 'counter'), /Invalid metric name/, bad);
    w.define('_ok_Name_1', 'counter');
  });

  it('ignores contains on a redefinition that does not give it, as k6 does', () => {
    const w = new WorkerMetrics({ submetrics: [] });
    w.define('lat', 'trend', 'time');
    w.define('lat', 'trend');
    assert.throws(() => w.define('lat', 'trend', 'data'), /already exists/);
  });
});
