/**
 * k6's cookie jars over tough-cookie (RFC 6265 parsing and matching: domain, path, secure, expiry).
 * Every VU has one (VuState.cookieJar, emptied after each iteration unless noCookiesReset);
 * `new http.CookieJar()` makes another. tough-cookie is loaded on the first cookie a thread sees:
 * a test without cookies never pays for it, and the hot path only reads `filled`.
 */
import { createRequire } from 'node:module';
import { engineFile } from '../runtime/threads.ts';
import type * as ToughModuleNs from 'tough-cookie';
import type { Cookie as ToughCookie, CookieJar as ToughJar } from 'tough-cookie';

type ToughModule = typeof ToughModuleNs;
let tough: ToughModule | null = null;

/**
 * tough-cookie, required on first use (its CommonJS build, so that this stays synchronous), from
 * the engine's own directory: bundled threads run from a temp dir (runtime/threads.ts).
 */
export function toughCookie(): ToughModule {
  return (tough ??= createRequire(engineFile('http/cookies.ts'))('tough-cookie') as ToughModule);
}

/** A request-local cookie of params.cookies, as res.request.cookies shows it too. */
export interface RequestCookie {
  name: string;
  value: string;
  replace: boolean;
}

/** A cookie of Response.cookies, k6's shape (expires: epoch ms, 0 when none; max_age: 0 when none). */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

/** Options of jar.set(), k6's names. */
interface SetOptions {
  domain?: unknown;
  path?: unknown;
  expires?: unknown;
  max_age?: unknown;
  secure?: unknown;
  http_only?: unknown;
}

function checkUrl(what: string, url: unknown): string {
  const text =
    typeof url === 'string'
      ? url
      : url instanceof URL
        ? url.toString()
        : String((url as { url?: unknown } | null)?.url ?? '');
  if (!URL.canParse(text)) throw new TypeError(`${what}: expected an absolute URL, got ${JSON.stringify(url)}`);
  return text;
}

/** k6's http.CookieJar. */
export class CookieJar {
  private inner: ToughJar | null = null;
  /** Whether the jar may hold cookies: false until one is stored and again after reset (the hot path reads only this). */
  filled = false;

  private jar(): ToughJar {
    if (this.inner === null) {
      // As Go's cookiejar under k6: lenient parsing, no public-suffix list, Secure cookies stored from
      // any origin but sent over https only.
      this.inner = new (toughCookie().CookieJar)(undefined, {
        looseMode: true,
        rejectPublicSuffixes: false,
        allowSecureOnLocal: false,
        enforceSecureOriginOnStorage: false,
      });
    }
    return this.inner;
  }

  private matching(url: string): ToughCookie[] {
    return this.filled ? this.jar().getCookiesSync(url) : [];
  }

  /** `{ name: [value, ...] }` of the cookies the jar would send to `url`. */
  cookiesForURL(url: unknown): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(checkUrl('cookieJar.cookiesForURL', url))) (out[c.key] ??= []).push(c.value);
    return out;
  }

  /** Stores a cookie for `url`, with k6's options domain, path, expires (a date string), max_age (s), secure, http_only. */
  set(url: unknown, name: unknown, value: unknown, options?: SetOptions | null): void {
    const u = checkUrl('cookieJar.set', url);
    if (typeof name !== 'string' || name === '')
      throw new TypeError(`cookieJar.set: expected a cookie name, got ${JSON.stringify(name)}`);
    const c = new (toughCookie().Cookie)({ key: name, value: String(value ?? '') });
    const o = options ?? {};
    if (typeof o !== 'object')
      throw new TypeError(`cookieJar.set: options must be an object, got ${JSON.stringify(options)}`);
    if (o.domain !== undefined && o.domain !== '') c.domain = String(o.domain).replace(/^\./, '').toLowerCase();
    if (o.path !== undefined && o.path !== '') c.path = String(o.path);
    if (o.expires !== undefined && o.expires !== '') {
      const d = new Date(String(o.expires));
      if (Number.isNaN(d.getTime()))
        throw new TypeError(
          `cookieJar.set: options.expires: expected a date like "Mon, 02 Jan 2006 15:04:05 MST", got ${JSON.stringify(o.expires)}`,
        );
      c.expires = d;
    }
    if (o.max_age !== undefined) {
      const n = Number(o.max_age);
      if (!Number.isFinite(n))
        throw new TypeError(`cookieJar.set: options.max_age: expected seconds, got ${JSON.stringify(o.max_age)}`);
      if (n !== 0) c.maxAge = n < 0 ? 0 : Math.trunc(n);
    }
    c.secure = o.secure === true;
    c.httpOnly = o.http_only === true;
    this.jar().setCookieSync(c, u, { ignoreError: true });
    this.filled = true;
  }

  /** Removes every cookie the jar would send to `url`. */
  clear(url: unknown): void {
    for (const c of this.matching(checkUrl('cookieJar.clear', url))) this.remove(c);
  }

  /** Removes the cookies named `name` that the jar would send to `url`. */
  delete(url: unknown, name: unknown): void {
    for (const c of this.matching(checkUrl('cookieJar.delete', url))) if (c.key === String(name)) this.remove(c);
  }

  private remove(c: ToughCookie): void {
    // MemoryCookieStore answers its callbacks synchronously.
    this.jar().store.removeCookie(c.domain, c.path, c.key, () => undefined);
  }

  /** Empties the jar (the end of an iteration). */
  reset(): void {
    if (!this.filled) return;
    this.inner?.removeAllCookiesSync();
    this.filled = false;
  }

  /** Stores the Set-Cookie values of a response from `url` (invalid ones are ignored, as Go's jar does). */
  storeResponse(url: string, setCookies: readonly string[]): void {
    const jar = this.jar();
    for (const s of setCookies) jar.setCookieSync(s, url, { ignoreError: true });
    this.filled = true;
  }

  /** The `name=value` pairs of the cookies for `url`, in RFC 6265 order. */
  pairsFor(url: string): Array<[string, string]> {
    return this.matching(url).map((c) => [c.key, c.value]);
  }
}

