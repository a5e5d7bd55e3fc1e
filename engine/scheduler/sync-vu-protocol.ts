/** Messages between a sync-mode worker (remote-pool.ts) and one of its VU threads (sync-vu.ts). */
import type { BaseConfig } from '../executors/base-config.ts';
import type { IterationOutcome, LoopPlan } from '../executors/context.ts';
import type { BufferedOps } from './sample-buffer.ts';
import type { EngineOptions } from '../options/consolidate.ts';
import type { BundledScript } from '../runtime/script.ts';
import type { Attach } from '../runtime/io-thread.ts';

export interface SyncVuInit {
  script: BundledScript;
  options: EngineOptions;
  baseEnv: Record<string, string>;
  idInInstance: number;
  idInTest: number;
  attach: Attach;
  /** Int32 slot 0: the sequence number of the iteration to interrupt. */
  ctrl: SharedArrayBuffer;
  setupDataJson: string;
  startEpoch: number;
  /** The run's shared secrets state (secrets/shared.ts). */
  secretsShared: SharedArrayBuffer;
}

export type ToSyncVu =
  | {
      type: 'iterate';
      seq: number;
      scenario: string;
      config?: BaseConfig;
      startEpochMs: number;
      progress: number;
      local: number;
      global: number;
    }
  /** Run iterations back to back (ExecVu.loop), numbered from the scenario's shared counter. */
  | {
      type: 'loop';
      seq: number;
      scenario: string;
      config?: BaseConfig;
      startEpochMs: number;
      counter: SharedArrayBuffer;
      plan: LoopPlan;
    }
  | { type: 'setup'; json: string; startEpoch: number }
  | { type: 'flush' }
  | { type: 'close' };

export type FromSyncVu =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'iterated'; seq: number; outcome: IterationOutcome; samples: BufferedOps }
  /** A loop's outcomes and samples since the last batch; `done` on the loop's last one. */
  | { type: 'counted'; seq: number; completed: number; interrupted: number; samples: BufferedOps; done: boolean }
  | { type: 'samples'; samples: BufferedOps; final: boolean }
  | { type: 'abort'; message: string }
  | { type: 'log'; line: string }
  | { type: 'closed' };
