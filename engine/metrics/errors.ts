import { ExitCode, KitError } from '../exit-codes.ts';

/** Bad threshold configuration (syntax, unknown metric, aggregation not valid for the type): exit 104. */
export class ThresholdConfigError extends KitError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('E_THRESHOLD_CONFIG', `invalid thresholds:\n  - ${problems.join('\n  - ')}`, ExitCode.INVALID_CONFIG);
    this.name = 'ThresholdConfigError';
    this.problems = problems;
  }
}

/** A metric used or defined inconsistently (unknown name, conflicting redefinition). */
export class MetricError extends KitError {
  constructor(code: 'E_METRIC_UNKNOWN' | 'E_METRIC_REDEFINED' | 'E_METRIC_INVALID', message: string) {
    super(code, message, ExitCode.SCRIPT_EXCEPTION);
    this.name = 'MetricError';
  }
}
