/**
 * Runs the target as a child process through the CLI (`k6-llm-perf target --port 0`).
 * Ready when it printed its listening line and `/healthz` answers 200. `stop()` sends
 * SIGTERM, waits for the graceful shutdown, and SIGKILLs after a bound. With `detached`
 * the child leads its own process group (the orchestrator registers it, so that even a
 * SIGKILLed orchestrator leaves no target behind) and the SIGKILL goes to the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { configToEnv, resolveConfig, TARGET_ENV_NAMES, type TargetConfig } from './config.ts';
import { TargetStartError } from './errors.ts';

export interface SpawnedTarget {
  url: string;
  pid: number;
  /** Resolves with the exit code (or the signal name) once the child has exited. */
  exited: Promise<number | string>;
  /** SIGTERM (and SIGCONT, so a stopped child handles it), SIGKILL after `graceMs` (default: its shutdown timeout + 10 s). */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  logFile?: string;
  /** How long to wait for readiness (default 60 s). */
  readyTimeoutMs?: number;
  /** Extra environment for the child (test hooks). */
  env?: Record<string, string>;
  /** Start the child in its own process group (default false: it shares the caller's). */
  detached?: boolean;
  /** Called with the child's pid as soon as it exists, before readiness (e.g. to register its group). */
  onSpawn?: (pid: number) => void;
}

const BIN = fileURLToPath(new URL('../bin/k6-llm-perf.js', import.meta.url));
const LISTENING = /^target listening on (http:\/\/\S+)\s*$/;

function childEnv(config: TargetConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TARGET_ENV_NAMES) delete env[name];
  return { ...env, ...configToEnv(config), ...extra };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

function waitListening(child: ChildProcess, tail: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new TargetStartError(`target child ${why}; last output:\n${tail.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`printed no listening line within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = LISTENING.exec(line);
      if (m) resolve(m[1]!);
      else reject(new TargetStartError(`target child printed ${JSON.stringify(line)} instead of its listening line`));
    });
  });
}

export async function spawnTarget(config: TargetConfig, opts: SpawnOptions = {}): Promise<SpawnedTarget> {
  const c = resolveConfig(config);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const child = spawn(process.execPath, [BIN, 'target', '--port', String(c.port)], {
    env: childEnv(config, opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached === true,
  });
  if (child.pid) opts.onSpawn?.(child.pid);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const kill = (): void => {
    try {
      if (opts.detached && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  void exited.then(() => process.removeListener('exit', kill)); // a gone child's pid may name another process later
  const log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const tail: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    log?.write(chunk);
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 30));
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs?: number) =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        child.kill('SIGCONT');
        const timer = setTimeout(kill, graceMs ?? c.shutdownTimeoutMs + 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', kill);
      await new Promise<void>((r) => (log ? log.end(r) : r()));
    })());
  try {
    const url = await waitListening(child, tail, readyTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => log?.write(chunk));
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await healthy(url))) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new TargetStartError(`target child exited; last output:\n${tail.join('\n')}`);
      if (Date.now() > deadline)
        throw new TargetStartError(`target at ${url} never answered /healthz 200 within ${readyTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { url, pid: child.pid!, exited, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
