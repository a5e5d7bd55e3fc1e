import type { ExitInfo, ManagedProcess } from './process.ts';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Stop waiting as soon as this process exits. */
  process?: ManagedProcess;
  /** A single probe taking longer than this counts as failed (default 10 s). */
  probeTimeoutMs?: number;
}

export type WaitResult =
  | { ok: true }
  | { ok: false; reason: 'timeout' | 'aborted'; lastError?: string }
  | { ok: false; reason: 'exited'; exit: ExitInfo };

/**
 * Polls `probe` until it resolves without throwing, the timeout passes, the signal
 * aborts or the watched process dies. Each probe failure is remembered for the message.
 */
export async function waitUntil(probe: () => Promise<unknown>, opts: WaitOptions): Promise<WaitResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 100;
  let lastError: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) return { ok: false, reason: 'aborted', lastError };
    const exit = opts.process?.exit;
    if (exit) return { ok: false, reason: 'exited', exit };
    try {
      await bounded(probe(), opts.probeTimeoutMs ?? 10_000);
      return { ok: true };
    } catch (err) {
      lastError = (err as Error).message;
    }
    const exitAfter = opts.process?.exit;
    if (exitAfter) return { ok: false, reason: 'exited', exit: exitAfter };
    if (Date.now() >= deadline) return { ok: false, reason: 'timeout', lastError };
    await sleep(interval, opts.process);
  }
}

function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`check took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number, proc?: ManagedProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void proc?.exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A sentence for a failed wait: "exited with code 1", "not healthy after 90 s (...)". */
export function describeWait(result: Exclude<WaitResult, { ok: true }>, timeoutMs: number): string {
  if (result.reason === 'exited') {
    const { code, signal, error } = result.exit;
    if (error) return `could not be started: ${error.message}`;
    return signal ? `was killed by ${signal}` : `exited with code ${code}`;
  }
  if (result.reason === 'aborted') return 'was aborted while starting';
  const last = result.lastError ? ` (last check: ${result.lastError})` : '';
  return `was not healthy after ${Math.round(timeoutMs / 1000)} s${last}`;
}
