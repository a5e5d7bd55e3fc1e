/** What `runTest` takes and returns: the library entry of the engine (engine/index.ts). */
import type { Writable } from 'node:stream';

export interface RunTestOptions {
  /** Path of the script or bundle to run. */
  script: string;
  /** Option layer from CLI flags (vus, duration, iterations, stages, summaryTrendStats, ...), highest precedence. */
  flags?: Record<string, unknown>;
  /** k6 JSON config file (-c/--config): options such as thresholds and scenarios. */
  configFile?: string;
  /** -e KEY=VAL values, over the process environment in __ENV. */
  env?: Record<string, string>;
  /** The environment seen by __ENV and the K6_* options (default process.env). */
  processEnv?: Record<string, string | undefined>;
  summaryExport?: string;
  timeseriesExport?: string;
  hdrExport?: string;
  samplesExport?: string;
  /** Writes this process's share of the test for `engine merge` (see run/part.ts). */
  partExport?: string;
  noThresholds?: boolean;
  noSummary?: boolean;
  quiet?: boolean;
  /** Prints load-time details on stderr (the blocking-call rewrite's cost). */
  verbose?: boolean;
  executionSegment?: string;
  executionSegmentSequence?: string;
  mode?: 'auto' | 'async' | 'sync';
  /** k6's `--secret-source` flags (engine/secrets/sources.ts), in order. */
  secretSources?: string[];
  /** Worker threads (default: cores - 1 in async mode, at least 1; 1 in sync mode). */
  workers?: number;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  /** Aborting it stops the test like SIGINT (exit 105). */
  signal?: AbortSignal;
}

export interface RunTestResult {
  exitCode: number;
  /** handleSummary's data (k6's shape), when the test got that far. */
  summary?: Record<string, unknown>;
  /** Why the run ended early, if it did. */
  reason?: string;
}
