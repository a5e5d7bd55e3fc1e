import { ExitCode } from './exit-codes.ts';

interface Downable {
  down(): Promise<void>;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * SIGINT, SIGTERM, an uncaught exception or an unhandled rejection → `down()`, then exit
 * (105 for a signal, k6's external abort; 1 for an uncaught error). A second signal
 * during teardown does not interrupt it. Returns a function that removes the hooks.
 */
export function teardownOnSignals(target: Downable, opts: { exitCode?: number } = {}): () => void {
  let tearingDown = false;
  const finish = (code: number): void => {
    if (tearingDown) return;
    tearingDown = true;
    const exit = (): never => process.exit(code);
    target.down().then(exit, exit);
  };
  const onSignal = (): void => finish(opts.exitCode ?? ExitCode.EXTERNAL_ABORT);
  const onError = (err: unknown): void => {
    console.error(err);
    finish(1);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    for (const s of SIGNALS) process.off(s, onSignal);
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}

/** Resolves with the first SIGINT or SIGTERM received (the hooks are removed then). */
export function holdUntilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const on = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      for (const s of SIGNALS) process.off(s, on);
      resolve(signal);
    };
    for (const s of SIGNALS) process.on(s, on);
  });
}
