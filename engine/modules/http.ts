/**
 * k6/http. `asyncRequest` returns a promise (the fast path: many VUs share a thread's event loop);
 * the classic calls (`get`, `post`, ..., `request`, `batch`) return a Response and block the
 * thread while the I/O runs on the I/O thread (a VU of sync mode has its own thread; in async
 * mode a blocking call stalls every VU of its thread, so the engine warns once).
 */
import type { ModuleFactory, VuContext } from './api.ts';
import { stateOf, type VuState } from '../runtime/vu-state.ts';
import {
  buildRequest,
  DEFAULT_EXPECTED,
  expectedStatuses,
  HttpUrl,
  isResponseCallback,
  type BuiltRequest,
  type ResponseCallback,
} from '../http/request-builder.ts';
import { K6Response, type RequestView } from '../http/response.ts';
import { emitHttpMetrics } from '../http/emit.ts';
import type { WireRequest, WireResponse } from '../http/wire.ts';
import { CookieJar } from '../http/cookies.ts';
import { file } from '../http/form.ts';
import { HopChain, needsChain, sendsCookies } from '../http/chain.ts';
import type { HttpClient } from '../runtime/host.ts';
import { InterruptError } from '../errors.ts';
import { registerTwin } from '../runtime/blocking.ts';
import { hostOf, runLimited } from '../http/batch-limit.ts';

let warnedBlocking = false;

/** k6/http's constants (lib/netext/tls.go). */
const CONSTANTS = {
  TLS_1_0: 'tls1.0',
  TLS_1_1: 'tls1.1',
  TLS_1_2: 'tls1.2',
  TLS_1_3: 'tls1.3',
  OCSP_STATUS_GOOD: 'good',
  OCSP_STATUS_REVOKED: 'revoked',
  OCSP_STATUS_SERVER_FAILED: 'server_failed',
  OCSP_STATUS_UNKNOWN: 'unknown',
  OCSP_REASON_UNSPECIFIED: 'unspecified',
  OCSP_REASON_KEY_COMPROMISE: 'key_compromise',
  OCSP_REASON_CA_COMPROMISE: 'ca_compromise',
  OCSP_REASON_AFFILIATION_CHANGED: 'affiliation_changed',
  OCSP_REASON_SUPERSEDED: 'superseded',
  OCSP_REASON_CESSATION_OF_OPERATION: 'cessation_of_operation',
  OCSP_REASON_CERTIFICATE_HOLD: 'certificate_hold',
  OCSP_REASON_REMOVE_FROM_CRL: 'remove_from_crl',
  OCSP_REASON_PRIVILEGE_WITHDRAWN: 'privilege_withdrawn',
  OCSP_REASON_AA_COMPROMISE: 'aa_compromise',
} as const;

type BatchItem = string | HttpUrl | unknown[] | { method?: string; url: unknown; body?: unknown; params?: unknown };

/** `chain`: the hops of a request with cookies or redirects (null: one hop, sent as built). */
function finish(st: VuState, built: BuiltRequest, wire: WireResponse, chain: HopChain | null): K6Response {
  const cb =
    built.callback !== undefined
      ? built.callback
      : st.responseCallback !== undefined
        ? st.responseCallback
        : DEFAULT_EXPECTED;
  emitHttpMetrics(st.host.sink, st.currentTags(), wire, built.tags, built.name, cb, built.digest !== undefined);
  let view: RequestView;
  if (chain === null || chain.first === built.wire) {
    view = built.view ??= {
      method: built.wire.method,
      url: built.wire.url,
      headers: built.wire.headers,
      bodyText: built.bodyText,
    };
  } else {
    view = {
      method: chain.first.method,
      url: chain.first.url,
      headers: chain.first.headers,
      bodyText: built.bodyText,
      cookies: chain.firstSent,
    };
  }
  const res = new K6Response(wire, view);
  if (res.error && st.host.options.throw) throw new Error(res.error);
  if (res.error_code && res.status === 0) st.host.log('WARN', `Request Failed error="${res.error}"`, {});
  return res;
}

function checkPhase(st: VuState, what: string): void {
  if (st.phaseNow === 'init')
    throw new Error(`${what}: making HTTP requests in the init context is not supported (k6 forbids it)`);
  st.checkInterrupted();
}

function blocking(st: VuState, what: string): void {
  checkPhase(st, what);
  if (st.mode === 'async' && st.phaseNow === 'iteration' && !warnedBlocking) {
    warnedBlocking = true;
    st.host.log(
      'WARN',
      `${what} blocks its worker thread and every VU on it; in async mode write \`await http.asyncRequest(...)\`, or run with --mode sync`,
    );
  }
}

/** The jar of a request: params.jar, else the VU's. */
function jarOf(st: VuState, built: BuiltRequest): CookieJar {
  return built.jar ?? st.cookieJar;
}

