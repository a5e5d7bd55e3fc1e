/**
 * `capacity` end to end, with real parts (only the LLM is mocked); the infrastructure comes up
 * ONCE for the file:
 * - against the mock LLM with a known capacity (at most 4 generations at once; a 5th stream waits
 *   a whole generation for a slot, which TTFT's p95 bound catches), the search finds 4 concurrent
 *   streams in a bounded number of steps, each step judged in a folder of its own; by arrival
 *   rate, it finds the rate those 4 slots sustain (4 / generation time);
 * - a component that dies during a step ends the search with exit 113;
 * - against the reference service through the real CLI (`--profile short`), the search finishes,
 *   writes every file, and the gate exits 99 with an impossible --min.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { runCapacity } from '../../run/capacity/index.ts';
import { toCapacityOptions, type CliCapacityOptions } from '../../run/capacity/options.ts';
import { FIXTURES, externalEnv, readJson, resultsDirOf, runCli } from './helpers.ts';

let infra: InfraHandle;
let mock: MockLlm;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-capacity-'));
  infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent', logDir: root }); // prettier-ignore
  mock = await startMockLlm({ port: 0, performanceMode: true, config: join(FIXTURES, 'capacity-mock.json') });
});

after(async () => {
  await mock?.stop();
  await infra?.down();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The known capacity of the mock: its concurrency limit. */
const MOCK_LIMIT = 4;

function cliOptions(extra: Partial<CliCapacityOptions>): CliCapacityOptions {
  return {
    engine: 'node',
    infra: 'external',
    env: [],
    results: join(root, 'results'),
    quiet: true,
    build: true,
    progress: 'silent',
    growth: '2',
    resolution: '5',
    maxSteps: '8',
    maxLoad: '64',
    stepDuration: '5s',
    warmup: '1s',
    repeat: '1',
    maxDrop: '10',
    ...extra,
  };
}

describe('capacity against the mock LLM with a concurrency limit', () => {
  it('finds the limit within the resolution in a bounded number of steps', async () => {
    const copts = toCapacityOptions(
      'llm-stream',
      cliOptions({
        llmUrl: mock.url,
        thresholds: join(FIXTURES, 'capacity-llm-stream.json'),
        env: ['PROVIDERS=anthropic', 'MAX_TOKENS=32', 'REQUEST_LOG=off'],
        // 3 holds, 6 breaks, then bisection: 4 holds, 5 breaks. The mock has nothing to warm up.
        start: '3',
        warmup: '0s',
        stepDuration: '4s',
      }),
    );
    const lines: string[] = [];
    const ctx = { signal: new AbortController().signal, log: (l: string) => lines.push(l), out: (t: string) => lines.push(t) }; // prettier-ignore
    const out = await runCapacity(copts, ctx);
    const detail = lines.join('\n');
    assert.equal(out.exitCode, 0, detail);
    const { capacity, stop, breaking } = out.result!;
    assert.equal(stop, 'resolution', detail);
    // An integer knob: within 5 % of 4 streams is exactly 4.
    assert.ok(capacity !== null && Math.abs(capacity - MOCK_LIMIT) <= MOCK_LIMIT * 0.05, `capacity ${capacity}\n${detail}`); // prettier-ignore
    // 3, 6 (grow), then 4, 5 (bisect); a noisy step may add one, never more than 6.
    assert.ok(out.steps.length <= 6, `${out.steps.length} steps\n${detail}`);
    assert.equal(breaking?.load, MOCK_LIMIT + 1);
    assert.equal(breaking?.metric, 'llm_ttft');
    assert.ok(breaking.observed !== null && breaking.observed >= 300);
    for (const s of out.steps) {
      for (const f of ['summary.json', 'verdict.json', 'summary.md', 'junit.xml'])
        assert.ok(existsSync(join(s.dir, f)), `${f} missing in ${s.dir}`);
      // Every step ran its load: the achieved rate is positive and the main trend has samples.
      assert.ok(s.repeats[0]!.achieved! > 0 && s.repeats[0]!.p95 !== null, `step ${s.index} measured nothing`);
    }
    const json = readJson(join(out.dir, 'capacity.json'));
    assert.equal(json.capacity, capacity);
    assert.equal((json.steps as unknown[]).length, out.steps.length);
  });
});

