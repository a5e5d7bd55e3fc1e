/**
 * The kit's TTFT against a real inference server's own timings: llama.cpp's llama-server on
 * CPU with the tiny random-weight GGUF (npm run setup:llama), 64-token streams (ignore_eos), at
 * concurrency 1 and 8 (CONCURRENCY="1,8"), interleaved:
 *
 *   kit     `run llm-stream --engine node --llm-provider llama-server` (the kit starts the
 *           server); its requests.jsonl holds each request's TTFT and the server's timings
 *   anchor  a bare undici client in this process, same concurrency, the same request bytes (the
 *           kit's buildRequest and prompt: model name, prompt, max_tokens, ignore_eos, usage;
 *           each lane's n-th request the prompt of a VU's n-th), against a llama-server this
 *           bench starts with the same options. What each parses differs by what it reports:
 *           the anchor tests each body chunk's bytes for the first content and JSON-parses the
 *           last chunk (timings) only; the kit parses every event (its ITL, token counts and
 *           usage need them) and records every metric and a requests.jsonl line per request
 *
 * For each: TTFT p50/p99, the server's prompt_ms p50, and TTFT - prompt_ms p50/p99 (what the
 * server's prompt timer does not see: HTTP, queueing, the first token's sampling and its way
 * back), and the kit's TTFT p50 over the anchor's as a ratio. Env: CONCURRENCY, DURATION
 * (measured seconds per kit run, default 10), TOKENS (default 64), PASSES (default 1: kit then
 * anchor at each level; more alternate which goes first and end with the medians over passes).
 *
 * Run: node --import tsx bench/llm-e2e.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { llamaMissing, startLlamaServer } from '../infra/llama/index.ts';
import { median } from '../run/capacity/result.ts';
import { compareServerTimings, type ServerTimingComparison } from '../run/server-timings.ts';
import { prompt } from '../scripts/lib/prompt.ts';
import { buildRequest } from '../scripts/lib/llm-stream.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LEVELS = (process.env.CONCURRENCY ?? '1,8').split(',').map(Number);
const DURATION_S = Number(process.env.DURATION ?? 10);
const TOKENS = Number(process.env.TOKENS ?? 64);
const PASSES = Number(process.env.PASSES ?? 1);
const SLOTS = Math.max(8, ...LEVELS);
/** The model name the kit's llm-stream sends by default (OPENAI_MODEL); llama-server serves its one model whatever the name. */
const MODEL = 'gpt-4o-mini';

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
  const req = buildRequest('openai', MODEL, TOKENS, prompt('detailed', n), '', true);
  const t0 = performance.now();
  const res = await request(`${url}${req.path}`, {
    method: 'POST',
    body: req.body,
    headers: { accept: 'text/event-stream', ...req.headers },
    dispatcher: agent,
    // A new connection each request (connection: close): llama-server closes the connection after
    // every stream anyway, and a request sent on it before that close is read fails ("other side
    // closed"). The kit asks for keep-alive and dials again after the close: one dial a request too.
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
    Array.from({ length: streams }, async () => {
      const agent = new Agent({ connections: 1 });
      try {
        for (let i = 0; performance.now() < end; i++) {
          const sent = performance.now();
          const r = await stream(url, agent, i);
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

function row(name: string, c: number, x: ServerTimingComparison): void {
  console.log(
    `${name.padEnd(6)} ${String(c).padStart(5)} ${String(x.requests).padStart(9)} ${f(x.ttftMs.p50)}  ${f(x.ttftMs.p99)}  ${f(x.promptMs.p50)}       ${f(x.ttftMinusPromptMs.p50)}         ${f(x.ttftMinusPromptMs.p99)}`, // prettier-ignore
  );
}

async function main(): Promise<void> {
  const missing = llamaMissing();
  if (missing.length) {
    console.error(`bench/llm-e2e: ${missing.join(' and ')} not installed; run npm run setup:llama`);
    process.exit(1);
  }
  if (!Number.isInteger(PASSES) || PASSES < 1) throw new Error(`PASSES must be a positive integer, got "${process.env.PASSES}"`); // prettier-ignore
  console.log(`llm-e2e: llama-server, tiny GGUF, ${TOKENS}-token streams (ignore_eos), ${SLOTS} slots, ${DURATION_S} s measured per run, ${PASSES} pass(es); ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`); // prettier-ignore
  console.log('client  conc  requests  TTFT p50  TTFT p99  prompt_ms p50  TTFT-prompt p50  TTFT-prompt p99');
  const logDir = mkdtempSync(join(tmpdir(), 'bench-llm-e2e-log-'));
  const server = await startLlamaServer({ logFile: join(logDir, 'llama-server.log'), parallel: SLOTS });
  const onSignal = (): void => void server.stop(1000).then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  const ratios = new Map<number, { ratio: number[]; kit: number[]; bare: number[] }>();
  try {
    for (let pass = 1; pass <= PASSES; pass++) {
      for (const c of LEVELS) {
        // Odd passes run the kit first, even ones the anchor: neither always gets the warmer machine.
        const kitFirst = pass % 2 === 1;
        let kit: ServerTimingComparison | undefined;
        let bare: ServerTimingComparison | undefined;
        if (kitFirst) kit = kitRun(c);
        bare = await bareRun(server.url, c);
        if (!kitFirst) kit = kitRun(c);
        kit = kit!;
        row('kit', c, kit);
        row('bare', c, bare);
        const ratio = kit.ttftMs.p50 / bare.ttftMs.p50;
        console.log(`       pass ${pass} (${kitFirst ? 'kit' : 'bare'} first, load ${loadavg()[0]!.toFixed(1)}): kit / bare TTFT p50: ${ratio.toFixed(3)}; kit - bare (TTFT - prompt) p50: ${(kit.ttftMinusPromptMs.p50 - bare.ttftMinusPromptMs.p50).toFixed(2)} ms`); // prettier-ignore
        const r = ratios.get(c) ?? { ratio: [], kit: [], bare: [] };
        r.ratio.push(ratio);
        r.kit.push(kit.ttftMs.p50);
        r.bare.push(bare.ttftMs.p50);
        ratios.set(c, r);
      }
    }
    if (PASSES > 1)
      for (const [c, r] of ratios)
        console.log(`median over ${PASSES} passes, concurrency ${c}: TTFT p50 kit ${median(r.kit)!.toFixed(2)} ms, bare ${median(r.bare)!.toFixed(2)} ms; kit / bare ${median(r.ratio)!.toFixed(3)} (passes: ${r.ratio.map((x) => x.toFixed(3)).join(', ')})`); // prettier-ignore
  } finally {
    process.removeListener('SIGINT', onSignal);
    await server.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

await main();
