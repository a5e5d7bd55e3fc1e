/**
 * Step 5 for a config's own service (run/config.ts `service`): its migrate and seed commands, then
 * its command in its own process group with the endpoint placeholders filled, stdout and stderr in
 * logs/service.log, ready when its readiness URL answers below 400 within the start timeout. A
 * service that exits or never answers ends the run with exit 112 and the log's last lines.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../infra/lifecycle/ports.ts';
import { logTail } from '../infra/lifecycle/files.ts';
import { groupLease } from '../infra/lifecycle/registry.ts';
import { fillPlaceholders, type Placeholder } from './placeholders.ts';
import { RunTargetError } from './errors.ts';
import type { Teardown } from './teardown.ts';

/** The service under test as the config declares it, paths resolved (run/config.ts). */
export interface UserServiceSpec {
  /** Shell command; none: the service is already running at `url`. */
  command?: string;
  cwd: string;
  env: Record<string, string>;
  /** Base URL handed to the script as BASE_URL (default http://127.0.0.1:{{port}}). */
  url: string;
  /** Polled until it answers below 400 (default: `url`). */
  readyUrl: string;
  timeoutMs: number;
  /** Use a service already answering at readyUrl instead of starting one (local development). */
  reuseExisting: boolean;
  migrate?: string;
  seed?: string;
}

export interface StartedUserService {
  url: string;
  /** The readiness URL, placeholders filled: the stack watch probes it. */
  readyUrl: string;
  pid?: number;
  logFile: string;
  /** Set when the service exited before the kit stopped it. */
  died(): string | null;
}

const STOP_GRACE_MS = 5000;
const URGENT_STOP_MS = 2000;

function tailOf(logFile: string): string {
  const tail = existsSync(logFile) ? logTail(logFile, 15).trimEnd() : '';
  return tail ? `; last lines of ${logFile}:\n${tail.replace(/^/gm, '    ')}` : `; ${logFile} is empty`;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status < 400;
  } catch {
    return false;
  }
}

function childEnv(spec: UserServiceSpec, values: Partial<Record<Placeholder, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(spec.env)) env[k] = fillPlaceholders(v, values);
  return env;
}

/** Runs migrate or seed to completion, output appended to the service log; non-zero exit is 112. */
async function runStep(name: string, command: string, spec: UserServiceSpec, env: NodeJS.ProcessEnv, logFile: string) {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('sh', ['-c', command], { cwd: spec.cwd, env, stdio: ['ignore', fd, fd] });
    const code = await new Promise<number | string>((resolve) =>
      child.once('exit', (c, s) => resolve(c ?? s ?? 'unknown')).once('error', (e) => resolve(e.message)),
    );
    if (code !== 0) throw new RunTargetError(`service ${name} command failed (${code}): ${command}${tailOf(logFile)}`);
  } finally {
    closeSync(fd);
  }
}

/** Migrate, seed, start, wait for readiness; registers the stop with the teardown. */
export async function userServiceUp(
  spec: UserServiceSpec,
  endpoints: Partial<Record<Placeholder, string>>,
  logDir: string,
  teardown: Teardown,
): Promise<StartedUserService> {
  const logFile = join(logDir, 'service.log');
  const values = { ...endpoints, port: String(await freePort()) };
  const url = fillPlaceholders(spec.url, values).replace(/\/$/, '');
  const readyUrl = fillPlaceholders(spec.readyUrl, values);
  if (!spec.command || (spec.reuseExisting && (await answers(readyUrl)))) {
    if (!(await answers(readyUrl))) throw new RunTargetError(`service: ${readyUrl} does not answer`);
    return { url, readyUrl, logFile, died: () => null };
  }
  const env = childEnv(spec, values);
  if (spec.migrate) await runStep('migrate', fillPlaceholders(spec.migrate, values), spec, env, logFile);
  if (spec.seed) await runStep('seed', fillPlaceholders(spec.seed, values), spec, env, logFile);
  const fd = openSync(logFile, 'a');
  const lease = groupLease();
  const child = spawn('sh', ['-c', fillPlaceholders(spec.command, values)], {
    cwd: spec.cwd,
    env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  if (child.pid) lease.track(child.pid);
  let exitedWith: number | string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = code ?? signal ?? 'unknown';
      lease.release();
      resolve();
    }),
  );
  child.once('error', (e) => (exitedWith ??= e.message));
  let stopping = false;
  const kill = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  teardown.add('service', async () => {
    stopping = true;
    if (exitedWith !== null || !child.pid) return;
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), teardown.urgent ? URGENT_STOP_MS : STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    kill('SIGKILL'); // what the shell started and left behind
  });
  const deadline = Date.now() + spec.timeoutMs;
  for (;;) {
    if (exitedWith !== null)
      throw new RunTargetError(`service exited (${exitedWith}) before it was ready: ${spec.command}${tailOf(logFile)}`);
    if (await answers(readyUrl)) break;
    if (Date.now() > deadline)
      throw new RunTargetError(
        `service did not become ready: ${readyUrl} did not answer below 400 within ${spec.timeoutMs} ms${tailOf(logFile)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    readyUrl,
    pid: child.pid,
    logFile,
    died: () =>
      exitedWith !== null && !stopping ? `the service exited during the run (${exitedWith}); see ${logFile}` : null,
  };
}
