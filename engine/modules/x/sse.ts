/**
 * `k6/x/sse` — phymbert/xk6-sse (a community extension k6 ≥ 1.2 resolves by itself) on
 * undici: `sse.open(url, params?, (client) => { client.on('event', fn) ... })`.
 *
 * The callback registers handlers; each Server-Sent Event is handed to the `event`
 * handlers as it arrives ({ id, name, data, comment }), so a script can time every chunk
 * of a streamed LLM answer as it arrives (with `performance`, as the kit's llm-stream does, or
 * Date.now()). `client.close()` ends the stream early.
 * Under k6 `open` blocks until the stream ends; here it returns a promise of the same
 * response ({ url, status, headers, error }), so scripts `await` it. Metrics as the
 * extension (v0.1.12) emits them: `sse_event` (one per event); `http_req_sending`, the time
 * from open to the response headers (or the failure), once when the headers arrive and once
 * more at the end of the stream, as the extension pushes it twice; at the end `http_reqs` and
 * `http_req_duration` (open to end of stream). Tags: the VU's, `status`, `method`, `url`,
 * `name` and params.tags.
 */
import { Agent, type Dispatcher } from 'undici';
import type { VuContext } from '../api.ts';
import { describe, ExtensionError, requireAsyncMode } from './support.ts';

const MODULE = 'k6/x/sse';

export interface SseEvent {
  id: string;
  name: string;
  data: string;
  comment: string;
}
export interface SseParams {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  tags?: Record<string, string>;
}
export interface SseResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  error: string;
}
type Handler = (arg?: unknown) => void;

/**
 * Incremental parser of the WHATWG event-stream grammar (HTML § 9.2.6), for any chunking:
 * lines end with CRLF, LF or CR, and a CRLF split across two reads is one line end; a
 * leading BOM is dropped; a line `field: value` loses one space after the colon, a line
 * without a colon is a field with an empty value; `data` lines are joined with LF; an `id`
 * holding NUL and a `retry` that is not all ASCII digits are ignored; unknown fields are
 * ignored; a blank line dispatches the event only if it had a `data` line (a block of
 * comments, `id`, `event` or `retry` alone dispatches nothing); an unfinished event at
 * the end of the stream is dropped. What it hands on is what xk6-sse reports: `{ id,
 * name, data, comment }` with the `id`, `event` and last comment of the event's own block.
 */
export class SseParser {
  #line = '';
  #skipLf = false;
  #started = false;
  #data: string[] = [];
  #name = '';
  #id = '';
  #comment = '';
  #lastEventId = '';
  #retry: number | undefined;

  constructor(private readonly emit: (event: SseEvent) => void) {}

  /** The last `id` seen (kept across events, as an EventSource keeps it for reconnection). */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The last valid `retry` in milliseconds, if any (xk6-sse does not act on it either). */
  get retry(): number | undefined {
    return this.#retry;
  }

  push(text: string): void {
    if (text.length === 0) return;
    let i = 0;
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.#skipLf) {
      this.#skipLf = false;
      if (text.charCodeAt(i) === 10) i += 1;
    }
    const ends = /[\r\n]/g;
    ends.lastIndex = i;
    for (let m = ends.exec(text); m !== null; m = ends.exec(text)) {
      const j = m.index;
      const line = this.#line + text.slice(i, j);
      this.#line = '';
      i = j + 1;
      if (text.charCodeAt(j) === 13) {
        if (i === text.length) this.#skipLf = true;
        else if (text.charCodeAt(i) === 10) i += 1;
      }
      ends.lastIndex = i;
      this.#field(line);
    }
    this.#line += text.slice(i);
  }

  #field(line: string): void {
    if (line === '') return this.#dispatch();
    const colon = line.indexOf(':');
    if (colon === 0) {
      this.#comment = line.charCodeAt(1) === 32 ? line.slice(2) : line.slice(1);
      return;
    }
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#name = value;
    else if (field === 'id') {
      if (!value.includes('\0')) this.#id = this.#lastEventId = value;
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value)) this.#retry = Number(value);
    }
  }

  #dispatch(): void {
    const event = { id: this.#id, name: this.#name, data: this.#data.join('\n'), comment: this.#comment };
    const hasData = this.#data.length > 0;
    this.#data = [];
    this.#name = this.#id = this.#comment = '';
    if (hasData) this.emit(event);
  }
}

function checkParams(params: unknown): SseParams {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new ExtensionError(
      'X_SSE_BAD_ARGUMENT',
      `${MODULE}: open(url, params, fn): params must be an object, got ${describe(params)}`,
    );
  }
  return params as SseParams;
}

