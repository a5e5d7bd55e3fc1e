/**
 * schemathesis (a property-based API fuzzer, from the Python package index) for the
 * OpenAPI fuzz suites of test/mock-llm/ and test/service/: installed once into a venv under
 * the kit's cache (`~/.cache/k6-llm-perf/schemathesis-<version>/`, pinned version), then run
 * against a live server's `/openapi.json`, bounded in examples per operation and in time.
 * Without python3 (with venv and pip) the suites skip with a message; an install that fails
 * (no network to PyPI) fails with pip's output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../infra/setup/detect.ts';

export const SCHEMATHESIS_VERSION = '4.32.5';

const venvDir = (): string => join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
const python = (venv: string): string => join(venv, 'bin', 'python3');
/** Written last into the staged venv: a venv without it is incomplete. */
const MARKER = '.complete';
/** `st` without its script, whose shebang names the staging path the venv was built at. */
const ST_MAIN = "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())";

/** Why schemathesis cannot be installed here (python3, venv or pip missing), or null. */
function missingPython(): string | null {
  const probe = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (probe.error)
    return `python3 not found (${(probe.error as NodeJS.ErrnoException).code}); install python3 to run the fuzz`;
  if (probe.status !== 0)
    return `python3 has no venv/ensurepip (${probe.stderr.trim()}); install python3-venv to run the fuzz`;
  return null;
}

/**
 * The `st` executable: the cached venv's, or a fresh install (staged beside the cache and
 * renamed into place, so two concurrent first runs both end with a complete venv).
 * Returns `{ skip }` when python3 cannot make a venv.
 */
export function ensureSchemathesis(): { python: string } | { skip: string } {
  const venv = venvDir();
  if (existsSync(join(venv, MARKER))) return { python: python(venv) };
  const missing = missingPython();
  if (missing) return { skip: missing };
  rmSync(venv, { recursive: true, force: true }); // an interrupted install of old: the rename puts the marker in with the rest
  const stage = `${venv}.tmp-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) {
      rmSync(stage, { recursive: true, force: true });
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
  };
  run('python3', ['-m', 'venv', stage]);
  run(join(stage, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-input',
    `schemathesis==${SCHEMATHESIS_VERSION}`,
  ]);
  writeFileSync(join(stage, MARKER), `schemathesis ${SCHEMATHESIS_VERSION}\n`);
  try {
    renameSync(stage, venv);
  } catch {
    rmSync(stage, { recursive: true, force: true }); // another run finished first: use its venv
  }
  return { python: python(venv) };
}

export interface FuzzResult {
  /** Test cases schemathesis generated and sent ("N generated" in its summary). */
  cases: number;
  exitCode: number | null;
  output: string;
}

export interface FuzzOptions {
  /** Examples per operation and phase (`--max-examples`). */
  maxExamples: number;
  /** Kills the run past this (ms); the result then has a null exit code. */
  timeoutMs: number;
  seed?: number;
  /** Extra arguments (`--exclude-operation-id ...`). */
  args?: string[];
}

/**
 * Runs `st run <baseUrl>/openapi.json` with every check (no 5xx, status codes, content
 * types, headers and bodies conforming to the document, schema-valid data accepted and
 * invalid data refused, 405 for undocumented methods). Its `.hypothesis` database goes in
 * a temp dir, removed after.
 */
export async function fuzz(python: string, baseUrl: string, o: FuzzOptions): Promise<FuzzResult> {
  const cwd = mkdtempSync(join(tmpdir(), 'k6lp-schemathesis-'));
  const args = [
    '-c',
    ST_MAIN,
    'run',
    `${baseUrl}/openapi.json`,
    '--checks',
    'all',
    '--max-examples',
    String(o.maxExamples),
    '--seed',
    String(o.seed ?? 42),
    '--workers',
    '1',
    '--no-shrink',
    '--request-timeout',
    '10',
    '--output-sanitize',
    'false',
    ...(o.args ?? []),
  ];
  try {
    const child = spawn(python, args, { cwd, env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => clearTimeout(timer));
    const cases = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
    return { cases, exitCode, output };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
