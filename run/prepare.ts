/**
 * Everything checked before a run starts anything (exit 104 on a problem): the scenario, its
 * threshold file (schema + expressions) and the engine. Light imports only, so a configuration
 * error is reported fast.
 */
import { join } from 'node:path';
import { SCENARIOS, type ScenarioEntry } from './catalog.ts';
import { loadThresholdFile, type ThresholdFile } from './thresholds-file.ts';
import { checkExpression } from './threshold-eval.ts';
import { selectEngine, type EngineSpec } from './engine-select.ts';
import { KIT_ROOT } from './results-dir.ts';
import { RunConfigError } from './errors.ts';
import type { RunOptions } from './options.ts';

export interface Prepared {
  entry: ScenarioEntry;
  file: ThresholdFile;
  engine: EngineSpec;
}

export function prepare(opts: RunOptions, scenario: string): Prepared {
  const entry = SCENARIOS.get(scenario);
  if (!entry) throw new RunConfigError([`scenario ${JSON.stringify(scenario)}: unknown`]);
  const path = opts.thresholdsFile ?? join(KIT_ROOT, 'thresholds', `${scenario}.json`);
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
