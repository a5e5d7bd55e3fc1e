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
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm } from '../../mock-llm/index.ts';
import { spawnTarget } from '../../service/index.ts';
import { SCENARIO_NAMES } from '../../run/catalog.ts';
import { runScenariosOn } from '../../run/run-all.ts';
import type { RunOptions } from '../../run/options.ts';
import { renderTable } from '../../run/summary-md.ts';
import { FIXTURES, externalEnv, isAlive, readJson, resultsDirOf, runCli } from './helpers.ts';

let infra: InfraHandle;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-scenarios-'));
  infra = await startInfra({
    provider: 'local',
    services: ['redis', 'postgres', 'kafka'],
    progress: 'silent',
    logDir: root,
  });
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
      const ctx = {
        signal: new AbortController().signal,
        log: (l: string) => lines.push(l),
        out: (t: string) => lines.push(t),
      };
      const [outcome] = await runScenariosOn(options(scenario), [scenario], infra, ctx);
      assert.ok(outcome, 'no outcome');
      const detail = `${outcome.verdict ? renderTable(outcome.verdict.checks) : ''}\n${lines.join('\n')}`;
      assert.equal(outcome.exitCode, 0, detail);
      assert.ok(
        outcome.verdict!.checks.some((c) => c.source === 'threshold'),
        'no threshold was evaluated',
      );
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
      [
        'run',
        'load',
        '--infra',
        'external',
        '--engine',
        'node',
        '--profile',
        'short',
        '--duration',
        '3s',
        '--quiet',
        '--thresholds',
        join(FIXTURES, 'impossible.json'),
        '--results',
        results,
      ],
      externalEnv(infra.endpoints),
    );
    assert.equal(r.code, 99, r.stderr);
    const dir = resultsDirOf(results, 'load');
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(
      junit,
      /<testcase classname="k6-llm-perf\.load\.threshold" name="http_req_duration: p\(95\)&lt;0" time="0">\n\s+<failure /,
    );
    assert.match(junit, /name="iterations: count&gt;=0" time="0"\/>/);
    assert.equal(readJson(join(dir, 'verdict.json')).exitCode, 99);
    assert.match(r.stdout, /FAIL\s+threshold\s+http_req_duration\s+p\(95\)<0/);
  });

  it('on SIGTERM stops the run, tears the target down and exits 105', async () => {
    const results = join(root, 'sigterm');
    let sent = false;
    const r = await runCli(
      [
        'run',
        'load',
        '--infra',
        'external',
        '--engine',
        'node',
        '--duration',
        '60s',
        '--quiet',
        '--thresholds',
        join(FIXTURES, 'impossible.json'),
        '--results',
        results,
      ],
      externalEnv(infra.endpoints),
      (stderr, pid) => {
        if (!sent && stderr.includes('run: executing load')) {
          sent = true;
          setTimeout(() => process.kill(pid, 'SIGTERM'), 1500);
        }
      },
    );
    assert.equal(r.code, 105, r.stderr);
    const meta = readJson<{ target: { pid: number }; exitCode: number }>(
      join(resultsDirOf(results, 'load'), 'meta.json'),
    );
    assert.equal(meta.exitCode, 105);
    assert.equal(isAlive(meta.target.pid), false);
  });
});

describe('end to end variants', () => {
  const ctxOf = (lines: string[]) => ({
    signal: new AbortController().signal,
    log: (l: string) => lines.push(l),
    out: (t: string) => lines.push(t),
  });

  it("with --llm-url, sends the target's LLM calls to that provider and writes its key nowhere", async () => {
    const provider = await startMockLlm({ port: 0, seed: 7, performanceMode: true });
    const secret = `sk-test-${Date.now()}`;
    process.env.LLM_API_KEY = secret;
    const lines: string[] = [];
    try {
      const [outcome] = await runScenariosOn(
        { ...options('load'), overrides: { PROFILE: 'short', DURATION: '3s' }, llmUrl: provider.url },
        ['load'],
        infra,
        ctxOf(lines),
      );
      assert.equal(outcome!.exitCode, 0, lines.join('\n'));
      assert.ok((provider.stats().requests['POST /v1/messages']?.['200'] ?? 0) > 0, 'the provider was not called');
      const meta = readJson<{ llm: { kind: string; url: string } }>(join(outcome!.resultsDir!, 'meta.json'));
      assert.deepEqual(meta.llm, { kind: 'provider', url: provider.url });
      assert.equal(existsSync(join(outcome!.resultsDir!, 'logs/mock-llm.log')), false);
      for (const f of readdirSync(outcome!.resultsDir!, { recursive: true, withFileTypes: true })) {
        if (f.isFile())
          assert.doesNotMatch(
            readFileSync(join(f.parentPath, f.name), 'utf8'),
            new RegExp(secret),
            `${f.name} holds the key`,
          );
      }
    } finally {
      delete process.env.LLM_API_KEY;
      await provider.stop();
    }
  });

  it('with --target URL, drives that service and starts no target of its own', async () => {
    const stub = await startMockLlm({ port: 0, seed: 42, performanceMode: true });
    const { redis, postgres, kafka } = infra.endpoints;
    const own = await spawnTarget({
      redisUrl: redis!.url,
      databaseUrl: postgres!.url,
      kafkaBrokers: kafka!.brokers,
      llmUrl: stub.url,
      port: 0,
    });
    const lines: string[] = [];
    try {
      const [outcome] = await runScenariosOn(
        { ...options('load'), overrides: { PROFILE: 'short', DURATION: '3s' }, targetUrl: own.url },
        ['load'],
        infra,
        ctxOf(lines),
      );
      assert.equal(outcome!.exitCode, 0, lines.join('\n'));
      const meta = readJson<{ target: { kind: string; url: string }; llm: { kind: string } }>(
        join(outcome!.resultsDir!, 'meta.json'),
      );
      assert.deepEqual(meta.target, { kind: 'external', url: own.url });
      assert.equal(meta.llm.kind, 'none');
      assert.equal(existsSync(join(outcome!.resultsDir!, 'logs/target.log')), false);
    } finally {
      await own.stop();
      await stub.stop();
    }
  });
});
