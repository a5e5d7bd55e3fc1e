/**
 * The JSON body parser of the API. Fastify's own refuses a `__proto__` key but says only
 * "Body is not valid JSON"; this one bounds the nesting depth (64 levels), parses with
 * JSON.parse (which makes `__proto__` a plain own property, harmless until something
 * merges it) and then names where such a key is. Errors carry `statusCode` 400 so
 * fastify hands them to the API's error handler, which reports `field`.
 */

/** The deepest nesting of arrays and objects a body may have (error messages quote values with JSON.stringify, which recurses). */
export const MAX_BODY_DEPTH = 64;

/** A body the API refuses before validation; `field` is the JSON path as the client wrote it. */
export class BodyParseError extends Error {
  readonly code: 'TARGET_BAD_JSON' | 'TARGET_TOO_DEEP' | 'TARGET_FORBIDDEN_KEY';
  readonly statusCode = 400;
  readonly field: string;
  readonly detail: string;

  constructor(code: BodyParseError['code'], field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'BodyParseError';
    this.code = code;
    this.field = field;
    this.detail = detail;
  }
}

/**
 * `"__proto__"` as a key, any of its letters possibly a `\u` escape (JSON.parse decodes
 * them). A cheap test on the raw text: only a body that matches is walked.
 */
const PROTO_KEY =
  /"(?:_|\\u005[fF]){2}(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[fF])(?:t|\\u0074)(?:o|\\u006[fF])(?:_|\\u005[fF]){2}"\s*:/;

/** The path of the first `__proto__` key in `value`, or null. Iterative: the nesting depth is the client's. */
export function findProtoKey(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    const keys = Object.keys(v);
    if (keys.includes('__proto__')) return path ? `${path}.__proto__` : '__proto__';
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      stack.push([(v as Record<string, unknown>)[k], path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/** Where `text` first opens a level deeper than `limit` (brackets in strings skipped), or -1. */
export function tooDeepAt(text: string, limit = MAX_BODY_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      let q = text.indexOf('"', i + 1);
      while (q >= 0 && (q - 1 - lastNonBackslash(text, q - 1)) % 2 === 1) q = text.indexOf('"', q + 1);
      if (q < 0) return -1;
      i = q;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

function lastNonBackslash(text: string, from: number): number {
  let j = from;
  while (j >= 0 && text.charCodeAt(j) === 0x5c) j--;
  return j;
}

/** Parses a request body; throws BodyParseError naming `body` or the `__proto__` key's path. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new BodyParseError('TARGET_BAD_JSON', 'body', 'expected a JSON body (empty)');
  const deep = tooDeepAt(text);
  if (deep >= 0)
    throw new BodyParseError(
      'TARGET_TOO_DEEP',
      'body',
      `JSON nested deeper than ${MAX_BODY_DEPTH} levels (at character ${deep})`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BodyParseError('TARGET_BAD_JSON', 'body', `expected a JSON body (${(err as Error).message})`);
  }
  if (PROTO_KEY.test(text)) {
    const at = findProtoKey(value);
    if (at !== null) throw new BodyParseError('TARGET_FORBIDDEN_KEY', at, '`__proto__` is not an allowed key');
  }
  return value;
}
