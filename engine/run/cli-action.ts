/** The action of `engine run`: flags -> runTest options, signals, exit code. */
import { ConfigError } from '../errors.ts';
import { KitError } from '../exit-codes.ts';
import { parseStages } from '../options/consolidate.ts';
import { runTest } from './run-test.ts';

/** The flags of `engine run` as commander hands them over (cli/engine.ts defines them). */
export interface RunFlags {
  vus?: string;
  duration?: string;
  iterations?: string;
  stage?: string[];
  env?: string[];
  config?: string;
  summaryExport?: string;
  summaryTrendStats?: string;
  thresholds: boolean;
  quiet?: boolean;
  verbose?: boolean;
  summary: boolean;
  executionSegment?: string;
  executionSegmentSequence?: string;
  mode: 'auto' | 'async' | 'sync';
  workers?: string;
  timeseriesExport?: string;
  hdrExport?: string;
  samplesExport?: string;
  partExport?: string;
  secretSource?: string[];
}

function intFlag(name: string, v: string | undefined, problems: string[], min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    problems.push(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** Turns the flags into the top option layer; every problem at once. */
export function flagsToLayer(f: RunFlags): {
  layer: Record<string, unknown>;
  env: Record<string, string>;
  workers?: number;
  problems: string[];
} {
  const problems: string[] = [];
  const layer: Record<string, unknown> = {};
  const vus = intFlag('vus', f.vus, problems, 0);
  if (vus !== undefined) layer.vus = vus;
  const iterations = intFlag('iterations', f.iterations, problems, 0);
  if (iterations !== undefined) layer.iterations = iterations;
  if (f.duration !== undefined) layer.duration = f.duration;
  if (f.stage?.length) {
    const s = parseStages(f.stage);
    if ('error' in s) problems.push(s.error);
    else layer.stages = s.stages;
  }
  if (f.summaryTrendStats)
    layer.summaryTrendStats = f.summaryTrendStats
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const env: Record<string, string> = {};
  for (const kv of f.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) problems.push(`--env: expected KEY=VALUE, got ${JSON.stringify(kv)}`);
    else env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const workers = intFlag('workers', f.workers, problems, 1);
  return { layer, env, workers, problems };
}

export async function runCli(script: string, f: RunFlags): Promise<number> {
  const { layer, env, workers, problems } = flagsToLayer(f);
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(105);
    process.stderr.write('\nstopping the test (press Ctrl+C again to exit now)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (problems.length) throw new ConfigError(problems);
    const res = await runTest({
      script,
      flags: layer,
      env,
      configFile: f.config,
      summaryExport: f.summaryExport,
      timeseriesExport: f.timeseriesExport,
      hdrExport: f.hdrExport,
      samplesExport: f.samplesExport,
      partExport: f.partExport,
      noThresholds: f.thresholds === false,
      noSummary: f.summary === false,
      quiet: f.quiet,
      verbose: f.verbose,
      executionSegment: f.executionSegment,
      executionSegmentSequence: f.executionSegmentSequence,
      mode: f.mode,
      secretSources: f.secretSource,
      workers,
      signal: abort.signal,
    });
    return res.exitCode;
  } catch (err) {
    if (err instanceof KitError) {
      process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 107;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
