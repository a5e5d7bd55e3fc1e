/** What one run accumulates as it goes, for the verdict and meta.json. */
import type { ScenarioEntry } from './scenario-entry.ts';
import type { EngineSpec } from './engine-select.ts';
import type { ResultsDir } from './results-dir.ts';
import type { ThresholdFile } from './thresholds-file.ts';
import type { RunMeasurements } from './verdict.ts';
import type { InfraHandle } from '../infra/index.ts';

/** What a run is given by its caller (the CLI, run all, tests). */
export interface RunContext {
  signal: AbortSignal;
  /** Infrastructure already up (k6:all, tests): used as is, not stopped by this run. */
  infra?: InfraHandle;
  /** Progress and warnings (stderr); the verdict table goes to `out`. */
  log: (line: string) => void;
  out: (text: string) => void;
  now?: () => Date;
}
import type { ComponentFailure } from './watch.ts';

export interface ExecutionRecord {
  exitCode: number;
  signal: string | null;
  args: string[];
  /** The environment given to the script with -e (credential-like values redacted). */
  scriptEnv: Record<string, string>;
  trendStats: string[];
}

export interface RunRecord {
  entry: ScenarioEntry;
  file: ThresholdFile;
  dir: ResultsDir;
  engine: EngineSpec & { version: string };
  startTime: Date;
  endTime?: Date;
  infra?: { provider: string; reason: string; shared: boolean; services: string[] };
  llm?:
    | { kind: 'stub'; url: string; seed: number; performanceMode: boolean }
    | { kind: 'provider'; url: string }
    | { kind: 'llama-server'; url: string; model: string; parallel: number }
    | { kind: 'none' };
  target?:
    | { kind: 'reference'; url: string; pid: number }
    | { kind: 'service'; url: string; pid?: number }
    | { kind: 'external'; url: string }
    | { kind: 'none' };
  execution?: ExecutionRecord;
  peaks?: RunMeasurements;
  /** The component the stack watch found down, which stopped the run. */
  componentFailure?: ComponentFailure;
  /** Errors that stopped the run (each maps to an exit code). */
  errors: unknown[];
  cleanupWarnings?: string[];
  aborted?: boolean;
  /** The abort signal's reason (a RunInternalError for an uncaught error, else a signal). */
  abortReason?: unknown;
}
