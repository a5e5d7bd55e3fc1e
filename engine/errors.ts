/**
 * The engine's error classes. Each carries a stable `code` and the k6 exit code the CLI uses.
 */
import { ExitCode, KitError } from './exit-codes.ts';

/** Bad options, flags, scenarios or thresholds; `problems` holds every message (k6 reports all at once). */
export class ConfigError extends KitError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('E_ENGINE_CONFIG', problems.join('\n'), ExitCode.INVALID_CONFIG);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The script failed to load or threw where k6 stops the test (init, setup, teardown, handleSummary). */
export class ScriptError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_ENGINE_SCRIPT', message, ExitCode.SCRIPT_EXCEPTION, options);
    this.name = 'ScriptError';
  }
}

/** Thrown inside a VU when its iteration is interrupted (gracefulStop over, test aborted). */
export class InterruptError extends Error {
  readonly code = 'E_ENGINE_INTERRUPTED';
  constructor(reason = 'iteration interrupted') {
    super(reason);
    this.name = 'InterruptError';
  }
}

/** `exec.test.abort()` from a script: stops the whole test with exit code 108. */
export class TestAbortError extends Error {
  readonly code = 'E_ENGINE_TEST_ABORT';
  constructor(message: string) {
    super(message);
    this.name = 'TestAbortError';
  }
}
