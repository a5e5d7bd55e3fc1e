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
import { Rng, Stream } from './prng.ts';
import { countInputTokens, drawTokens, joinTokens } from './text.ts';

export interface ParsedRequest {
  model: string;
  /** Hash of the fields that define the reply (see the top of this file), salted by provider. */
  keyHash: [number, number];
  inputChars: number;
  maxTokens: number;
  stream: boolean;
  /** OpenAI: stream_options.include_usage. */
  includeUsage: boolean;
}

/** The reply to one request key: a pure function of (seed, key, output config), so it is cached. */
export interface Reply {
  tokens: Uint16Array;
  stopReason: 'end_turn' | 'max_tokens';
  /** The joined text, built on first use. */
  text: string | null;
  /** The provider's non-streaming body for this reply, built on first use (see `fillTemplate`). */
  body: BodyTemplate | null;
}

/**
 * A response body whose only per-request parts are fixed-width fields: the 24-hex
 * id and (OpenAI) the 10-digit `created`. Each request copies the bytes and writes
 * those fields in place, instead of serialising the reply again.
 */
export interface BodyTemplate {
  bytes: Buffer;
  idAt: number;
  /** -1 when there is no `created` field. */
  createdAt: number;
}

export const ID_PLACEHOLDER = 'x'.repeat(24);
export const CREATED_PLACEHOLDER = '0'.repeat(10);

/** Builds a template from a body holding the placeholders. */
export function makeTemplate(body: string): BodyTemplate {
  const bytes = Buffer.from(body, 'utf8');
  const created = bytes.indexOf(`"created":${CREATED_PLACEHOLDER}`);
  return { bytes, idAt: bytes.indexOf(ID_PLACEHOLDER), createdAt: created < 0 ? -1 : created + 10 };
}

/** This request's body: the template's bytes with its id (and `created`) written in. */
export function fillTemplate(t: BodyTemplate, idHex: string): Buffer {
  const out = Buffer.allocUnsafe(t.bytes.length);
  t.bytes.copy(out);
  out.write(idHex, t.idAt, 'latin1');
  if (t.createdAt >= 0) out.write(String(Math.floor(Date.now() / 1000)).padStart(10, '0'), t.createdAt, 'latin1');
  return out;
}

export interface Plan {
  request: ParsedRequest;
  inputTokens: number;
  reply: Reply;
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
const MAX_REPLIES = 4096;

export class Planner {
  private seen = new Map<number, number>();
  private replies = new Map<number, Reply>();
  private cfg: MockLlmConfig;

  constructor(
    private readonly seed: number,
    config: MockLlmConfig,
    public performanceMode: boolean,
  ) {
    this.cfg = config;
  }

  get config(): MockLlmConfig {
    return this.cfg;
  }

  /** A new config; cached replies are dropped (their length depends on output.tokens). */
  set config(next: MockLlmConfig) {
    this.cfg = next;
    this.replies.clear();
  }

  reset(): void {
    this.seen.clear();
  }

  plan(req: ParsedRequest): Plan {
    const [hi, lo] = req.keyHash;
    const seed = this.seed >>> 0;
    const mapKey = hi * 4294967296 + lo;
    const occurrence = this.seen.get(mapKey) ?? 0;
    if (this.seen.size >= MAX_KEYS && occurrence === 0) this.seen.clear();
    this.seen.set(mapKey, occurrence + 1);

    const cfg = this.cfg;
    let reply = this.replies.get(mapKey);
    if (reply === undefined) {
      reply = this.draw(seed, hi, lo, req.maxTokens);
      if (this.replies.size >= MAX_REPLIES) this.replies.clear();
      this.replies.set(mapKey, reply);
    }
    const { tokens } = reply;
    const count = tokens.length;

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
      reply,
      tokens,
      stopReason: reply.stopReason,
      fault,
      faultAt,
      ttftMs,
      latencyRng,
      idHex,
      streamPrefix: '',
    };
  }

  private draw(seed: number, hi: number, lo: number, maxTokens: number): Reply {
    const textRng = new Rng(seed, hi | (Stream.TEXT << 21), lo, 0);
    const wanted = sampleCount(this.cfg.output.tokens, textRng);
    const tokens = drawTokens(Math.min(wanted, maxTokens), textRng);
    return { tokens, stopReason: wanted > maxTokens ? 'max_tokens' : 'end_turn', text: null, body: null };
  }
}

/** The text of a plan's reply (joined once per cached reply). */
export function replyText(plan: Plan): string {
  return (plan.reply.text ??= joinTokens(plan.tokens));
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

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return HEX2[n >>> 24]! + HEX2[(n >>> 16) & 255]! + HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;
}
