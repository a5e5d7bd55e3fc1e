/**
 * Errors of the report room. All are bad input (a missing or malformed results file, a bad rule):
 * k6's InvalidConfig exit code, 104. Callers branch on `code`, never the message.
 */
import { ExitCode, KitError } from '../engine/exit-codes.ts';

export type ReportErrorCode =
  'REPORT_FILE_MISSING' | 'REPORT_FILE_MALFORMED' | 'REPORT_BAD_RULE' | 'REPORT_UNKNOWN_METRIC';

export class ReportError extends KitError {
  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.INVALID_CONFIG, options);
    this.name = 'ReportError';
  }
}
