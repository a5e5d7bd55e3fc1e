/**
 * The options of `capacity <scenario>`: the run options it shares with `run` (engine, infra,
 * target, thresholds, -e ...) and the search's own, validated together: every problem at once,
 * each naming its option (exit 104 before anything starts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '../../engine/options/duration.ts';
import { toRunOptions, type CliRunOptions } from '../cli-run.ts';
import type { LoadedConfig } from '../config.ts';
import { RunConfigError } from '../errors.ts';
import { isScriptPath, type RunOptions } from '../options.ts';
import { prepare } from '../prepare.ts';
import { knobOf, mainTrendOf, type Knob, type MainTrend } from './knob.ts';
import { searchConfigProblems, type SearchConfig } from './search.ts';

export interface CliCapacityOptions extends Pick<
  CliRunOptions,
  | 'thresholds'
  | 'engine'
  | 'infra'
  | 'target'
  | 'llmUrl'
  | 'profile'
  | 'env'
  | 'results'
  | 'quiet'
  | 'healthGrace'
  | 'build'
  | 'progress'
  | 'config'
> {
  knob?: string;
  trend?: string;
  start?: string;
  growth: string;
  resolution: string;
  maxSteps: string;
  maxLoad: string;
  stepDuration: string;
  warmup: string;
  repeat: string;
  min?: string;
  baseline?: string;
  maxDrop?: string;
}

export interface CapacityOptions {
  run: RunOptions;
  knob: Knob;
  trend: MainTrend;
  search: SearchConfig;
  /** Measured length of each step, a k6 duration (DURATION). */
  stepDuration: string;
  /** Unmeasured run before each step at the same load ('0s': none). */
  warmup: string;
  repeat: number;
  min?: number;
  /** A previous capacity folder (its capacity.json) and the largest tolerated drop, in percent. */
  baseline?: { dir: string; capacity: number | null; maxDropPct: number };
}

/** The baseline's capacity.json fields the gate reads. */
interface BaselineFile {
  scenario?: unknown;
  knob?: { env?: unknown };
  capacity?: unknown;
}

function positive(option: string, raw: string | undefined, problems: string[], integer = false): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw.replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    problems.push(`${option} ${raw}: expected a positive ${integer ? 'integer' : 'number'}`);
    return undefined;
  }
  return n;
}

function duration(option: string, raw: string, problems: string[], allowZero: boolean): void {
  const ms = parseDuration(raw);
  if (typeof ms === 'object' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(raw))
    problems.push(`${option} ${raw}: expected a duration such as 10s or 1m`);
  else if (!allowZero && ms <= 0) problems.push(`${option} ${raw}: expected a duration above 0`);
}

function readBaseline(dir: string, scenario: string, knob: Knob | null, problems: string[]): number | null {
  const file = join(dir, 'capacity.json');
  if (!existsSync(file)) {
    problems.push(`--baseline ${dir}: no capacity.json (expected a folder written by \`capacity\`)`);
    return null;
  }
  let data: BaselineFile;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as BaselineFile;
  } catch (err) {
    problems.push(`--baseline ${file}: not JSON (${(err as Error).message})`);
    return null;
  }
  if (data.scenario !== scenario) problems.push(`--baseline ${file}: field "scenario" is ${JSON.stringify(data.scenario)}, expected "${scenario}"`); // prettier-ignore
  if (knob && data.knob?.env !== knob.env) problems.push(`--baseline ${file}: field "knob.env" is ${JSON.stringify(data.knob?.env)}, expected "${knob.env}"`); // prettier-ignore
  if (data.capacity !== null && typeof data.capacity !== 'number')
    problems.push(`--baseline ${file}: field "capacity" must be a number or null`);
  return typeof data.capacity === 'number' ? data.capacity : null;
}

/** Builds and checks every option; throws RunConfigError listing every problem. */
export function toCapacityOptions(scenario: string, o: CliCapacityOptions, config?: LoadedConfig): CapacityOptions {
  const problems: string[] = [];
  if (scenario === 'all') problems.push('capacity all: one scenario at a time');
  if (isScriptPath(scenario))
    problems.push(`capacity ${scenario}: a scenario name (the kit's or your config's), not a script path; declare the script as a scenario in k6-llm-perf.config.ts`); // prettier-ignore
  let run: RunOptions | undefined;
  try {
    const { baseline: _capacityBaseline, ...shared } = o; // --baseline is the capacity gate's, not a regression comparison
    run = toRunOptions(scenario === 'all' ? 'load' : scenario, { ...shared, env: o.env ?? [] }, config);
  } catch (err) {
    if (!(err instanceof RunConfigError)) throw err;
    problems.push(...err.problems);
  }
  const env = run?.env ?? {};
  if (env.SWEEP !== undefined) problems.push('-e SWEEP: not with capacity (the search chooses the levels)');
  for (const k of ['RATE', 'VUS', 'DURATION'])
    if (env[k] !== undefined) problems.push(`-e ${k}: set by the search (use --start, --max-load, --step-duration)`);
  if (o.knob !== undefined && o.knob !== 'RATE' && o.knob !== 'VUS') problems.push(`--knob ${o.knob}: expected RATE or VUS`); // prettier-ignore
  const knob = knobOf(scenario, env, o.knob);
  if (!knob && scenario !== 'all')
    problems.push(`scenario ${scenario}: no load knob known; pass --knob RATE (arrival rate) or --knob VUS (virtual users)`); // prettier-ignore
  let trend: MainTrend | null = null;
  let fileMaxDrop: number | undefined;
  if (run && scenario !== 'all') {
    try {
      const file = prepare(run, scenario).file;
      fileMaxDrop = file.capacity?.maxDropPct;
      trend = mainTrendOf(file, o.trend);
      if (!trend)
        problems.push(o.trend ? `--trend ${o.trend}: no latency threshold (p(N), avg, med, min, max) on it in the threshold file` : `scenario ${scenario}: its threshold file has no latency threshold; pass --trend METRIC`); // prettier-ignore
    } catch (err) {
      if (!(err instanceof RunConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  const resolution = positive('--resolution', o.resolution, problems);
  const search: SearchConfig = {
    start: positive('--start', o.start, problems) ?? (scenario === 'llm-stream' && knob?.env === 'VUS' ? 2 : 1),
    growth: positive('--growth', o.growth, problems) ?? 2,
    resolution: resolution === undefined ? 0.05 : resolution / 100,
    maxSteps: positive('--max-steps', o.maxSteps, problems, true) ?? 12,
    maxLoad: positive('--max-load', o.maxLoad, problems) ?? 1000,
    integer: knob?.integer ?? true,
  };
  problems.push(...searchConfigProblems(search));
  duration('--step-duration', o.stepDuration, problems, false);
  duration('--warmup', o.warmup, problems, true);
  const repeat = positive('--repeat', o.repeat, problems, true) ?? 1;
  const min = positive('--min', o.min, problems);
  // --max-drop, else the threshold file's `capacity.maxDropPct`, else 10
  const maxDropPct = positive('--max-drop', o.maxDrop, problems) ?? fileMaxDrop ?? 10;
  const baseline =
    o.baseline === undefined
      ? undefined
      : { dir: o.baseline, capacity: readBaseline(o.baseline, scenario, knob, problems), maxDropPct };
  if (problems.length) throw new RunConfigError(problems);
  return {
    run: run!,
    knob: knob!,
    trend: trend!,
    search,
    stepDuration: o.stepDuration,
    warmup: o.warmup,
    repeat,
    ...(min !== undefined ? { min } : {}),
    ...(baseline ? { baseline } : {}),
  };
}