/** Parses params.cookies: `{ name: 'v' }` or `{ name: { value: 'v', replace: true } }`. */
export function requestCookies(raw: unknown): RequestCookie[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new TypeError(
      `http params.cookies: expected an object of name -> value or { value, replace }, got ${JSON.stringify(raw)}`,
    );
  const out: RequestCookie[] = [];
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object') {
      const o = v as { value?: unknown; replace?: unknown };
      out.push({ name, value: String(o.value ?? ''), replace: o.replace === true });
    } else {
      out.push({ name, value: String(v ?? ''), replace: false });
    }
  }
  return out;
}

/**
 * The Cookie header of one hop: the request's own cookies first, then the jar's for `url` except
 * those a request cookie replaces (k6's order). '' when there is none.
 */
export function cookieHeader(
  jar: CookieJar,
  own: RequestCookie[] | undefined,
  url: string,
): { header: string; sent: Array<[string, string]> } {
  const sent: Array<[string, string]> = [];
  let replaced: Set<string> | null = null;
  if (own) {
    for (const c of own) {
      sent.push([c.name, c.value]);
      if (c.replace) (replaced ??= new Set()).add(c.name);
    }
  }
  for (const pair of jar.pairsFor(url)) if (replaced === null || !replaced.has(pair[0])) sent.push(pair);
  return { header: sent.map(([k, v]) => `${k}=${v}`).join('; '), sent };
}

/** Response.cookies from a hop's Set-Cookie values. */
export function responseCookies(setCookies: readonly string[] | undefined): Record<string, ResponseCookie[]> {
  const out: Record<string, ResponseCookie[]> = {};
  if (!setCookies) return out;
  const { Cookie } = toughCookie();
  for (const s of setCookies) {
    const c = Cookie.parse(s, { loose: true });
    if (!c) continue;
    const maxAge = c.maxAge;
    (out[c.key] ??= []).push({
      name: c.key,
      value: c.value,
      domain: c.domain ?? '',
      path: c.path ?? '',
      http_only: c.httpOnly,
      secure: c.secure,
      // Go's http.Cookie.MaxAge: 0 = not set, -1 = "Max-Age=0" (delete now), else seconds.
      max_age: typeof maxAge === 'number' ? (maxAge <= 0 ? -1 : maxAge) : maxAge === '-Infinity' ? -1 : 0,
      expires: c.expires instanceof Date ? c.expires.getTime() : 0,
    });
  }
  return out;
}

/** res.request.cookies: `{ name: [{ name, value, replace }] }` of the cookies sent. */
export function sentCookies(sent: ReadonlyArray<[string, string]>): Record<string, RequestCookie[]> {
  const out: Record<string, RequestCookie[]> = {};
  for (const [name, value] of sent) (out[name] ??= []).push({ name, value, replace: false });
  return out;
}
