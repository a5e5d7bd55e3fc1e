/**
 * The orchestrator's errors. Each has a stable `code` and the exit code the CLI returns for it
 * (k6's codes where k6 has one; the kit's own 111/112 for infrastructure and target failures).
 */
import { ExitCode as RunExit, KitError } from '../infra/exit-codes.ts';

export { RunExit };

/** Bad configuration: a threshold file, an option, an unknown scenario. Lists every problem. */
export class RunConfigError extends KitError {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super('RUN_BAD_CONFIG', problems.join('\n'), RunExit.INVALID_CONFIG, options);
    this.name = 'RunConfigError';
    this.problems = problems;
  }
}

/** The infrastructure (Redis, PostgreSQL, Kafka), the mock LLM or the build could not be brought up. */
export class RunInfraError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUN_INFRA_FAILED', message, RunExit.INFRA_FAILED, options);
    this.name = 'RunInfraError';
  }
}

/** The service under test could not be started or died during the run. */
export class RunTargetError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUN_TARGET_FAILED', message, RunExit.TARGET_FAILED, options);
    this.name = 'RunTargetError';
  }
}

/** A component of the stack died or stopped answering for longer than the grace during the run (the stack watch). */
export class RunComponentError extends KitError {
  readonly component: string;
  constructor(component: string, message: string) {
    super('RUN_COMPONENT_FAILED', message, RunExit.COMPONENT_FAILED);
    this.name = 'RunComponentError';
    this.component = component;
  }
}

/** The run was stopped by SIGINT/SIGTERM; thrown after teardown. */
export class RunAbortedError extends KitError {
  constructor(signal: string) {
    super('RUN_EXTERNAL_ABORT', `stopped by ${signal}`, RunExit.EXTERNAL_ABORT);
    this.name = 'RunAbortedError';
  }
}

/** The text of any thrown value, for messages. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An uncaught exception or unhandled rejection during a run: the run is stopped, torn down, exit 1. */
export class RunInternalError extends KitError {
  constructor(cause: unknown) {
    super('RUN_INTERNAL', `internal error: ${messageOf(cause)}`, 1, { cause });
    this.name = 'RunInternalError';
  }
}
