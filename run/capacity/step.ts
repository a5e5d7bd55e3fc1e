/**
 * One step of a capacity search at one load: for each repeat, the stores reset (as between the
 * scenarios of `run all`), an unmeasured warm-up run at the same load, then the measured run in a
 * folder of its own, judged by finishRun exactly as `run` judges a scenario (its own verdict.json,
 * summary.md, junit.xml, report.html; "no samples" fails). The step holds when more than half of
 * its repeats held; its figures are the medians of the repeats, with their range as the spread.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '../../engine/options/duration.ts';
import { countWithin } from '../../report/index.ts';
import { engineVersion } from '../engine-select.ts';
import { RunExit, RunTargetError, messageOf } from '../errors.ts';
import { executeScenario } from '../execute-scenario.ts';
import { finishRun } from '../finish.ts';
import { componentError } from '../pipeline.ts';
import type { Prepared } from '../prepare.ts';
import type { RunContext, RunRecord } from '../record.ts';
import { writeJson, type ResultsDir } from '../results-dir.ts';
import { startRssSampler } from '../rss.ts';
import { isolate } from '../run-all.ts';
import { statsOf, type SummaryFile } from '../summary-values.ts';
import { k6ThresholdOptions } from '../thresholds-file.ts';
import type { VerdictCheck } from '../verdict.ts';
import type { ComponentFailure } from '../watch.ts';
import type { CapacityOptions } from './options.ts';
import type { CapacityStack } from './stack.ts';

/** One measured run of a step. */
export interface RepeatResult {
  exitCode: number;
  held: boolean;
  /** Completed iterations per second (k6's iterations rate). */
  achieved: number | null;
  /** Main-trend samples within its bound, per second. */
  goodput: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
  peakRssMb: number | null;
  /** The checks that failed (thresholds, run checks). */
  failed: VerdictCheck[];
  dir: string;
}

export interface StepResult {
  index: number;
  load: number;
  held: boolean;
  /** Not 0 or 99: the step could not be judged (engine error, component down, signal); the search ends. */
  errorExit: number | null;
  repeats: RepeatResult[];
  dir: string;
}

export interface StepEnv {
  copts: CapacityOptions;
  prepared: Prepared;
  stack: CapacityStack;
  bundle: string;
  ctx: RunContext;
  /** The search's watch: a component failure it saw (read after each run). */
  failure: () => ComponentFailure | undefined;
  /** The caller's signal (SIGINT/SIGTERM); `ctx.signal` also fires on a component failure, which is not a stop by signal. */
  stopSignal: AbortSignal;
}

function folder(path: string): ResultsDir {
  const logs = join(path, 'logs');
  mkdirSync(logs, { recursive: true });
  return { dir: path, logs, file: (f) => join(path, f) };
}

/**
 * Resets the kernel's peak-RSS mark of a process (`5` > /proc/PID/clear_refs, Linux 4.0+), so
 * VmHWM, which the RSS sampler reads, is this step's peak and not the highest since the service
 * started. False where that is not allowed: the step's figure is then the peak so far.
 */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function readSummary(path: string): SummaryFile | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SummaryFile;
  } catch {
    return null;
  }
}

/** The step's figures from summary.json and histograms.json. */
async function figures(
  dir: ResultsDir,
  env: StepEnv,
): Promise<Pick<RepeatResult, 'achieved' | 'goodput' | 'p50' | 'p95' | 'p99' | 'errorRate'>> {
  const summary = readSummary(dir.file('summary.json'));
  const m = summary?.metrics ?? {};
  const it = m.iterations ? statsOf(m.iterations) : {};
  const trend = m[env.copts.trend.metric] ? statsOf(m[env.copts.trend.metric]!) : {};
  const failedReq = m.http_req_failed ? statsOf(m.http_req_failed) : null;
  const checks = m.checks ? statsOf(m.checks) : null;
  const errorRate = failedReq?.rate ?? (checks?.rate !== undefined ? 1 - checks.rate : null);
  let goodput: number | null = null;
  const bound = env.copts.trend.bound;
  if (bound !== null && it.rate !== undefined && it.count !== undefined && it.rate > 0) {
    const within = await countWithin(dir.file('histograms.json'), env.copts.trend.metric, bound).catch(() => null);
    if (within) goodput = within.within / (it.count / it.rate);
  }
  return {
    achieved: it.rate ?? null,
    goodput,
    p50: trend.med ?? null,
    p95: trend['p(95)'] ?? null,
    p99: trend['p(99)'] ?? null,
    errorRate,
  };
}

