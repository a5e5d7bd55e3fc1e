/**
 * The CLI (`k6-llm-perf run ...` as a child process) on runs that need no Redis, PostgreSQL or
 * Kafka: bad configuration (exit 104, checked before anything starts), and the k6-binary path
 * with the `llm-stream` scenario (mock LLM only). The k6 binary is a test double
 * (fixtures/fake-k6.mjs): this machine has none.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, readJson, resultsDirOf, runCli } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fresh = (name: string): string => join(root, name);

describe('run: bad configuration', () => {
  it('exits 104 naming the file and JSON pointer of a malformed threshold file, and writes nothing', async () => {
    const results = fresh('malformed');
    const r = await runCli(['run', 'load', '--thresholds', join(FIXTURES, 'malformed.json'), '--results', results]);
    assert.equal(r.code, 104, r.stderr);
    assert.match(
      r.stderr,
      /malformed\.json: \/thresholds\/http_req_duration\/0: must be a string or \{threshold, abortOnFail, delayAbortEval, allowEmpty\}/,
    );
    assert.equal(existsSync(results), false);
  });

  it('exits 104 naming the file, pointer and expression of a threshold the parser rejects', async () => {
    const r = await runCli([
      'run',
      'load',
      '--thresholds',
      join(FIXTURES, 'bad-expression.json'),
      '--results',
      fresh('bad-expr'),
    ]);
    assert.equal(r.code, 104, r.stderr);
    assert.match(
      r.stderr,
      /bad-expression\.json: \/thresholds\/http_req_duration\/0: "p95 lower than 500": malformed threshold expression/,
    );
  });

  it('exits 104 for an unknown scenario and bad options, listing each', async () => {
    const r = await runCli(['run', 'nope', '--engine', 'jmeter', '--rate', 'fast']);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /scenario "nope": unknown; expected one of load, stress/);
    assert.match(r.stderr, /--engine jmeter: expected one of auto, k6, node/);
    assert.match(r.stderr, /--rate fast: expected a number/);
  });

  it('exits 104 when --engine k6 is asked for and there is no k6 binary', async () => {
    const r = await runCli(['run', 'load', '--engine', 'k6', '--thresholds', join(FIXTURES, 'impossible.json')], {
      K6_BIN: join(root, 'no-such-k6'),
    });
    assert.equal(r.code, 104);
    assert.match(r.stderr, /--engine k6: K6_BIN=.*no-such-k6 is not an executable file/);
  });
});

describe('run: the k6 binary', () => {
  it('runs a k6 binary when asked, converting its JSON output to timeseries.json', async () => {
    const results = fresh('k6');
    const r = await runCli(
      ['run', 'llm-stream', '--engine', 'k6', '--thresholds', join(FIXTURES, 'impossible.json'), '--results', results],
      { K6_BIN: join(FIXTURES, 'fake-k6.mjs') },
    );
    assert.equal(r.code, 99, r.stderr);
    const dir = resultsDirOf(results, 'llm-stream');
    const meta = readJson<{ engine: { kind: string; args: string[] } }>(join(dir, 'meta.json'));
    assert.equal(meta.engine.kind, 'k6');
    assert.ok(meta.engine.args.some((a) => a.startsWith('LLM_URL=http://127.0.0.1:')));
    const ts = readJson<{ version: number; buckets: Array<{ http_reqs?: number }> }>(join(dir, 'timeseries.json'));
    assert.equal(ts.version, 1);
    assert.equal(
      ts.buckets.reduce((n, b) => n + (b.http_reqs ?? 0), 0),
      5,
    );
  });

  it('passes the engine exit code of a script error through as 107', async () => {
    const results = fresh('k6-error');
    const r = await runCli(
      ['run', 'llm-stream', '--engine', 'k6', '--thresholds', join(FIXTURES, 'impossible.json'), '--results', results],
      { K6_BIN: join(FIXTURES, 'fake-k6.mjs'), FAKE_K6_EXIT: '107' },
    );
    assert.equal(r.code, 107, r.stderr);
    assert.match(
      readFileSync(join(resultsDirOf(results, 'llm-stream'), 'junit.xml'), 'utf8'),
      /<error type="exit-107"/,
    );
  });
});
