/**
 * Does the regression gate cry wolf? RUNS same-code short runs of the `load` scenario
 * (`run load --profile short`), then RUNS runs with the mock LLM's latency raised by SLOWDOWN
 * (time to first token and inter-token latency × 1.2 by default). Every ordered pair of unchanged
 * runs is compared with thresholds/load.json's regression rules: the false-alarm rate (goal 0 of
 * RUNS·(RUNS − 1)); every (unchanged, slower) pair: the detection rate (goal ≥ 95 %). Beside each,
 * what the old ratio-only gate (flag when worse by more than maxIncreasePct) would have said. Then
 * the history mode: each unchanged run against the other unchanged runs pooled, each slower run
 * against all unchanged runs pooled.
 *
 * Infrastructure (local Redis, PostgreSQL, Kafka) is brought up once and handed to every run with
 * `--infra external`; each run gets a fresh stub (seed 42, performance mode, as the kit starts it)
 * given with `--llm-url`, so only its latency differs between the two series.
 *
 * Run: node --import tsx bench/regression-gate.ts [--runs N] [--slowdown 1.2] [--rate R] [--ttft MS] [--itl MS] [--keep DIR]
 * (--ttft/--itl: the stub's base latencies instead of its fast defaults, e.g. a real provider's 500/20)
 * (--keep DIR: the results folders stay in DIR, for `compare` by hand).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startInfra } from '../infra/index.ts';
import { defaultConfig, startMockLlm } from '../mock-llm/index.ts';
import { compareResults, rulesFromThresholdsFile, type RegressionRule } from '../report/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    slowdown: { type: 'string', default: '1.2' },
    rate: { type: 'string' },
    keep: { type: 'string' },
    // The stub's base latencies. Its defaults (20 ms TTFT, 2 ms ITL) are far faster than a real
    // provider, so its share of a load run's end-to-end time is small; a real LLM's dominates.
    ttft: { type: 'string' },
    itl: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const SLOWDOWN = Number(args.slowdown);
if (!(Number.isInteger(RUNS) && RUNS >= 2) || !(SLOWDOWN > 0))
  throw new Error(`--runs must be an integer ≥ 2 (got ${args.runs}), --slowdown a factor > 0 (got ${args.slowdown})`);

function runCli(argv: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/k6-llm-perf.js'), ...argv], {
      cwd: ROOT,
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, out }));
  });
}

/** One `run load` with a fresh stub whose latencies are the defaults × factor; returns its results folder. */
async function oneRun(resultsRoot: string, env: Record<string, string>, factor: number, i: number): Promise<string> {
  const base = defaultConfig().latency;
  const d = {
    ...base,
    ...(args.ttft ? { ttftMs: Number(args.ttft) } : {}),
    ...(args.itl ? { itlMs: Number(args.itl) } : {}),
  };
  const scale = (v: typeof d.ttftMs) => (typeof v === 'number' ? v * factor : v);
  const stub = await startMockLlm({
    seed: 42,
    performanceMode: true,
    config: { latency: { ...d, ttftMs: scale(d.ttftMs), itlMs: scale(d.itlMs) } },
  });
  const root = join(resultsRoot, `${factor === 1 ? 'same' : 'slow'}-${String(i).padStart(2, '0')}`);
  try {
    const argv = [
      'run',
      'load',
      '--profile',
      'short',
      '--infra',
      'external',
      '--llm-url',
      stub.url,
      '--results',
      root,
      '--quiet',
      '--progress',
      'silent',
      ...(i > 0 || factor !== 1 ? ['--no-build'] : []),
    ];
    if (args.rate) argv.push('--rate', args.rate);
    const r = await runCli(argv, env);
    if (r.code !== 0) throw new Error(`run ${root} exited ${r.code}:\n${r.out.slice(-3000)}`);
  } finally {
    await stub.stop();
  }
  const dirs = readdirSync(root).filter((n) => n.endsWith('-load'));
  return join(root, dirs[0]!);
}

interface Tally {
  pairs: number;
  flagged: number;
  inconclusive: number;
  oldGate: number;
}

