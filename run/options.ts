/** The options of one `run`, validated: every bad value is reported at once, naming the option. */
import { existsSync } from 'node:fs';
import type { ProgressMode, ProviderName } from '../infra/index.ts';
import { SCENARIO_NAMES } from './catalog.ts';
import { TARGET_SERVICES, type Service } from './scenario-entry.ts';
import type { LoadedConfig } from './config.ts';
import type { EngineChoice } from './engine-select.ts';
import { RunConfigError } from './errors.ts';
import { baselineProblems } from '../report/baseline-check.ts';
import { llamaMissing } from '../infra/llama/paths.ts';
import { makeSecretSources } from '../engine/secrets/sources.ts';

export interface RunOptions {
  /** A scenario name, or 'all'. */
  scenario: string;
  /** --thresholds FILE (default thresholds/<scenario>.json). */
  thresholdsFile?: string;
  engine: EngineChoice;
  infra: ProviderName;
  /** --target URL: the user's own service; no reference target, no infra it alone would need. */
  targetUrl?: string;
  /** --llm-url URL: a real provider for the target instead of the stub (end to end). */
  llmUrl?: string;
  /** --llm-provider: the LLM the kit starts itself, the mock (default) or llama-server (infra/llama). */
  llmProvider?: LlmProvider;
  /** RATE, DURATION, VUS, PROFILE for the script. */
  overrides: { RATE?: string; DURATION?: string; VUS?: string; PROFILE?: string };
  /** -e KEY=VAL for the script. */
  env: Record<string, string>;
  /**
   * --secret-source (repeatable): k6's secret sources for k6/secrets, handed to the engine as given.
   * Checked at start with the engine's parser (k6 v2.2.0's file, mock, url): a bad one is exit 104
   * before anything starts, where `engine run` and k6 exit 255. With `--engine k6` the k6 binary
   * judges them (a k6 built with xk6 may have more source types).
   */
  secretSources?: readonly string[];
  /**
   * --baseline DIR (repeatable): previous results folders (or a folder of runs), pooled; regression rules of
   * the threshold file (docs/regression.md).
   */
  baseline?: string | readonly string[];
  /** --strict: a regression rule too short of samples to decide (inconclusive) fails the run too. */
  strict?: boolean;
  resultsRoot: string;
  /** Hide the engine's own output (the verdict is still printed). */
  quiet: boolean;
  /** --health-grace: how long a component may stay down before the run stops (default 5 s). */
  healthGraceMs?: number;
  progress: ProgressMode;
  /** False: use dist/scripts/<scenario>.js as it is. */
  build: boolean;
  /** --services for an ad-hoc script (`run ./script.ts`): what it talks to. */
  services?: Service[];
  /** --mock-llm for an ad-hoc script: start the mock LLM (LLM_URL). */
  mockLlm?: boolean;
  /** The user's k6-llm-perf.config.ts, when one was found or given: its scenarios join the kit's. */
  config?: LoadedConfig;
}

/** `run ./perf/x.ts`: a script path rather than a scenario name. */
export function isScriptPath(scenario: string): boolean {
  return /\.(ts|mts|js|mjs)$/.test(scenario) || scenario.includes('/');
}

/** The scenario names `run` accepts: the config's, then the kit's. */
export function scenarioNames(config?: LoadedConfig): string[] {
  return [...new Set([...(config?.entries.keys() ?? []), ...SCENARIO_NAMES])];
}

/** Parses `--services redis,postgres`. */
export function parseServices(list: string | undefined, problems: string[]): Service[] | undefined {
  if (list === undefined) return undefined;
  const out = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = out.filter((s) => !TARGET_SERVICES.includes(s as Service));
  if (bad.length)
    problems.push(`--services ${list}: unknown ${bad.join(', ')}; expected a list of redis, postgres, kafka`);
  return TARGET_SERVICES.filter((s) => out.includes(s));
}

export const LLM_PROVIDERS = ['mock', 'llama-server'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

export const ENGINES: readonly EngineChoice[] = ['auto', 'k6', 'node'];
export const PROVIDERS: readonly ProviderName[] = ['auto', 'local', 'testcontainers', 'external'];

export function checkUrl(option: string, value: string | undefined, problems: string[]): void {
  if (value === undefined) return;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      problems.push(`${option}: expected an http(s) URL, got ${JSON.stringify(value)}`);
  } catch {
    problems.push(`${option}: expected a URL such as http://127.0.0.1:8080, got ${JSON.stringify(value)}`);
  }
}

