/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`) wire format.
 *
 * Stream: `data: {chat.completion.chunk}` per token (the first also carries
 * role "assistant"), a last chunk with an empty delta and finish_reason "stop" or
 * "length", a usage chunk (choices: []) when stream_options.include_usage is set,
 * then `data: [DONE]`. Errors: `{"error":{"message","type","param","code"}}` with an
 * `x-request-id` header; overloaded is 503; mid-stream as a `data: {"error":...}`.
 */
import { checkOpenAiParts } from './content.ts';
import {
  CREATED_PLACEHOLDER,
  fillTemplate,
  ID_PLACEHOLDER,
  makeTemplate,
  replyText,
  type ParsedRequest,
  type Plan,
} from './plan.ts';
import type { ErrorReply, FaultStatusKind, Provider } from './provider.ts';
import { Hasher } from './prng.ts';
import { OPENAI_ROLES } from './request-schemas.ts';
import { contentChars, VOCAB, VOCAB_FIRST } from './text.ts';

const ROLES = new Set<string>(OPENAI_ROLES);
const SALT = 0x6f6169;
const QUOTED = VOCAB.map((t) => JSON.stringify(t));
const QUOTED_FIRST = VOCAB_FIRST.map((t) => JSON.stringify(t));

const FAULTS: Record<FaultStatusKind, { status: number; type: string; code: string | null; message: string }> = {
  rateLimit: {
    status: 429,
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached (simulated by mock-llm).',
  },
  serverError: {
    status: 500,
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request (simulated by mock-llm).',
  },
  overloaded: {
    status: 503,
    type: 'server_error',
    code: null,
    message: 'The engine is currently overloaded (simulated by mock-llm).',
  },
};

const INVALID: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  404: { type: 'invalid_request_error', code: 'unknown_url' },
  405: { type: 'invalid_request_error', code: null },
  415: { type: 'invalid_request_error', code: 'unsupported_media_type' },
  413: { type: 'invalid_request_error', code: 'request_too_large' },
  500: { type: 'server_error', code: null },
};

function errorBody(message: string, type: string, param: string | null, code: string | null): string {
  return `{"error":{"message":${JSON.stringify(message)},"type":"${type}","param":${JSON.stringify(param)},"code":${JSON.stringify(code)}}}`;
}

/** max_completion_tokens, else max_tokens (each checked when given), else the fallback. */
function maxTokensOf(b: Record<string, unknown>, fallback: number): number | { error: string; param: string } {
  let found: number | undefined;
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (!Number.isInteger(v) || (v as number) < 1) return { error: `${field}: expected an integer >= 1`, param: field };
    found ??= v as number;
  }
  return found ?? fallback;
}

function parse(body: unknown, defaultMaxTokens: number): ParsedRequest | { error: string; param: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body: expected a JSON object', param: 'body' };
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    return { error: 'model: required (a non-empty string)', param: 'model' };
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    return { error: 'messages: expected a non-empty array of messages', param: 'messages' };
  }
  let chars = 0;
  const hash = new Hasher(SALT).add(b.model);
  for (let i = 0; i < b.messages.length; i++) {
    const m = b.messages[i] as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null)
      return { error: `messages[${i}]: expected an object`, param: `messages[${i}]` };
    if (!ROLES.has(m.role as string)) {
      return {
        error: `messages[${i}].role: expected one of ${[...ROLES].join(', ')}, got ${JSON.stringify(m.role)}`,
        param: `messages[${i}].role`,
      };
    }
    if (m.content !== undefined && m.content !== null && typeof m.content !== 'string' && !Array.isArray(m.content)) {
      return {
        error: `messages[${i}].content: expected a string or an array of content parts`,
        param: `messages[${i}].content`,
      };
    }
    if (Array.isArray(m.content)) {
      const bad = checkOpenAiParts(m.content, `messages[${i}].content`, m.role as string);
      if (bad) return bad;
    }
    chars += contentChars(m.content);
    hash.add(m.role as string).addValue(m.content ?? null);
  }
  const maxTokens = maxTokensOf(b, defaultMaxTokens);
  if (typeof maxTokens !== 'number') return maxTokens;
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean')
    return { error: 'stream: expected a boolean', param: 'stream' };
  const opts = b.stream_options as { include_usage?: unknown } | undefined | null;
  return {
    model: b.model,
    keyHash: hash.add(String(maxTokens)).digest(),
    inputChars: chars,
    maxTokens,
    stream: b.stream === true,
    includeUsage: typeof opts === 'object' && opts !== null && opts.include_usage === true,
  };
}

const finishReason = (plan: Plan): string => (plan.stopReason === 'max_tokens' ? 'length' : 'stop');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function usageJson(plan: Plan): string {
  const out = plan.tokens.length;
  return `{"prompt_tokens":${plan.inputTokens},"completion_tokens":${out},"total_tokens":${plan.inputTokens + out}}`;
}

export const openai: Provider = {
  name: 'openai',
  parse,
  requestIdHeader: 'x-request-id',
  requestId: (idHex) => 'req_' + idHex,

  invalid(status, message, param, requestId): ErrorReply {
    const t = INVALID[status] ?? INVALID[400]!;
    return { status, headers: ['x-request-id', requestId], body: errorBody(message, t.type, param, t.code) };
  },

  fault(kind, retryAfterSeconds, requestId): ErrorReply {
    const f = FAULTS[kind];
    const headers = ['x-request-id', requestId, 'x-should-retry', 'true'];
    if (kind === 'rateLimit') headers.push('retry-after', String(retryAfterSeconds));
    return { status: f.status, headers, body: errorBody(f.message, f.type, null, f.code) };
  },

  complete(plan): Buffer {
    plan.reply.body ??= makeTemplate(
      `{"id":"chatcmpl-${ID_PLACEHOLDER}","object":"chat.completion","created":${CREATED_PLACEHOLDER},"model":${JSON.stringify(plan.request.model)},` +
        `"choices":[{"index":0,"message":{"role":"assistant","content":"${replyText(plan)}","refusal":null},` +
        `"logprobs":null,"finish_reason":"${finishReason(plan)}"}],"usage":${usageJson(plan)},"system_fingerprint":"fp_mock_llm"}`,
    );
    return fillTemplate(plan.reply.body, plan.idHex);
  },

  streamOpen(plan): string {
    plan.streamPrefix =
      `data: {"id":"chatcmpl-${plan.idHex}","object":"chat.completion.chunk","created":${nowSeconds()},` +
      `"model":${JSON.stringify(plan.request.model)},"system_fingerprint":"fp_mock_llm","choices":[`;
    return '';
  },

  streamToken(plan, i): string {
    const tail = plan.request.includeUsage
      ? ',"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
      : ',"logprobs":null,"finish_reason":null}]}\n\n';
    if (i > 0) return plan.streamPrefix + '{"index":0,"delta":{"content":' + QUOTED[plan.tokens[i]!] + '}' + tail;
    return (
      plan.streamPrefix +
      '{"index":0,"delta":{"role":"assistant","content":"","refusal":null}' +
      tail +
      plan.streamPrefix +
      '{"index":0,"delta":{"content":' +
      QUOTED_FIRST[plan.tokens[0]!] +
      '}' +
      tail
    );
  },

  streamClose(plan): string {
    const usageNull = plan.request.includeUsage ? ',"usage":null' : '';
    let out =
      plan.streamPrefix +
      `{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason(plan)}"}]${usageNull}}\n\n`;
    if (plan.request.includeUsage) out += plan.streamPrefix + `],"usage":${usageJson(plan)}}\n\n`;
    return out + 'data: [DONE]\n\n';
  },

  streamError(): string {
    return (
      'data: ' +
      errorBody(
        'The server had an error while processing your request (simulated mid-stream by mock-llm).',
        'server_error',
        null,
        null,
      ) +
      '\n\n'
    );
  },
};
