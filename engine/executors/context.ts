/**
 * What an executor runs against: a clock, VUs, the scenario's counters and the test's stop signal.
 * The runtime provides these in a worker thread; tests provide virtual ones.
 */
import type { Segment } from '../options/segment.ts';
import type { BaseConfig } from './base-config.ts';

/** Monotonic time in ms since the scenario started; `sleepUntil` waits for an absolute point. */
export interface Clock {
  now(): number;
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

/** One scenario's state in this worker: read by k6/execution, the progress line and the executor. */
export interface ScenarioRun {
  readonly config: BaseConfig;
  /** Epoch ms when the scenario started (k6/execution `scenario.startTime`). */
  startEpochMs: number;
  /** Iterations started here (k6/execution `scenario.iterationInInstance` of the next one). */
  iterationsStarted: number;
  /**
   * When set, the iterations started live here (Int32 slot 0) instead, shared with the VU threads
   * that claim their own iteration numbers (sync mode, `ExecVu.loop`): claim through
   * `claimIteration` (helpers.ts), never `iterationsStarted++`.
   */
  readonly counter?: Int32Array;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  activeVus: number;
  dropped: number;
  /** 0..1, set by the executor when it starts. */
  progress: () => number;
}

/** A VU as an executor sees it. `iterate` never rejects: script errors are logged and counted there. */
export interface ExecVu {
  readonly idInInstance: number;
  readonly idInTest: number;
  iterate(scenario: ScenarioRun, iterationInInstance: number, iterationInTest: number): Promise<IterationOutcome>;
  /** Interrupts the running iteration (or loop): its pending I/O and sleeps reject. */
  interrupt(): void;
  /**
   * Optional (VUs on threads of their own): runs iterations back to back on the VU's thread until
   * the plan ends or the VU is interrupted, numbering them from `scenario.counter`, and counts their
   * outcomes into the scenario's counters as they are reported (in batches). Resolves when the loop
   * ended and every outcome is counted. The VU-based executors use it when present.
   */
  loop?(scenario: ScenarioRun, plan: LoopPlan): Promise<void>;
}

/** What a VU's own loop runs (see `ExecVu.loop`). */
export interface LoopPlan {
  /** No iteration starts at or after this time: epoch ms as `performance.timeOrigin + performance.now()`. */
  untilEpoch: number;
  /** Most iterations this VU runs (per-vu-iterations); Infinity for no bound. */
  maxIterations: number;
  /** No iteration starts once the scenario's counter reaches this (shared-iterations); Infinity for no bound. */
  sharedLimit: number;
  /** This worker's segment: iteration k here is iterationInTest nthOwned(segment, k). */
  segment: Segment;
  /** k6/execution scenario.progress inside the VU: counter ÷ total, or the time from start to end (epoch ms). */
  progress: { total: number } | { endEpoch: number };
}

export type IterationOutcome = 'completed' | 'failed' | 'interrupted';

/** VUs of this worker, shared by its scenarios. */
export interface VuSource {
  /** True when `create()` is cheap (async mode, in-thread VUs): arrival-rate executors then init in place. */
  readonly cheapCreate: boolean;
  /** An idle initialized VU, or null. */
  idle(): ExecVu | null;
  /** Initializes one more VU (slow in sync mode: a thread starts). */
  create(): Promise<ExecVu>;
  release(vu: ExecVu): void;
}

export interface ExecutorContext {
  readonly clock: Clock;
  /** This worker's share of the scenario. */
  readonly segment: Segment;
  readonly scenario: ScenarioRun;
  readonly vus: VuSource;
  /** Aborted when the whole test stops now (test.abort(), abortOnFail, SIGINT): interrupt everything. */
  readonly stop: AbortSignal;
  /** Reports iterations an arrival-rate executor could not start; `atMaxVus` triggers k6's one-time warning. */
  dropped(count: number, atMaxVus: number | null): void;
}

export interface Executor<C extends BaseConfig> {
  /** Validates the raw scenario; problems go to `problems`, each naming the option. */
  parse(name: string, raw: Record<string, unknown>, problems: string[]): C;
  /** VUs initialized before the test starts (before segmenting): k6's preAllocatedVUs or the VU count. */
  plannedVus(config: C): number;
  /** Most VUs the scenario may use (maxVUs for arrival rates): no worker gets a share without a VU. */
  maxVus(config: C): number;
  /** Longest the scenario runs, graceful stop included (ms, from its startTime). */
  maxDuration(config: C): number;
  run(ctx: ExecutorContext, config: C): Promise<void>;
}
