/** Runs a conformance script in-process with runTest and captures stdout/stderr. */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runTest, type RunTestOptions, type RunTestResult } from '../../../engine/index.ts';

export const SCRIPTS = fileURLToPath(new URL('../scripts/', import.meta.url));

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface Ran extends RunTestResult {
  stdout: string;
  stderr: string;
  /** summary.metrics[name].values */
  values(metric: string): Record<string, number>;
}

export async function run(script: string, o: Partial<RunTestOptions> & { baseUrl?: string } = {}): Promise<Ran> {
  const stdout = new Capture();
  const stderr = new Capture();
  const res = await runTest({
    script: script.includes('/') ? script : SCRIPTS + script,
    quiet: true,
    workers: 2,
    ...o,
    env: { ...(o.baseUrl ? { BASE_URL: o.baseUrl } : {}), ...o.env },
    stdout,
    stderr,
  });
  const metrics = (res.summary?.metrics ?? {}) as Record<string, { values: Record<string, number> }>;
  return {
    ...res,
    stdout: stdout.text,
    stderr: stderr.text,
    values: (m) => metrics[m]?.values ?? {},
  };
}
