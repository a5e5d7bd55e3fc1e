/** Messages between the parent (scheduler/run.ts) and its worker threads (scheduler/worker.ts). */
import type { MetricsSnapshot, SubmetricSelector } from '../metrics/api.ts';
import type { ExecutionMode } from '../modules/api.ts';
import type { EngineOptions } from '../options/consolidate.ts';
import type { Segment } from '../options/segment.ts';
import type { BundledScript } from '../runtime/script.ts';

export interface WorkerInit {
  index: number;
  script: BundledScript;
  options: EngineOptions;
  /** The process's execution segment; each scenario is split over (up to) `workers` workers. */
  processSegment: Segment;
  workers: number;
  selectors: SubmetricSelector[];
  baseEnv: Record<string, string>;
  mode: ExecutionMode;
  /** VUs to initialize before the start. */
  plannedVus: number;
  /** Epoch ms the metrics' time buckets count from (set again at start). */
  metricsEpoch: number;
  /** The run's shared secrets state (secrets/shared.ts). */
  secretsShared: SharedArrayBuffer;
}

export interface ScenarioProgress {
  iterations: number;
  interrupted: number;
  dropped: number;
  activeVus: number;
  progress: number;
}

export interface Progress {
  vusActive: number;
  vusMax: number;
  scenarios: Record<string, ScenarioProgress>;
}

export type ToWorker =
  { type: 'start'; startAtEpoch: number; setupDataJson: string } | { type: 'stop' } | { type: 'finish' };

export type FromWorker =
  | { type: 'ready'; vus: number }
  | { type: 'metrics'; snapshots: MetricsSnapshot[]; progress: Progress }
  | { type: 'dropped'; scenario: string; executor: string; vus: number }
  | { type: 'abort'; message: string }
  | { type: 'fatal'; code: string; message: string; exitCode: number }
  | { type: 'done'; snapshots: MetricsSnapshot[]; progress: Progress }
  /** Console lines, in order, sent together (scheduler/worker.ts). */
  | { type: 'log'; lines: string[] }
  | { type: 'closed' };
