/**
 * Runs the engine as a child process: output teed to logs/engine.log (and the terminal unless
 * quiet), its memory sampled, stopped gracefully on abort (SIGINT first, as Ctrl-C does to k6,
 * then SIGKILL after a grace period), and killed if the orchestrator itself exits.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { RssSampler } from './rss.ts';
import { withoutRecords } from './requests-export.ts';
import { groupLease } from '../infra/lifecycle/registry.ts';

export interface ExecuteInput {
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  echo: boolean;
  sampler: RssSampler;
  signal: AbortSignal;
  /** Extra environment for the child (the parent's is inherited). */
  env?: Record<string, string>;
  graceMs?: number;
  /** The command line as written to the log (credentials redacted). */
  shownCommand: string;
}

export interface ExecuteResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
}

export function executeEngine(input: ExecuteInput): Promise<ExecuteResult> {
  return new Promise((resolvePromise, reject) => {
    const log = createWriteStream(input.logFile, { flags: 'a' });
    log.write(`$ ${input.shownCommand}\n`);
    const child = spawn(input.command, input.args, {
      cwd: input.cwd,
      env: { ...process.env, ...input.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal Ctrl-C reaches only the orchestrator, which forwards ONE
      // SIGINT (a second one would make k6 stop hard, without its summary).
      detached: true,
    });
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    // Registered like the servers: an orchestrator SIGKILLed with its watchdog leaves no engine running on.
    const lease = groupLease();
    if (child.pid !== undefined) lease.track(child.pid);
    if (child.pid !== undefined) input.sampler.watch('engine', child.pid);
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (input.echo) process.stdout.write(chunk);
    });
    const stderr = withoutRecords((text) => process.stderr.write(text));
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (input.echo) stderr.push(chunk);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGINT');
      // k6's default teardownTimeout: a stopped run still runs teardown, where verifications count (outbox).
      killTimer = setTimeout(() => child.kill('SIGKILL'), input.graceMs ?? 60_000);
      killTimer.unref();
    };
    if (input.signal.aborted) onAbort();
    else input.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      lease.release();
      input.signal.removeEventListener('abort', onAbort);
      log.end();
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (input.echo) stderr.end();
      lease.release();
      process.off('exit', killOnExit);
      input.sampler.sample();
      input.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      log.end(() =>
        resolvePromise({ exitCode: code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 105 : 1), signal }),
      );
    });
  });
}
