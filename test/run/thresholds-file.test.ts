import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadThresholdFile, validateThresholdData } from '../../run/thresholds-file.ts';
import { checkExpression } from '../../run/threshold-eval.ts';
import { RunConfigError } from '../../run/errors.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const thresholdsDir = resolve(import.meta.dirname, '../../thresholds');

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RunConfigError, `expected RunConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, 104);
    return err.problems;
  }
  assert.fail('expected a RunConfigError');
}

describe('threshold file loading', () => {
  it('refuses a file over 1 MiB unread, naming its size (exit 104)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thresholds-big-'));
    try {
      const big = join(dir, 'big.json');
      writeFileSync(big, `{"thresholds": {}, "description": "${'x'.repeat(1024 * 1024)}"}`);
      const [problem] = problemsOf(() => loadThresholdFile(big, checkExpression));
      assert.match(problem!, /big\.json: 1048\d+ bytes; a threshold file may have at most 1048576 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a file with string and object thresholds, run checks and regression rules', () => {
    const file = loadThresholdFile(join(fixtures, 'thresholds-pass.json'), checkExpression);
    assert.deepEqual(Object.keys(file.thresholds), ['e2e_duration', 'e2e_success', 'http_req_duration{name:submit}']);
    assert.equal(file.run.outbox_events_lost, '==0');
    assert.equal(file.regression[0]?.maxIncreasePct, 10);
  });

  it('rejects a threshold that is neither a string nor an object, naming the file and JSON pointer', () => {
    const problems = problemsOf(() => loadThresholdFile(join(fixtures, 'malformed.json'), checkExpression));
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /malformed\.json: \/thresholds\/http_req_duration\/0: must be a string or \{threshold, abortOnFail, delayAbortEval, allowEmpty\}/,
    );
  });

  it('rejects an expression the engine cannot parse, naming the file, pointer and expression', () => {
    const problems = problemsOf(() => loadThresholdFile(join(fixtures, 'bad-expression.json'), checkExpression));
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /bad-expression\.json: \/thresholds\/http_req_duration\/0: "p95 lower than 500": malformed threshold expression/,
    );
  });

  it('reports a wrongly typed field inside the object form at its own pointer', () => {
    const problems = validateThresholdData('t.json', {
      thresholds: { m: [{ threshold: 'avg<1', abortOnFail: 'yes' }] },
    });
    assert.deepEqual(problems, ['t.json: /thresholds/m/0/abortOnFail: must be true or false']);
  });

  it('reports every problem of a file at once', () => {
    const problems = validateThresholdData('t.json', {
      thresholds: { m: [] },
      run: { lost: 'about zero' },
      regression: [{ metric: 'm', stat: 'p95' }],
      extra: true,
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('t.json: /: unknown field "extra"')));
    assert.ok(problems.some((p) => p.startsWith('t.json: /thresholds/m: must be a non-empty array')));
    assert.ok(problems.some((p) => p.startsWith('t.json: /run/lost: must be a comparison')));
    assert.ok(problems.some((p) => p.startsWith('t.json: /regression/0: missing field "maxIncreasePct"')));
    assert.ok(problems.some((p) => p.startsWith('t.json: /regression/0/stat: must be one of')));
  });

  it('rejects a metric key the engine cannot parse', () => {
    const problems = validateThresholdData(
      't.json',
      { thresholds: { 'http_req_duration{name}': ['avg<1'] } },
      checkExpression,
    );
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /^t\.json: \/thresholds\/http_req_duration\{name\}\/0: "avg<1": metric key .* malformed/,
    );
  });

  it('rejects a file that cannot be read, naming the file', () => {
    const problems = problemsOf(() => loadThresholdFile(join(fixtures, 'summary-pass.json.missing'), checkExpression));
    assert.match(problems[0]!, /cannot read the threshold file/);
  });

  it('accepts every threshold file shipped in thresholds/', () => {
    const files = readdirSync(thresholdsDir).filter((f) => f.endsWith('.json') && f !== 'schema.json');
    for (const f of files) loadThresholdFile(join(thresholdsDir, f), checkExpression);
  });
});
