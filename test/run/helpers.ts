/** Shared by the orchestrator's integration tests: the CLI as a child process, results lookups. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Endpoints } from '../../infra/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/k6-llm-perf.js');
export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Env for `--infra external` pointing at infrastructure the test file already brought up. */
export function externalEnv(endpoints: Endpoints): Record<string, string> {
  const env: Record<string, string> = {};
  if (endpoints.redis) env.REDIS_URL = endpoints.redis.url;
  if (endpoints.postgres) env.DATABASE_URL = endpoints.postgres.url;
  if (endpoints.kafka) env.KAFKA_BROKERS = endpoints.kafka.brokers.join(',');
  return env;
}

/** Runs `k6-llm-perf <args>`; `onStderr` sees each chunk (to send a signal at the right moment). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  onStderr?: (text: string, pid: number) => void,
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, child.pid!);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The one results folder a run created under `root` for `scenario`. */
export function resultsDirOf(root: string, scenario: string): string {
  const dirs = readdirSync(root).filter((d) => d.endsWith(`-${scenario}`));
  if (dirs.length !== 1)
    throw new Error(`expected one ${scenario} results folder in ${root}, found ${dirs.join(', ') || 'none'}`);
  return join(root, dirs[0]!);
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
