/** Runs every scenario of this worker's segment, each from its startTime, on one VU source. */
import type { BaseConfig } from '../executors/base-config.ts';
import type { ExecutorContext, ScenarioRun, VuSource } from '../executors/context.ts';
import { executorOf } from '../executors/index.ts';
import type { Segment } from '../options/segment.ts';
import type { ScenarioProgress } from './protocol.ts';
import { PerfClock } from './clock.ts';

export interface RunParams {
  configs: readonly BaseConfig[];
  /** This worker's part of each scenario (null: not this worker's). */
  segmentOf(config: BaseConfig): Segment | null;
  vus: VuSource;
  /** performance.now() value of the test start in this thread. */
  originPerf: number;
  originEpoch: number;
  stop: AbortSignal;
  onDropped(scenario: ScenarioRun, atMaxVus: number | null): void;
}

/**
 * A scenario's counters in a worker. Its iterations-started count lives in a SharedArrayBuffer
 * (`counter`) so that sync-mode VU threads looping on their own claim iteration numbers from it.
 */
export function newScenarioRun(config: BaseConfig, counter = new Int32Array(new SharedArrayBuffer(4))): ScenarioRun {
  return {
    config,
    counter,
    startEpochMs: 0,
    get iterationsStarted() {
      return Atomics.load(counter, 0);
    },
    set iterationsStarted(n: number) {
      Atomics.store(counter, 0, n);
    },
    iterationsCompleted: 0,
    iterationsInterrupted: 0,
    activeVus: 0,
    dropped: 0,
    progress: () => 0,
  };
}

export function scenarioProgress(s: ScenarioRun): ScenarioProgress {
  return {
    iterations: s.iterationsCompleted,
    interrupted: s.iterationsInterrupted,
    dropped: s.dropped,
    activeVus: s.activeVus,
    progress: s.progress(),
  };
}

export async function runScenarios(p: RunParams, runs: Map<string, ScenarioRun>): Promise<void> {
  const base = new PerfClock(p.originPerf);
  await Promise.all(
    p.configs.map(async (config) => {
      const scn = runs.get(config.name)!;
      const segment = p.segmentOf(config);
      if (!segment) {
        scn.progress = () => 1;
        return;
      }
      await base.sleepUntil(config.startTime, p.stop).catch(() => undefined);
      if (p.stop.aborted) return;
      scn.startEpochMs = p.originEpoch + config.startTime;
      const ctx: ExecutorContext = {
        clock: base.shifted(config.startTime),
        segment,
        scenario: scn,
        vus: p.vus,
        stop: p.stop,
        dropped: (_count, atMax) => p.onDropped(scn, atMax),
      };
      await executorOf(config).run(ctx, config);
      scn.progress = () => 1;
    }),
  );
}
