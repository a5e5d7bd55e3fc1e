/**
 * Streaming LLM measurements of one request, from the arrival time of each streamed chunk,
 * defined as vLLM's serving benchmark (benchmarks/serve.py) and aiperf define them
 * (docs/llm-benchmarking.md has the table and where the two differ):
 *
 *   TTFT  = t(first chunk carrying content) - t(request sent)
 *   TTST  = t(second content chunk) - t(first)                (aiperf's time to second token)
 *   ITL   = t(chunk i) - t(chunk i-1), every gap               (vLLM's itl list, aiperf's inter_chunk_latency)
 *   E2EL  = t(end of stream) - t(request sent)                 (vLLM's latency, aiperf's request_latency)
 *   TPOT  = (E2EL - TTFT) / (output tokens - 1), tokens > 1    (aiperf calls it inter_token_latency)
 * Output tokens: the server's usage (Anthropic message_delta.usage, OpenAI's include_usage
 * chunk) where given, else the client's count of content chunks, as vLLM does. Input tokens:
 * the server's usage, else the client's estimate, ceil(prompt characters / 4). Both counts
 * are kept, so a disagreement can be counted.
 *
 * Server timings: llama.cpp's llama-server puts its own per-request `timings` (prompt_ms: the
 * prompt's processing, its share of TTFT; predicted_ms: the generation) in the last chunk of an
 * OpenAI stream; they are kept as they come, for the comparison of the client's TTFT with the
 * server's prompt time (docs/llm-benchmarking.md, "Against a real inference server").
 *
 * Wire formats: Anthropic Messages (`event: content_block_delta` with a text_delta, ...,
 * `message_stop`) and OpenAI Chat Completions (`data: {chat.completion.chunk}` lines,
 * `data: [DONE]`). Times are milliseconds on one clock (see `clock`).
 *
 * Pure functions, no k6 import: unit-tested under Node (test/scenarios/lib.test.ts).
 */
/** What is read of a Server-Sent Event (k6/x/sse's Event has these fields, among others). */
export interface SseEvent {
  name: string;
  data: string;
}

export type Provider = 'anthropic' | 'openai';

/** What llama-server reports of one request (its `timings` object), in ms and tokens. */
export interface ServerTimings {
  prompt_n: number;
  prompt_ms: number;
  predicted_n: number;
  predicted_ms: number;
}

export interface StreamState {
  start: number;
  chunks: number[];
  end: number | null;
  /** Output and input tokens the server reported (usage), null when it did not. */
  usageTokens: number | null;
  usageInputTokens: number | null;
  /** The server's own timings (llama-server), null when it sent none. */
  serverTimings: ServerTimings | null;
  error: string | null;
}

export interface StreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export function newState(start: number): StreamState {
  return { start, chunks: [], end: null, usageTokens: null, usageInputTokens: null, serverTimings: null, error: null }; // prettier-ignore
}

export function buildRequest(
  provider: Provider,
  model: string,
  maxTokens: number,
  prompt: string,
  apiKey: string,
  /** Ask the server to generate exactly maxTokens, end-of-sequence or not (llama.cpp, vLLM). */
  ignoreEos = false,
): StreamRequest {
  const messages = [{ role: 'user', content: prompt }];
  const extra = ignoreEos ? { ignore_eos: true } : {};
  if (provider === 'anthropic') {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    if (apiKey) headers['x-api-key'] = apiKey;
    return {
      path: '/v1/messages',
      headers,
      body: JSON.stringify({ model, max_tokens: maxTokens, messages, stream: true, ...extra }),
    };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const body = { model, max_tokens: maxTokens, messages, stream: true, stream_options: { include_usage: true }, ...extra }; // prettier-ignore
  return { path: '/v1/chat/completions', headers, body: JSON.stringify(body) };
}

// `any`: provider chunks are read by optional chaining only, each field checked for its type where used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function parse(data: string): Json | null {
  try {
    return JSON.parse(data) as Json;
  } catch {
    return null;
  }
}

