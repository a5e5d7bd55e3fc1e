/**
 * Everything checked before a run starts anything (exit 104 on a problem): the scenario, its
 * threshold file (schema + expressions) and the engine. Light imports only, so a configuration
 * error is reported fast.
 */
import { basename, join, resolve } from 'node:path';
import { SCENARIO_NAMES, kitCatalog } from './catalog.ts';
import type { ScenarioEntry } from './scenario-entry.ts';
import { loadThresholdFile, type ThresholdFile } from './thresholds-file.ts';
import { checkExpression } from './threshold-eval.ts';
import { selectEngine, type EngineSpec } from './engine-select.ts';
import { KIT_ROOT } from './results-dir.ts';
import { RunConfigError } from './errors.ts';
import { isScriptPath, type RunOptions } from './options.ts';

export interface Prepared {
  entry: ScenarioEntry;
  file: ThresholdFile;
  engine: EngineSpec;
}

/** `run ./perf/x.ts --thresholds f.json [--services ...] [--mock-llm]`: an entry of its own. */
export function adHocEntry(opts: RunOptions, script: string): ScenarioEntry {
  const name =
    basename(script)
      .replace(/\.[^.]+$/, '')
      .replace(/[^A-Za-z0-9_.-]/g, '-') || 'script';
  return {
    name,
    summary: script,
    script: opts.services ?? [],
    target: false,
    stub: opts.mockLlm ? 'script' : false,
    scriptFile: resolve(script),
  };
}

/** The entry a name stands for: the config's scenario, a script path, or the kit's scenario. */
export function entryOf(opts: RunOptions, scenario: string): ScenarioEntry | undefined {
  return (
    opts.config?.entries.get(scenario) ??
    (isScriptPath(scenario) ? adHocEntry(opts, scenario) : kitCatalog().entries.get(scenario))
  );
}

/** What `run all` runs: the config's scenarios when there is a config, else the kit's ten. */
export function scenariosOfAll(opts: RunOptions): string[] {
  return opts.config ? [...opts.config.entries.keys()] : [...SCENARIO_NAMES];
}

export function prepare(opts: RunOptions, scenario: string): Prepared {
  const entry = entryOf(opts, scenario);
  if (!entry) throw new RunConfigError([`scenario ${JSON.stringify(scenario)}: unknown`]);
  const path = opts.thresholdsFile ?? entry.thresholdsFile ?? join(KIT_ROOT, 'thresholds', `${scenario}.json`);
  const file = loadThresholdFile(path, checkExpression);
  const engine = selectEngine(opts.engine);
  return { entry, file, engine };
}

/** Prepares several scenarios, collecting every problem of every file before failing. */
export function prepareAll(opts: RunOptions, scenarios: readonly string[]): Prepared[] {
  const problems: string[] = [];
  const out: Prepared[] = [];
  for (const s of scenarios) {
    try {
      out.push(prepare(opts, s));
    } catch (err) {
      if (!(err instanceof RunConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new RunConfigError([...new Set(problems)]);
  return out;
}
