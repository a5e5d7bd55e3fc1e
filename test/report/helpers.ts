/** Shared helpers of the report tests: fixture paths, temp results folders, running the CLI. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const fixtures = join(import.meta.dirname, 'fixtures');
export const baselineDir = join(fixtures, 'baseline');
export const currentDir = join(fixtures, 'current');

/** A temp folder removed by the returned function (call it in `after`). */
export function tempDir(prefix = 'k6-llm-perf-report-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a fixture results folder into `parent/name` and returns the copy's path. */
export function copyFixture(from: string, parent: string, name: string): string {
  const to = join(parent, name);
  cpSync(from, to, { recursive: true });
  return to;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/k6-llm-perf.js ...args` as a child process. */
export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/k6-llm-perf.js'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}
