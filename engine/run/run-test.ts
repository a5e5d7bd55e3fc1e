/**
 * One test run in the parent: plan, workers up, setup(), start, merge metrics and evaluate
 * thresholds while running, teardown(), summary, outputs, exit code (k6's codes).
 */
import { ExitCode, KitError } from '../exit-codes.ts';
import { ScriptError, TestAbortError } from '../errors.ts';
import { Aggregator, WorkerMetrics } from '../metrics/index.ts';
import type { MetricsSnapshot } from '../metrics/api.ts';
import { makeHost, type OwnedHost } from '../runtime/make-host.ts';
import { describe, Vu } from '../runtime/vu.ts';
import { formatLog } from '../runtime/host.ts';
import type { FromWorker } from '../scheduler/protocol.ts';
import { makePlan, type RunPlan } from './plan.ts';
import { ProgressLine } from './progress.ts';
import { banner, finishRun } from './finish.ts';
import type { RunTestOptions, RunTestResult } from './types.ts';
import { WorkerGroup } from './workers.ts';
import { prepareThreads } from '../runtime/threads.ts';

/** How far ahead of now the threads' common start epoch is set when there are several. */
const START_LEAD_MS = 10;

export interface Outcome {
  exitCode: number;
  reason?: string;
}

export class TestRun {
  readonly stdout: NonNullable<RunTestOptions['stdout']>;
  readonly stderr: NonNullable<RunTestOptions['stderr']>;
  readonly metricsEpoch = Date.now();
  plan!: RunPlan;
  agg!: Aggregator;
  parentSink!: WorkerMetrics;
  owned: OwnedHost | null = null;
  vu0: Vu | null = null;
  group: WorkerGroup | null = null;
  setupData: unknown = undefined;
  /** When the scenarios start (after setup() and a short lead that lets every worker start together), epoch ms. */
  startEpoch = 0;
  /** Wall clock of setup()'s start and teardown()'s end (0 until then): k6's test run duration. */
  runStartEpoch = 0;
  runEndEpoch = 0;
  outcome: Outcome | null = null;
  private stopWaiting: () => void = () => undefined;
  private readonly warnedDrops = new Set<string>();

  constructor(readonly o: RunTestOptions) {
    this.stdout = o.stdout ?? process.stdout;
    this.stderr = o.stderr ?? process.stderr;
  }

  log(level: 'INFO' | 'WARN' | 'ERRO', message: string, fields?: Record<string, string>): void {
    this.stderr.write(formatLog(level, this.startEpoch, message, fields) + '\n');
  }

  /** Ends the run early with `outcome` (the first reason wins) and stops the workers now. */
  stop(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    if (outcome.reason) this.log(outcome.exitCode === ExitCode.THRESHOLDS_FAILED ? 'ERRO' : 'WARN', outcome.reason);
    this.group?.send({ type: 'stop' });
    this.vu0?.interrupt();
    this.stopWaiting();
  }

  onWorker(_i: number, msg: FromWorker): void {
    switch (msg.type) {
      case 'metrics':
      case 'done':
        for (const s of msg.snapshots) this.agg.merge(s as MetricsSnapshot);
        break;
      case 'log':
        this.stderr.write(msg.lines.join('\n') + '\n'); // one write (one wake of the reader) per batch
        break;
      case 'dropped':
        if (!this.warnedDrops.has(msg.scenario)) {
          this.warnedDrops.add(msg.scenario);
          this.log('WARN', `Insufficient VUs, reached ${msg.vus} active VUs and cannot initialize more`, {
            executor: msg.executor,
            scenario: msg.scenario,
          });
        }
        break;
      case 'abort':
        this.stop({ exitCode: ExitCode.SCRIPT_ABORTED, reason: msg.message });
        break;
      case 'fatal':
        this.stop({ exitCode: msg.exitCode, reason: msg.message });
        break;
      case 'ready':
      case 'closed':
        break; // handled by the worker group (workers.ts)
    }
  }

  /** Parent-side samples: vus and vus_max from the workers' reports. */
  sampleVus(): void {
    const g = this.group;
    if (!g) return;
    const tags = this.plan.options.tags;
    this.parentSink.add(
      'vus',
      g.progress.reduce((s, p) => s + p.vusActive, 0),
      tags,
    );
    this.parentSink.add(
      'vus_max',
      g.progress.reduce((s, p) => s + p.vusMax, 0),
      tags,
    );
    this.agg.merge(this.parentSink.flush());
  }

