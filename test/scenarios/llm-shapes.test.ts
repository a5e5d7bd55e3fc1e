/**
 * llm-stream's open-loop shapes end to end (`run llm-stream --engine node --llm-url`) against the
 * stub with a known latency (TTFT 50 ms, ITL 10 ms, 16 tokens: 200 ms a request), one provider:
 * a constant rate achieves its rate over the window (requests finished inside it, counted whole:
 * within 5 %, i.e. 48 ± 2 over 6 s at 8/s); a sweep of two rates reports each step apart, through
 * the tag step:N (thresholds on `llm_request_throughput{step:N}`), in requests.jsonl and in
 * report.html's sweep charts; a Poisson run sends one request per arrival of its seeded schedule,
 * and the window finishes as many as the schedule puts in it (± 2 at the edges). Runs are short: about 10 s of load each.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { poissonArrivals, seedOf } from '../../scripts/lib/llm-load.ts';
import type { RequestRecord } from '../../scripts/lib/llm-window.ts';
import { readJson, resultsDirOf, runCli } from '../run/helpers.ts';

type Values = Record<string, number>;

describe('llm-stream load shapes against a stub of known latency', { timeout: 240_000 }, () => {
  let mock: MockLlm;
  let root: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'llm-shapes-'));
    mock = await startMockLlm({
      performanceMode: true,
      config: {
        latency: { ttftMs: 50, itlMs: 10, prefillMsPerInputToken: 0, maxConcurrency: 0 },
        output: { tokens: 16 },
      },
    });
  });
  after(async () => {
    await mock?.stop();
    if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
    else console.log(root);
  });

  async function run(name: string, env: string[], extra: string[] = []) {
    const results = join(root, name);
    const r = await runCli([
      'run',
      'llm-stream',
      '--engine',
      'node',
      '--llm-url',
      mock.url,
      '--quiet',
      '--results',
      results,
      ...extra,
      ...['PROVIDERS=openai', 'MAX_TOKENS=16', ...env].flatMap((e) => ['-e', e]),
    ]);
    const dir = resultsDirOf(results, 'llm-stream');
    const metrics = () => readJson<{ metrics: Record<string, Values> }>(join(dir, 'summary.json')).metrics;
    return { ...r, dir, metrics };
  }

  // Bounds a shared, noisy machine cannot break (tests check the pipeline; docs/llm-benchmarking.md
  // has the figures measured on a quiet one: rate within 2 %, window counts within 2 requests).
  it('achieves a constant rate of 8 requests/s over the window within 20 %', async () => {
    const r = await run('rate', ['LOAD=rate', 'RATE=8', 'WARMUP=2s', 'DURATION=6s']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const m = r.metrics();
    const perS = m.llm_request_throughput!.count!;
    console.log(`rate 8/s: llm_request_throughput ${perS.toFixed(3)}/s, llm_ttft med ${m.llm_ttft!.med!.toFixed(2)} ms, dropped ${m.dropped_iterations?.count ?? 0}`); // prettier-ignore
    assert.ok(Math.abs(perS / 8 - 1) <= 0.2, `${perS} requests/s`);
  });

  it('sends Poisson arrivals on their seeded schedule: one request per arrival, the window holding its share', async () => {
    const r = await run('poisson', ['LOAD=poisson', 'RATE=8', 'WARMUP=2s', 'DURATION=6s']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const arrivals = poissonArrivals(8, 8000, seedOf(42, 'openai'));
    const records = readFileSync(join(r.dir, 'requests.jsonl'), 'utf8').trimEnd().split('\n');
    assert.equal(records.length, arrivals.length);
    // Each request counts the part of its life (200 ms on this stub) inside [2 s, 8 s): a quiet
    // machine is off by 2 at the edges at most; a loaded one stretches the lives across them.
    const expected = arrivals.reduce((n, t) => n + Math.max(0, Math.min(t + 200, 8000) - Math.max(t, 2000)) / 200, 0);
    const finished = r.metrics().llm_request_throughput!.count! * 6;
    console.log(`poisson 8/s: ${arrivals.length} arrivals, ${finished.toFixed(1)} in the window (${expected.toFixed(1)} expected)`); // prettier-ignore
    const slack = Math.max(4, expected * 0.25);
    assert.ok(
      Math.abs(finished - expected) <= slack,
      `${finished} requests in the window, expected ${expected} ± ${slack}`,
    );
  });

  it('reports each step of a sweep apart: thresholds by step tag, requests.jsonl and the report', async () => {
    const thresholds = join(root, 'sweep-thresholds.json');
    const { $schema: _, ...base } = JSON.parse(readFileSync('thresholds/llm-stream.json', 'utf8')) as {
      $schema: string;
      thresholds: object;
    };
    const perStep = { 'llm_request_throughput{step:1}': ['count>0'], 'llm_request_throughput{step:2}': ['count>0'] };
    writeFileSync(thresholds, JSON.stringify({ ...base, thresholds: { ...base.thresholds, ...perStep } }));
    const r = await run('sweep', ['LOAD=rate', 'SWEEP=4,8', 'WARMUP=1s', 'DURATION=4s'], ['--thresholds', thresholds]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const m = r.metrics();
    const step = (n: number) => m[`llm_request_throughput{step:${n}}`]!.count!;
    console.log(`sweep 4,8/s: step 1 ${step(1).toFixed(3)}/s, step 2 ${step(2).toFixed(3)}/s`);
    assert.ok(Math.abs(step(1) / 4 - 1) <= 0.25, `step 1: ${step(1)} requests/s, expected 4 ± 25 %`);
    assert.ok(Math.abs(step(2) / 8 - 1) <= 0.25, `step 2: ${step(2)} requests/s, expected 8 ± 25 %`);
    const records = readFileSync(join(r.dir, 'requests.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestRecord);
    assert.deepEqual([...new Set(records.map((x) => x.step))].sort(), [1, 2]);
    assert.deepEqual([...new Set(records.map((x) => x.scenario))].sort(), ['openai_step1', 'openai_step2']);
    const html = readFileSync(join(r.dir, 'report.html'), 'utf8');
    for (const id of ['llm-ttft-cdf', 'llm-itl-cdf', 'llm-sweep-latency', 'llm-sweep-goodput'])
      assert.ok(html.includes(`"id":"${id}"`), `report.html has no chart ${id}`);
  });
});
