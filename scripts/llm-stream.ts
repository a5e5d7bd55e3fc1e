/**
 * LLM streaming, measured as vLLM's serving benchmark and aiperf measure it, straight against
 * the LLM endpoint (the mock stub; or a real provider with LLM_URL and LLM_API_KEY, to
 * compare), for both wire formats (tag provider:anthropic|openai). Definitions:
 * docs/llm-benchmarking.md; formulas: scripts/lib/llm-stream.ts and llm-window.ts.
 *
 * How chunks are timed: k6/http hands a response over only when it is complete, so the
 * stream is read through `k6/x/sse` (phymbert/xk6-sse, resolved by k6 ≥ 1.2 by itself;
 * the kit's engine implements it) and each event is stamped as its handler runs (the
 * client-side arrival time, as vLLM's benchmark does) on a monotonic sub-millisecond clock
 * where the runtime has `performance` (the Node engine), else Date.now() (see makeClock).
 *
 * Per request, for streams sent after the warm-up (Trends, tag provider):
 *   llm_ttft, llm_ttst, llm_itl (every gap), llm_tpot, llm_e2el        ms
 *   llm_request_input_tokens, llm_request_output_tokens               tag source:client|server
 *   llm_output_tokens_per_s                                            output tokens / E2EL
 *   llm_token_count_mismatch   Counter: client and server counts differ (tag kind:input|output)
 *   llm_stream_success         Rate, the stream finished with content
 * Over the measured window only (Counters whose `count` is per second: threshold `count>=X`):
 *   llm_output_throughput, llm_input_throughput, llm_total_token_throughput   tokens/s
 *   llm_request_throughput, llm_request_goodput                                requests/s
 *   llm_output_tokens          Counter, every output token of measured requests (its rate
 *                              spans the whole test: use llm_output_throughput instead)
 * Per-request export: one console line per request (REQUEST_LOG=off to stop), which the
 * orchestrator writes to results/<run>/requests.jsonl.
 *
 * Load shapes (scripts/lib/llm-load.ts): LOAD=concurrency (VUS streams in total, shared by
 * the providers), rate or poisson (RATE requests/s in total, MAX_VUS VUs in total), SWEEP (a
 * list of levels, one step each, tag step:N), SEED (default 42) for Poisson arrivals and lengths.
 *
 * Env: LLM_URL (required), LLM_API_KEY (optional, sent as x-api-key / Bearer, never
 * logged), PROVIDERS (default anthropic,openai), LOAD (default concurrency), VUS (concurrent
 * streams in total, default 8), RATE (requests/s in total, default 4), MAX_VUS (default
 * max(providers, ceil(5 x the highest rate))), SWEEP, SEED, WARMUP (unmeasured start of each
 * step, default 5s; 3s short), DURATION (measured, per step, default 20s; 6s short),
 * MAX_TOKENS (default 128), OUTPUT_TOKENS (mean output length, sent as max_tokens, default
 * MAX_TOKENS), OUTPUT_TOKENS_STDDEV, INPUT_TOKENS (mean prompt length; unset: a short fixed
 * prompt), INPUT_TOKENS_STDDEV (default 0), GOODPUT (SLOs of goodput, vLLM's syntax, default
 * "ttft:1000,tpot:200", the bounds of thresholds/llm-stream.json), REQUEST_LOG (on|off),
 * ANTHROPIC_MODEL, OPENAI_MODEL, IGNORE_EOS (on|off, default off: on sends ignore_eos, so a
 * server that honours it, llama.cpp or vLLM, generates exactly max_tokens; the kit sets it with
 * --llm-provider llama-server), MISMATCH_KINDS (the token counts compared, default input,output;
 * the kit sets output with llama-server, whose tokenizer the client's characters / 4 input
 * estimate cannot match). A server's own per-request timings (llama-server) go into the
 * per-request export.
 */
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import sse from 'k6/x/sse';
import { check, sleep } from 'k6';
import { durationMs, llmUrl, numberEnv, optionalEnv, phase } from './lib/config.ts';
import { prompt } from './lib/data.ts';
import {
  buildRequest,
  estimateTokens,
  makeClock,
  measure,
  newState,
  onEvent,
  type Provider,
  type StreamMetrics,
  type StreamState,
} from './lib/llm-stream.ts';
import {
  buildScenarios,
  drawLength,
  parseLevels,
  prng,
  promptOfTokens,
  seedOf,
  type LoadShape,
} from './lib/llm-load.ts';
import { meetsSlo, parseSlo, recordLine, requestRecord, windowShare, type Window } from './lib/llm-window.ts';