export function createModule(vu: VuContext): Record<string, unknown> {
  let agent: Agent | null = null;
  vu.onClose(async () => {
    await agent?.close().catch(() => {});
  });
  vu.metrics.define('sse_event', 'counter');

  async function open(url: string, ...args: unknown[]): Promise<SseResponse> {
    requireAsyncMode(vu, MODULE, 'sse.open()');
    const setup = args[args.length - 1];
    if (typeof setup !== 'function' || args.length > 2) {
      throw new ExtensionError(
        'X_SSE_BAD_ARGUMENT',
        `${MODULE}: open(url, [params], fn): the last argument must be a function`,
      );
    }
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new ExtensionError(
        'X_SSE_BAD_ARGUMENT',
        `${MODULE}: open(url, ...): url must be an http(s) URL, got ${JSON.stringify(url)}`,
      );
    }
    const params = checkParams(args.length === 2 ? args[0] : undefined);
    const method = (params.method ?? 'GET').toUpperCase();
    const handlers = new Map<string, Handler[]>();
    const controller = new AbortController();
    let closed = false;
    const client = {
      on(type: string, fn: Handler) {
        if (typeof fn === 'function') handlers.set(type, [...(handlers.get(type) ?? []), fn]);
      },
      close() {
        closed = true;
        controller.abort();
      },
    };
    let scriptError: unknown = null;
    /** A handler that throws ends the stream; the error reaches the script, as under k6. */
    const fire = (type: string, arg?: unknown) => {
      for (const fn of handlers.get(type) ?? []) {
        try {
          fn(arg);
        } catch (error) {
          scriptError ??= error;
          client.close();
        }
      }
    };
    const errorOf = (e: unknown) => ({ error: () => (e instanceof Error ? e.message : String(e)) });
    (setup as (c: typeof client) => void)(client);

    agent ??= new Agent({ connections: 16, bodyTimeout: 0, headersTimeout: 60_000 });
    // An interrupted iteration (the test stops) ends the stream: a silent server must not hold the VU.
    const interruption = vu.iterationSignal();
    const onInterrupt = (): void => controller.abort();
    interruption?.addEventListener('abort', onInterrupt, { once: true });
    if (interruption?.aborted) controller.abort();
    // Sample timestamps on the wall clock (k6's); durations on the monotonic sub-ms one.
    const started = Date.now();
    const t0 = performance.now();
    const tags: Record<string, string> = { ...vu.currentTags(), method, url, name: url, ...(params.tags ?? {}) };
    let response: SseResponse = { url, status: 0, headers: {}, error: '' };
    let rawHeaders: Record<string, string | string[] | undefined> = {};
    let sendingMs = -1;
    /** Stamps the time to the response head (or the failure); `defer` records the sample after the read's callback. */
    const sent = (defer: boolean): void => {
      const ms = (sendingMs = performance.now() - t0);
      const add = (): void => vu.metrics.add('http_req_sending', ms, { ...tags }, started);
      if (defer) queueMicrotask(add);
      else add();
    };
    // Everything a response needs is built before the request leaves, so the packet that carries
    // the head and the first event (the kit's stub sends them together, as do servers that hold the
    // head back) reaches the script's handler after no more work than any later event does.
    const parser = new SseParser((event) => {
      if (closed) return; // close() ends delivery at once, even mid-chunk
      fire('event', event);
      vu.metrics.add('sse_event', 1, tags); // after the handler, which reads its clock first
    });
    const decoder = new TextDecoder();
    try {
      const target = new URL(url); // a malformed URL fails as a request does, through 'error'
      // undici's dispatch API: the head and every body chunk are handed over in the socket read's
      // own callback, with no response object, promise or stream between the bytes and the parser.
      await new Promise<void>((resolve, reject) => {
        let dispatch: Dispatcher.DispatchController | null = null;
        let settled = false;
        const settle = (error?: Error): void => {
          if (settled) return;
          settled = true;
          controller.signal.removeEventListener('abort', abort);
          if (error) reject(error);
          else resolve();
        };
        // Aborted before the request reached a socket: it ends now, and is cut once it starts.
        const abort = (): void => {
          const reason = controller.signal.reason as Error;
          if (dispatch) dispatch.abort(reason);
          else settle(reason);
        };
        controller.signal.addEventListener('abort', abort, { once: true });
        agent!.dispatch(
          {
            origin: target.origin,
            path: target.pathname + target.search,
            method,
            headers: { accept: 'text/event-stream', ...(params.headers ?? {}) },
            body: params.body ?? null,
          },
          {
            onRequestStart(ctl) {
              dispatch = ctl;
              if (controller.signal.aborted) abort();
            },
            onResponseStart(_ctl, statusCode, headers) {
              if (statusCode < 200) return; // an informational head; the response's own follows
              rawHeaders = headers;
              response = { url, status: statusCode, headers: {}, error: '' };
              tags.status = String(statusCode);
              sent(true);
              fire('open');
            },
            onResponseData(ctl, chunk) {
              if (closed) return;
              try {
                parser.push(decoder.decode(chunk, { stream: true }));
              } catch (error) {
                ctl.abort(error as Error); // ends the request; the promise rejects with it
              }
            },
            onResponseEnd: () => settle(),
            onResponseError: (_ctl, error) => settle(error),
          },
        );
      });
    } catch (error) {
      if (sendingMs < 0) {
        tags.status ??= '0';
        sent(false);
      }
      if (!closed) {
        response = { ...response, error: error instanceof Error ? error.message : String(error) };
        fire('error', errorOf(error));
      }
    } finally {
      interruption?.removeEventListener('abort', onInterrupt);
      for (const [k, v] of Object.entries(rawHeaders))
        if (v !== undefined) response.headers[k] = Array.isArray(v) ? v.join(', ') : v;
      tags.status ??= '0';
      const end = Date.now();
      vu.metrics.add('http_reqs', 1, tags, end);
      if (sendingMs >= 0) vu.metrics.add('http_req_sending', sendingMs, tags, end);
      vu.metrics.add('http_req_duration', performance.now() - t0, tags, end);
    }
    if (scriptError) throw scriptError;
    return response;
  }

  const exports = { open };
  return { ...exports, default: exports };
}
