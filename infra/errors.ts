import { KitError } from '../engine/exit-codes.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * Stable codes of infrastructure failures; callers branch on `code`, never the message.
 * - INFRA_START_FAILED: a server did not start or did not become healthy in time.
 * - INFRA_MISSING: a binary or the Kafka jars are not installed (run `npm run setup`).
 * - INFRA_SETUP_FAILED: `npm run setup` could not install something.
 * - INFRA_ENV_MISSING: the external provider lacks REDIS_URL / DATABASE_URL / KAFKA_BROKERS.
 * - INFRA_NO_RUNTIME: `--infra testcontainers` but no container runtime answers.
 * - INFRA_RESET_FAILED: isolation between scenarios (flush, truncate, recreate) failed.
 * - INFRA_ABORTED: bring-up was aborted (signal).
 * - INFRA_BAD_OPTION: an unknown provider or service name (exit 104, bad config).
 */
export type InfraErrorCode =
  | 'INFRA_START_FAILED'
  | 'INFRA_MISSING'
  | 'INFRA_SETUP_FAILED'
  | 'INFRA_ENV_MISSING'
  | 'INFRA_NO_RUNTIME'
  | 'INFRA_RESET_FAILED'
  | 'INFRA_ABORTED'
  | 'INFRA_BAD_OPTION';

export class InfraError extends KitError {
  /** The service concerned, when one is. */
  readonly service: string | undefined;
  /** The last lines of that service's log, when it has one. */
  readonly logTail: string | undefined;
  readonly logFile: string | undefined;

  constructor(
    code: InfraErrorCode,
    message: string,
    details: { service?: string; logTail?: string; logFile?: string; cause?: unknown } = {},
  ) {
    const exit =
      code === 'INFRA_BAD_OPTION'
        ? ExitCode.INVALID_CONFIG
        : code === 'INFRA_ABORTED'
          ? ExitCode.EXTERNAL_ABORT
          : ExitCode.INFRA_FAILED;
    super(code, withTail(message, details.logFile, details.logTail), exit, { cause: details.cause });
    this.name = 'InfraError';
    this.service = details.service;
    this.logTail = details.logTail;
    this.logFile = details.logFile;
  }
}

function withTail(message: string, logFile?: string, tail?: string): string {
  if (!tail) return message;
  const indented = tail
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `${message}\n  last lines of ${logFile ?? 'its log'}:\n${indented}`;
}