const ttft = new Trend('llm_ttft', true);
const ttst = new Trend('llm_ttst', true);
const itl = new Trend('llm_itl', true);
const tpot = new Trend('llm_tpot', true);
const e2el = new Trend('llm_e2el', true);
const tokensPerSecond = new Trend('llm_output_tokens_per_s');
const outputTokens = new Counter('llm_output_tokens');
const success = new Rate('llm_stream_success');
const inputTokensTrend = new Trend('llm_request_input_tokens');
const outputTokensTrend = new Trend('llm_request_output_tokens');
const mismatch = new Counter('llm_token_count_mismatch');
const outputThroughput = new Counter('llm_output_throughput');
const inputThroughput = new Counter('llm_input_throughput');
const totalThroughput = new Counter('llm_total_token_throughput');
const requestThroughput = new Counter('llm_request_throughput');
const goodput = new Counter('llm_request_goodput');

const PROVIDERS = optionalEnv('PROVIDERS', 'anthropic,openai')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
for (const p of PROVIDERS)
  if (p !== 'anthropic' && p !== 'openai')
    throw new Error(`PROVIDERS: unknown provider "${p}" (expected anthropic, openai)`);
const MODELS: Record<Provider, string> = {
  anthropic: optionalEnv('ANTHROPIC_MODEL', 'claude-sonnet-4-5'),
  openai: optionalEnv('OPENAI_MODEL', 'gpt-4o-mini'),
};
const MAX_TOKENS = numberEnv('MAX_TOKENS', 128);
const OUTPUT_TOKENS = numberEnv('OUTPUT_TOKENS', MAX_TOKENS);
const OUTPUT_TOKENS_STDDEV = numberEnv('OUTPUT_TOKENS_STDDEV', 0, true);
const INPUT_TOKENS = __ENV.INPUT_TOKENS ? numberEnv('INPUT_TOKENS', 1) : null;
const INPUT_TOKENS_STDDEV = numberEnv('INPUT_TOKENS_STDDEV', 0, true);
const SEED = numberEnv('SEED', 42, true);
const API_KEY = optionalEnv('LLM_API_KEY', '');
/** Streams started in the first WARMUP of each scenario run but are not measured (as vLLM's warm-up request). */
const WARMUP_MS = durationMs(phase('5s', '3s', 'WARMUP'));
const MEASURED_MS = durationMs(phase('20s', '6s'));
const SLO = parseSlo(optionalEnv('GOODPUT', 'ttft:1000,tpot:200'));
const REQUEST_LOG = optionalEnv('REQUEST_LOG', 'on');
if (REQUEST_LOG !== 'on' && REQUEST_LOG !== 'off')
  throw new Error(`REQUEST_LOG must be on or off, got "${REQUEST_LOG}"`);
const IGNORE_EOS = optionalEnv('IGNORE_EOS', 'off');
if (IGNORE_EOS !== 'on' && IGNORE_EOS !== 'off') throw new Error(`IGNORE_EOS must be on or off, got "${IGNORE_EOS}"`);
const MISMATCH_KINDS = optionalEnv('MISMATCH_KINDS', 'input,output').split(',').map((k) => k.trim()); // prettier-ignore
for (const k of MISMATCH_KINDS)
  if (k !== 'input' && k !== 'output') throw new Error(`MISMATCH_KINDS: unknown kind "${k}" (expected input, output)`);
const LOAD = optionalEnv('LOAD', 'concurrency') as LoadShape;
if (LOAD !== 'concurrency' && LOAD !== 'rate' && LOAD !== 'poisson')
  throw new Error(`LOAD must be concurrency, rate or poisson, got "${LOAD}"`);
const LEVELS = __ENV.SWEEP
  ? parseLevels(__ENV.SWEEP, LOAD)
  : [LOAD === 'concurrency' ? numberEnv('VUS', 8) : numberEnv('RATE', 4)];
if (LOAD === 'concurrency' && !Number.isInteger(LEVELS[0]))
  throw new Error(`VUS must be an integer, got "${__ENV.VUS}"`);
const LOAD_PLAN = buildScenarios({
  shape: LOAD,
  providers: PROVIDERS as Provider[],
  levels: LEVELS,
  sweep: Boolean(__ENV.SWEEP),
  warmupMs: WARMUP_MS,
  measuredMs: MEASURED_MS,
  maxVus: numberEnv('MAX_VUS', Math.max(PROVIDERS.length, Math.ceil(5 * Math.max(...LEVELS)))),
  seed: SEED,
});
const clock = makeClock((globalThis as { performance?: { now(): number; timeOrigin?: number } }).performance);

export const options = { scenarios: LOAD_PLAN.scenarios };