/** A blocking request and its redirects, hop by hop (chain.ts); the fast path is one call and two checks. */
function requestSync(st: VuState, http: HttpClient, built: BuiltRequest): K6Response {
  const jar = jarOf(st, built);
  let chain = sendsCookies(built, jar) ? new HopChain(built, jar) : null;
  let req = chain === null ? built.wire : chain.first;
  let wire = http.requestSync(req, st.idInInstance);
  if (st.interrupted) throw new InterruptError();
  if (chain === null && !needsChain(built, wire)) return finish(st, built, wire, null);
  chain ??= new HopChain(built, jar, built.wire);
  for (let next = chain.next(wire, req); next !== null; next = chain.next(wire, req)) {
    req = next;
    wire = http.requestSync(req, st.idInInstance);
    if (st.interrupted) throw new InterruptError();
  }
  return finish(st, built, chain.response(), chain);
}

/** asyncRequest's hops after the first answer. */
function continueAsync(
  st: VuState,
  http: HttpClient,
  built: BuiltRequest,
  chain: HopChain,
  wire: WireResponse,
  req: WireRequest,
): K6Response | Promise<K6Response> {
  const next = chain.next(wire, req);
  if (next === null) return finish(st, built, chain.response(), chain);
  return http.requestThen(
    next,
    st.signal,
    (w) => {
      if (st.signal?.aborted) throw new InterruptError();
      return continueAsync(st, http, built, chain, w, next);
    },
    st.idInInstance,
  );
}

/**
 * http.batch in sync mode: every request's next hop goes out together with the others', in one
 * blocking call; the I/O thread sends each such round under k6's batch / batchPerHost limits.
 */
function batchSync(st: VuState, http: HttpClient, built: BuiltRequest[]): K6Response[] {
  const chains = built.map((b) => (sendsCookies(b, jarOf(st, b)) ? new HopChain(b, jarOf(st, b)) : null));
  const out: K6Response[] = new Array(built.length);
  let pending = built.map((_, i) => i);
  let reqs = built.map((b, i) => chains[i]?.first ?? b.wire);
  while (pending.length > 0) {
    const wires = http.requestManySync(reqs, st.idInInstance);
    if (st.interrupted) throw new InterruptError();
    const nextPending: number[] = [];
    const nextReqs: WireRequest[] = [];
    pending.forEach((i, k) => {
      const b = built[i]!;
      const wire = wires[k]!;
      let chain = chains[i] ?? null;
      if (chain === null && !needsChain(b, wire)) return void (out[i] = finish(st, b, wire, null));
      chain ??= chains[i] = new HopChain(b, jarOf(st, b), b.wire);
      const next = chain.next(wire, reqs[k]!);
      if (next === null) return void (out[i] = finish(st, b, chain.response(), chain));
      nextPending.push(i);
      nextReqs.push(next);
    });
    pending = nextPending;
    reqs = nextReqs;
  }
  return out;
}

function toArgs(item: BatchItem): [unknown, unknown, unknown, unknown] {
  if (typeof item === 'string' || item instanceof HttpUrl) return ['GET', item, null, undefined];
  if (Array.isArray(item)) return [item[0], item[1], item[2], item[3]];
  if (typeof item === 'object' && item !== null) return [item.method ?? 'GET', item.url, item.body, item.params];
  throw new TypeError(
    `http.batch: each request must be a URL, an array [method, url, body, params] or an object, got ${JSON.stringify(item)}`,
  );
}

