/**
 * The kit's own scenarios come from its k6-llm-perf.config.ts through the config loader (no
 * hard-coded catalog): what each one brings up, with and without `--target`, and the config
 * fields that express it (`service: 'reference'`, a scenario's `service: false` and `mockLlm`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIO_NAMES, kitCatalog, servicesFor } from '../../run/catalog.ts';
import { configFromData } from '../../run/config.ts';
import { RunConfigError } from '../../run/errors.ts';
import { KIT_ROOT } from '../../run/results-dir.ts';

/** What each scenario needed in the catalog this config replaced: [script's services, drives the target, stub]. */
const EXPECTED: Record<string, [string[], boolean, 'target' | 'script' | false]> = {
  load: [[], true, 'target'],
  stress: [[], true, 'target'],
  endurance: [[], true, 'target'],
  spike: [[], true, 'target'],
  redis: [['redis'], false, false],
  queue: [['redis'], true, 'target'],
  batch: [[], true, 'target'],
  bulk: [['postgres'], true, 'target'],
  outbox: [['postgres', 'kafka'], true, 'target'],
  'llm-stream': [[], false, 'script'],
};

function caught(fn: () => unknown): RunConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RunConfigError) return err;
    throw err;
  }
  assert.fail('expected a RunConfigError');
}

describe("the kit's own config", () => {
  it('should declare the ten scenarios, in order, each with its script and threshold file', () => {
    assert.deepEqual([...SCENARIO_NAMES], Object.keys(EXPECTED));
    const { entries } = kitCatalog();
    for (const name of SCENARIO_NAMES) {
      const e = entries.get(name)!;
      assert.equal(e.scriptFile, join(KIT_ROOT, 'scripts', `${name}.ts`));
      assert.equal(e.kitScript, true, `${name}: bundled to dist/scripts/ as before`);
      assert.equal(e.thresholdsFile, join(KIT_ROOT, 'thresholds', `${name}.json`));
      assert.deepEqual([e.seed, e.performanceMode, e.service], [42, true, undefined]);
    }
  });

  it('should bring up for each scenario what the reference service and its script need', () => {
    const { entries } = kitCatalog();
    for (const [name, [script, target, stub]] of Object.entries(EXPECTED)) {
      const e = entries.get(name)!;
      assert.deepEqual([e.script, e.target, e.stub], [script, target, stub], name);
      const withReference = target ? ['redis', 'postgres', 'kafka'] : script;
      assert.deepEqual(servicesFor(e, false), withReference, `${name} with the reference service`);
      assert.deepEqual(servicesFor(e, true), script, `${name} with --target`);
    }
  });

  it('should reset the reference service’s tables and topic between scenarios', () => {
    assert.deepEqual(kitCatalog().reset, {
      redis: true,
      tables: ['outbox_events', 'llm_requests'],
      topics: ['llm.requests.events'],
    });
  });

  it('should have an npm script k6:<name> for each scenario, k6:all and k6:capacity', () => {
    const pkg = JSON.parse(readFileSync(join(KIT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const k6 = Object.keys(pkg.scripts).filter((s) => s.startsWith('k6:'));
    assert.deepEqual(k6.sort(), [...SCENARIO_NAMES.map((n) => `k6:${n}`), 'k6:all', 'k6:capacity'].sort());
    for (const n of SCENARIO_NAMES) assert.equal(pkg.scripts[`k6:${n}`], `node bin/k6-llm-perf.js run ${n}`);
    assert.equal(pkg.scripts['k6:capacity'], 'node bin/k6-llm-perf.js capacity');
  });
});

describe("a config's reference service", () => {
  const scenarios = (extra: object) => ({
    api: { script: 'scripts/load.ts', thresholds: 'thresholds/load.json', ...extra },
  });
  const at = join(KIT_ROOT, 'k6-llm-perf.config.ts');

  it('should drive the reference service unless a scenario says service: false', () => {
    const drives = configFromData(at, { service: 'reference', scenarios: scenarios({}) }).entries.get('api')!;
    assert.deepEqual([drives.target, drives.stub], [true, 'target']);
    const alone = configFromData(at, { service: 'reference', scenarios: scenarios({ service: false }) });
    assert.deepEqual([alone.entries.get('api')!.target, alone.entries.get('api')!.stub], [false, false]);
  });

  it('should start the mock LLM for a script that calls it, even with --target', () => {
    const e = configFromData(at, { service: 'reference', scenarios: scenarios({ mockLlm: true }) }).entries.get('api')!;
    assert.equal(e.stub, 'script');
  });

  it("should not start a config's own service for a scenario with service: false", () => {
    const config = { service: { command: 'node server.js' }, scenarios: scenarios({ service: false }) };
    assert.equal(configFromData(at, config).entries.get('api')!.service, undefined);
  });

  it('should exit 104 naming /service for anything but "reference" or an object', () => {
    const err = caught(() => configFromData(at, { service: 'referense', scenarios: scenarios({}) }));
    assert.equal(err.exitCode, 104);
    assert.match(
      err.message,
      /k6-llm-perf\.config\.ts: \/service: must be "reference" \(the kit's reference service\)/,
    );
  });
});