async function tally(pairs: Array<[string, string]>, rules: RegressionRule[]): Promise<Tally> {
  const t: Tally = { pairs: 0, flagged: 0, inconclusive: 0, oldGate: 0 };
  for (const [a, b] of pairs) {
    const c = await compareResults(a, b, rules);
    t.pairs++;
    if (!c.ok) {
      t.flagged++;
      const why = c.regressions.map((r) => `${r.metric} ${r.stat}: ${r.reason}`).join('; ');
      console.log(`    flagged ${a.split('/').slice(-2, -1)[0]} → ${b.split('/').slice(-2, -1)[0]}: ${why}`);
    }
    if (c.inconclusive.length) t.inconclusive++;
    if (
      c.rows.some(
        (r) =>
          r.maxIncreasePct !== null &&
          (r.worsePct === null ? r.delta !== 0 && r.delta !== null : r.worsePct > r.maxIncreasePct),
      )
    )
      t.oldGate++;
  }
  return t;
}

async function values(dir: string, rules: RegressionRule[]): Promise<string> {
  const c = await compareResults(dir, dir, rules);
  return c.rows
    .filter((r) => r.maxIncreasePct !== null)
    .map((r) => `${r.metric} ${r.stat}=${r.current?.toFixed(1)} (n=${r.samples.current})`)
    .join(', ');
}

async function main(): Promise<void> {
  const rules = await rulesFromThresholdsFile(join(ROOT, 'thresholds/load.json'));
  const work = args.keep ? resolve(args.keep) : mkdtempSync(join(tmpdir(), 'regression-gate-'));
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (shared)`,
  );
  console.log(
    `regression gate: ${RUNS} unchanged + ${RUNS} slower (mock latency ×${SLOWDOWN}) runs of load --profile short${args.rate ? ` --rate ${args.rate}` : ''}; rules of thresholds/load.json: ${rules.map((r) => `${r.metric} ${r.stat} ${r.maxIncreasePct}%`).join(', ')}`,
  );
  const infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent' });
  try {
    const e = infra.endpoints;
    const env: Record<string, string> = {
      REDIS_URL: e.redis!.url,
      DATABASE_URL: e.postgres!.url,
      KAFKA_BROKERS: e.kafka!.brokers.join(','),
    };
    const same: string[] = [];
    const slow: string[] = [];
    const started = Date.now();
    for (let i = 0; i < RUNS; i++) {
      same.push(await oneRun(work, env, 1, i));
      console.log(`  same ${i}: ${await values(same[i]!, rules)}`);
    }
    for (let i = 0; i < RUNS; i++) {
      slow.push(await oneRun(work, env, SLOWDOWN, i));
      console.log(`  slow ${i}: ${await values(slow[i]!, rules)}`);
    }
    const sameRuns = same.flatMap((a) => same.filter((b) => b !== a).map((b): [string, string] => [a, b]));
    const slowRuns = same.flatMap((a) => slow.map((b): [string, string] => [a, b]));
    const fa = await tally(sameRuns, rules);
    const det = await tally(slowRuns, rules);
    const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)} %`;
    console.log(
      `false alarms: ${fa.flagged} of ${fa.pairs} ordered pairs of unchanged runs (${pct(fa.flagged, fa.pairs)}; goal 0); inconclusive in ${fa.inconclusive}; the ratio-only gate would have flagged ${fa.oldGate}`,
    );
    console.log(
      `detection:    ${det.flagged} of ${det.pairs} (unchanged, ×${SLOWDOWN} slower) pairs (${pct(det.flagged, det.pairs)}; goal ≥ 95 %); inconclusive in ${det.inconclusive}; the ratio-only gate would have flagged ${det.oldGate}`,
    );
    let hfa = 0;
    for (const b of same)
      if (
        !(
          await compareResults(
            same.filter((x) => x !== b),
            b,
            rules,
          )
        ).ok
      )
        hfa++;
    let hdet = 0;
    for (const b of slow) if (!(await compareResults(same, b, rules)).ok) hdet++;
    console.log(
      `pooled history: false alarms ${hfa} of ${RUNS} (each unchanged run against the other ${RUNS - 1} pooled); detection ${hdet} of ${RUNS} (each slower run against the ${RUNS} unchanged pooled)`,
    );
    console.log(`${2 * RUNS} runs in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await infra.down();
    if (!args.keep) rmSync(work, { recursive: true, force: true });
  }
}

await main();
