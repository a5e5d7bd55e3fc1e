import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDir, untrackDir } from './registry.ts';

/** A fresh temp dir `k6-llm-perf-<name>-XXXXXX`, removed by `removeTempDir` or at exit. */
export function makeTempDir(name: string, owner?: { uid: number; gid: number }): string {
  const dir = mkdtempSync(join(tmpdir(), `k6-llm-perf-${name}-`));
  trackDir(dir);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/** Removes a temp dir; returns the error message instead of throwing (cleanup never throws). */
export function removeTempDir(dir: string): string | undefined {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    untrackDir(dir);
    return undefined;
  } catch (err) {
    return `could not remove ${dir}: ${(err as Error).message}`;
  }
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The last `lines` lines of a log file ('' when it does not exist). */
export function logTail(file: string, lines = 25): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 64 * 1024));
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
