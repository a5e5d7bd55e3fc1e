import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Aggregator,
  parseDuration,
  parseMetricKey,
  parseThresholdConfig,
  parseThresholdExpression,
} from '../../../engine/metrics/index.ts';
import { validateThresholds } from '../../../engine/metrics/thresholds-parser.ts';

describe('parseThresholdExpression', () => {
  const valid: [
    string,
    { aggregation: string; percentile: number | null; operator: string; value: number; statKey: string },
  ][] = [
    ['p(95)<500', { aggregation: 'p', percentile: 95, operator: '<', value: 500, statKey: 'p(95)' }],
    ['p(99.9) <= 1200.5', { aggregation: 'p', percentile: 99.9, operator: '<=', value: 1200.5, statKey: 'p(99.9)' }],
    ['avg<200', { aggregation: 'avg', percentile: null, operator: '<', value: 200, statKey: 'avg' }],
    ['min > 0', { aggregation: 'min', percentile: null, operator: '>', value: 0, statKey: 'min' }],
    ['max>=10', { aggregation: 'max', percentile: null, operator: '>=', value: 10, statKey: 'max' }],
    ['med==3', { aggregation: 'med', percentile: null, operator: '==', value: 3, statKey: 'med' }],
    ['count===0', { aggregation: 'count', percentile: null, operator: '===', value: 0, statKey: 'count' }],
    ['rate!=1', { aggregation: 'rate', percentile: null, operator: '!=', value: 1, statKey: 'rate' }],
    ['value<-5', { aggregation: 'value', percentile: null, operator: '<', value: -5, statKey: 'value' }],
    ['rate<1e-2', { aggregation: 'rate', percentile: null, operator: '<', value: 0.01, statKey: 'rate' }],
    ['  p(0) >  1  ', { aggregation: 'p', percentile: 0, operator: '>', value: 1, statKey: 'p(0)' }],
  ];
  for (const [input, expected] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => {
      const e = parseThresholdExpression(input);
      assert.deepEqual(
        {
          aggregation: e.aggregation,
          percentile: e.percentile,
          operator: e.operator,
          value: e.value,
          statKey: e.statKey,
        },
        expected,
      );
      assert.equal(e.source, input);
    });
  }

  const invalid: [string, RegExp][] = [
    ['p(95)', /no operator/],
    ['p(95)=500', /no operator/],
    ['p(95)<', /right-hand side "" is not a number/],
    ['p(95)<500ms', /right-hand side "500ms" is not a number/],
    ['avg<abc', /not a number/],
    ['average<5', /unknown aggregation method "average"/],
    ['p95<5', /unknown aggregation method "p95"/],
    ['p(abc)<5', /percentile "abc" in p\(abc\) is not a number/],
    ['p( 95 )<5', /percentile " 95 " .* is not a number/],
    ['p(101)<5', /outside 0\.\.100/],
    ['<5', /unknown aggregation method ""/],
    ['', /no operator/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)} naming the expression`, () => {
      assert.throws(
        () => parseThresholdExpression(input),
        (e: Error) => message.test(e.message) && e.message.includes(JSON.stringify(input)),
      );
    });
  }

  it('prefers the longest operator token, as k6 scans <= before <', () => {
    assert.equal(parseThresholdExpression('avg<=5').operator, '<=');
    assert.equal(parseThresholdExpression('avg===5').operator, '===');
  });
});

describe('parseMetricKey', () => {
  it('parses a plain metric name', () => {
    assert.deepEqual(parseMetricKey('http_req_duration'), { metric: 'http_req_duration', selector: null });
  });

  it('parses a submetric with several tags and keeps the key as written', () => {
    const { metric, selector } = parseMetricKey('http_req_duration{name:submit,method:POST}');
    assert.equal(metric, 'http_req_duration');
    assert.deepEqual(selector, {
      key: 'http_req_duration{name:submit,method:POST}',
      parent: 'http_req_duration',
      tags: { name: 'submit', method: 'POST' },
    });
  });

  it('trims whitespace and strips quotes around tag keys and values, as k6 does', () => {
    const { selector } = parseMetricKey(`checks{ "check" : 'status is 200' , scenario:"load"}`);
    assert.deepEqual(selector?.tags, { check: 'status is 200', scenario: 'load' });
  });

  it('names the submetric as k6 does, trimming spaces just inside the braces', () => {
    assert.equal(parseMetricKey('http_reqs{ name:a }').selector?.key, 'http_reqs{name:a}');
  });

  it('keeps a colon inside a tag value', () => {
    assert.deepEqual(parseMetricKey('http_reqs{url:http://x/y}').selector?.tags, { url: 'http://x/y' });
  });

  const bad: [string, RegExp][] = [
    ['http_reqs{name:a', /unmatched/],
    ['http_reqs}name:a{', /closing curly brace appears before/],
    ['http_reqs{name:a}x', /lacks a closing curly brace in its last position/],
    ['http_reqs{}', /cannot be empty/],
    ['http_reqs{name}', /malformed \(expected key:value\)/],
    ['http_reqs{name:}', /malformed/],
    ['{name:a}', /no metric name/],
  ];
  for (const [key, message] of bad) {
    it(`rejects the key ${JSON.stringify(key)}`, () => {
      assert.throws(() => parseMetricKey(key), message);
    });
  }
});

describe('parseThresholdConfig', () => {
  it('accepts strings and the object form with abortOnFail and delayAbortEval', () => {
    const { metrics, errors } = parseThresholdConfig({
      http_req_duration: ['p(95)<500', { threshold: 'avg<100', abortOnFail: true, delayAbortEval: '10s' }],
    });
    assert.deepEqual(errors, []);
    const t = metrics[0]!.thresholds;
    assert.equal(t.length, 2);
    assert.equal(t[0]!.abortOnFail, false);
    assert.equal(t[1]!.abortOnFail, true);
    assert.equal(t[1]!.delayAbortEval, '10s');
    assert.equal(t[1]!.delayAbortEvalMs, 10_000);
  });

  it('reports every problem at once, each naming the key and the entry', () => {
    const { errors } = parseThresholdConfig({
      http_req_duration: ['p(95)<', 'avg<1'],
      'http_reqs{': ['count>1'],
      checks: 'rate>0.9',
      iterations: [{ threshold: 'count>1', abortOnFail: 'yes' }],
      vus: [{ threshold: 'value>1', delayAbortEval: 'soon' }],
    });
    assert.equal(errors.length, 5);
    assert.match(errors[0]!, /^options\.thresholds\["http_req_duration"\]\[0\]: .*"p\(95\)<"/);
    assert.match(errors[1]!, /^options\.thresholds\["http_reqs\{"\]: .*unmatched/);
    assert.match(errors[2]!, /^options\.thresholds\["checks"\]: expected an array/);
    assert.match(errors[3]!, /\["iterations"\]\[0\]: "abortOnFail" must be a boolean/);
    assert.match(errors[4]!, /\["vus"\]\[0\]: invalid duration "soon"/);
  });

  it('treats missing thresholds as none', () => {
    assert.deepEqual(parseThresholdConfig(undefined), { metrics: [], errors: [] });
  });

  it('rejects a thresholds value that is not an object', () => {
    assert.match(parseThresholdConfig(['p(95)<1']).errors[0]!, /must be an object/);
  });

  it('returns the submetric selectors the workers need through Aggregator.parseThresholds', () => {
    const { selectors, errors } = Aggregator.parseThresholds({
      'http_req_duration{name:submit}': ['p(95)<1'],
      http_reqs: ['count>0'],
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(selectors, [
      { key: 'http_req_duration{name:submit}', parent: 'http_req_duration', tags: { name: 'submit' } },
    ]);
  });
});

describe('validateThresholds', () => {
  const types: Record<string, 'counter' | 'gauge' | 'rate' | 'trend'> = {
    http_reqs: 'counter',
    vus: 'gauge',
    checks: 'rate',
    http_req_duration: 'trend',
  };
  const typeOf = (n: string) => types[n];
  const check = (raw: object) => validateThresholds(parseThresholdConfig(raw).metrics, typeOf);

  const allowed: [string, string][] = [
    ['http_reqs', 'count>1'],
    ['http_reqs', 'rate>1'],
    ['vus', 'value>1'],
    ['checks', 'rate>0.9'],
    ['http_req_duration', 'avg<1'],
    ['http_req_duration', 'min<1'],
    ['http_req_duration', 'max<1'],
    ['http_req_duration', 'med<1'],
    ['http_req_duration', 'p(99.99)<1'],
  ];
  for (const [metric, expr] of allowed) {
    it(`accepts ${expr} on ${metric}`, () => assert.deepEqual(check({ [metric]: [expr] }), []));
  }

  const refused: [string, string, string][] = [
    ['http_reqs', 'p(95)<1', 'count, rate'],
    ['http_reqs', 'value<1', 'count, rate'],
    ['vus', 'rate<1', 'value'],
    ['checks', 'count>1', 'rate'],
    ['http_req_duration', 'rate<1', 'avg, min, max, med, p(N)'],
    ['http_req_duration', 'count>1', 'avg'],
  ];
  for (const [metric, expr, supported] of refused) {
    it(`refuses ${expr} on ${metric}, naming the metric, expression and supported methods`, () => {
      const [err] = check({ [metric]: [expr] });
      assert.ok(err?.includes(`options.thresholds["${metric}"]`), err);
      assert.ok(err?.includes(JSON.stringify(expr)), err);
      assert.ok(err?.includes(supported), err);
    });
  }

  it('refuses a threshold on an unknown metric, naming it', () => {
    assert.match(
      check({ 'nope{a:b}': ['count>1'] })[0]!,
      /options\.thresholds\["nope\{a:b\}"\]: no metric named "nope"/,
    );
  });

  it('validates custom metrics through Aggregator.validateAgainstDefinitions', () => {
    const agg = new Aggregator({ thresholds: { my_trend: ['p(95)<1'], my_counter: ['p(95)<1'] } });
    const errors = agg.validateAgainstDefinitions([
      { name: 'my_trend', type: 'trend', contains: 'time' },
      { name: 'my_counter', type: 'counter', contains: 'default' },
    ]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /my_counter.*type counter/);
  });

  it('makes the Aggregator constructor throw a 104 error on syntax errors', () => {
    assert.throws(
      () => new Aggregator({ thresholds: { http_reqs: ['count>'] } }),
      (e: { exitCode?: number; code?: string }) => e.exitCode === 104 && e.code === 'E_THRESHOLD_CONFIG',
    );
  });
});

describe('parseDuration', () => {
  const cases: [unknown, number][] = [
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0', 0],
    [250, 250],
    ['2d', 172_800_000],
  ];
  for (const [input, ms] of cases) {
    it(`reads ${JSON.stringify(input)} as ${ms} ms`, () => assert.equal(parseDuration(input), ms));
  }
  it('rejects a duration without unit', () => assert.throws(() => parseDuration('10'), /invalid duration "10"/));
});
