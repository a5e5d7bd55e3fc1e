/**
 * The llm-stream scenario end to end (`k6-llm-perf run llm-stream --engine node --llm-url`)
 * against the stub with a known latency model: TTFT 200 ms, ITL 20 ms, 64 tokens, 16 VUs,
 * no queue. What a correct measurement must find, with bounds a shared, noisy machine cannot
 * break (this is not an accuracy benchmark): TTFT p50 never under 200 ms and at most 25 ms over
 * what a bare client at the same concurrency measures (referenceTtft), and output tokens/s over
 * the window within 10 % of the closed-loop ideal, 16 × 64 / (0.200 + 63 × 0.020) s (the old
 * whole-test rate was 17-23 % low); requests.jsonl holds one line per request the scenario sent
 * (as many as the stub answered). The figures are printed: on a quiet machine TTFT p50 came
 * within 2 ms of the bare client and tokens/s within 2 % of the ideal (docs/llm-benchmarking.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import type { RequestRecord } from '../../scripts/lib/llm-window.ts';
import { readJson, resultsDirOf, runCli } from '../run/helpers.ts';

const TTFT = 200;
const ITL = 20;
const TOKENS = 64;
const VUS = 16;
const IDEAL_TOKENS_PER_S = (VUS * TOKENS) / ((TTFT + (TOKENS - 1) * ITL) / 1000);

type Values = Record<string, number>;

/**
 * The reference: TTFT p50 of a bare undici client (no engine, in this process) against the same
 * stub at the same concurrency, 4 requests per stream after one warm-up. What it exceeds 200 ms
 * by is what the host adds (loopback, the stub's timer, CPU shared with others): measured here
 * at 202.7 ms on a shared 2-core machine at load 3.5.
 */
async function referenceTtft(url: string, streams: number): Promise<number> {
  const body = JSON.stringify({
    model: 'm',
    max_tokens: TOKENS,
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
  });
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: streams }, async () => {
      const agent = new Agent({ connections: 1 });
      try {
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          const res = await request(`${url}/v1/chat/completions`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
            dispatcher: agent,
          });
          let first = 0;
          for await (const c of res.body) if (!first && /"content":"[^"]/.test(String(c))) first = performance.now();
          if (res.statusCode !== 200 || first === 0)
            throw new Error(`reference client: status ${res.statusCode}, no token`);
          if (i > 0) times.push(first - t0);
        }
      } finally {
        await agent.close();
      }
    }),
  );
  return times.sort((x, y) => x - y)[times.length >> 1]!;
}

describe('llm-stream against a stub of known latency', { timeout: 180_000 }, () => {
  let mock: MockLlm;
  let root: string;
  let dir: string;
  let code: number | null;
  let stderr: string;
  let reference: number;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'llm-stream-'));
    mock = await startMockLlm({
      performanceMode: true,
      config: {
        latency: { ttftMs: TTFT, itlMs: ITL, prefillMsPerInputToken: 0, maxConcurrency: 0 },
        output: { tokens: TOKENS },
      },
    });
    reference = await referenceTtft(mock.url, VUS);
    mock.reset();
    const env = ['PROVIDERS=openai', `VUS=${VUS}`, `MAX_TOKENS=${TOKENS}`, 'WARMUP=3s', 'DURATION=10s'];
    const results = join(root, 'results');
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
      ...env.flatMap((e) => ['-e', e]),
    ]);
    code = r.code;
    const prom = await (await fetch(`${mock.url}/metrics`)).text();
    const value = (name: string) => Number(/ (\S+)$/.exec(prom.split('\n').find((l) => l.startsWith(name))!)![1]);
    const serverTtft = (1000 * value('vllm:time_to_first_token_seconds_sum')) / value('vllm:time_to_first_token_seconds_count'); // prettier-ignore
    console.log(`stub-side TTFT mean ${serverTtft.toFixed(2)} ms; lateness ${JSON.stringify(mock.stats().scheduleLatenessMs.firstToken)}`); // prettier-ignore
    stderr = r.stderr;
    dir = resultsDirOf(results, 'llm-stream');
  });
  after(async () => {
    await mock?.stop();
    if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
    else console.log(root);
  });

  const metric = (name: string): Values =>
    readJson<{ metrics: Record<string, Values> }>(join(dir, 'summary.json')).metrics[name]!;

  it('passes its thresholds', () => {
    assert.equal(code, 0, stderr.slice(-3000));
  });

  it('measures TTFT p50 at or over the configured 200 ms, and near what a bare client measures', () => {
    const med = metric('llm_ttft').med!;
    console.log(`llm_ttft med ${med.toFixed(2)} ms, p(95) ${metric('llm_ttft')['p(95)']!.toFixed(2)} ms; bare undici client ${reference.toFixed(2)} ms`); // prettier-ignore
    assert.ok(med >= TTFT, `TTFT p50 ${med} ms under the configured ${TTFT} ms`);
    assert.ok(med - reference <= 25, `TTFT p50 ${med} ms, bare client ${reference} ms`);
  });

  it('measures output tokens/s over the window within 10 % of the closed-loop ideal', () => {
    const perS = metric('llm_output_throughput').count!;
    const requests = metric('llm_request_throughput').count!;
    console.log(
      `llm_output_throughput ${perS.toFixed(1)} tokens/s (ideal ${IDEAL_TOKENS_PER_S.toFixed(1)}), ` +
        `llm_request_throughput ${requests.toFixed(2)}/s, llm_request_goodput ${metric('llm_request_goodput').count!.toFixed(2)}/s, ` + // prettier-ignore
        `llm_output_tokens rate (whole test) ${metric('llm_output_tokens').rate!.toFixed(1)}/s, ` +
        `llm_tpot med ${metric('llm_tpot').med!.toFixed(2)} ms, llm_itl med ${metric('llm_itl').med!.toFixed(2)} ms`,
    );
    assert.ok(Math.abs(perS / IDEAL_TOKENS_PER_S - 1) <= 0.1, `${perS} tokens/s`);
  });

  it('writes requests.jsonl with one line per request the stub answered', () => {
    const lines = readFileSync(join(dir, 'requests.jsonl'), 'utf8').trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as RequestRecord);
    const answered = mock.stats().requests['POST /v1/chat/completions']?.['200'];
    assert.equal(records.length, answered);
    const r = records.find((x) => x.measured)!;
    assert.equal(r.status, 200);
    assert.equal(r.token_offsets_ms.length, TOKENS);
    assert.deepEqual(r.output_tokens, { client: TOKENS, server: TOKENS });
    assert.equal(r.input_tokens.client, r.input_tokens.server);
    assert.equal(r.ttft_ms, r.token_offsets_ms[0]);
  });
});
