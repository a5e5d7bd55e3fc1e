/**
 * Helpers of the HTTP transport: Go-style header name canonicalization, cached URL parsing, and
 * request deadlines swept by one timer.
 */

/** "content-type" -> "Content-Type", as Go canonicalizes header names. */
export function canonicalKey(key: string): string {
  let out = '';
  let upper = true;
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

const names = new Map<string, string>();

/** canonicalKey with a cache: responses repeat the same few header names. */
export function canonicalName(key: string): string {
  let c = names.get(key);
  if (c === undefined) {
    c = canonicalKey(key);
    if (names.size < 1000) names.set(key, c);
  }
  return c;
}

/**
 * A response's headers from raw [name, value, ...] buffers (undici's) or latin1 strings: canonical names, repeated
 * headers joined with ", " (as Go's Header.Get shows them in k6).
 */
export function headerMap(raw: readonly (Buffer | string)[]): Record<string, string> {
  const text = (b: Buffer | string) => (typeof b === 'string' ? b : b.toString('latin1'));
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const key = canonicalName(text(raw[i]!));
    const value = text(raw[i + 1]!);
    const prev = out[key];
    out[key] = prev === undefined ? value : `${prev}, ${value}`;
  }
  return out;
}

const SET_COOKIE = 'set-cookie';

/** Whether a raw header name is Set-Cookie, in any case, without making a string of it. */
export function isSetCookie(name: Buffer): boolean {
  if (name.length !== SET_COOKIE.length) return false;
  for (let i = 0; i < SET_COOKIE.length; i++) if ((name[i]! | 0x20) !== SET_COOKIE.charCodeAt(i)) return false;
  return true;
}

/** Each Set-Cookie value among raw headers, in order. */
export function setCookieValues(raw: readonly Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (isSetCookie(raw[i]!)) out.push(raw[i + 1]!.toString('latin1'));
  return out;
}

const targets = new Map<string, { origin: string; path: string }>();

/** origin and path of a URL, cached: a test requests the same URLs over and over. */
export function parseTarget(url: string): { origin: string; path: string } | { error: Error } {
  const known = targets.get(url);
  if (known) return known;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported protocol ${u.protocol}`);
    const t = { origin: u.origin, path: u.pathname + u.search };
    if (targets.size > 5000) targets.clear();
    targets.set(url, t);
    return t;
  } catch (err) {
    return { error: Object.assign(err as Error, { code: 'ERR_INVALID_URL' }) };
  }
}

/**
 * Request timeouts without a timer per request: one sweep every 10 ms over the requests in
 * flight (k6's timeout is a whole-request deadline; 10 ms of slack is well inside its precision).
 */
/** What Deadlines needs of a request in flight. */
export interface Deadlined {
  readonly deadline: number;
  readonly timeoutMs: number;
  /** This request's index in its Deadlines (-1 when not in one): Deadlines' own field. */
  deadlineSlot: number;
  timeout(ms: number): void;
}

/**
 * The requests in flight are kept in an array with swap-remove (each knows its slot), not a Set:
 * a Set that churns (one add and one delete per request) reallocates its hash table every few
 * dozen requests, and V8 links each obsolete table to its successor. An obsolete table that was
 * promoted keeps the newer tables and every request they held alive through the scavenges, so
 * with a Set nearly every request's objects were promoted to the old generation (the worker's
 * GC took about a fifth of its CPU time).
 */
export class Deadlines {
  private readonly calls: Deadlined[] = [];
  private timer: NodeJS.Timeout | null = null;

  add(call: Deadlined): void {
    call.deadlineSlot = this.calls.length;
    this.calls.push(call);
    this.timer ??= setInterval(() => this.sweep(), 10).unref();
  }

  delete(call: Deadlined): void {
    const i = call.deadlineSlot;
    const calls = this.calls;
    if (i < 0 || calls[i] !== call) return;
    const last = calls.pop()!;
    if (last !== call) {
      calls[i] = last;
      last.deadlineSlot = i;
    }
    call.deadlineSlot = -1;
    if (calls.length === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private sweep(): void {
    const now = performance.now();
    // timeout() deletes the call: walk from the end so that swap-remove does not skip one.
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i];
      if (c !== undefined && c.deadline <= now) c.timeout(c.timeoutMs);
    }
  }
}
