/** The `run` command's action: options → RunOptions, signals trapped, one scenario or all, the exit code. */
import type { ProgressMode, ProviderName } from '../infra/index.ts';
import type { EngineChoice } from './engine-select.ts';
import { parseEnvPairs, parseServices, validateRunOptions, type LlmProvider, type RunOptions } from './options.ts';
import { findConfig, loadConfig, type LoadedConfig } from './config.ts';
import { RunConfigError } from './errors.ts';
import { trapSignals } from './teardown.ts';
import { parseDuration } from '../engine/options/duration.ts';
import { prepareAll, scenariosOfAll } from './prepare.ts';
import { cleanLeftovers, type CleanOptions } from '../infra/lifecycle/leftovers.ts';

export interface CliRunOptions {
  thresholds?: string;
  engine: string;
  infra: string;
  target?: string;
  llmUrl?: string;
  llmProvider?: string;
  rate?: string;
  duration?: string;
  vus?: string;
  profile?: string;
  env: string[];
  secretSource?: string[];
  baseline?: string[];
  strict?: boolean;
  results: string;
  quiet?: boolean;
  healthGrace?: string;
  build: boolean;
  progress: string;
  services?: string;
  mockLlm?: boolean;
  config?: string;
}

export function toRunOptions(scenario: string, o: CliRunOptions, config?: LoadedConfig): RunOptions {
  const problems: string[] = [];
  const env = parseEnvPairs(o.env, problems);
  const services = parseServices(o.services, problems);
  if (!['auto', 'tty', 'plain', 'silent'].includes(o.progress))
    problems.push(`--progress ${o.progress}: expected auto, tty, plain or silent`);
  const grace = o.healthGrace === undefined ? undefined : parseDuration(o.healthGrace);
  if (typeof grace === 'object') problems.push(`--health-grace ${o.healthGrace}: ${grace.error}`);
  if (problems.length) throw new RunConfigError(problems);
  const opts: RunOptions = {
    scenario,
    thresholdsFile: o.thresholds,
    engine: o.engine as EngineChoice,
    infra: o.infra as ProviderName,
    targetUrl: o.target,
    llmUrl: o.llmUrl,
    ...(o.llmProvider !== undefined ? { llmProvider: o.llmProvider as LlmProvider } : {}),
    overrides: { RATE: o.rate, DURATION: o.duration, VUS: o.vus, PROFILE: o.profile },
    env,
    ...(o.secretSource?.length ? { secretSources: o.secretSource } : {}),
    baseline: o.baseline,
    strict: o.strict === true,
    resultsRoot: o.results,
    quiet: o.quiet === true,
    ...(typeof grace === 'number' ? { healthGraceMs: grace } : {}),
    progress: o.progress as ProgressMode,
    build: o.build,
    ...(services ? { services } : {}),
    ...(o.mockLlm ? { mockLlm: true } : {}),
    ...(config ? { config } : {}),
  };
  validateRunOptions(opts);
  return opts;
}

/** Runs and returns the exit code; bad configuration throws RunConfigError (the CLI prints it, exit 104). */
export async function runCli(scenario: string, o: CliRunOptions): Promise<number> {
  const configFile = o.config ?? findConfig(process.cwd());
  const config = configFile ? await loadConfig(configFile) : undefined;
  const opts = toRunOptions(scenario, o, config);
  prepareAll(opts, opts.scenario === 'all' ? scenariosOfAll(opts) : [opts.scenario]); // fast exit 104, before heavy imports
  const [{ runScenario }, { runAll }] = await Promise.all([import('./pipeline.ts'), import('./run-all.ts')]);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  await cleanBeforeRun(log);
  const trap = trapSignals(log);
  try {
    const ctx = { signal: trap.signal, log, out: (t: string) => void process.stdout.write(t) };
    if (opts.scenario === 'all') return await runAll(opts, ctx);
    return (await runScenario(opts, opts.scenario, ctx)).exitCode;
  } finally {
    trap.release();
  }
}

/** What dead runs left (servers, temp dirs) is stopped and removed before this run starts; one line per item. */
export async function cleanBeforeRun(log: (line: string) => void, opts?: CleanOptions): Promise<void> {
  for (const line of (await cleanLeftovers(opts)).lines) log(line);
}
