import { ExitCode, KitError } from '../infra/exit-codes.ts';

/** A bad TARGET configuration value (env variable or option), named in the message. */
export class TargetConfigError extends KitError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('TARGET_BAD_CONFIG', `${variable}: ${message}`, ExitCode.INVALID_CONFIG);
    this.name = 'TargetConfigError';
    this.variable = variable;
  }
}

/** The target could not start (a dependency unreachable, the child exited, no readiness). */
export class TargetStartError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TARGET_START_FAILED', message, ExitCode.TARGET_FAILED, options);
    this.name = 'TargetStartError';
  }
}
