/**
 * The HTTP transport under k6/http: undici keep-alive connections (connections.ts: per origin, a
 * stack of idle undici Clients, one socket each), driven through `dispatch` with a handler that
 * timestamps each phase as k6 does:
 *   start ─blocked─> socket assigned (onConnect) ─sending─> request written (onRequestSent)
 *   ─waiting─> first response byte (onResponseStarted) ─receiving─> end (onComplete).
 * As in k6, `blocked` includes setting up a new connection; `connecting` (TCP connect) and
 * `tls_handshaking` are that new connection's phases, reported by the first request on it, and 0
 * on a reused keep-alive connection or h2 session. One call is one hop: k6/http follows redirects
 * itself, hop by hop, to apply its cookie jar between hops (chain.ts).
 * Each request names its VU: HTTP/2 sessions are per VU and origin (connections.ts).
 * Byte counts: over HTTP/1.1, the request line, headers and body as sent and the response's status
 * line, headers and body; over HTTP/2, the session's frame bytes (frame-meter.ts).
 */
import type { Dispatcher } from 'undici';
import { Connections, type Connection, type ConnectionOptions } from './connections.ts';
import { Deadlines, isSetCookie, parseTarget, setCookieValues } from './transport-parts.ts';
import { Hop } from './hop.ts';
import { classify, K6_ERROR, statusErrorCode } from './error-codes.ts';
import type { WireHop, WireRequest, WireResponse, WireTimings } from './wire.ts';
import type { InterruptSignal } from '../runtime/interrupt.ts';
import type { FrameMeter, Metered } from './frame-meter.ts';
import type { ConnInfo } from './tls.ts';
import type { BatchLimits } from './batch-limit.ts';

const same = (res: WireResponse): WireResponse => res;

export interface TransportOptions extends ConnectionOptions {
  /** k6's `batch` and `batchPerHost`: the blocking http.batch of the I/O thread applies them (batch-limit.ts). */
  batchLimits?: BatchLimits;
}

export class HttpTransport {
  private readonly connections: Connections;
  private readonly deadlines = new Deadlines();

  constructor(opts: TransportOptions) {
    this.connections = new Connections(opts);
  }

  /** Sends one request (one hop) of VU `vu` (a number naming it on this thread). Never rejects: errors are in the hop. */
  request(req: WireRequest, signal?: InterruptSignal, vu = 0): Promise<WireResponse> {
    return this.requestThen(req, signal, same, vu);
  }

