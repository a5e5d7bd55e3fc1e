import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { trackGroup, untrackGroup } from './registry.ts';

export interface ProcessSpec {
  /** Service name, for messages. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (PostgreSQL refuses root). */
  user?: { uid: number; gid: number };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (ENOENT, EACCES). */
  error?: Error;
}

/**
 * A server process that leads its own process group (spawned detached), so `stop()`
 * reaches every child it forks. Output goes straight to a log file (no pipe to drain).
 */
export class ManagedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(pid: number, exited: Promise<ExitInfo>) {
    this.pid = pid;
    this.exited = exited.then((info) => (this.exitInfo = info));
  }

  /** Exit status once the leader is gone, else undefined. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  static start(spec: ProcessSpec): ManagedProcess {
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd],
        uid: spec.user?.uid,
        gid: spec.user?.gid,
      });
      const exited = new Promise<ExitInfo>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      child.unref();
      const pid = child.pid ?? -1;
      const managed = new ManagedProcess(pid, exited);
      if (pid > 0) {
        trackGroup(pid);
        void managed.exited.then(() => undefined);
      }
      return managed;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Graceful signal to the leader, then SIGKILL to the whole group after `graceMs`
   * (or at once after the leader exits, to sweep stragglers). Never throws.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (this.pid <= 0) return;
    if (!this.exitInfo) signalGroup(this.pid, signal, false);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    signalGroup(this.pid, 'SIGKILL', true);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2_000))]);
    untrackGroup(this.pid);
  }
}

/** Sends `signal` to the leader alone or to its whole group; ESRCH (gone) is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals, wholeGroup: boolean): void {
  try {
    process.kill(wholeGroup ? -pid : pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command to completion (output appended to logFile); resolves with its exit info. */
export async function runToCompletion(spec: ProcessSpec, timeoutMs: number): Promise<ExitInfo> {
  const proc = ManagedProcess.start(spec);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await proc.stop('SIGKILL', 0);
    return { code: null, signal: 'SIGKILL', error: new Error(`${spec.command} timed out after ${timeoutMs} ms`) };
  }
  untrackGroup(proc.pid);
  return result;
}
