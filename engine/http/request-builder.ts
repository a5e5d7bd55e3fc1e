/**
 * k6/http arguments -> a WireRequest: URL (string or http.url`` object), body (string, bytes, or
 * an object sent as a form or, with an http.file() field, as multipart: form.ts), params (headers, tags, timeout, responseType, redirects,
 * responseCallback, cookies, jar).
 */
import { parseDuration } from '../options/duration.ts';
import type { EngineOptions } from '../options/consolidate.ts';
import type { WireRequest } from './wire.ts';
import { CookieJar, requestCookies, type RequestCookie } from './cookies.ts';
import { encodeObjectBody } from './form.ts';
import { basicAuthorization, stripCredentials, urlCredentials, type Credentials } from './auth.ts';

export type ResponseCallback = ((status: number) => boolean) & { readonly __k6ResponseCallback: true };

export interface RequestParams {
  headers?: Record<string, string | number>;
  tags?: Record<string, string>;
  timeout?: string | number;
  responseType?: 'text' | 'binary' | 'none';
  redirects?: number;
  responseCallback?: ResponseCallback | null;
  cookies?: Record<string, unknown>;
  jar?: CookieJar;
  auth?: 'basic' | 'digest' | 'ntlm';
}

/** What http.url`...` returns: the URL and its template as the `name` tag. */
export class HttpUrl {
  constructor(
    readonly url: string,
    readonly name: string,
  ) {}
  toString(): string {
    return this.url;
  }
}

export interface BuiltRequest {
  wire: WireRequest;
  tags: Record<string, string> | undefined;
  /** The `name` tag: params.tags.name, the http.url template, or undefined (= each hop's URL). */
  name: string | undefined;
  callback: ResponseCallback | null | undefined;
  bodyText: string;
  /** Redirects to follow (params.redirects or options.maxRedirects): k6/http follows them hop by hop (chain.ts). */
  redirects: number;
  /** params.cookies, sent with every hop and never stored. */
  cookies: RequestCookie[] | undefined;
  /** params.jar: the jar of this request instead of the VU's. */
  jar: CookieJar | undefined;
  /** params.auth "digest": the URL's credentials, answered to the server's 401 challenge (chain.ts). */
  digest?: Credentials;
  /** The request as a Response shows it, made once per built request (a cache, not part of the request). */
  view?: { method: string; url: string; headers: Record<string, string>; bodyText: string };
}

/** Requests without body or params, by options, then method and URL: a test repeats the same few. */
const plain = new WeakMap<EngineOptions, Map<string, BuiltRequest>>();

/** The request of k6/http's arguments. The result is shared (plain requests are cached): never mutate it. */
export function buildRequest(
  method: unknown,
  url: unknown,
  body: unknown,
  params: unknown,
  options: EngineOptions,
): BuiltRequest {
  if (
    (params === undefined || params === null) &&
    (body === undefined || body === null) &&
    typeof url === 'string' &&
    typeof method === 'string'
  ) {
    let byKey = plain.get(options);
    if (byKey === undefined) plain.set(options, (byKey = new Map()));
    const key = `${method} ${url}`;
    let built = byKey.get(key);
    if (built === undefined) {
      built = build(method, url, body, params, options);
      if (byKey.size >= 1000) byKey.clear();
      byKey.set(key, built);
    }
    return built;
  }
  return build(method, url, body, params, options);
}

const RESPONSE_TYPES = ['text', 'binary', 'none'];