/** Poisson arrivals: ms until this iteration's arrival time (a late one is sent at once). */
function untilArrival(arrivals: number[]): number {
  return exec.scenario.startTime + arrivals[exec.scenario.iterationInTest]! - Date.now();
}

export async function stream(): Promise<void> {
  const plan = LOAD_PLAN.plans[exec.scenario.name]!;
  // sleep() stays in this async function: the Node engine makes it block only there (engine/transform).
  const wait = plan.arrivals ? untilArrival(plan.arrivals) : 0;
  if (wait > 0) sleep(wait / 1000);
  const provider = plan.provider;
  const tags: Record<string, string> = plan.step === null ? { provider } : { provider, step: String(plan.step) };
  const u = prng(seedOf(SEED, exec.scenario.name, exec.scenario.iterationInTest));
  const maxTokens = drawLength(OUTPUT_TOKENS, OUTPUT_TOKENS_STDDEV, u);
  const window: Window = { start: exec.scenario.startTime + WARMUP_MS, end: exec.scenario.startTime + WARMUP_MS + MEASURED_MS }; // prettier-ignore
  const text =
    INPUT_TOKENS === null
      ? prompt('detailed', exec.vu.iterationInScenario)
      : promptOfTokens(drawLength(INPUT_TOKENS, INPUT_TOKENS_STDDEV, u), exec.scenario.iterationInTest);
  const request = buildRequest(provider, MODELS[provider], maxTokens, text, API_KEY, IGNORE_EOS === 'on');
  const state = newState(clock.now());
  const measured = state.start >= window.start;
  const response = await sse.open(
    `${llmUrl()}${request.path}`,
    { method: 'POST', headers: request.headers, body: request.body, tags },
    (client) => {
      client.on('event', (event) => onEvent(provider, state, event, clock.now()));
      client.on('error', (e) => {
        state.error = e.error();
      });
    },
  );
  const m = measure(state);
  const ok =
    check(response, { 'stream status is 200': (r) => r.status === 200 }) &&
    check(m, { 'stream carried content and finished': (x) => x !== null });
  const inputClient = estimateTokens(text);
  record(window, state, m, inputClient, tags);
  if (REQUEST_LOG === 'on') {
    const base = { scenario: exec.scenario.name, step: plan.step, vu: exec.vu.idInTest, iteration: exec.vu.iterationInScenario, measured }; // prettier-ignore
    const good = m !== null && meetsSlo(m, SLO);
    const error = state.error ?? (response.error || (m === null ? 'no content or no end of stream' : null));
    console.log(recordLine(requestRecord({ ...base, status: response.status, good }, state, m, inputClient, error)));
  }
  if (!measured) return;
  success.add(ok, tags);
  if (!m) return;
  ttft.add(m.ttft, tags);
  if (m.ttst !== null) ttst.add(m.ttst, tags);
  for (const gap of m.itl) itl.add(gap, tags);
  if (m.tpot !== null) tpot.add(m.tpot, tags);
  e2el.add(m.e2el, tags);
  tokensPerSecond.add(m.tokensPerSecond, tags);
  outputTokens.add(m.outputTokens, tags);
  tokenCounts(state, inputClient, tags);
}

/** The request's share of the window counters: added every time, zero or not, so each has samples. */
function record(
  window: Window,
  state: StreamState,
  m: StreamMetrics | null,
  inputClient: number,
  tags: Record<string, string>,
): void {
  const input = state.usageInputTokens ?? inputClient;
  const share = windowShare(window, state, m, input, m !== null && meetsSlo(m, SLO));
  outputThroughput.add(share.outputTokensPerS, tags);
  inputThroughput.add(share.inputTokensPerS, tags);
  totalThroughput.add(share.outputTokensPerS + share.inputTokensPerS, tags);
  requestThroughput.add(share.requestsPerS, tags);
  goodput.add(share.goodputPerS, tags);
}

/** Client and server token counts per request, and whether they disagree. */
function tokenCounts(state: StreamState, inputClient: number, tags: Record<string, string>): void {
  inputTokensTrend.add(inputClient, { ...tags, source: 'client' });
  outputTokensTrend.add(state.chunks.length, { ...tags, source: 'client' });
  const input = state.usageInputTokens;
  const output = state.usageTokens;
  if (input !== null) inputTokensTrend.add(input, { ...tags, source: 'server' });
  if (output !== null) outputTokensTrend.add(output, { ...tags, source: 'server' });
  if (MISMATCH_KINDS.includes('input'))
    mismatch.add(input !== null && input !== inputClient ? 1 : 0, { ...tags, kind: 'input' });
  if (MISMATCH_KINDS.includes('output'))
    mismatch.add(output !== null && output !== state.chunks.length ? 1 : 0, { ...tags, kind: 'output' });
}
