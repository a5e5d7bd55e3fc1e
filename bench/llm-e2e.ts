/**
 * The kit's TTFT against a real inference server's own timings: llama.cpp's llama-server on
 * CPU with the tiny random-weight GGUF (npm run setup:llama), 64-token streams (ignore_eos), at
 * concurrency 1 and 8 (CONCURRENCY="1,8"), interleaved:
 *
 *   kit     `run llm-stream --engine node --llm-provider llama-server` (the kit starts the
 *           server); its requests.jsonl holds each request's TTFT and the server's timings
 *   anchor  a bare undici client in this process, same concurrency, same prompt shape, against
 *           a llama-server this bench starts with the same options
 *
 * For each: TTFT p50/p99, the server's prompt_ms p50, and TTFT - prompt_ms p50/p99 (what the
 * server's prompt timer does not see: HTTP, queueing, the first token's sampling and its way
 * back), and the kit's TTFT p50 over the anchor's as a ratio. Env: CONCURRENCY, DURATION
 * (measured seconds per kit run, default 10), TOKENS (default 64).
 *
 * Run: node --import tsx bench/llm-e2e.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { llamaMissing, startLlamaServer } from '../infra/llama/index.ts';
import { compareServerTimings, type ServerTimingComparison } from '../run/server-timings.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LEVELS = (process.env.CONCURRENCY ?? '1,8').split(',').map(Number);
const DURATION_S = Number(process.env.DURATION ?? 10);
const TOKENS = Number(process.env.TOKENS ?? 64);
const SLOTS = Math.max(8, ...LEVELS);
const TOPICS = ['idempotency keys', 'the transactional outbox', 'backpressure', 'consistent hashing', 'load shedding'];

interface Row {
  ttft: number;
  promptMs: number;
}

/** The kit's run; its requests.jsonl compared as the orchestrator does. */
function kitRun(vus: number): ServerTimingComparison {
  const results = mkdtempSync(join(tmpdir(), 'bench-llm-e2e-'));
  try {
    const env = [`VUS=${vus}`, `MAX_TOKENS=${TOKENS}`, 'WARMUP=3s', `DURATION=${DURATION_S}s`];
    const args = ['bin/k6-llm-perf.js', 'run', 'llm-stream', '--engine', 'node', '--llm-provider', 'llama-server'];
    args.push('--quiet', '--results', results, ...env.flatMap((e) => ['-e', e]));
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    if (r.status !== 0) throw new Error(`kit run exited ${r.status}:\n${r.stderr.slice(-2000)}`);
    const dir = join(
      results,
      readdirSync(results).find((d) => d.endsWith('-llm-stream'))!,
    );
    return JSON.parse(readFileSync(join(dir, 'server-timings.json'), 'utf8')) as ServerTimingComparison;
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}

/** One stream: TTFT at the first chunk with content; the server's timings from the last chunk. */
async function stream(url: string, agent: Agent, n: number): Promise<Row> {
  const body = JSON.stringify({
    model: 'tiny',
    max_tokens: TOKENS,
    ignore_eos: true,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: `Explain ${TOPICS[n % TOPICS.length]} in detail, with an example and its trade-offs.` }], // prettier-ignore
  });
  const t0 = performance.now();
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    dispatcher: agent,
    // A new connection each request: llama-server (cpp-httplib) closes a kept-alive one after a few.
    reset: true,
  });
  let first = 0;
  let text = '';
  for await (const c of res.body) {
    const s = String(c);
    if (!first && /"content":"[^"]/.test(s)) first = performance.now();
    text += s;
  }
  const last = text
    .split('\n')
    .filter((l) => l.startsWith('data: {') && l.includes('"timings"'))
    .pop();
  const promptMs = last ? (JSON.parse(last.slice(6)) as { timings: { prompt_ms: number } }).timings.prompt_ms : NaN;
  if (res.statusCode !== 200 || !first || Number.isNaN(promptMs))
    throw new Error(`bare client: status ${res.statusCode}, ${first ? '' : 'no token, '}timings ${promptMs}`);
  return { ttft: first - t0, promptMs };
}

/** The anchor: `streams` closed loops for DURATION_S after a 3 s warm-up (not measured). */
async function bareRun(url: string, streams: number): Promise<ServerTimingComparison> {
  const rows: Row[] = [];
  const start = performance.now();
  const warmEnd = start + 3000;
  const end = warmEnd + DURATION_S * 1000;
  await Promise.all(
    Array.from({ length: streams }, async (_, lane) => {
      const agent = new Agent({ connections: 1 });
      try {
        for (let i = 0; performance.now() < end; i++) {
          const sent = performance.now();
          const r = await stream(url, agent, lane + i * streams);
          if (sent >= warmEnd) rows.push(r);
        }
      } finally {
        await agent.close();
      }
    }),
  );
  return compareServerTimings(
    rows.map((r) => ({ measured: true, ttft_ms: r.ttft, server_timings: { prompt_ms: r.promptMs } })),
  )!;
}

const f = (x: number): string => x.toFixed(2).padStart(8);

async function main(): Promise<void> {
  const missing = llamaMissing();
  if (missing.length) {
    console.error(`bench/llm-e2e: ${missing.join(' and ')} not installed; run npm run setup:llama`);
    process.exit(1);
  }
  console.log(`llm-e2e: llama-server, tiny GGUF, ${TOKENS}-token streams (ignore_eos), ${SLOTS} slots, ${DURATION_S} s measured per run; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`); // prettier-ignore
  console.log('client  conc  requests  TTFT p50  TTFT p99  prompt_ms p50  TTFT-prompt p50  TTFT-prompt p99');
  const logDir = mkdtempSync(join(tmpdir(), 'bench-llm-e2e-log-'));
  const server = await startLlamaServer({ logFile: join(logDir, 'llama-server.log'), parallel: SLOTS });
  const onSignal = (): void => void server.stop(1000).then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    for (const c of LEVELS) {
      const kit = kitRun(c);
      const bare = await bareRun(server.url, c);
      for (const [name, x] of [
        ['kit', kit],
        ['bare', bare],
      ] as const) {
        console.log(
          `${name.padEnd(6)} ${String(c).padStart(5)} ${String(x.requests).padStart(9)} ${f(x.ttftMs.p50)}  ${f(x.ttftMs.p99)}  ${f(x.promptMs.p50)}       ${f(x.ttftMinusPromptMs.p50)}         ${f(x.ttftMinusPromptMs.p99)}`, // prettier-ignore
        );
      }
      console.log(`       kit / bare TTFT p50: ${(kit.ttftMs.p50 / bare.ttftMs.p50).toFixed(3)}; kit - bare (TTFT - prompt) p50: ${(kit.ttftMinusPromptMs.p50 - bare.ttftMinusPromptMs.p50).toFixed(2)} ms`); // prettier-ignore
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    await server.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

await main();
