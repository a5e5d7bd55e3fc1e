import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { Aggregator, WorkerMetrics } from '../../../engine/metrics/index.ts';
import { loadSchema } from '../../../engine/summary/index.ts';
import { T0, aggregate, sample } from './helpers.ts';

const thresholds = {
  http_req_duration: ['p(95)<500'],
  'http_req_duration{name:submit}': ['max<100'],
  http_req_failed: ['rate<0.5'],
  my_counter: ['count>0'],
};

function fixture() {
  const s = [
    sample('http_reqs', 1, { name: 'submit' }),
    sample('http_reqs', 1, { name: 'list' }),
    sample('http_req_duration', 120, { name: 'submit', expected_response: 'true' }),
    sample('http_req_duration', 30, { name: 'list', expected_response: 'true' }),
    sample('http_req_failed', 0),
    sample('http_req_failed', 1),
    sample('checks', 1, { group: '', check: 'status is 200' }),
    sample('checks', 0, { group: '', check: 'status is 200' }),
    sample('checks', 1, { group: '::login', check: 'got token' }),
    sample('group_duration', 150, { group: '::login' }),
    sample('vus', 3),
    sample('data_received', 12_345),
    sample('my_counter', 2),
    sample('my_gauge', 7),
    sample('iteration_duration', 1500),
    sample('iterations', 1),
  ];
  const agg = aggregate(thresholds, s, [
    ['my_counter', 'counter'],
    ['my_gauge', 'gauge'],
  ]);
  assert.deepEqual(agg.validateAgainstDefinitions([]), []);
  const data = agg.summaryData({
    options: { summaryTimeUnit: '' },
    state: { testRunDurationMs: 2000, isStdOutTTY: false, isStdErrTTY: true },
    setupData: { token: 'x' },
  });
  return { agg, data };
}

const ajv = new Ajv({ allErrors: true });
const validateData = ajv.compile(loadSchema('data'));
const validateExport = ajv.compile(loadSchema('export'));

describe('summary data (handleSummary)', () => {
  const { data } = fixture();

  it('validates against summary-data.schema.json', () => {
    assert.ok(validateData(data), JSON.stringify(validateData.errors, null, 1));
  });

  it('is rejected by the schema when a metric lacks its values', () => {
    const broken = structuredClone(data) as unknown as { metrics: Record<string, { values: Record<string, number> }> };
    delete broken.metrics.http_reqs!.values.rate;
    assert.equal(validateData(broken), false);
  });

  it('holds k6 values per metric type', () => {
    assert.deepEqual(data.metrics.http_reqs, { type: 'counter', contains: 'default', values: { count: 2, rate: 1 } });
    assert.deepEqual(data.metrics.vus!.values, { value: 3, min: 3, max: 3 });
    assert.deepEqual(data.metrics.http_req_failed, {
      type: 'rate',
      contains: 'default',
      values: { rate: 0.5, passes: 1, fails: 1 },
      thresholds: { 'rate<0.5': { ok: false } },
    });
    assert.deepEqual(Object.keys(data.metrics.http_req_duration!.values), [
      'avg',
      'min',
      'med',
      'max',
      'p(90)',
      'p(95)',
    ]);
    assert.equal(data.metrics.data_received!.contains, 'data');
  });

  it('holds threshold results, submetrics, options, state and setup_data', () => {
    assert.deepEqual(data.metrics['http_req_duration{name:submit}']!.thresholds, { 'max<100': { ok: false } });
    assert.ok(data.metrics['http_req_duration{expected_response:true}']);
    assert.deepEqual(data.options, {
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
      summaryTimeUnit: '',
      noColor: false,
    });
    assert.deepEqual(data.state, { isStdOutTTY: false, isStdErrTTY: true, testRunDurationMs: 2000 });
    assert.deepEqual(data.setup_data, { token: 'x' });
  });

  it('builds root_group with k6 ids, groups and checks', () => {
    const rg = data.root_group;
    assert.equal(rg.id, 'd41d8cd98f00b204e9800998ecf8427e');
    assert.deepEqual(rg.checks, [
      { name: 'status is 200', path: '::status is 200', id: rg.checks[0]!.id, passes: 1, fails: 1 },
    ]);
    assert.equal(rg.groups[0]!.name, 'login');
    assert.equal(rg.groups[0]!.path, '::login');
    assert.equal(rg.groups[0]!.checks[0]!.passes, 1);
  });

  it('omits setup_data when setup returned nothing', () => {
    const { agg } = fixture();
    const d = agg.summaryData({ options: {}, state: { testRunDurationMs: 1, isStdOutTTY: false, isStdErrTTY: false } });
    assert.equal('setup_data' in d, false);
  });

  it('uses summaryTrendStats given to the Aggregator, including count and decimal percentiles', () => {
    const a2 = new Aggregator({ thresholds: {}, summaryTrendStats: ['count', 'p(99.9)', 'med'] });
    a2.merge(structuredClone(fixtureWorkerFlush()));
    const d = a2.summaryData({
      options: {},
      state: { testRunDurationMs: 1000, isStdOutTTY: false, isStdErrTTY: false },
    });
    assert.deepEqual(Object.keys(d.metrics.http_req_duration!.values), ['count', 'p(99.9)', 'med']);
    assert.ok(validateData(d), JSON.stringify(validateData.errors));
  });
});

