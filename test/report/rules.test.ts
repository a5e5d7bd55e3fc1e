import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultMinAbsolute, parseRuleSpec, rulesFromThresholdsFile } from '../../report/rules.ts';
import { ReportError } from '../../report/errors.ts';
import { tempDir } from './helpers.ts';

describe('parseRuleSpec', () => {
  it('parses metric, stat and percent', () => {
    assert.deepEqual(parseRuleSpec('http_req_duration:p(95):10'), {
      metric: 'http_req_duration',
      stat: 'p(95)',
      maxIncreasePct: 10,
    });
  });

  it('keeps colons inside a tag filter in the metric name', () => {
    assert.deepEqual(parseRuleSpec('http_req_duration{name:submit}:p(99.9):2.5%'), {
      metric: 'http_req_duration{name:submit}',
      stat: 'p(99.9)',
      maxIncreasePct: 2.5,
    });
  });

  it('rejects a spec without three parts', () => {
    assert.throws(
      () => parseRuleSpec('http_req_duration:10'),
      (e: unknown) =>
        e instanceof ReportError && e.code === 'REPORT_BAD_RULE' && /metric:stat:maxIncreasePct/.test(e.message),
    );
  });

  it('rejects a negative percent', () => {
    assert.throws(() => parseRuleSpec('checks:rate:-1'), /maxIncreasePct must be a number ≥ 0/);
  });
});

describe('rulesFromThresholdsFile', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());
  const write = (name: string, data: unknown) => {
    const f = join(tmp.dir, name);
    writeFileSync(f, JSON.stringify(data));
    return f;
  };

  it('reads object and string rules from the "regression" array', async () => {
    const f = write('a.json', {
      regression: [{ metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 }, 'checks:rate:5'],
    });
    assert.deepEqual(await rulesFromThresholdsFile(f), [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 },
      { metric: 'checks', stat: 'rate', maxIncreasePct: 5 },
    ]);
  });

  it('returns no rules when the file has no "regression" field', async () => {
    assert.deepEqual(
      await rulesFromThresholdsFile(write('b.json', { thresholds: { http_req_duration: ['p(95)<500'] } })),
      [],
    );
  });

  it('names every bad field of every rule at once', async () => {
    const f = write('c.json', {
      regression: [
        { metric: 'x', stat: 'p(95)' },
        { metric: '', stat: 'mean', maxIncreasePct: 3 },
      ],
    });
    await assert.rejects(rulesFromThresholdsFile(f), (e: unknown) => {
      assert.ok(e instanceof ReportError);
      assert.match(e.message, /c\.json/);
      assert.match(e.message, /regression\[0\]\.maxIncreasePct/);
      assert.match(e.message, /regression\[1\]\.metric/);
      assert.match(e.message, /regression\[1\]\.stat/);
      return true;
    });
  });
});

describe('rule fields of the regression gate', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());

  it('keeps minAbsolute, alpha and minSamples when given, and leaves them out otherwise (defaults apply)', async () => {
    const f = join(tmp.dir, 'gate.json');
    writeFileSync(
      f,
      JSON.stringify({
        regression: [
          { metric: 'e2e_duration', stat: 'p(95)', maxIncreasePct: 10, minAbsolute: 5, alpha: 0.05, minSamples: 30 },
          { metric: 'checks', stat: 'rate', maxIncreasePct: 5 },
        ],
      }),
    );
    assert.deepEqual(await rulesFromThresholdsFile(f), [
      { metric: 'e2e_duration', stat: 'p(95)', maxIncreasePct: 10, minAbsolute: 5, alpha: 0.05, minSamples: 30 },
      { metric: 'checks', stat: 'rate', maxIncreasePct: 5 },
    ]);
  });

  it('names each bad gate field and an unknown one', async () => {
    const f = join(tmp.dir, 'bad-gate.json');
    writeFileSync(
      f,
      JSON.stringify({
        regression: [
          {
            metric: 'x',
            stat: 'avg',
            maxIncreasePct: 1,
            minAbsolute: -1,
            alpha: 0.7,
            minSamples: 1.5,
            significance: 0.01,
          },
        ],
      }),
    );
    await assert.rejects(rulesFromThresholdsFile(f), (e: unknown) => {
      assert.ok(e instanceof ReportError);
      assert.match(e.message, /regression\[0\]\.minAbsolute must be a number ≥ 0/);
      assert.match(e.message, /regression\[0\]\.alpha must be a significance level between 0 and 0\.5/);
      assert.match(e.message, /regression\[0\]\.minSamples must be an integer ≥ 2/);
      assert.match(e.message, /regression\[0\]\.significance: unknown field/);
      return true;
    });
  });

  it('gives the documented default floors per metric type', () => {
    assert.deepEqual(
      [
        defaultMinAbsolute('trend', 'p(95)'),
        defaultMinAbsolute('rate', 'rate'),
        defaultMinAbsolute('counter', 'count'),
        defaultMinAbsolute('counter', 'rate'),
        defaultMinAbsolute('gauge', 'value'),
      ],
      [1, 0.01, 1, 0.1, 0],
    );
  });
});
