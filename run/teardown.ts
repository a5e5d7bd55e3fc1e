/**
 * Teardown: everything started registers its stop here and it runs in reverse order, always.
 * A failing or hanging step is a printed warning (the verdict is never lost to a cleanup).
 * `trapSignals` turns the first SIGINT/SIGTERM into an abort of the run (teardown follows,
 * then exit 105); a second one exits at once.
 */
import { RunInternalError, messageOf } from './errors.ts';

export type Warn = (message: string) => void;

interface Step {
  name: string;
  fn: () => Promise<void> | void;
}

export class Teardown {
  private steps: Step[] = [];
  readonly warnings: string[] = [];
  /**
   * Set when the run already failed for a component of the stack: the services the kit started
   * need no graceful shutdown then (their dependencies may be gone, which makes it hang).
   */
  urgent = false;
  constructor(
    private readonly warn: Warn,
    private readonly stepTimeoutMs = 30_000,
  ) {}

  add(name: string, fn: () => Promise<void> | void): void {
    this.steps.push({ name, fn });
  }

  /** Runs every registered step, last first; never throws. */
  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.fn),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`did not finish within ${this.stepTimeoutMs} ms`)),
              this.stepTimeoutMs,
            );
          }),
        ]);
      } catch (err) {
        const text = `cleanup of ${step.name} failed: ${messageOf(err)}`;
        this.warnings.push(text);
        this.warn(text);
      } finally {
        if (timer) clearTimeout(timer);
      }
    }
  }
}

export interface SignalTrap {
  signal: AbortSignal;
  /** The signal received, if any. */
  received(): NodeJS.Signals | null;
  release(): void;
}

/**
 * Installs SIGINT/SIGTERM handlers for the duration of a run, and turns an uncaught exception or
 * unhandled rejection into an abort (reason: RunInternalError) so that teardown still runs.
 */
export function trapSignals(warn: Warn, controller = new AbortController()): SignalTrap {
  let got: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals): void => {
    if (got) {
      warn(`${sig} again: exiting without finishing the cleanup`);
      process.exit(105);
    }
    got = sig;
    warn(`${sig} received: stopping the run and cleaning up (press Ctrl-C again to exit at once)`);
    controller.abort(new Error(`stopped by ${sig}`));
  };
  const onError = (err: unknown): void => {
    warn(
      `uncaught error, stopping the run and cleaning up: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    if (!controller.signal.aborted) controller.abort(new RunInternalError(err));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    signal: controller.signal,
    received: () => got,
    release() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}