function fixtureWorkerFlush() {
  const w = new WorkerMetrics({ submetrics: [], startTime: T0 });
  w.add('http_req_duration', 5, {}, T0);
  return w.flush();
}

describe('summary export (--summary-export)', () => {
  const { agg, data } = fixture();
  const exp = agg.exportSummary(data) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test

  it('validates against summary-export.schema.json', () => {
    assert.ok(validateExport(exp), JSON.stringify(validateExport.errors, null, 1));
  });

  it('writes a threshold as true when it FAILED, as k6 does', () => {
    assert.deepEqual(exp.metrics.http_req_duration.thresholds, { 'p(95)<500': false });
    assert.deepEqual(exp.metrics['http_req_duration{name:submit}'].thresholds, { 'max<100': true });
  });

  it('flattens metrics and renames a Rate ratio to value', () => {
    assert.deepEqual(exp.metrics.http_req_failed, {
      value: 0.5,
      passes: 1,
      fails: 1,
      thresholds: { 'rate<0.5': true },
    });
    assert.deepEqual(exp.metrics.http_reqs, { count: 2, rate: 1 });
  });

  it('keys groups and checks by name and drops options and state', () => {
    assert.equal(exp.root_group.checks['status is 200'].fails, 1);
    assert.equal(exp.root_group.groups.login.checks['got token'].passes, 1);
    assert.equal('options' in exp, false);
    assert.equal('state' in exp, false);
    assert.deepEqual(exp.setup_data, { token: 'x' });
  });
});

describe('text summary', () => {
  const { agg, data } = fixture();
  const text = agg.textSummary(data, { colors: false });
  const lines = text.split('\n');

  it('lists passed and failed checks with their counts', () => {
    assert.ok(lines.includes('     ✗ status is 200'), text);
    assert.ok(lines.includes('      ↳  50% — ✓ 1 / ✗ 1'), text);
    assert.ok(lines.includes('     █ login'), text);
    assert.ok(lines.includes('       ✓ got token'), text);
  });

  it('aligns metric names with dots and marks thresholds', () => {
    const metricLines = lines.filter((l) => l.includes('.:'));
    const colon = metricLines.map((l) => l.indexOf('.:'));
    assert.ok(
      colon.every((c) => c === colon[0]),
      text,
    );
    assert.match(
      text,
      /^   ✓ http_req_duration\.+: avg=75ms +min=30ms +med=75ms +max=120ms +p\(90\)=111ms +p\(95\)=115\.5ms *$/m,
    );
    assert.match(text, /^     ✗ \{ name:submit \}\.+: avg=120ms/m);
    assert.match(text, /^   ✗ http_req_failed\.+: 50\.00% ✓ 1 +✗ 1/m);
    assert.match(text, /^     http_reqs\.+: 2 +1\/s/m);
    assert.match(text, /^     data_received\.+: 12 kB +6\.2 kB\/s/m);
    assert.match(text, /^     iteration_duration\.+: avg=1\.5s/m);
    assert.match(text, /^     vus\.+: 3 +min=3 +max=3/m);
  });

  it('puts no colour codes in without colours, and some with', () => {
    assert.equal(text.includes('\x1b['), false);
    assert.ok(agg.textSummary(data, { colors: true }).includes('\x1b[32m'));
  });
});

describe('summaryTrendStats', () => {
  it('accepts k6 stats and refuses others, naming each', async () => {
    const { validateSummaryTrendStats } = await import('../../../engine/metrics/index.ts');
    assert.deepEqual(validateSummaryTrendStats(['avg', 'min', 'med', 'max', 'count', 'p(99.9)', 'p(0)']), []);
    const errors = validateSummaryTrendStats(['avg', 'p95', 'p(101)', 7]);
    assert.equal(errors.length, 3);
    assert.match(errors[0]!, /summaryTrendStats\[1\]: invalid stat "p95"/);
  });

  it('makes the Aggregator refuse bad stats with exit code 104', () => {
    assert.throws(
      () => new Aggregator({ thresholds: {}, summaryTrendStats: ['p(95', 'avg'] }),
      (e: { exitCode?: number }) => e.exitCode === 104,
    );
  });
});
