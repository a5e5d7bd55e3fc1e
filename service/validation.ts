/**
 * Validation of the request bodies (`POST /v1/requests` items and `POST /v1/batch`).
 * Returns every problem at once, each naming the JSON path as the client wrote it
 * (`messages[0].role`, `requests[3].mode`); the HTTP layer reports the first as `field`.
 * The field names, bounds and enums come from the JSON Schemas in schemas.ts, which
 * `GET /openapi.json` publishes: the document and the checks cannot drift apart.
 */
import { DEFAULT_MAX_TOKENS, type Mode } from './constants.ts';
import { MESSAGE_SCHEMA, REQUEST_ITEM_SCHEMA } from './schemas.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** A validated request item, with defaults applied. */
export interface RequestItem {
  clientRequestId: string | null;
  messages: ChatMessage[];
  model: string;
  maxTokens: number;
  mode: Mode;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

const P = REQUEST_ITEM_SCHEMA.properties;
const ITEM_KEYS = new Set(Object.keys(P));
const MESSAGE_KEYS = Object.keys(MESSAGE_SCHEMA.properties);
const ROLES: readonly string[] = MESSAGE_SCHEMA.properties.role.enum;
const MODES: readonly string[] = P.mode.enum;
export const MAX_MESSAGES = P.messages.maxItems;
export const MAX_TOKENS_LIMIT = P.max_tokens.maximum;
const CLIENT_ID_MAX = P.client_request_id.maxLength;
const MODEL_MAX = P.model.maxLength;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `a string` : `${typeof v}`;
}

/**
 * Text PostgreSQL cannot store: NUL (text and jsonb refuse it) and UTF-16 surrogates that
 * are not part of a pair (jsonb refuses the escape JSON.stringify writes for them).
 * Matched on code units (no `u` flag): a high surrogate not followed by a low one, or a
 * low one not preceded by a high one.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Adds a problem when `text` holds a character PostgreSQL cannot store; true when it is clean. */
function checkStorable(text: string, path: string, problems: FieldProblem[]): boolean {
  const m = UNSTORABLE.exec(text);
  if (!m) return true;
  const code = m[0].charCodeAt(0);
  problems.push({
    field: path,
    message:
      code === 0
        ? `contains a NUL character (\\u0000) at index ${m.index}; PostgreSQL text cannot store it`
        : `contains a lone UTF-16 surrogate (\\u${code.toString(16).toUpperCase()}) at index ${m.index}; expected well-formed Unicode`,
  });
  return false;
}

function checkMessages(raw: unknown, path: string, problems: FieldProblem[]): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push({
      field: path,
      message: `expected a non-empty array of messages, got ${Array.isArray(raw) ? 'an empty array' : describe(raw)}`,
    });
    return [];
  }
  if (raw.length > MAX_MESSAGES)
    problems.push({ field: path, message: `expected at most ${MAX_MESSAGES} messages, got ${raw.length}` });
  const out: ChatMessage[] = [];
  raw.forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(m)) {
      problems.push({ field: at, message: `expected an object {role, content}, got ${describe(m)}` });
      return;
    }
    for (const key of Object.keys(m)) {
      if (!MESSAGE_KEYS.includes(key))
        problems.push({ field: `${at}.${key}`, message: `unknown field (expected ${MESSAGE_KEYS.join(', ')})` });
    }
    if (!ROLES.includes(m.role as string)) {
      problems.push({
        field: `${at}.role`,
        message: `expected ${ROLES.map((r) => `'${r}'`).join(' or ')}, got ${JSON.stringify(m.role) ?? 'nothing'}`,
      });
    }
    if (typeof m.content !== 'string' || m.content.length === 0) {
      problems.push({
        field: `${at}.content`,
        message: `expected a non-empty string, got ${typeof m.content === 'string' ? 'an empty string' : describe(m.content)}`,
      });
    } else checkStorable(m.content, `${at}.content`, problems);
    out.push({ role: m.role as ChatMessage['role'], content: m.content as string });
  });
  return out;
}

function checkClientId(raw: unknown, path: string, problems: FieldProblem[]): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > CLIENT_ID_MAX) {
    problems.push({
      field: path,
      message: `expected a string of 1..${CLIENT_ID_MAX} characters, got ${typeof raw === 'string' ? `${raw.length} characters` : describe(raw)}`,
    });
    return null;
  }
  return checkStorable(raw, path, problems) ? raw : null;
}

