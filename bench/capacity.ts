/**
 * Repeatability of the capacity search: three `capacity load` searches on this machine, one after
 * the other on the same local infrastructure (brought up once; each search starts its own mock LLM
 * and reference target, as the command does). Prints each search's capacity, steps and wall time,
 * then the median and the spread of the capacities around it (goal: every one within ±10 % of the
 * median). Figures are printed, never asserted: the machine's load moves them.
 *
 * Needs the local provider's servers (npm run setup). Run: node --import tsx bench/capacity.ts
 * Env: RUNS (default 3), STEP (measured step, default 5s), WARMUP (default 2s), REPEAT (default 1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfra } from '../infra/index.ts';
import { runCapacity } from '../run/capacity/index.ts';
import { median } from '../run/capacity/result.ts';
import { toCapacityOptions } from '../run/capacity/options.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-bench-capacity-'));
const infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent', logDir: root }); // prettier-ignore
const rows: Array<{
  capacity: number | null;
  exitCode: number;
  steps: number;
  seconds: number;
  stop: string;
  breaking: string;
}> = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const copts = toCapacityOptions('load', {
      engine: 'node',
      infra: 'external',
      profile: 'short',
      env: [],
      results: join(root, 'results'),
      quiet: true,
      build: i === 1,
      progress: 'silent',
      start: '2',
      growth: '2',
      resolution: '5',
      maxSteps: '14',
      maxLoad: '1024',
      stepDuration: process.env.STEP ?? '5s',
      warmup: process.env.WARMUP ?? '2s',
      repeat: process.env.REPEAT ?? '1',
      maxDrop: '10',
    });
    const started = Date.now();
    const out = await runCapacity(copts, {
      signal: new AbortController().signal,
      infra,
      log: (l) => {
        if (l.startsWith('capacity: step')) process.stderr.write(`  [${i}] ${l}\n`);
      },
      out: () => {},
    });
    const seconds = (Date.now() - started) / 1000;
    const b = out.result?.breaking;
    rows.push({
      // a search that ended on an error (not a breach or its own bounds) found no capacity
      capacity: out.exitCode === 0 ? (out.result?.capacity ?? null) : null,
      exitCode: out.exitCode,
      steps: out.steps.length,
      seconds,
      stop: `${out.result?.stop ?? 'none'} (exit ${out.exitCode})`,
      breaking: b ? `${b.load}: ${b.metric} ${b.expression} observed ${b.observed?.toFixed(1) ?? b.note}` : '—',
    });
  }
} finally {
  await infra.down();
  rmSync(root, { recursive: true, force: true });
}

const med = median(rows.map((r) => r.capacity));
console.log('\ncapacity load (req/s), resolution 5 %, steps of', process.env.STEP ?? '5s', 'after', process.env.WARMUP ?? '2s', 'warm-up'); // prettier-ignore
console.log('search  capacity  vs median  steps  wall s  stop                     first breach');
rows.forEach((r, i) => {
  const dev = med && r.capacity !== null ? `${(((r.capacity - med) / med) * 100).toFixed(1)} %` : '—';
  console.log(
    `${String(i + 1).padEnd(6)}  ${String(r.capacity ?? '—').padStart(8)}  ${dev.padStart(9)}  ${String(r.steps).padStart(5)}  ${r.seconds.toFixed(0).padStart(6)}  ${r.stop.padEnd(23)}  ${r.breaking}`, // prettier-ignore
  );
});
const caps = rows.map((r) => r.capacity).filter((c): c is number => c !== null);
const failed = rows.length - caps.length;
if (med && caps.length) {
  const worst = Math.max(...caps.map((c) => Math.abs(c - med) / med)) * 100;
  const goal =
    failed > 0 ? `NOT met: ${failed} of ${rows.length} searches found no capacity` : worst <= 10 ? 'met' : 'NOT met';
  console.log(`median ${med} req/s; spread ${Math.min(...caps)}–${Math.max(...caps)}, worst ±${worst.toFixed(1)} % of the median (goal ±10 %: ${goal})`); // prettier-ignore
} else {
  console.log(`no search found a capacity (goal ±10 %: NOT met)`);
}
process.exitCode = failed > 0 ? 1 : 0;