/** Folds one Server-Sent Event, received at `now`, into the state. */
export function onEvent(provider: Provider, state: StreamState, event: SseEvent, now: number): void {
  if (provider === 'anthropic') {
    if (event.name === 'message_stop') state.end = now;
    else if (event.name === 'error') state.error = event.data;
    else if (event.name === 'content_block_delta') {
      const d = parse(event.data);
      if (d?.delta?.type === 'text_delta' && d.delta.text) state.chunks.push(now);
    } else if (event.name === 'message_delta' || event.name === 'message_start') {
      const d = parse(event.data);
      const usage = event.name === 'message_start' ? d?.message?.usage : d?.usage;
      if (typeof usage?.input_tokens === 'number') state.usageInputTokens = usage.input_tokens;
      if (event.name === 'message_delta' && typeof usage?.output_tokens === 'number')
        state.usageTokens = usage.output_tokens;
    }
    return;
  }
  if (event.data === '[DONE]') {
    state.end = now;
    return;
  }
  const d = parse(event.data);
  if (d === null) return;
  if (d.error) state.error = JSON.stringify(d.error);
  if (d.choices?.[0]?.delta?.content) state.chunks.push(now);
  if (typeof d.usage?.completion_tokens === 'number') state.usageTokens = d.usage.completion_tokens;
  if (typeof d.usage?.prompt_tokens === 'number') state.usageInputTokens = d.usage.prompt_tokens;
  if (d.timings) state.serverTimings = serverTimings(d.timings);
}

/** llama-server's `timings`, when its four figures are numbers. */
function serverTimings(t: Json): ServerTimings | null {
  const { prompt_n, prompt_ms, predicted_n, predicted_ms } = t;
  const all = [prompt_n, prompt_ms, predicted_n, predicted_ms];
  return all.every((x) => typeof x === 'number') ? { prompt_n, prompt_ms, predicted_n, predicted_ms } : null;
}

export interface StreamMetrics {
  ttft: number;
  /** Time to second token; null with fewer than two content chunks. */
  ttst: number | null;
  itl: number[];
  e2el: number;
  tpot: number | null;
  /** The server's count where given, else the client's (content chunks). */
  outputTokens: number;
  tokensPerSecond: number;
}

/** The measurements of a finished stream, or null when it carried no content or did not finish. */
export function measure(state: StreamState): StreamMetrics | null {
  if (state.error !== null || state.end === null || state.chunks.length === 0) return null;
  const ttft = state.chunks[0]! - state.start;
  const ttst = state.chunks.length > 1 ? state.chunks[1]! - state.chunks[0]! : null;
  const itl = state.chunks.slice(1).map((t, i) => t - state.chunks[i]!);
  const e2el = state.end - state.start;
  const outputTokens = state.usageTokens ?? state.chunks.length;
  const tpot = outputTokens > 1 ? (e2el - ttft) / (outputTokens - 1) : null;
  return { ttft, ttst, itl, e2el, tpot, outputTokens, tokensPerSecond: e2el > 0 ? outputTokens / (e2el / 1000) : 0 };
}

/** The client's input token estimate: ceil(characters / 4), at least 1 (the stub counts the same way). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

interface Performance {
  now(): number;
  timeOrigin?: number;
}

/**
 * The clock of every LLM timing: milliseconds since the epoch, monotonic and sub-millisecond
 * where the runtime has the High Resolution Time API (`performance.timeOrigin +
 * performance.now()`: the Node engine, one origin per worker thread, so VUs on different
 * threads agree), else `Date.now()` (1 ms steps, and a wall clock that NTP may step: a real k6
 * without `performance`). `highResolution` says which one runs.
 */
export function makeClock(perf: Performance | undefined): { now: () => number; highResolution: boolean } {
  if (perf && typeof perf.now === 'function' && typeof perf.timeOrigin === 'number') {
    const origin = perf.timeOrigin;
    return { now: () => origin + perf.now(), highResolution: true };
  }
  return { now: () => Date.now(), highResolution: false };
}
