/**
 * Streaming LLM measurements as vLLM's serving benchmark (benchmarks/backend_request_func.py,
 * benchmark_serving.py) defines them, from the arrival time of each streamed chunk:
 *
 *   TTFT  = t(first chunk carrying content) - t(request sent)
 *   ITL   = t(chunk i) - t(chunk i-1), for every content chunk after the first
 *   E2EL  = t(end of stream) - t(request sent)                       ("latency")
 *   TPOT  = (E2EL - TTFT) / (output tokens - 1), when output tokens > 1
 *   output tokens/s = output tokens / E2EL per request; over the run, the
 *                     llm_output_tokens counter's rate
 * Output tokens come from the provider's usage (Anthropic message_delta.usage,
 * OpenAI's include_usage chunk), else the number of content chunks.
 *
 * Wire formats: Anthropic Messages (`event: content_block_delta` with a text_delta, ...,
 * `message_stop`) and OpenAI Chat Completions (`data: {chat.completion.chunk}` lines,
 * `data: [DONE]`).
 *
 * Pure functions, no k6 import: unit-tested under Node (test/scenarios/lib.test.ts).
 */
/** What is read of a Server-Sent Event (k6/x/sse's Event has these fields, among others). */
export interface SseEvent {
  name: string;
  data: string;
}

export type Provider = 'anthropic' | 'openai';

export interface StreamState {
  start: number;
  chunks: number[];
  end: number | null;
  usageTokens: number | null;
  error: string | null;
}

export interface StreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export function newState(start: number): StreamState {
  return { start, chunks: [], end: null, usageTokens: null, error: null };
}

export function buildRequest(
  provider: Provider,
  model: string,
  maxTokens: number,
  prompt: string,
  apiKey: string,
): StreamRequest {
  const messages = [{ role: 'user', content: prompt }];
  if (provider === 'anthropic') {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    if (apiKey) headers['x-api-key'] = apiKey;
    return {
      path: '/v1/messages',
      headers,
      body: JSON.stringify({ model, max_tokens: maxTokens, messages, stream: true }),
    };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const body = { model, max_tokens: maxTokens, messages, stream: true, stream_options: { include_usage: true } };
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
    } else if (event.name === 'message_delta') {
      const tokens = parse(event.data)?.usage?.output_tokens;
      if (typeof tokens === 'number') state.usageTokens = tokens;
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
}

export interface StreamMetrics {
  ttft: number;
  itl: number[];
  e2el: number;
  tpot: number | null;
  outputTokens: number;
  tokensPerSecond: number;
}

/** The measurements of a finished stream, or null when it carried no content or did not finish. */
export function measure(state: StreamState): StreamMetrics | null {
  if (state.error !== null || state.end === null || state.chunks.length === 0) return null;
  const ttft = state.chunks[0]! - state.start;
  const itl = state.chunks.slice(1).map((t, i) => t - state.chunks[i]!);
  const e2el = state.end - state.start;
  const outputTokens = state.usageTokens ?? state.chunks.length;
  const tpot = outputTokens > 1 ? (e2el - ttft) / (outputTokens - 1) : null;
  return { ttft, itl, e2el, tpot, outputTokens, tokensPerSecond: e2el > 0 ? outputTokens / (e2el / 1000) : 0 };
}
