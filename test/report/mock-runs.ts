/**
 * Short engine runs against the mock LLM only (no Redis, Kafka or PostgreSQL): a fresh stub per run
 * (seed 42, performance mode, as the kit starts it) with a given latency, the Node engine as a child
 * process, and a results folder holding summary.json and histograms.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startMockLlm } from '../../mock-llm/index.ts';
import { root } from './helpers.ts';

export const LLM_SCRIPT = join(import.meta.dirname, 'fixtures/scripts/llm-load.js');

export interface MockRun {
  /** Results folder name under the parent. */
  name: string;
  /** Mock latency: time to first token and inter-token latency, ms. */
  ttftMs: number;
  itlMs: number;
  rate: number;
  duration: string;
}

function engineRun(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/k6-llm-perf.js'), 'engine', 'run', '--quiet', '--no-summary', ...args],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Runs the script once against a fresh stub; returns the results folder. Throws when the engine fails. */
export async function mockRun(parent: string, run: MockRun): Promise<string> {
  const dir = join(parent, run.name);
  mkdirSync(dir, { recursive: true });
  const stub = await startMockLlm({
    seed: 42,
    performanceMode: true,
    config: { latency: { ttftMs: run.ttftMs, itlMs: run.itlMs }, output: { tokens: 32 } },
  });
  try {
    const r = await engineRun([
      '--summary-export',
      join(dir, 'summary.json'),
      '--hdr-export',
      join(dir, 'histograms.json'),
      '-e',
      `LLM_URL=${stub.url}`,
      '-e',
      `RATE=${run.rate}`,
      '-e',
      `DURATION=${run.duration}`,
      LLM_SCRIPT,
    ]);
    if (r.code !== 0) throw new Error(`engine run ${run.name} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  } finally {
    await stub.stop();
  }
  return dir;
}
