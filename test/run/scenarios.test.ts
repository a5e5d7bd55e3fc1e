/**
 * Runs on real local infrastructure, the real mock LLM and the real reference target; the
 * infrastructure comes up ONCE for the file:
 * - every scenario end to end in short mode (PROFILE=short) through the orchestrator's in-process
 *   API, the infrastructure reset between scenarios as in `run all`;
 * - the CI gate through the real CLI, given that infrastructure with `--infra external`:
 *   an impossible threshold file (exit 99, junit.xml), and SIGTERM in the middle of a run (105).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { SCENARIO_NAMES } from '../../infra/run/catalog.ts';
import { runScenariosOn } from '../../infra/run/run-all.ts';
import type { RunOptions } from '../../infra/run/options.ts';
import { renderTable } from '../../infra/run/summary-md.ts';
import { FIXTURES, externalEnv, isAlive, readJson, resultsDirOf, runCli } from './helpers.ts';

let infra: InfraHandle;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-scenarios-'));
  infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent', logDir: root });
});

after(async () => {
  await infra?.down();
  if (root) rmSync(root, { recursive: true, force: true });
});

function options(scenario: string): RunOptions {
  return {
    scenario,
    engine: 'node',
    infra: 'external',
    overrides: { PROFILE: 'short' },
    env: {},
    resultsRoot: join(root, 'results'),
    quiet: true,
    progress: 'silent',
    build: true,
  };
}

describe('every scenario in short mode on local infrastructure', () => {
  for (const scenario of SCENARIO_NAMES) {
    it(`${scenario} passes its thresholds`, async () => {
      const lines: string[] = [];
      const ctx = { signal: new AbortController().signal, log: (l: string) => lines.push(l), out: (t: string) => lines.push(t) };
      const [outcome] = await runScenariosOn(options(scenario), [scenario], infra, ctx);
      assert.ok(outcome, 'no outcome');
      const detail = `${outcome.verdict ? renderTable(outcome.verdict.checks) : ''}\n${lines.join('\n')}`;
      assert.equal(outcome.exitCode, 0, detail);
      assert.ok(outcome.verdict!.checks.some((c) => c.source === 'threshold'), 'no threshold was evaluated');
      for (const f of ['summary.json', 'verdict.json', 'meta.json', 'junit.xml', 'summary.md']) {
        assert.ok(existsSync(join(outcome.resultsDir!, f)), `${f} missing in ${outcome.resultsDir}`);
      }
    });
  }
});

describe('the CI gate through the CLI', () => {
  it('exits 99 on an impossible threshold file and junit.xml shows the failing testcase', async () => {
    const results = join(root, 'impossible');
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


  it('on SIGTERM stops the run, tears the target down and exits 105', async () => {
    const results = join(root, 'sigterm');
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
