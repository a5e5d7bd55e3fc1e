/**
 * Exit codes. The engine uses k6's own codes (k6 `errext/exitcodes`), so a CI step
 * reaches the same verdict under the k6 binary and under the Node engine.
 * The kit's orchestrator adds its own codes in `infra/exit-codes.ts`.
 */
export const ExitCode = {
  OK: 0,
  /** A threshold was breached (k6: ThresholdsHaveFailed). */
  THRESHOLDS_FAILED: 99,
  SETUP_TIMEOUT: 100,
  TEARDOWN_TIMEOUT: 101,
  GENERIC_TIMEOUT: 102,
  GENERIC_ENGINE: 103,
  /** Bad options, unknown metric or aggregation in a threshold, bad flag (k6: InvalidConfig). */
  INVALID_CONFIG: 104,
  /** Stopped by SIGINT/SIGTERM (k6: ExternalAbort). */
  EXTERNAL_ABORT: 105,
  /** An uncaught exception in the script (k6: ScriptException). */
  SCRIPT_EXCEPTION: 107,
  /** `test.abort()` or a threshold with abortOnFail (k6: ScriptAborted). */
  SCRIPT_ABORTED: 108,
  /** An error k6 gives no code of its own (k6 exits -1, seen as 255): a bad `--secret-source`. */
  UNCLASSIFIED: 255,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error with a stable `code` the CLI maps to an exit code; callers branch on `code`, never the message. */
export class KitError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KitError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
