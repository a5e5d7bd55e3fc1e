/**
 * The results folder of one run, `results/<YYYYMMDD-HHMMSS>-<scenario>/` (docs/results.md),
 * and meta.json. Nothing secret is written: URL passwords and values of variables whose name
 * looks like a credential are redacted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const KIT_ROOT = resolve(import.meta.dirname, '..');

/** `20261125-120000` in UTC. */
export function stamp(date: Date): string {
  const iso = date.toISOString(); // 2026-11-25T12:00:00.000Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

export interface ResultsDir {
  dir: string;
  logs: string;
  file(name: string): string;
}

/** Creates `<root>/<stamp>-<name>/logs`; a second run in the same second gets `-2`, `-3`... */
export function createResultsDir(root: string, name: string, now: Date): ResultsDir {
  const base = join(resolve(root), `${stamp(now)}-${name}`);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  return { dir, logs, file: (f) => join(dir, f) };
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;

/** Removes the password of a URL (`postgres://u:pw@h/db` → `postgres://u:***@h/db`); other text as is. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (!url.password) return text;
    url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}

/** Env entries safe to write: credential-like names redacted, URL passwords removed. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = SECRET_NAME.test(k) ? '***' : redactUrl(v);
  return out;
}

export function kitVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(KIT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: KIT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}