/** A run of the scenario at `load` into `dir` (the warm-up or the measured run). */
async function execute(env: StepEnv, dir: ResultsDir, load: number, duration: string, measured: boolean) {
  const { copts, prepared, stack, ctx } = env;
  const opts = {
    ...copts.run,
    baseline: undefined,
    overrides: { ...copts.run.overrides, [copts.knob.env]: String(load), DURATION: duration },
    // llm-stream has a warm-up of its own: the search's warm-up run replaces it.
    env: env.prepared.entry.name === 'llm-stream' ? { WARMUP: '0s', ...copts.run.env } : copts.run.env,
    quiet: true,
  };
  const rec: RunRecord = {
    entry: prepared.entry,
    file: prepared.file,
    dir,
    engine: { ...prepared.engine, version: engineVersion(prepared.engine) },
    startTime: new Date(),
    errors: [],
    ...stack.facts,
  };
  writeJson(dir.file('config.json'), { thresholds: k6ThresholdOptions(prepared.file) });
  const sampler = startRssSampler();
  if (stack.servicePid !== undefined) {
    if (!resetPeakRss(stack.servicePid)) ctx.log(`capacity: cannot reset the service's peak RSS mark: its figure is the peak since it started`); // prettier-ignore
    sampler.watch('target', stack.servicePid);
  }
  try {
    rec.execution = await executeScenario({
      opts,
      ctx,
      rec,
      bundle: env.bundle,
      sampler,
      endpoints: stack.infra.endpoints,
      ...(stack.baseUrl ? { baseUrl: stack.baseUrl } : {}),
      ...(stack.llmUrl ? { llmUrl: stack.llmUrl } : {}),
    });
  } catch (err) {
    rec.errors.push(err);
  } finally {
    sampler.sample();
    sampler.stop();
    rec.peaks = { target_peak_rss_mb: sampler.peak('target'), engine_peak_rss_mb: sampler.peak('engine') };
  }
  const failure = env.failure();
  if (failure) {
    rec.componentFailure = failure;
    rec.errors.push(componentError(failure));
  }
  const died = stack.died();
  if (died) rec.errors.push(new RunTargetError(died));
  rec.endTime = new Date();
  rec.aborted = env.stopSignal.aborted;
  rec.abortReason = env.stopSignal.reason;
  if (!measured) return { rec, verdict: null };
  const quietCtx = { ...ctx, out: (t: string) => ctx.log(t.trimEnd()) };
  const verdict = await finishRun(opts, quietCtx, rec);
  return { rec, verdict };
}

async function runOnce(env: StepEnv, path: string, load: number): Promise<RepeatResult> {
  const dir = folder(path);
  const { copts, stack, ctx } = env;
  await isolate(stack.infra, copts.run.config?.reset);
  if (parseDuration(copts.warmup) !== 0) {
    const warm = await execute(env, folder(join(path, 'warmup')), load, copts.warmup, false);
    if (warm.rec.errors.length || ctx.signal.aborted) {
      // A component down or a signal during the warm-up: the measured run would only repeat it.
      const code = env.stopSignal.aborted ? RunExit.EXTERNAL_ABORT : ((warm.rec.errors[0] as { exitCode?: number } | undefined)?.exitCode ?? 1); // prettier-ignore
      ctx.log(`capacity: warm-up at ${load} failed: ${warm.rec.errors.map(messageOf).join('; ') || 'stopped by a signal'}`); // prettier-ignore
      return { exitCode: code, held: false, achieved: null, goodput: null, p50: null, p95: null, p99: null, errorRate: null, peakRssMb: null, failed: [], dir: path }; // prettier-ignore
    }
  }
  const { rec, verdict } = await execute(env, dir, load, copts.stepDuration, true);
  const exitCode = verdict!.exitCode;
  return {
    exitCode,
    held: exitCode === RunExit.OK,
    ...(await figures(dir, env)),
    peakRssMb: rec.peaks?.target_peak_rss_mb ?? null,
    failed: verdict!.checks.filter((c) => !c.ok && !c.skipped),
    dir: path,
  };
}

/** Runs the step: `repeat` measured runs, each after a reset and a warm-up; stops at the first unjudgeable run. */
export async function runStep(env: StepEnv, index: number, load: number, stepsDir: string): Promise<StepResult> {
  const n = env.copts.repeat;
  const dir = join(stepsDir, `${String(index).padStart(2, '0')}-${env.copts.knob.env.toLowerCase()}-${load}`);
  const repeats: RepeatResult[] = [];
  for (let r = 1; r <= n; r++) {
    const result = await runOnce(env, n === 1 ? dir : join(dir, `run-${r}`), load);
    repeats.push(result);
    if (result.exitCode !== RunExit.OK && result.exitCode !== RunExit.THRESHOLDS_FAILED)
      return { index, load, held: false, errorExit: result.exitCode, repeats, dir };
  }
  const held = repeats.filter((r) => r.held).length * 2 > n;
  return { index, load, held, errorExit: null, repeats, dir };
}
