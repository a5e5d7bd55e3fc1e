/** The end of a run: final thresholds, the summary, handleSummary, exports, the exit code; and the start banner. */
import { ExitCode } from '../exit-codes.ts';
import { executorOf, peakVus } from '../executors/index.ts';
import { formatDuration } from '../options/duration.ts';
import { describe } from '../runtime/vu.ts';
import { shouldColor } from '../summary/color.ts';
import type { RunPlan } from './plan.ts';
import { crossedMessage, crossedThresholds, writeJson, writeSummaryMap } from './outputs.ts';
import { PART_KIND, type PartFile } from './part.ts';
import type { Aggregator, WorkerMetrics } from '../metrics/index.ts';
import type { Vu } from '../runtime/vu.ts';
import type { RunTestOptions, RunTestResult } from './types.ts';

/** What the end of a run reads of it (run-test.ts's TestRun is one). */
export interface FinishingRun {
  readonly o: RunTestOptions;
  readonly plan: RunPlan;
  readonly agg: Aggregator;
  readonly parentSink: WorkerMetrics;
  readonly vu0: Vu | null;
  readonly setupData: unknown;
  readonly metricsEpoch: number;
  readonly startEpoch: number;
  readonly runStartEpoch: number;
  readonly runEndEpoch: number;
  readonly outcome: { exitCode: number; reason?: string } | null;
  readonly stdout: NonNullable<RunTestOptions['stdout']>;
  readonly stderr: NonNullable<RunTestOptions['stderr']>;
  log(level: 'INFO' | 'WARN' | 'ERRO', message: string, fields?: Record<string, string>): void;
}
export async function finishRun(run: FinishingRun): Promise<RunTestResult> {
  const { agg, plan, o } = run;
  agg.merge(run.parentSink.flush());
  // k6's test run duration (the time base of every counter's rate): the wall clock from the start of
  // setup() to the end of teardown() (lib.ExecutionState's MarkStarted / MarkEnded), the engine's own
  // costs in between included (the threads' start lead, their messages); a run stopped early ends now.
  const start = run.runStartEpoch || run.metricsEpoch;
  const duration = Math.max(0, (run.runEndEpoch || Date.now()) - start);
  let thresholdsOk = true;
  if (!o.noThresholds) {
    const failed = crossedThresholds(agg, duration);
    thresholdsOk = failed.length === 0;
    if (!thresholdsOk && !run.outcome) run.log('ERRO', crossedMessage(failed));
  }
  const options = {
    summaryTrendStats: agg.summaryTrendStats,
    summaryTimeUnit: plan.options.raw.summaryTimeUnit ?? '',
    // For handleSummary scripts: true when --no-color/NO_COLOR forbid colour, whatever the stream.
    noColor: !shouldColor({ stream: { isTTY: true }, noColor: Boolean(plan.options.raw.noColor) }),
  };
  const data = agg.summaryData({
    options,
    state: {
      testRunDurationMs: duration,
      isStdOutTTY: Boolean(run.stdout.isTTY),
      isStdErrTTY: Boolean(run.stderr.isTTY),
    },
    setupData: run.setupData,
  }) as unknown as Record<string, unknown>;
  await summaryOutput(run, data);
  if (o.summaryExport) writeJson(o.summaryExport, agg.exportSummary(data as never));
  if (o.timeseriesExport) writeJson(o.timeseriesExport, agg.timeseries());
  if (o.hdrExport) writeJson(o.hdrExport, agg.histograms());
  if (o.samplesExport) writeJson(o.samplesExport, agg.sampleCounts());
  const exitCode = run.outcome?.exitCode ?? (thresholdsOk ? ExitCode.OK : ExitCode.THRESHOLDS_FAILED);
  if (o.partExport) {
    const part: PartFile = {
      kind: PART_KIND,
      version: 1,
      script: o.script,
      segment: plan.segment,
      thresholds: plan.options.thresholds,
      summaryTrendStats: agg.summaryTrendStats,
      startEpochMs: start,
      durationMs: duration,
      exitCode,
      snapshot: agg.snapshot(),
    };
    writeJson(o.partExport, part);
  }
  return { exitCode, summary: data, reason: run.outcome?.reason };
}

async function summaryOutput(run: FinishingRun, data: Record<string, unknown>): Promise<void> {
  const text = () => {
    if (run.o.noSummary) return;
    const colors = shouldColor({ stream: run.stdout, noColor: Boolean(run.plan.options.raw.noColor) });
    run.stdout.write(run.agg.textSummary(data as never, { trendStats: run.agg.summaryTrendStats, colors }) + '\n');
  };
  const vu0 = run.vu0;
  if (!vu0 || typeof vu0.scriptExports.handleSummary !== 'function') return text();
  try {
    const result = await vu0.lifecycle('handleSummary', data);
    writeSummaryMap(result, run.stdout, run.stderr);
  } catch (err) {
    run.log('ERRO', `handleSummary() failed, printing the default summary: ${describe(err)}`);
    text();
  }
}

function describeScenario(c: RunPlan['options']['scenarios'][number]): string {
  const x = c as unknown as Record<string, unknown>;
  const d = (k: string) => formatDuration(x[k] as number);
  switch (c.executor) {
    case 'shared-iterations':
      return `${x.iterations} iterations shared among ${x.vus} VUs (maxDuration: ${d('maxDuration')})`;
    case 'per-vu-iterations':
      return `${x.iterations} iterations for each of ${x.vus} VUs (maxDuration: ${d('maxDuration')})`;
    case 'constant-vus':
      return `${x.vus} looping VUs for ${d('duration')}`;
    case 'ramping-vus':
      return `Up to ${executorOf(c).plannedVus(c)} looping VUs over ${(x.stages as unknown[]).length} stages`;
    case 'constant-arrival-rate':
      return `${x.rate} iterations/${d('timeUnit')} for ${d('duration')} (maxVUs: ${x.preAllocatedVUs}-${x.maxVUs})`;
    default:
      return `Up to ${x.maxVUs} VUs, ${(x.stages as unknown[]).length} stages from ${x.startRate} iterations/${d('timeUnit')}`;
  }
}

/** k6's start banner (on stderr, so stdout keeps only the summary). */
export function banner(plan: RunPlan, script: string): string {
  const sc = plan.options.scenarios;
  const maxVus = peakVus(sc, (n) => n);
  const maxDur = Math.max(0, ...sc.map((c) => c.startTime + executorOf(c).maxDuration(c)));
  const lines = [
    `  execution: local (Node engine, ${plan.mode} mode, ${plan.workers} worker thread${plan.workers > 1 ? 's' : ''})`,
    `     script: ${script}`,
    `  scenarios: ${sc.length} scenario${sc.length > 1 ? 's' : ''}, ${maxVus} max VUs, ${formatDuration(maxDur)} max duration (incl. graceful stop):`,
    ...sc.map(
      (c) =>
        `           * ${c.name}: ${describeScenario(c)} (${c.startTime ? `startTime: ${formatDuration(c.startTime)}, ` : ''}gracefulStop: ${formatDuration(c.gracefulStop)})`,
    ),
  ];
  return lines.join('\n') + '\n\n';
}
