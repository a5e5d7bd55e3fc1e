/**
 * What the orchestrator adds around an engine run: `k6-llm-perf run llm-stream --engine k6` with
 * the k6 test double (test/run/fixtures/fake-k6.mjs) against the same double run directly
 * (the anchor), both in this invocation. The difference is the kit's own cost: CLI start,
 * threshold validation, build, the mock LLM up and down, verdict and every results file.
 * Run: node --import tsx bench/run-overhead.ts [rounds=3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMockLlm } from '../mock-llm/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FAKE_K6 = join(ROOT, 'test/run/fixtures/fake-k6.mjs');
const rounds = Number(process.argv[2] ?? 3);

function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
    child.on('error', rej);
    child.on('close', (code) =>
      code === 0 || code === 99 ? res(performance.now() - t0) : rej(new Error(`${command} exited ${code}`)),
    );
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-bench-'));
const stub = await startMockLlm({ port: 0, seed: 42, performanceMode: true });
try {
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ thresholds: { http_req_duration: ['p(95)<1000'] } }));
  const direct: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < rounds; i++) {
    direct.push(
      await timed(process.execPath, [
        FAKE_K6,
        'run',
        '--config',
        config,
        '--summary-export',
        join(dir, `s${i}.json`),
        '--out',
        `json=${join(dir, `p${i}.json`)}`,
        '-e',
        `LLM_URL=${stub.url}`,
        'x.js',
      ]),
    );
    full.push(
      await timed(
        process.execPath,
        ['bin/k6-llm-perf.js', 'run', 'llm-stream', '--engine', 'k6', '--quiet', '--results', join(dir, 'results')],
        { K6_BIN: FAKE_K6 },
      ),
    );
  }
  const a = median(direct);
  const b = median(full);
  console.log(`anchor: k6 double run directly        median ${a.toFixed(0)} ms over ${rounds} rounds`);
  console.log(`kit:    run llm-stream --engine k6     median ${b.toFixed(0)} ms over ${rounds} rounds`);
  console.log(`ratio kit/anchor: ${(b / a).toFixed(2)}  (orchestration overhead ${(b - a).toFixed(0)} ms per run)`);
} finally {
  await stub.stop();
  rmSync(dir, { recursive: true, force: true });
}
