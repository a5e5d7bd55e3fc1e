/**
 * Throughput over the measured window, goodput, and the per-request record.
 *
 * Window throughput. A k6 Counter's rate divides by the whole test (warm-up and drain
 * included), so it is not tokens/s of the steady state. Instead each request adds, to a
 * Counter, its share of the window [start, end) scaled by 1000 / (end - start): the Counter's
 * `count` is then exactly "per second over the window", usable in thresholds as
 * `count>=...`, whatever the number of VUs or threads (sums commute).
 *
 * A request's share is the part of its life (sent to end of stream) inside the window: a
 * request whose life lies half inside adds half its output tokens, half its input tokens,
 * half a request (and half a good one to goodput); warm-up and drain requests add the part
 * that fell inside. Counting whole events instead (tokens that arrived inside, requests that
 * finished inside) makes the figure depend on where the window's edges fall in the requests'
 * cycle: with streams that start together (a closed loop) every edge cuts all of them at the
 * same phase, and the default 3 s + 15 s window read 0.5 % under the steady rate at every
 * concurrency on a 1.46 s request (no tokens in its 200 ms TTFT), requests/s in steps of
 * VUs ÷ window. Spread over its life, each stream's requests tile the window, so the sum is
 * the steady rate whatever the phase; over a long window the two agree.
 * vLLM and aiperf divide totals by the benchmark's duration (first request sent to last
 * answer); over a steady window the kit's figure agrees with theirs, without the ramp and
 * the tail.
 *
 * Goodput (vLLM's --goodput): requests per second, over the window, that met every SLO of
 * the GOODPUT env, in vLLM's syntax "ttft:1000,tpot:200,e2el:5000" (ms; any subset).
 *
 * Pure functions, no k6 import (test/scenarios/llm-window.test.ts).
 */
import type { ServerTimings, StreamMetrics, StreamState } from './llm-stream.ts';

export interface Window {
  start: number;
  end: number;
}

export interface WindowShare {
  outputTokensPerS: number;
  inputTokensPerS: number;
  requestsPerS: number;
  goodputPerS: number;
}

export type Slo = Partial<Record<'ttft' | 'tpot' | 'e2el', number>>;

/** Parses GOODPUT ("ttft:1000,tpot:200"): every bad entry is named at once. */
export function parseSlo(raw: string): Slo {
  const slo: Slo = {};
  const problems: string[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value, extra] = part.split(':');
    const ms = Number(value);
    if ((key !== 'ttft' && key !== 'tpot' && key !== 'e2el') || extra !== undefined)
      problems.push(`"${part}" (expected ttft, tpot or e2el, then :milliseconds)`);
    else if (value === undefined || value === '' || !Number.isFinite(ms) || ms <= 0)
      problems.push(`"${part}" (the bound must be a positive number of milliseconds)`);
    else slo[key] = ms;
  }
  if (problems.length) throw new Error(`GOODPUT: ${problems.join('; ')}`);
  return slo;
}

/** True when the request met every bound of `slo` (a TPOT bound needs at least 2 tokens to fail). */
export function meetsSlo(m: StreamMetrics, slo: Slo): boolean {
  if (slo.ttft !== undefined && m.ttft > slo.ttft) return false;
  if (slo.e2el !== undefined && m.e2el > slo.e2el) return false;
  if (slo.tpot !== undefined && m.tpot !== null && m.tpot > slo.tpot) return false;
  return true;
}

/** The fraction of [from, to] inside the window; an instant counts 1 when inside, else 0. */
function overlap(w: Window, from: number, to: number): number {
  if (to <= from) return from >= w.start && from < w.end ? 1 : 0;
  return Math.max(0, Math.min(to, w.end) - Math.max(from, w.start)) / (to - from);
}

/** What one request adds to the window counters (all zero when its life is outside). */
export function windowShare(
  w: Window,
  state: StreamState,
  m: StreamMetrics | null,
  inputTokens: number,
  good: boolean,
): WindowShare {
  const perS = 1000 / (w.end - w.start);
  // A failed stream lived until its last chunk (its tokens count, the request does not).
  const end = state.end ?? state.chunks.at(-1) ?? state.start;
  const share = overlap(w, state.start, end) * perS;
  const outputTokens = m ? m.outputTokens : state.chunks.length;
  return {
    outputTokensPerS: outputTokens * share,
    inputTokensPerS: m ? inputTokens * share : 0,
    requestsPerS: m ? share : 0,
    goodputPerS: m && good ? share : 0,
  };
}

/** One line of requests.jsonl (docs/llm-benchmarking.md): times in ms, rounded to the microsecond. */
export interface RequestRecord {
  scenario: string;
  /** The sweep step (1-based), null without a sweep. */
  step: number | null;
  vu: number;
  iteration: number;
  /** Epoch ms at which the request was sent. */
  start: number;
  /** The request was sent after the warm-up (its latencies are in the Trends). */
  measured: boolean;
  status: number;
  /** The request met every SLO of GOODPUT. */
  good: boolean;
  error: string | null;
  ttft_ms: number | null;
  e2el_ms: number | null;
  /** Arrival offset of every content chunk from `start`. */
  token_offsets_ms: number[];
  input_tokens: { client: number; server: number | null };
  output_tokens: { client: number; server: number | null };
  /** The server's own timings of the request (llama-server's prompt_ms, predicted_ms, ...), null when none. */
  server_timings: ServerTimings | null;
}

const us = (ms: number): number => Math.round(ms * 1000) / 1000;

export function requestRecord(
  base: Pick<RequestRecord, 'scenario' | 'step' | 'vu' | 'iteration' | 'measured' | 'status' | 'good'>,
  state: StreamState,
  m: StreamMetrics | null,
  inputTokensClient: number,
  error: string | null,
): RequestRecord {
  return {
    ...base,
    start: us(state.start),
    error,
    ttft_ms: m ? us(m.ttft) : null,
    e2el_ms: state.end !== null ? us(state.end - state.start) : null,
    token_offsets_ms: state.chunks.map((t) => us(t - state.start)),
    input_tokens: { client: inputTokensClient, server: state.usageInputTokens },
    output_tokens: { client: state.chunks.length, server: state.usageTokens },
    server_timings: state.serverTimings,
  };
}

/**
 * The console line that carries a record to the orchestrator: a marker, then the JSON
 * percent-encoded, so no log format (k6's logfmt quotes and escapes, the engine's plain
 * text) can alter it. run/requests-export.ts reads it back.
 */
export const RECORD_MARKER = 'k6lp_request=';
export function recordLine(r: RequestRecord): string {
  return RECORD_MARKER + encodeURIComponent(JSON.stringify(r));
}