function checkModel(raw: unknown, path: string, problems: FieldProblem[], fallback: string): string {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || raw.length < 1 || raw.length > MODEL_MAX) {
    problems.push({ field: path, message: `expected a string of 1..${MODEL_MAX} characters, got ${describe(raw)}` });
  } else checkStorable(raw, path, problems);
  return raw as string;
}

function checkMaxTokens(raw: unknown, path: string, problems: FieldProblem[]): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_TOKENS_LIMIT) {
    problems.push({
      field: path,
      message: `expected an integer in 1..${MAX_TOKENS_LIMIT}, got ${JSON.stringify(raw) ?? describe(raw)}`,
    });
    return undefined;
  }
  return raw;
}

/** Validates one request item; `prefix` is its JSON path ('' for a top-level body). */
export function validateItem(raw: unknown, prefix: string, defaultModel: string): Validated<RequestItem> {
  const problems: FieldProblem[] = [];
  const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (!isObject(raw)) {
    return {
      ok: false,
      problems: [{ field: prefix || 'body', message: `expected a JSON object, got ${describe(raw)}` }],
    };
  }
  for (const key of Object.keys(raw)) {
    if (!ITEM_KEYS.has(key))
      problems.push({ field: p(key), message: `unknown field (expected ${[...ITEM_KEYS].join(', ')})` });
  }
  const clientRequestId = checkClientId(raw.client_request_id, p('client_request_id'), problems);
  let messages: ChatMessage[] = [];
  if (raw.messages !== undefined && raw.prompt !== undefined) {
    problems.push({ field: p('prompt'), message: 'give either messages or prompt, not both' });
  } else if (raw.messages !== undefined) {
    messages = checkMessages(raw.messages, p('messages'), problems);
  } else if (raw.prompt !== undefined) {
    if (typeof raw.prompt !== 'string' || raw.prompt.length === 0) {
      problems.push({ field: p('prompt'), message: `expected a non-empty string, got ${describe(raw.prompt)}` });
    } else if (checkStorable(raw.prompt, p('prompt'), problems)) messages = [{ role: 'user', content: raw.prompt }];
  } else {
    problems.push({ field: p('messages'), message: 'one of messages or prompt is required' });
  }
  const model = checkModel(raw.model, p('model'), problems, defaultModel);
  const maxTokens = checkMaxTokens(raw.max_tokens, p('max_tokens'), problems);
  if (!MODES.includes(raw.mode as string)) {
    problems.push({
      field: p('mode'),
      message: `expected one of ${MODES.join(', ')}, got ${JSON.stringify(raw.mode) ?? 'nothing'}`,
    });
  }
  if (problems.length) return { ok: false, problems };
  const mode = raw.mode as Mode;
  return {
    ok: true,
    value: { clientRequestId, messages, model, maxTokens: maxTokens ?? DEFAULT_MAX_TOKENS[mode], mode },
  };
}

/** Validates a batch body `{requests: [...]}` with at most `batchMax` items. */
export function validateBatch(raw: unknown, batchMax: number, defaultModel: string): Validated<RequestItem[]> {
  if (!isObject(raw))
    return { ok: false, problems: [{ field: 'body', message: `expected a JSON object, got ${describe(raw)}` }] };
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (key !== 'requests') problems.push({ field: key, message: 'unknown field (expected requests)' });
  }
  const list = raw.requests;
  if (!Array.isArray(list) || list.length === 0 || list.length > batchMax) {
    const got = Array.isArray(list) ? `${list.length} items` : describe(list);
    problems.push({ field: 'requests', message: `expected an array of 1..${batchMax} requests, got ${got}` });
    return { ok: false, problems };
  }
  const items: RequestItem[] = [];
  list.forEach((item, i) => {
    const r = validateItem(item, `requests[${i}]`, defaultModel);
    if (r.ok) items.push(r.value);
    else problems.push(...r.problems);
  });
  return problems.length ? { ok: false, problems } : { ok: true, value: items };
}

/** The index of the first item whose client_request_id repeats an earlier one in the same batch, or -1. */
export function firstDuplicateIndex(items: RequestItem[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const id = items[i]!.clientRequestId;
    if (id === null) continue;
    if (seen.has(id)) return i;
    seen.add(id);
  }
  return -1;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
