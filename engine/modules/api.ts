/**
 * The contract between the engine's VU runtime and the modules a script imports.
 *
 * A script's `import x from 'k6/...'` resolves to a file of `engine/modules/`:
 *   k6 -> k6.ts, k6/http -> http.ts, k6/metrics -> metrics.ts, k6/execution -> execution.ts,
 *   k6/data -> data.ts, k6/timers -> timers.ts, k6/encoding -> encoding.ts, k6/crypto -> crypto.ts,
 *   k6/secrets -> secrets.ts, k6/experimental/fs|csv|streams -> experimental-fs|csv|streams.ts,
 *   k6/websockets -> websockets.ts, k6/ws -> ws.ts,
 *   k6/x/redis -> x/redis.ts, k6/x/kafka -> x/kafka.ts, k6/x/sql -> x/sql.ts,
 *   k6/x/sql/driver/postgres -> x/sql-driver-postgres.ts, k6/x/sse -> x/sse.ts.
 * Each file exports `createModule`, called once per VU (module state is per VU, as in k6).
 * Any other `k6/...` specifier fails at start, naming the module.
 */
import type { SampleSink, Tags } from '../metrics/api.ts';
import type { InterruptSignal } from '../runtime/interrupt.ts';

export type ExecutionMode = 'async' | 'sync';
export type VuPhase = 'init' | 'setup' | 'iteration' | 'teardown' | 'summary';

export interface VuContext {
  /** `__VU` / exec.vu.idInTest, from 1; 0 in setup/teardown/handleSummary, as in k6. */
  readonly idInTest: number;
  /** `__ENV`: the process environment merged with -e flags and scenario env. */
  readonly env: Readonly<Record<string, string>>;
  readonly mode: ExecutionMode;
  readonly metrics: SampleSink;
  /** Where the VU is now; init-only APIs (open(), new Trend(), SharedArray) check it. */
  phase(): VuPhase;
  /** The tags every sample from this VU carries now: options.tags, scenario tags, scenario, group. */
  currentTags(): Tags;
  /** Registers a cleanup run when the VU shuts down (close clients, pools). */
  onClose(fn: () => void | Promise<void>): void;
  /**
   * Aborted when the running iteration is interrupted (the test stops, gracefulStop ends): a
   * module that waits on the network should stop waiting then. Null outside an iteration.
   */
  iterationSignal(): InterruptSignal | null;
}

/** Builds one VU's instance of a module: its exports object (`default` included). */
export type ModuleFactory = (vu: VuContext) => Record<string, unknown>;
