/**
 * Runs the mock LLM as a child process through the CLI (`k6-llm-perf mock-llm --port 0`),
 * so that it can be watched (pid, exit) and stopped like any other server of a run, and
 * a stop or crash of the caller cannot stall it mid-response. Ready when it printed its
 * listening line and `/healthz` answers 200. `stop()` sends SIGTERM, waits, and SIGKILLs
 * after a bound. With `detached` the child leads its own process group.
 *
 * `logFile` gets both the mock's generation lines (`--log-file`, one JSON line per finished
 * generation) and anything the child writes to stdout/stderr, so its tail shows why it died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KitError } from '../engine/exit-codes.ts';

/** The kit's "infrastructure failed" code (infra/exit-codes.ts INFRA_FAILED; mock-llm imports nothing of infra). */
const INFRA_FAILED = 111;

export interface SpawnMockLlmOptions {
  /** Default 42. */
  seed?: number;
  /** Turns every simulated error off. */
  performanceMode?: boolean;
  /** A JSON config file (a partial config), passed as --config. */
  configFile?: string;
  /** Generation log and the child's output; none when unset. */
  logFile?: string;
  /** How long to wait for readiness (default 30 s). */
  readyTimeoutMs?: number;
  /** SIGTERM → SIGKILL bound in stop() (default 10 s). */
  stopGraceMs?: number;
  /** Start the child in its own process group (default false: it shares the caller's). */
  detached?: boolean;
  /** Called with the child's pid as soon as it exists, before readiness (e.g. to register its group). */
  onSpawn?: (pid: number) => void;
}

export interface SpawnedMockLlm {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  pid: number;
  logFile: string | undefined;
  /** Resolves with the exit code (or the signal name) once the child has exited. */
  exited: Promise<number | string>;
  /** SIGTERM (and SIGCONT, so a stopped child handles it), SIGKILL after `graceMs` (default: the spawn's stopGraceMs). */
  stop(graceMs?: number): Promise<void>;
}

/** The child did not become ready; the message holds its last output. */
export class MockLlmStartError extends KitError {
  constructor(message: string) {
    super('MOCK_LLM_START_FAILED', message, INFRA_FAILED);
    this.name = 'MockLlmStartError';
  }
}

const BIN = fileURLToPath(new URL('../bin/k6-llm-perf.js', import.meta.url));
const LISTENING = /^mock-llm listening on (http:\/\/\S+)\s*$/;

function argsOf(o: SpawnMockLlmOptions): string[] {
  const args = [BIN, 'mock-llm', '--port', '0', '--seed', String(o.seed ?? 42)];
  if (o.performanceMode) args.push('--performance-mode');
  if (o.configFile) args.push('--config', o.configFile);
  if (o.logFile) args.push('--log-file', o.logFile);
  return args;
}

function waitListening(child: ChildProcess, tail: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new MockLlmStartError(`mock LLM child ${why}; last output:\n${tail()}`));
    };
    const timer = setTimeout(() => fail(`printed no listening line within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const m = LISTENING.exec(line);
      if (m) resolve(m[1]!);
      else
        reject(new MockLlmStartError(`mock LLM child printed ${JSON.stringify(line)} instead of its listening line`));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function spawnMockLlm(opts: SpawnMockLlmOptions = {}): Promise<SpawnedMockLlm> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const child = spawn(process.execPath, argsOf(opts), {
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
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs?: number): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        child.kill('SIGCONT');
        const timer = setTimeout(kill, graceMs ?? opts.stopGraceMs ?? 10_000);
        await exited;
        clearTimeout(timer);
      }
      await new Promise<void>((r) => (log ? log.end(r) : r()));
    })());
  try {
    const url = await waitListening(child, () => tail, readyTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => log?.write(chunk));
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await healthy(url))) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new MockLlmStartError(`mock LLM child exited; last output:\n${tail}`);
      if (Date.now() > deadline)
        throw new MockLlmStartError(`mock LLM at ${url} never answered /healthz 200 within ${readyTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, pid: child.pid!, logFile: opts.logFile, exited, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
