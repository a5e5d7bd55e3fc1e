/**
 * Every scenario end to end in short mode (PROFILE=short) on real local infrastructure,
 * the real mock LLM and the real reference target, through the orchestrator's in-process API:
 * the infrastructure comes up once for the file and is reset between scenarios, as in `run all`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { SCENARIO_NAMES } from '../../infra/run/catalog.ts';
import { runScenariosOn } from '../../infra/run/run-all.ts';
import type { RunOptions } from '../../infra/run/options.ts';
import { renderTable } from '../../infra/run/summary-md.ts';

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
