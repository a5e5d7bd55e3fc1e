/**
 * Turns a validated request into a plan: what to answer and when, all drawn from
 * seeded generators keyed by (seed, request key, occurrence).
 *
 * - request key: a hash of the fields that define the reply (provider, model,
 *   system, messages, max_tokens) — not `stream`, so a streamed and a plain request
 *   give the same text.
 * - text and output length: from (seed, key) only → the same request always gets
 *   byte-identical text and the same token counts.
 * - occurrence: how many times this key was seen before since start or reset. The
 *   fault, the latency draws and the ids use (seed, key, occurrence), so repeating a
 *   request (a retry) gets a fresh fault draw, and a run replayed in the same order
 *   per key fails at the same places whatever the interleaving of other keys.
 *   The table of occurrences is cleared past 2^20 keys to bound memory.
 */
import type { ErrorKind, MockLlmConfig } from './config.ts';
import { ERROR_KINDS } from './config.ts';
import { sample, sampleCount } from './latency.ts';
import { hashString, Rng, Stream } from './prng.ts';
import { countInputTokens, drawTokens } from './text.ts';

export interface ParsedRequest {
  model: string;
  /** The canonical text identifying the reply (hashed into the key). */
  key: string;
  inputChars: number;
  maxTokens: number;
  stream: boolean;
  /** OpenAI: stream_options.include_usage. */
  includeUsage: boolean;
}

export interface Plan {
  request: ParsedRequest;
  inputTokens: number;
  tokens: Uint16Array;
  stopReason: 'end_turn' | 'max_tokens';
  fault: ErrorKind | null;
  /** Token index where a midStreamError/disconnect strikes (streaming). */
  faultAt: number;
  /** Time to first token, ms, prefill included. */
  ttftMs: number;
  /** Draws the inter-token latencies, in token order. */
  latencyRng: Rng;
  /** 24 hex digits, unique per (seed, key, occurrence). */
  idHex: string;
  /** Provider scratch: a per-stream prefix built once when the stream opens. */
  streamPrefix: string;
}

const MAX_KEYS = 1 << 20;

export class Planner {
  private seen = new Map<number, number>();

  constructor(
    private readonly seed: number,
    public config: MockLlmConfig,
    public performanceMode: boolean,
  ) {}

  reset(): void {
    this.seen.clear();
  }

  plan(provider: number, req: ParsedRequest): Plan {
    const [hi, lo] = hashString(req.key, provider);
    const seed = this.seed >>> 0;
    const mapKey = hi * 4294967296 + lo;
    const occurrence = this.seen.get(mapKey) ?? 0;
    if (this.seen.size >= MAX_KEYS && occurrence === 0) this.seen.clear();
    this.seen.set(mapKey, occurrence + 1);

    const cfg = this.config;
    const textRng = new Rng(seed, hi | (Stream.TEXT << 21), lo, 0);
    const wanted = sampleCount(cfg.output.tokens, textRng);
    const count = Math.min(wanted, req.maxTokens);
    const tokens = drawTokens(count, textRng);

    const latencyRng = new Rng(seed, hi | (Stream.LATENCY << 21), lo, occurrence);
    const inputTokens = countInputTokens(req.inputChars);
    const ttftMs = sample(cfg.latency.ttftMs, latencyRng) + cfg.latency.prefillMsPerInputToken * inputTokens;

    let fault: ErrorKind | null = null;
    let faultAt = 0;
    if (!this.performanceMode) {
      const faultRng = new Rng(seed, hi | (Stream.FAULT << 21), lo, occurrence);
      fault = pickFault(cfg, faultRng.next());
      faultAt = faultRng.int(count);
    }
    const idRng = new Rng(seed, hi | (Stream.ID << 21), lo, occurrence);
    const idHex = hex8(idRng.nextU32()) + hex8(idRng.nextU32()) + hex8(idRng.nextU32());
    return {
      request: req,
      inputTokens,
      tokens,
      stopReason: wanted > req.maxTokens ? 'max_tokens' : 'end_turn',
      fault,
      faultAt,
      ttftMs,
      latencyRng,
      idHex,
      streamPrefix: '',
    };
  }
}

/** Maps one uniform draw onto the error kinds by their cumulative rates. */
export function pickFault(cfg: MockLlmConfig, u: number): ErrorKind | null {
  let acc = 0;
  for (const kind of ERROR_KINDS) {
    acc += cfg.errors[kind];
    if (u < acc) return kind;
  }
  return null;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