/** Parses `-e KEY=VAL` entries. */
export function parseEnvPairs(pairs: readonly string[], problems: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) problems.push(`-e ${pair}: expected KEY=VALUE`);
    else env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

/** --llm-provider: a known name, not with --llm-url, and llama-server installed (npm run setup:llama). */
function llmProviderProblems(o: RunOptions, problems: string[]): void {
  const p = o.llmProvider;
  if (p === undefined || p === 'mock') return;
  if (!LLM_PROVIDERS.includes(p)) {
    problems.push(`--llm-provider ${String(p)}: expected one of ${LLM_PROVIDERS.join(', ')}`);
    return;
  }
  if (o.llmUrl !== undefined) problems.push(`--llm-provider ${p}: not with --llm-url (one LLM per run)`);
  const missing = llamaMissing();
  if (missing.length) problems.push(`--llm-provider ${p}: ${missing.join(' and ')} not installed; run npm run setup:llama`); // prettier-ignore
}

/** Checks the options; throws RunConfigError (exit 104) listing every problem. */
export function validateRunOptions(o: RunOptions): void {
  const problems: string[] = [];
  const script = isScriptPath(o.scenario);
  if (script) {
    if (!existsSync(o.scenario)) problems.push(`script ${o.scenario}: no such file`);
    if (o.thresholdsFile === undefined)
      problems.push(`script ${o.scenario}: --thresholds FILE is required with a script`);
  } else if (o.scenario !== 'all' && !scenarioNames(o.config).includes(o.scenario)) {
    problems.push(
      `scenario ${JSON.stringify(o.scenario)}: unknown; expected one of ${scenarioNames(o.config).join(', ')}, a script path, or all`,
    );
  }
  if (!script && (o.services !== undefined || o.mockLlm))
    problems.push('--services, --mock-llm: only with a script path (a scenario declares what it needs)');
  if (!ENGINES.includes(o.engine)) problems.push(`--engine ${o.engine}: expected one of ${ENGINES.join(', ')}`);
  if (!PROVIDERS.includes(o.infra)) problems.push(`--infra ${o.infra}: expected one of ${PROVIDERS.join(', ')}`);
  checkUrl('--target', o.targetUrl, problems);
  checkUrl('--llm-url', o.llmUrl, problems);
  llmProviderProblems(o, problems);
  if (o.overrides.RATE !== undefined && !/^\d+(\.\d+)?$/.test(o.overrides.RATE))
    problems.push(`--rate ${o.overrides.RATE}: expected a number of iterations per second`);
  if (o.overrides.VUS !== undefined && !/^[1-9]\d*$/.test(o.overrides.VUS))
    problems.push(`--vus ${o.overrides.VUS}: expected a positive integer`);
  if (o.overrides.DURATION !== undefined && !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(o.overrides.DURATION)) {
    problems.push(`--duration ${o.overrides.DURATION}: expected a duration such as 30s, 5m or 1h30m`);
  }
  if (o.overrides.PROFILE !== undefined && !/^[a-z][a-z0-9-]*$/.test(o.overrides.PROFILE))
    problems.push(`--profile ${o.overrides.PROFILE}: expected a profile name such as short`);
  if (o.thresholdsFile !== undefined && o.scenario === 'all')
    problems.push('--thresholds: not with all (each scenario uses thresholds/<scenario>.json)');
  if (o.thresholdsFile !== undefined && !existsSync(o.thresholdsFile))
    problems.push(`--thresholds ${o.thresholdsFile}: no such file`);
  if (o.baseline !== undefined && o.scenario === 'all')
    problems.push('--baseline: not with all (compare one scenario at a time)');
  if (o.baseline !== undefined && o.scenario !== 'all')
    problems.push(...baselineProblems(typeof o.baseline === 'string' ? [o.baseline] : o.baseline, o.scenario));
  if (o.secretSources?.length && o.engine !== 'k6') {
    const env = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    problems.push(...makeSecretSources(o.secretSources, env, process.cwd()).problems);
  }
  if (problems.length) throw new RunConfigError(problems);
}
