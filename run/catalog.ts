/**
 * The kit's own scenarios: not a list here but the kit's config, k6-llm-perf.config.ts at the
 * package root, declared with the same defineConfig a user writes and loaded by the same loader
 * (run/config.ts), so that `npm run k6:<scenario>` and `run all` dogfood the config mechanism.
 * The names are read without validating (cheap, for `run --help`); the entries are validated
 * on first use.
 */
import { join } from 'node:path';
import kitConfig from '../k6-llm-perf.config.ts';
import { configFromData } from './config.ts';
import type { LoadedConfig } from './config-entries.ts';
import { KIT_ROOT } from './results-dir.ts';

export { TARGET_SERVICES, servicesFor, type ScenarioEntry, type Service } from './scenario-entry.ts';

/** The kit's config file. */
export const KIT_CONFIG_FILE = join(KIT_ROOT, 'k6-llm-perf.config.ts');

/** The kit's scenario names, in the config's order. */
export const SCENARIO_NAMES: readonly string[] = Object.keys(kitConfig.scenarios);

let loaded: LoadedConfig | undefined;

/** The kit's config, validated and turned into entries (exit 104 naming the file if it were broken). */
export function kitCatalog(): LoadedConfig {
  return (loaded ??= configFromData(KIT_CONFIG_FILE, kitConfig));
}