function build(method: unknown, url: unknown, body: unknown, params: unknown, options: EngineOptions): BuiltRequest {
  if (typeof method !== 'string' || method === '')
    throw new TypeError(`http.request: expected an HTTP method, got ${JSON.stringify(method)}`);
  let urlText: string;
  let templateName: string | undefined;
  if (url instanceof HttpUrl) {
    urlText = url.url;
    templateName = url.name;
  } else if (typeof url === 'string') {
    urlText = url;
  } else if (url instanceof URL) {
    urlText = url.toString();
  } else {
    throw new TypeError(`http.${method.toLowerCase()}: expected a URL string, got ${JSON.stringify(url)}`);
  }
  const p = (params ?? {}) as RequestParams;
  if (typeof p !== 'object')
    throw new TypeError(`http.${method.toLowerCase()}: params must be an object, got ${JSON.stringify(params)}`);
  const headers: Record<string, string> = {};
  let hasUa = false;
  let hasType = false;
  let hasAuth = false;
  for (const [k, v] of Object.entries(p.headers ?? {})) {
    headers[k] = String(v);
    const lower = k.toLowerCase();
    if (lower === 'user-agent') hasUa = true;
    if (lower === 'content-type') hasType = true;
    if (lower === 'authorization') hasAuth = true;
  }
  if (!hasUa) headers['User-Agent'] = options.userAgent;
  const auth = checkAuth(p.auth);
  const credentials = urlCredentials(urlText);
  // As Go's net/http: a URL's user info is basic auth unless the request has its own Authorization
  // (with auth "digest" too: k6's first request of the challenge round trip carries it).
  if (credentials !== null && !hasAuth) headers['Authorization'] = basicAuthorization(credentials);
  // k6's digestTransport takes the user info off the URL: its requests' url tag and res.url have none
  if (credentials !== null && auth === 'digest') urlText = stripCredentials(urlText);
  const { wireBody, text, contentType } = encodeBody(body);
  if (contentType && !hasType) headers['Content-Type'] = contentType;
  let timeoutMs = 60_000;
  if (p.timeout !== undefined) {
    const t = typeof p.timeout === 'number' ? p.timeout : parseDuration(p.timeout);
    if (typeof t === 'object') throw new TypeError(`http params.timeout: ${t.error}`);
    timeoutMs = t;
  }
  const responseType = p.responseType ?? (options.discardResponseBodies ? 'none' : 'text');
  if (!RESPONSE_TYPES.includes(responseType)) {
    throw new TypeError(
      `http params.responseType: expected "text", "binary" or "none", got ${JSON.stringify(responseType)}`,
    );
  }
  return {
    wire: {
      method: method.toUpperCase(),
      url: urlText,
      headers,
      body: wireBody,
      timeoutMs,
      responseType,
    },
    redirects: typeof p.redirects === 'number' ? p.redirects : options.maxRedirects,
    cookies: requestCookies(p.cookies),
    jar: checkJar(p.jar),
    tags: p.tags,
    name: p.tags?.name ?? templateName,
    callback: 'responseCallback' in p ? p.responseCallback : undefined,
    bodyText: text,
    ...(auth === 'digest' ? { digest: credentials ?? { user: '', pass: '' } } : {}),
  };
}

const AUTHS = ['basic', 'digest'];

function checkAuth(auth: unknown): string | undefined {
  if (auth === undefined || auth === null || auth === '') return undefined;
  if (auth === 'ntlm')
    throw new Error('http params.auth: "ntlm" is not supported by the Node engine; run this script with the k6 binary');
  if (typeof auth !== 'string' || !AUTHS.includes(auth))
    throw new TypeError(`http params.auth: expected "basic", "digest" or "ntlm", got ${JSON.stringify(auth)}`);
  return auth;
}

function checkJar(jar: unknown): CookieJar | undefined {
  if (jar === undefined || jar === null) return undefined;
  if (!(jar instanceof CookieJar))
    throw new TypeError(
      `http params.jar: expected a jar from new http.CookieJar() or http.cookieJar(), got ${JSON.stringify(jar)}`,
    );
  return jar;
}

function encodeBody(body: unknown): { wireBody: string | Uint8Array | null; text: string; contentType?: string } {
  if (body === undefined || body === null) return { wireBody: null, text: '' };
  if (typeof body === 'string') return { wireBody: body, text: body };
  if (body instanceof ArrayBuffer) return { wireBody: new Uint8Array(body), text: '' };
  if (ArrayBuffer.isView(body))
    return { wireBody: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), text: '' };
  if (typeof body === 'object') {
    const { body: wireBody, text, contentType } = encodeObjectBody(body as Record<string, unknown>);
    return { wireBody, text, contentType };
  }
  const text = String(body);
  return { wireBody: text, text };
}

/** http.expectedStatuses(200, { min: 300, max: 399 }) */
export function expectedStatuses(...args: unknown[]): ResponseCallback {
  const singles = new Set<number>();
  const ranges: Array<[number, number]> = [];
  args.forEach((a, i) => {
    if (typeof a === 'number' && Number.isInteger(a)) singles.add(a);
    else if (
      typeof a === 'object' &&
      a !== null &&
      typeof (a as { min?: unknown }).min === 'number' &&
      typeof (a as { max?: unknown }).max === 'number'
    ) {
      ranges.push([(a as { min: number }).min, (a as { max: number }).max]);
    } else {
      throw new TypeError(
        `http.expectedStatuses: argument ${i + 1} must be an integer status or { min, max }, got ${JSON.stringify(a)}`,
      );
    }
  });
  const fn = (status: number) => singles.has(status) || ranges.some(([lo, hi]) => status >= lo && status <= hi);
  return Object.assign(fn, { __k6ResponseCallback: true as const });
}

export const DEFAULT_EXPECTED: ResponseCallback = expectedStatuses({ min: 200, max: 399 });

export function isResponseCallback(v: unknown): v is ResponseCallback {
  return typeof v === 'function' && (v as { __k6ResponseCallback?: boolean }).__k6ResponseCallback === true;
}