  async running(): Promise<void> {
    const group = this.group!;
    const progress =
      !this.o.quiet && this.stderr.isTTY ? new ProgressLine(this.stderr, this.plan.options.scenarios) : null;
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      this.sampleVus();
      progress?.draw(Date.now() - this.startEpoch, group.progress);
      if (ticks % 2 === 0 && !this.o.noThresholds) {
        const ev = this.agg.evaluateThresholds(Date.now() - this.runStartEpoch);
        if (ev.abort) {
          const failing = [...new Set(ev.states.filter((s) => !s.ok && s.abortOnFail).map((s) => s.metric))];
          this.stop({
            exitCode: ExitCode.THRESHOLDS_FAILED,
            reason: `thresholds on metrics '${failing.join("', '")}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
          });
        }
      }
    }, 1000);
    const stopped = new Promise<void>((resolve) => (this.stopWaiting = resolve));
    await Promise.race([group.finished(), stopped.then(() => group.finished())]);
    clearInterval(timer);
    this.sampleVus();
    progress?.draw(Date.now() - this.startEpoch, group.progress);
  }

  async lifecycle(name: 'setup' | 'teardown', arg?: unknown): Promise<unknown> {
    const timeout = name === 'setup' ? this.plan.options.setupTimeout : this.plan.options.teardownTimeout;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.vu0?.interrupt();
        reject(
          new KitError(
            `E_ENGINE_${name.toUpperCase()}_TIMEOUT`,
            `${name}() execution timed out after ${timeout / 1000}s (${name}Timeout)`,
            name === 'setup' ? ExitCode.SETUP_TIMEOUT : ExitCode.TEARDOWN_TIMEOUT,
          ),
        );
      }, timeout);
    });
    try {
      return await Promise.race([this.vu0!.lifecycle(name, arg), limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  async execute(): Promise<RunTestResult> {
    const onAbort = () => this.stop({ exitCode: ExitCode.EXTERNAL_ABORT, reason: 'test run aborted by signal' });
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.o.signal?.aborted) onAbort();
    try {
      const threads = prepareThreads();
      this.plan = await makePlan(this.o);
      await threads;
      const { plan } = this;
      if (!this.o.quiet) this.stderr.write(banner(plan, this.o.script));
      this.agg = new Aggregator({
        thresholds: plan.options.thresholds,
        summaryTrendStats: plan.options.summaryTrendStats,
        startTime: this.metricsEpoch,
      });
      this.parentSink = new WorkerMetrics({ submetrics: plan.selectors, startTime: this.metricsEpoch });
      this.owned = await makeHost({
        script: plan.script,
        options: plan.options,
        baseEnv: plan.baseEnv,
        mode: plan.mode,
        sink: this.parentSink,
        abortTest: (message) => this.stop({ exitCode: ExitCode.SCRIPT_ABORTED, reason: message }),
        writeLine: (line) => void this.stderr.write(line + '\n'),
        secretsShared: plan.secretsShared,
      });
      this.vu0 = new Vu(0, 0, this.owned.host);
      await this.vu0.init();
      this.group = new WorkerGroup(plan, this.metricsEpoch, {
        onMessage: (i, m) => this.onWorker(i, m),
        onCrash: (i, err) =>
          this.stop({ exitCode: ExitCode.SCRIPT_EXCEPTION, reason: `worker ${i} crashed: ${describe(err)}` }),
      });
      await this.group.start();
      if (!this.outcome) await this.runPhases();
      return await finishRun(this);
    } finally {
      this.o.signal?.removeEventListener('abort', onAbort);
      await this.group?.close().catch(() => undefined);
      await this.vu0?.close();
      await this.owned?.close();
    }
  }

  private async runPhases(): Promise<void> {
    this.runStartEpoch = Date.now();
    try {
      this.setupData = await this.lifecycle('setup');
    } catch (err) {
      if (err instanceof TestAbortError) return this.stop({ exitCode: ExitCode.SCRIPT_ABORTED, reason: err.message });
      throw err;
    }
    const json = this.setupData === undefined ? '' : JSON.stringify(this.setupData);
    // The workers start on a common epoch: a lead long enough for the start message to reach every
    // thread. One thread needs none (it starts when the message arrives, its schedule already due).
    this.startEpoch = Date.now() + (this.group!.size > 1 ? START_LEAD_MS : 0);
    this.owned!.host.instance.testStartEpoch = this.startEpoch;
    this.group!.send({ type: 'start', startAtEpoch: this.startEpoch, setupDataJson: json });
    if (this.outcome) return;
    await this.running();
    if ((this.outcome as Outcome | null)?.exitCode === ExitCode.SCRIPT_EXCEPTION) return;
    try {
      await this.lifecycle('teardown', json ? JSON.parse(json) : undefined);
      this.runEndEpoch = Date.now();
    } catch (err) {
      if (err instanceof TestAbortError) return this.stop({ exitCode: ExitCode.SCRIPT_ABORTED, reason: err.message });
      if (err instanceof ScriptError || err instanceof KitError) throw err;
      throw new ScriptError(`teardown() failed: ${describe(err)}`);
    }
  }
}

export async function runTest(o: RunTestOptions): Promise<RunTestResult> {
  return new TestRun(o).execute();
}
