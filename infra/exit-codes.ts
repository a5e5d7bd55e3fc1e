/**
 * The kit's exit codes: k6's own (engine/exit-codes.ts) plus the orchestrator's,
 * in a range k6 does not use, so a CI step can tell "the service is slow" (99)
 * from "the machine could not run the test at all" (111, 112).
 */
import { ExitCode as EngineExitCode } from '../engine/exit-codes.ts';

export { KitError } from '../engine/exit-codes.ts';
export { EngineExitCode };

export const ExitCode = {
  ...EngineExitCode,
  /** Redis, PostgreSQL or Kafka could not be brought up (or set up). */
  INFRA_FAILED: 111,
  /** The service under test failed to start. */
  TARGET_FAILED: 112,
  /** A component of the stack (Redis, PostgreSQL, Kafka, the mock LLM, the target) died or stopped answering during the run. */
  COMPONENT_FAILED: 113,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
