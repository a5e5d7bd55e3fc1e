/**
 * The CI gate through the real CLI (`k6-llm-perf run ...` as a child process), on local
 * infrastructure brought up once for the file and handed to the CLI with `--infra external`.
 * Bad configuration (exit 104) is checked before anything starts, so those runs need no infra.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { FIXTURES, externalEnv, isAlive, readJson, resultsDirOf, runCli } from './helpers.ts';

let infra: InfraHandle;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-gate-'));
  infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent', logDir: root });
});

after(async () => {
  await infra?.down();
  if (root) rmSync(root, { recursive: true, force: true });
});

function fresh(name: string): string {
  const dir = join(root, name);
  return dir;
}

describe('run: bad configuration', () => {
  it('exits 104 naming the file and JSON pointer of a malformed threshold file, and writes nothing', async () => {
    const results = fresh('malformed');
    const r = await runCli(['run', 'load', '--thresholds', join(FIXTURES, 'malformed.json'), '--results', results]);
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, /malformed\.json: \/thresholds\/http_req_duration\/0: must be a string or \{threshold, abortOnFail, delayAbortEval\}/);
    assert.equal(existsSync(results), false);
  });

  it('exits 104 naming the file, pointer and expression of a threshold the parser rejects', async () => {
    const r = await runCli(['run', 'load', '--thresholds', join(FIXTURES, 'bad-expression.json'), '--results', fresh('bad-expr')]);
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, /bad-expression\.json: \/thresholds\/http_req_duration\/0: "p95 lower than 500": malformed threshold expression/);
  });

  it('exits 104 for an unknown scenario and bad options, listing each', async () => {
    const r = await runCli(['run', 'nope', '--engine', 'jmeter', '--rate', 'fast']);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /scenario "nope": unknown; expected one of load, stress/);
    assert.match(r.stderr, /--engine jmeter: expected one of auto, k6, node/);
    assert.match(r.stderr, /--rate fast: expected a number/);
  });

  it('exits 104 when --engine k6 is asked for and there is no k6 binary', async () => {
    const r = await runCli(['run', 'load', '--engine', 'k6', '--thresholds', join(FIXTURES, 'impossible.json')], { K6_BIN: join(root, 'no-such-k6') });
    assert.equal(r.code, 104);
    assert.match(r.stderr, /--engine k6: K6_BIN=.*no-such-k6 is not an executable file/);
  });
});

describe('run: verdicts', () => {
  it('exits 99 on an impossible threshold file and junit.xml shows the failing testcase', async () => {
    const results = fresh('impossible');
    const r = await runCli(
      ['run', 'load', '--infra', 'external', '--engine', 'node', '--profile', 'short', '--quiet', '--thresholds', join(FIXTURES, 'impossible.json'), '--results', results],
      externalEnv(infra.endpoints),
    );
    assert.equal(r.code, 99, r.stderr);
    const dir = resultsDirOf(results, 'load');
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(junit, /<testcase classname="k6-llm-perf\.load\.threshold" name="http_req_duration: p\(95\)&lt;0" time="0">\n\s+<failure /);
    assert.match(junit, /name="iterations: count&gt;=0" time="0"\/>/);
    assert.equal(readJson(join(dir, 'verdict.json')).exitCode, 99);
    assert.match(r.stdout, /FAIL\s+threshold\s+http_req_duration\s+p\(95\)<0/);
  });

  it('runs a k6 binary when asked, converting its JSON output to timeseries.json', async () => {
    const results = fresh('k6');
    const r = await runCli(
      ['run', 'load', '--infra', 'external', '--engine', 'k6', '--thresholds', join(FIXTURES, 'impossible.json'), '--results', results],
      { ...externalEnv(infra.endpoints), K6_BIN: join(FIXTURES, 'fake-k6.mjs') },
    );
    assert.equal(r.code, 99, r.stderr);
    const dir = resultsDirOf(results, 'load');
    const meta = readJson<{ engine: { kind: string; args: string[] } }>(join(dir, 'meta.json'));
    assert.equal(meta.engine.kind, 'k6');
    assert.ok(meta.engine.args.some((a) => a.startsWith('BASE_URL=http://127.0.0.1:')));
    const ts = readJson<{ version: number; buckets: Array<{ http_reqs?: number }> }>(join(dir, 'timeseries.json'));
    assert.equal(ts.version, 1);
    assert.equal(ts.buckets.reduce((n, b) => n + (b.http_reqs ?? 0), 0), 5);
  });

  it('passes the engine exit code of a script error through as 107', async () => {
    const results = fresh('k6-error');
    const r = await runCli(
      ['run', 'load', '--infra', 'external', '--engine', 'k6', '--thresholds', join(FIXTURES, 'impossible.json'), '--results', results],
      { ...externalEnv(infra.endpoints), K6_BIN: join(FIXTURES, 'fake-k6.mjs'), FAKE_K6_EXIT: '107' },
    );
    assert.equal(r.code, 107, r.stderr);
    assert.match(readFileSync(join(resultsDirOf(results, 'load'), 'junit.xml'), 'utf8'), /<error type="exit-107"/);
  });

  it('on SIGTERM stops the run, tears the target down and exits 105', async () => {
    const results = fresh('sigterm');
    let sent = false;
    const r = await runCli(
      ['run', 'load', '--infra', 'external', '--engine', 'node', '--duration', '60s', '--quiet', '--thresholds', join(FIXTURES, 'impossible.json'), '--results', results],
      externalEnv(infra.endpoints),
      (stderr, pid) => {
        if (!sent && stderr.includes('run: executing load')) {
          sent = true;
          setTimeout(() => process.kill(pid, 'SIGTERM'), 1500);
        }
      },
    );
    assert.equal(r.code, 105, r.stderr);
    const meta = readJson<{ target: { pid: number }; exitCode: number }>(join(resultsDirOf(results, 'load'), 'meta.json'));
    assert.equal(meta.exitCode, 105);
    assert.equal(isAlive(meta.target.pid), false);
  });
});