  /**
   * `request(req, signal).then(then)` in one promise: `then` runs as soon as the answer is in
   * (a throw rejects). The fast path of k6/http: one promise per request, no extra reaction.
   */
  requestThen<T>(
    req: WireRequest,
    signal: InterruptSignal | undefined,
    then: (res: WireResponse) => T | PromiseLike<T>,
    vu = 0,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      this.once(req, signal, vu, (hop) => {
        try {
          resolve(then({ hops: [hop.info], body: hop.body, remoteIp: hop.remoteIp, remotePort: hop.remotePort }));
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** Sends one hop; `done` gets its result (never an exception). */
  private once(
    req: WireRequest,
    signal: InterruptSignal | undefined,
    vu: number,
    done: (hop: HopResult) => void,
  ): void {
    const call = new Call(req.method, req.url, req.headers, req.body, req.responseType, done);
    const target = parseTarget(req.url);
    if ('error' in target) return call.fail(target.error, K6_ERROR.INVALID_URL);
    call.deadline = call.t0 + req.timeoutMs;
    call.timeoutMs = req.timeoutMs;
    call.deadlines = this.deadlines;
    this.deadlines.add(call);
    if (signal) {
      if (signal.aborted) return call.abortNow(new Error('request interrupted'));
      call.watch(signal);
    }
    const conn = this.connections.take(target.origin, vu);
    call.conn = conn;
    try {
      conn.client.dispatch(
        {
          path: target.path,
          method: req.method,
          headers: req.headers,
          body: req.body ?? undefined,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        call,
      );
    } catch (err) {
      call.releaseConn();
      call.fail(err, 0);
    }
  }

  /** Closes VU `vu`'s HTTP/2 sessions (the VU ended; its HTTP/1.1 connections belong to the thread's pool). */
  closeVu(vu: number): void {
    this.connections.closeVu(vu);
  }

  /** VU `vu`'s iteration ended: with `noVUConnectionReuse`, closes the connections it used (else nothing). */
  endIteration(vu: number): void {
    this.connections.endIteration(vu);
  }

  async close(): Promise<void> {
    this.deadlines.stop();
    await this.connections.destroy();
  }
}

interface HopResult {
  info: WireHop;
  body: string | Uint8Array | null;
  remoteIp: string;
  remotePort: number;
}

/** One request's handler (undici's legacy handler interface) and its timestamps. */
class Call implements Dispatcher.DispatchHandler, Metered {
  deadline = Infinity;
  timeoutMs = 0;
  deadlines: Deadlines | null = null;
  deadlineSlot = -1;
  /** The connection the request runs on, given back when it ends. */
  conn: Connection | null = null;
  readonly t0 = performance.now();
  private signal: InterruptSignal | null = null;
  private onAbort: (() => void) | null = null;
  private readonly startTime = Date.now();
  private tConnect = 0;
  private connecting = 0;
  private tls = 0;
  private tSent = 0;
  private tFirst = 0;
  private status = 0;
  private statusText = '';
  /** undici's raw [name, value, ...] header buffers: made into strings only when read (the hop's `headers` getter). */
  private rawHeaders: Buffer[] | null = null;
  private hasSetCookie = false;
  private headerBytes = 0;
  private chunks: Buffer[] = [];
  private bodyBytes = 0;
  private abortFn: ((err?: Error) => void) | null = null;
  private finished = false;
  private pendingError: { err: Error; code: number } | null = null;
  private remoteIp = '';
  private remotePort = 0;
  private info: ConnInfo | null = null;
  /** The h2 session's meter while this request is on it (frame-meter.ts), and what it counted. */
  private meter: FrameMeter | null = null;
  framesRead = 0;
  framesWritten = 0;

  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly body: WireRequest['body'],
    private readonly responseType: WireRequest['responseType'],
    private readonly resolve: (r: HopResult) => void,
  ) {}

  /** Aborts this request when `signal` aborts (an interrupted iteration). */
  watch(signal: InterruptSignal): void {
    this.signal = signal;
    this.onAbort = () => this.abortNow(new Error('request interrupted'));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.tConnect = performance.now();
    const conn = this.conn!;
    this.remoteIp = conn.remoteIp;
    this.remotePort = conn.remotePort;
    this.info = conn.info;
    if (conn.meter !== null) {
      this.meter = conn.meter;
      this.meter.start(this);
    }
    const fresh = conn.takeFresh();
    if (fresh !== null) {
      this.connecting = fresh.connectDone - fresh.connectStart;
      if (fresh.tlsDone !== 0) this.tls = fresh.tlsDone - fresh.connectDone;
    }
    this.abortFn = abort;
    if (this.pendingError) abort(this.pendingError.err);
  }

  onRequestSent(): void {
    this.tSent = performance.now();
  }

  onResponseStarted(): void {
    this.tFirst = performance.now();
  }

  onHeaders(status: number, raw: Buffer[], _resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // 1xx: wait for the final response
    if (!this.tFirst) this.tFirst = performance.now();
    this.status = status;
    this.statusText = statusText;
    let bytes = 17 + statusText.length;
    for (let i = 0; i < raw.length; i += 2) {
      bytes += raw[i]!.length + raw[i + 1]!.length + 4;
      if (isSetCookie(raw[i]!)) this.hasSetCookie = true;
    }
    this.headerBytes = bytes;
    this.rawHeaders = raw;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bodyBytes += chunk.length;
    if (this.responseType !== 'none') this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.releaseConn();
    this.finish(null, 0);
  }

  onError(err: Error): void {
    this.releaseConn();
    const pending = this.pendingError;
    this.finish(pending?.err ?? err, pending?.code ?? 0);
  }

  /**
   * Gives the connection back once undici is done with the request (complete or failed), not when
   * the caller got its answer: a request that timed out while still queued stays on its connection
   * until undici drops it, so the next request never queues behind it.
   */
  releaseConn(): void {
    const c = this.conn;
    this.conn = null;
    c?.release();
  }

  /** Aborts with a request-timeout error (k6 1050). */
  timeout(ms: number): void {
    this.stop(new Error(`request timeout: ${ms}ms elapsed`), K6_ERROR.REQUEST_TIMEOUT);
  }

  abortNow(err: Error): void {
    this.stop(err, K6_ERROR.GENERIC);
  }

  fail(err: unknown, code: number): void {
    this.finish(err as Error, code);
  }

  private stop(err: Error, code: number): void {
    if (this.finished) return;
    this.pendingError = { err, code };
    if (this.abortFn) this.abortFn(err);
    else this.finish(err, code); // still queued: answer now, abort when a socket is assigned
  }

  private finish(err: Error | null, code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.deadlines?.delete(this);
    this.meter?.end(this);
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
    const end = performance.now();
    const connect = this.tConnect || end;
    const sent = this.tSent || (this.tFirst ? connect : end);
    const first = this.tFirst || end;
    const timings: WireTimings = {
      blocked: connect - this.t0,
      connecting: this.connecting,
      tls_handshaking: this.tls,
      sending: Math.max(0, sent - connect),
      waiting: this.tFirst ? Math.max(0, first - sent) : Math.max(0, end - sent),
      receiving: this.tFirst ? Math.max(0, end - first) : 0,
      duration: 0,
    };
    timings.duration = timings.sending + timings.waiting + timings.receiving;
    const classified = err ? (code ? { code, message: err.message } : classify(err, this.url)) : null;
    const status = err ? 0 : this.status;
    const info = new Hop(
      this.method,
      this.url,
      status,
      this.statusText,
      timings,
      this.meter ? this.framesWritten : this.requestBytes(),
      this.meter ? this.framesRead : this.headerBytes + this.bodyBytes,
      classified?.message ?? '',
      classified?.code ?? statusErrorCode(status),
      this.startTime,
      err ? null : this.rawHeaders,
      err ? '' : (this.info?.proto ?? ''),
      err ? '' : (this.info?.tlsVersion ?? ''),
      err ? '' : (this.info?.tlsCipherSuite ?? ''),
      err ? '' : (this.info?.ocsp ?? ''),
    );
    if (!err && this.hasSetCookie) info.setCookies = setCookieValues(this.rawHeaders!);
    this.resolve({ info, body: err ? null : this.bodyOut(), remoteIp: this.remoteIp, remotePort: this.remotePort });
  }

  private bodyOut(): string | Uint8Array | null {
    if (this.responseType === 'none') return null;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    return this.responseType === 'binary' ? new Uint8Array(buf) : buf.toString('utf8');
  }

  private requestBytes(): number {
    let n = this.method.length + this.url.length + 12;
    for (const k in this.headers) n += k.length + this.headers[k]!.length + 4;
    if (this.body) n += typeof this.body === 'string' ? Buffer.byteLength(this.body) : this.body.byteLength;
    return n;
  }
}

export { canonicalKey } from './transport-parts.ts';