export const createModule: ModuleFactory = (vu: VuContext) => {
  const st = stateOf(vu);
  const http = st.host.http;
  st.onClose(() => http.closeVu(st.idInInstance)); // Go's transport of this VU goes with it

  const request = (method: unknown, url: unknown, body?: unknown, params?: unknown): K6Response => {
    blocking(st, `http.${String(method).toLowerCase()}`);
    return requestSync(st, http, buildRequest(method, url, body, params, st.host.options));
  };

  /** A built request sent without blocking: its cookies, redirects and the Response, as asyncRequest and batchAsync send it. */
  const sendAsync = (built: BuiltRequest): Promise<K6Response> => {
    const jar = jarOf(st, built);
    const chain = sendsCookies(built, jar) ? new HopChain(built, jar) : null;
    const req = chain === null ? built.wire : chain.first;
    return http.requestThen(
      req,
      st.signal,
      (wire) => {
        if (st.signal?.aborted) throw new InterruptError();
        if (chain === null && !needsChain(built, wire)) return finish(st, built, wire, null);
        return continueAsync(st, http, built, chain ?? new HopChain(built, jar, built.wire), wire, req);
      },
      st.idInInstance,
    );
  };

  const asyncRequest = (method: unknown, url: unknown, body?: unknown, params?: unknown): Promise<K6Response> => {
    let built: BuiltRequest;
    try {
      checkPhase(st, 'http.asyncRequest');
      built = buildRequest(method, url, body, params, st.host.options);
    } catch (err) {
      return Promise.reject(err);
    }
    return sendAsync(built);
  };

  const batchEntries = (requests: unknown): Array<[string, BatchItem]> =>
    Array.isArray(requests)
      ? requests.map((r, i) => [String(i), r as BatchItem])
      : Object.entries((requests ?? {}) as Record<string, BatchItem>);

  /** Every request of a batch built (and checked) before any is sent. */
  const buildBatch = (entries: Array<[string, BatchItem]>): BuiltRequest[] =>
    entries.map(([, item]) => {
      const [m, u, b, p] = toArgs(item);
      return buildRequest(m, u, b, p, st.host.options);
    });

  /** The responses as the batch was given: an array, or an object under the same keys. */
  const batchResult = (requests: unknown, entries: Array<[string, BatchItem]>, responses: K6Response[]): unknown =>
    Array.isArray(requests) ? responses : Object.fromEntries(entries.map(([k], i) => [k, responses[i]]));

  const batch = (requests: unknown): unknown => {
    blocking(st, 'http.batch');
    const entries = batchEntries(requests);
    return batchResult(requests, entries, batchSync(st, http, buildBatch(entries)));
  };

  /**
   * http.batch's async twin: k6's batch / batchPerHost limits (batch-limit.ts), each request with
   * its redirects holding its slot, as in k6; every request is built (and checked) before any is sent.
   */
  const batchAsync = async (requests: unknown): Promise<unknown> => {
    checkPhase(st, 'http.batch');
    const entries = batchEntries(requests);
    const built = buildBatch(entries);
    const responses = await runLimited(
      built.length,
      st.host.options.batchLimits,
      (i) => hostOf(built[i]!.wire.url),
      (i) => sendAsync(built[i]!),
    );
    return batchResult(requests, entries, responses);
  };

  const setResponseCallback = (cb: unknown): void => {
    if (cb !== null && !isResponseCallback(cb))
      throw new TypeError('http.setResponseCallback: expected http.expectedStatuses(...) or null');
    st.responseCallback = cb as ResponseCallback | null;
  };

  const url = (strings: TemplateStringsArray, ...values: unknown[]): HttpUrl => {
    let text = strings[0] ?? '';
    let name = strings[0] ?? '';
    values.forEach((v, i) => {
      text += String(v) + (strings[i + 1] ?? '');
      name += '${}' + (strings[i + 1] ?? '');
    });
    return new HttpUrl(text, name);
  };

  const api = {
    request,
    asyncRequest,
    batch,
    get: (u: unknown, params?: unknown) => request('GET', u, null, params),
    head: (u: unknown, params?: unknown) => request('HEAD', u, null, params),
    post: (u: unknown, body?: unknown, params?: unknown) => request('POST', u, body, params),
    put: (u: unknown, body?: unknown, params?: unknown) => request('PUT', u, body, params),
    patch: (u: unknown, body?: unknown, params?: unknown) => request('PATCH', u, body, params),
    del: (u: unknown, body?: unknown, params?: unknown) => request('DELETE', u, body, params),
    options: (u: unknown, body?: unknown, params?: unknown) => request('OPTIONS', u, body, params),
    expectedStatuses,
    setResponseCallback,
    url,
    file,
    cookieJar: () => {
      if (st.phaseNow === 'init')
        throw new Error(
          'http.cookieJar(): getting the cookie jar in the init context is not supported (k6 forbids it)',
        );
      return st.cookieJar;
    },
    CookieJar,
    ...CONSTANTS,
  };
  if (st.mode === 'async') registerTwins(api, asyncRequest, batchAsync);
  return { ...api, default: api };
};

type AsyncRequest = (method: unknown, url: unknown, body?: unknown, params?: unknown) => Promise<K6Response>;

/**
 * The async twins the blocking-call rewrite (engine/transform/) awaits in place of the blocking
 * calls of an async-mode VU: `http.get(u, p)` runs as `await http.asyncRequest('GET', u, null, p)`.
 */
function registerTwins(
  api: Record<string, unknown>,
  asyncRequest: AsyncRequest,
  batchAsync: (r: unknown) => Promise<unknown>,
): void {
  type Fn = (...a: unknown[]) => unknown;
  const twin = (name: string, t: (...a: unknown[]) => Promise<unknown>) => registerTwin(api[name] as Fn, t);
  twin('request', (m, u, b, p) => asyncRequest(m, u, b, p));
  twin('get', (u, p) => asyncRequest('GET', u, null, p));
  twin('head', (u, p) => asyncRequest('HEAD', u, null, p));
  for (const [name, method] of [
    ['post', 'POST'],
    ['put', 'PUT'],
    ['patch', 'PATCH'],
    ['del', 'DELETE'],
    ['options', 'OPTIONS'],
  ] as const) {
    twin(name, (u, b, p) => asyncRequest(method, u, b, p));
  }
  twin('batch', batchAsync);
}
