/**
 * Anthropic Messages API (`POST /v1/messages`) wire format.
 *
 * Stream: message_start, content_block_start, ping (in the same write as the first
 * token); one content_block_delta (text_delta) per token; content_block_stop, message_delta
 * (stop_reason, usage.output_tokens = all tokens sent), message_stop. Errors:
 * `{"type":"error","error":{"type":...,"message":...},"request_id":...}` with a
 * `request-id` header; mid-stream as `event: error`.
 */
import { ANTHROPIC_MESSAGE_BLOCKS, ANTHROPIC_SYSTEM_BLOCKS, checkAnthropicBlocks } from './content.ts';
import { fillTemplate, ID_PLACEHOLDER, makeTemplate, replyText, type ParsedRequest } from './plan.ts';
import type { ErrorReply, FaultStatusKind, Provider } from './provider.ts';
import { Hasher } from './prng.ts';
import { ANTHROPIC_ROLES } from './request-schemas.ts';
import { contentChars, VOCAB, VOCAB_FIRST } from './text.ts';

const ROLES = new Set<string>(ANTHROPIC_ROLES);
const SALT = 0x616e74;

/** content_block_delta events for every vocabulary entry, built once. */
const deltaEvent = (text: string): string =>
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":' +
  JSON.stringify(text) +
  '}}\n\n';
const DELTAS = VOCAB.map(deltaEvent);
const DELTAS_FIRST = VOCAB_FIRST.map(deltaEvent);

const BLOCK_START =
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
  'event: ping\ndata: {"type":"ping"}\n\n';

const FAULTS: Record<FaultStatusKind, { status: number; type: string; message: string }> = {
  rateLimit: { status: 429, type: 'rate_limit_error', message: 'Rate limited by mock-llm (simulated).' },
  serverError: { status: 500, type: 'api_error', message: 'Internal server error (simulated by mock-llm).' },
  overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded (simulated by mock-llm).' },
};

const INVALID_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  415: 'invalid_request_error',
  413: 'request_too_large',
  500: 'api_error',
};

function errorBody(type: string, message: string, requestId: string): string {
  return `{"type":"error","error":{"type":"${type}","message":${JSON.stringify(message)}},"request_id":"${requestId}"}`;
}

function parse(body: unknown): ParsedRequest | { error: string; param: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body: expected a JSON object', param: 'body' };
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    return { error: 'model: Field required (a non-empty string)', param: 'model' };
  if (b.max_tokens === undefined) return { error: 'max_tokens: Field required', param: 'max_tokens' };
  if (!Number.isInteger(b.max_tokens) || (b.max_tokens as number) < 1) {
    return { error: 'max_tokens: expected an integer >= 1', param: 'max_tokens' };
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    return { error: 'messages: expected a non-empty array of messages', param: 'messages' };
  }
  let chars = 0;
  const hash = new Hasher(SALT).add(b.model).add(String(b.max_tokens));
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null)
      return { error: `messages.${i}: expected an object`, param: `messages.${i}` };
    if (!ROLES.has(m.role as string)) {
      return {
        error: `messages.${i}.role: expected 'user' or 'assistant', got ${JSON.stringify(m.role)}`,
        param: `messages.${i}.role`,
      };
    }
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) {
      return {
        error: `messages.${i}.content: expected a string or an array of content blocks`,
        param: `messages.${i}.content`,
      };
    }
    if (Array.isArray(m.content)) {
      const bad = checkAnthropicBlocks(m.content, `messages.${i}.content`, ANTHROPIC_MESSAGE_BLOCKS);
      if (bad) return bad;
    }
    chars += contentChars(m.content);
    hash.add(m.role as string).addValue(m.content);
  }
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system)) {
    return { error: 'system: expected a string or an array of text blocks', param: 'system' };
  }
  if (Array.isArray(b.system)) {
    const bad = checkAnthropicBlocks(b.system, 'system', ANTHROPIC_SYSTEM_BLOCKS);
    if (bad) return bad;
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean')
    return { error: 'stream: expected a boolean', param: 'stream' };
  chars += contentChars(b.system);
  if (b.system !== undefined) hash.add('system').addValue(b.system);
  return {
    model: b.model,
    keyHash: hash.digest(),
    inputChars: chars,
    maxTokens: b.max_tokens as number,
    stream: b.stream === true,
    includeUsage: false,
  };
}

export const anthropic: Provider = {
  name: 'anthropic',
  parse: (body) => parse(body),
  requestIdHeader: 'request-id',
  requestId: (idHex) => 'req_' + idHex,

  invalid(status, message, _param, requestId): ErrorReply {
    const type = INVALID_TYPES[status] ?? 'invalid_request_error';
    return { status, headers: ['request-id', requestId], body: errorBody(type, message, requestId) };
  },

  fault(kind, retryAfterSeconds, requestId): ErrorReply {
    const f = FAULTS[kind];
    const headers = ['request-id', requestId, 'x-should-retry', 'true'];
    if (kind === 'rateLimit') headers.push('retry-after', String(retryAfterSeconds));
    return { status: f.status, headers, body: errorBody(f.type, f.message, requestId) };
  },

  complete(plan): Buffer {
    plan.reply.body ??= makeTemplate(
      `{"id":"msg_${ID_PLACEHOLDER}","type":"message","role":"assistant","model":${JSON.stringify(plan.request.model)},` +
        `"content":[{"type":"text","text":"${replyText(plan)}"}],` +
        `"stop_reason":"${plan.stopReason}","stop_sequence":null,` +
        `"usage":{"input_tokens":${plan.inputTokens},"output_tokens":${plan.tokens.length}}}`,
    );
    return fillTemplate(plan.reply.body, plan.idHex);
  },

  streamOpen(plan): string {
    return (
      'event: message_start\ndata: {"type":"message_start","message":{' +
      `"id":"msg_${plan.idHex}","type":"message","role":"assistant","model":${JSON.stringify(plan.request.model)},` +
      '"content":[],"stop_reason":null,"stop_sequence":null,' +
      `"usage":{"input_tokens":${plan.inputTokens},"output_tokens":1}}}\n\n` +
      BLOCK_START
    );
  },

  streamToken(plan, i): string {
    return i === 0 ? DELTAS_FIRST[plan.tokens[0]!]! : DELTAS[plan.tokens[i]!]!;
  },

  streamClose(plan): string {
    return (
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"' +
      plan.stopReason +
      `","stop_sequence":null},"usage":{"output_tokens":${plan.tokens.length}}}\n\n` +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    );
  },

  streamError(): string {
    return 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded (simulated mid-stream by mock-llm)."}}\n\n';
  },
};