describe('capacity against the mock LLM by arrival rate', () => {
  it('finds the rate past which the admission limit queues requests', async () => {
    // 4 slots, each busy for one generation (20 ms + 31 × 25 ms): 4 / 0.795 s = 5.03 requests/s.
    const rate = MOCK_LIMIT / 0.795;
    const copts = toCapacityOptions(
      'llm-stream',
      cliOptions({
        llmUrl: mock.url,
        thresholds: join(FIXTURES, 'capacity-llm-stream.json'),
        env: ['PROVIDERS=anthropic', 'MAX_TOKENS=32', 'REQUEST_LOG=off', 'LOAD=rate'],
        start: '4',
        warmup: '0s',
        stepDuration: '5s',
      }),
    );
    const lines: string[] = [];
    const ctx = { signal: new AbortController().signal, log: (l: string) => lines.push(l), out: (t: string) => lines.push(t) }; // prettier-ignore
    const out = await runCapacity(copts, ctx);
    const detail = lines.filter((l) => l.startsWith('capacity')).join('\n');
    assert.equal(out.exitCode, 0, detail);
    assert.equal(out.result!.stop, 'resolution', detail);
    const capacity = out.result!.capacity!;
    // Below the rate nothing queues, so no step under it may break (5 % of slack for the bisection's
    // grid). Above it the queue grows by (offered - rate) per second: a 5-second step sees 10 % over
    // as a second of waiting, so the search must break by then.
    assert.ok(capacity >= rate * 0.95 && capacity <= rate * 1.1, `capacity ${capacity} req/s vs ${rate.toFixed(2)}\n${detail}`); // prettier-ignore
    assert.ok(out.steps.length <= 8, `${out.steps.length} steps\n${detail}`);
  });
});

describe('the stack watch during a search', () => {
  it('ends the search with exit 113 when the mock LLM dies during a step, and still writes the folder', async () => {
    const results = join(root, 'watch');
    let killed = false;
    const r = await runCli(
      ['capacity', 'llm-stream', '--engine', 'node', '--quiet', '--step-duration', '20s', '--warmup', '0s',
        '--health-grace', '1s', '-e', 'PROVIDERS=anthropic', '-e', 'REQUEST_LOG=off', '--results', results], // prettier-ignore
      {},
      (stderr) => {
        const pid = /watching mock LLM \S+ \(pid (\d+)\)/.exec(stderr)?.[1];
        if (!killed && pid && stderr.includes('run: executing llm-stream')) {
          killed = true;
          setTimeout(() => process.kill(Number(pid), 'SIGKILL'), 1000);
        }
      },
    );
    assert.ok(killed, `the mock LLM's pid was never logged\n${r.stderr}`);
    assert.equal(r.code, 113, `${r.stdout}\n${r.stderr}`);
    const dir = resultsDirOf(results, 'capacity-llm-stream');
    const json = readJson<{ stop: string; exitCode: number; steps: Array<{ broke: string | null }> }>(join(dir, 'capacity.json')); // prettier-ignore
    assert.equal(json.exitCode, 113);
    assert.equal(json.stop, 'error');
    assert.deepEqual(
      json.steps.map((s) => s.broke),
      ['exit 113'],
    );
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<error type="exit 113"/);
  });
});

describe('capacity of the reference service through the CLI', () => {
  it('finishes, writes every file, and exits 99 with an impossible --min', async () => {
    const results = join(root, 'reference');
    const r = await runCli(
      ['capacity', 'load', '--infra', 'external', '--engine', 'node', '--profile', 'short', '--quiet',
        '--step-duration', '2s', '--warmup', '1s', '--max-steps', '2', '--min', '1000000', '--results', results], // prettier-ignore
      externalEnv(infra.endpoints),
    );
    assert.equal(r.code, 99, `${r.stdout}\n${r.stderr}`);
    const dir = resultsDirOf(results, 'capacity-load');
    for (const f of ['capacity.json', 'summary.md', 'junit.xml', 'report.html'])
      assert.ok(existsSync(join(dir, f)), `${f} missing in ${dir}`);
    const json = readJson<{ capacity: number | null; stop: string; gates: Array<{ ok: boolean }>; steps: Array<{ dir: string; achieved: number | null; goodput: number | null; peakRssMb: number | null }> }>(join(dir, 'capacity.json')); // prettier-ignore
    assert.equal(json.steps.length, 2);
    assert.equal(json.stop, 'max-steps');
    assert.deepEqual(
      json.gates.map((g) => g.ok),
      [false],
    );
    for (const s of json.steps) {
      for (const f of ['summary.md', 'verdict.json', 'report.html'])
        assert.ok(existsSync(join(dir, s.dir, f)), `${f} missing in ${s.dir}`);
      assert.ok(s.achieved !== null && s.achieved > 0, `${s.dir}: no iterations`);
      assert.ok(s.goodput !== null && s.goodput <= s.achieved, `${s.dir}: goodput ${s.goodput} vs ${s.achieved}`);
      if (process.platform === 'linux') assert.ok(s.peakRssMb !== null && s.peakRssMb > 0, `${s.dir}: no peak RSS of the target`); // prettier-ignore
      assert.ok(existsSync(join(dir, s.dir, 'warmup', 'summary.json')), `no warm-up run in ${s.dir}`);
    }
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(junit, /<testcase classname="k6-llm-perf\.capacity\.load\.gate" name="capacity &gt;=1000000 \(--min\)" time="0">\n\s+<failure /); // prettier-ignore
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /id="capacity-latency"/);
    assert.match(r.stdout, /gate capacity >=1000000 \(--min\): FAIL/);
  });
});
