/**
 * k6/websockets (k6 v2.2.0, internal/js/modules/k6/websockets) on the `ws` client: the browser's
 * WebSocket API as k6 gives it. `new WebSocket(url, protocols?, params?)` connects at once
 * (params: headers, tags, compression); `readyState` 0-3, `url`, `protocol`, `binaryType`
 * ("blob", the default, or "arraybuffer"), `bufferedAmount`; `send`, `ping`, `close(code?,
 * reason?)`; `addEventListener(type, fn)` and `onopen`/`onmessage`/`onerror`/`onclose`/`onping`/
 * `onpong`. Events carry `type`, `target`, `timestamp` and, for a message, `data` and `origin`; a
 * close event `code` (when the socket was closed by the script) and `reason`; an error event `error`.
 *
 * The iteration lasts until every socket it opened is closed (k6's event loop); a listener that
 * throws closes its socket and fails the iteration; an interrupted iteration closes its sockets.
 * Events are delivered when the VU is free (not inside sleep()), as on k6's event loop.
 * Metrics (ws-metrics.ts): ws_connecting and ws_sessions when the handshake ends (failed or not),
 * ws_msgs_received per message, ws_msgs_sent per frame written (as k6: messages, pings and the
 * script's close frame), ws_ping per pong, ws_session_duration at the close.
 */
import { Blob } from 'node:buffer';
import WebSocketClient from 'ws';
import type { ModuleFactory, VuContext } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { defineWsMetrics, wsTags } from './ws-metrics.ts';

const EVENTS = ['open', 'message', 'error', 'close', 'ping', 'pong'] as const;
type EventType = (typeof EVENTS)[number];
type Listener = (event: Record<string, unknown>) => unknown;

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  compression?: string;
}

function toPayload(data: unknown): { bytes: Buffer | string; binary: boolean } | Promise<Buffer> {
  if (typeof data === 'string') return { bytes: data, binary: false };
  if (data instanceof ArrayBuffer) return { bytes: Buffer.from(data), binary: true };
  if (ArrayBuffer.isView(data))
    return { bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength), binary: true };
  if (data instanceof Blob) return data.arrayBuffer().then((b) => Buffer.from(b));
  throw new TypeError(`send: unsupported data type ${data === null ? 'null' : typeof data}`);
}

function makeWebSocketClass(vu: VuContext) {
  const st = stateOf(vu);

  return class WebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;

    readonly url: string;
    readyState = 0;
    protocol = '';
    extensions = '';
    #binaryType: 'blob' | 'arraybuffer' = 'blob';
    readonly #listeners = new Map<EventType, Listener[]>();
    readonly #on = new Map<EventType, Listener | null>();
    readonly #socket: WebSocketClient;
    readonly #tags: Record<string, string>;
    readonly #pings = new Map<string, number>();
    #pingId = 0;
    #closeCode = 0;
    #closeReason = '';
    #started = performance.now();
    #failure: unknown = null;
    #settle!: { resolve: () => void; reject: (err: unknown) => void };

    constructor(url: unknown, protocols?: unknown, params?: unknown) {
      if (vu.phase() === 'init') throw new Error('using websockets in the init context is not supported');
      if (typeof url !== 'string' || !/^wss?:\/\//.test(url))
        throw new SyntaxError(`WebSocket: the url must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
      this.url = url;
      const p = (params ?? {}) as Params;
      this.#tags = wsTags(vu, url, p.tags);
      const subprotocols =
        protocols === undefined || protocols === null ? [] : ([] as string[]).concat(protocols as string);
      const done = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
      st.keepIterationAlive(done);
      const connectStart = performance.now();
      const startedAt = Date.now();
      this.#socket = new WebSocketClient(url, subprotocols, {
        headers: p.headers,
        perMessageDeflate: p.compression === 'deflate',
        handshakeTimeout: 60_000,
      });
      this.#socket.binaryType = 'nodebuffer';
      let status = 0;
      const connected = (): void => {
        const tags = {
          ...this.#tags,
          status: String(status || 0),
          ...(this.protocol ? { subproto: this.protocol } : {}),
        };
        this.#tags.status = tags.status;
        if (this.protocol) this.#tags.subproto = this.protocol;
        vu.metrics.add('ws_sessions', 1, tags, startedAt);
        vu.metrics.add('ws_connecting', performance.now() - connectStart, tags, startedAt);
      };
      this.#socket.on('upgrade', (res) => (status = res.statusCode ?? 0));
      this.#socket.on('unexpected-response', (_req, res) => {
        status = res.statusCode ?? 0;
        res.resume();
        this.#socket.terminate();
      });
      this.#socket.on('open', () => {
        this.#started = performance.now();
        this.protocol = this.#socket.protocol;
        this.extensions = this.#socket.extensions;
        connected();
        this.#deliver(() => {
          if (this.readyState !== 0) return;
          this.readyState = 1;
          this.#fire('open', {});
        });
      });
      this.#socket.on('message', (data: Buffer, isBinary: boolean) => {
        const at = Date.now();
        this.#deliver(() => {
          if (this.readyState !== 1) return;
          vu.metrics.add('ws_msgs_received', 1, this.#tags, at);
          const payload = !isBinary
            ? data.toString('utf8')
            : this.#binaryType === 'arraybuffer'
              ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
              : new Blob([data]);
          this.#fire('message', { data: payload, origin: this.url }, at);
        });
      });
      this.#socket.on('ping', () => this.#deliver(() => this.#fire('ping', {})));
      this.#socket.on('pong', (data: Buffer) => {
        const sent = this.#pings.get(data.toString());
        const at = Date.now();
        this.#deliver(() => {
          if (sent !== undefined) vu.metrics.add('ws_ping', performance.now() - sent, this.#tags, at);
          this.#fire('pong', {});
        });
      });
      let handshakeDone = false;
      this.#socket.on('open', () => (handshakeDone = true));
      this.#socket.on('error', (err: Error) => {
        if (!handshakeDone) {
          handshakeDone = true;
          connected();
        }
        this.#deliver(() => this.#closed(err, 0, ''));
      });
      this.#socket.on('close', (code: number, reason: Buffer) => {
        if (!handshakeDone) {
          handshakeDone = true;
          connected();
        }
        this.#deliver(() => this.#closed(null, code, reason.toString()));
      });
      const signal = vu.iterationSignal();
      const onAbort = (): void => this.#socket.terminate();
      signal?.addEventListener('abort', onAbort, { once: true });
      void done.then(
        () => signal?.removeEventListener('abort', onAbort),
        () => signal?.removeEventListener('abort', onAbort),
      );
    }

    get binaryType(): string {
      return this.#binaryType;
    }
    set binaryType(v: string) {
      if (v !== 'blob' && v !== 'arraybuffer')
        throw new Error(`unknown binaryType ${v}, the supported ones are "blob" and "arraybuffer"`);
      this.#binaryType = v;
    }

    get bufferedAmount(): number {
      return this.#socket.bufferedAmount;
    }

    addEventListener(type: string, fn: unknown): void {
      if (typeof fn !== 'function') throw new TypeError(`handler for event type "${type}" isn't a callable function`);
      if (!(EVENTS as readonly string[]).includes(type)) {
        st.host.log('WARN', `can't add event handler: unknown event type "${type}"`);
        return;
      }
      const list = this.#listeners.get(type as EventType) ?? [];
      list.push(fn as Listener);
      this.#listeners.set(type as EventType, list);
    }

    send(data: unknown): void {
      if (this.readyState !== 1) throw new Error('InvalidStateError: the WebSocket is not open');
      const payload = toPayload(data);
      const write = (bytes: Buffer | string, binary: boolean): void =>
        this.#socket.send(bytes, { binary }, (err) => {
          if (!err) vu.metrics.add('ws_msgs_sent', 1, this.#tags);
        });
      if (payload instanceof Promise) void payload.then((b) => write(b, true));
      else write(payload.bytes, payload.binary);
    }

    ping(): void {
      if (this.readyState !== 1) throw new Error('InvalidStateError: the WebSocket is not open');
      const id = String(this.#pingId++);
      this.#pings.set(id, performance.now());
      this.#socket.ping(id, undefined, (err) => {
        if (!err) vu.metrics.add('ws_msgs_sent', 1, this.#tags);
      });
    }

    close(code?: unknown, reason?: unknown): void {
      if (this.readyState === 2 || this.readyState === 3) return;
      const c = code === undefined || code === null ? 0 : Number(code);
      if (c !== 0 && !(c === 1000 || (c >= 3000 && c <= 4999)))
        throw new Error(
          `InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${c} is neither`,
        );
      const r = reason === undefined || reason === null ? '' : String(reason);
      if (Buffer.byteLength(r) > 123)
        throw new Error(
          "SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes",
        );
      this.readyState = 2;
      this.#closeCode = c || 1000;
      this.#closeReason = r;
      if (this.#socket.readyState === WebSocketClient.CONNECTING) this.#socket.terminate();
      else {
        this.#socket.close(this.#closeCode, r);
        vu.metrics.add('ws_msgs_sent', 1, this.#tags); // k6 counts every frame it writes: the close frame too
      }
    }

    /** Runs `fn` when the VU is free; a listener that throws ends the socket and fails the iteration. */
    #deliver(fn: () => void): void {
      st.whenFree(() => {
        try {
          fn();
        } catch (err) {
          this.#failure ??= err;
          this.#socket.terminate();
          if (this.readyState === 3) this.#settle.reject(err);
        }
      });
    }

    #closed(err: Error | null, code: number, reason: string): void {
      if (this.readyState === 3) return;
      const wasOpen = this.readyState === 1 || this.readyState === 2;
      this.readyState = 3;
      if (wasOpen) vu.metrics.add('ws_session_duration', performance.now() - this.#started, this.#tags);
      if (!this.#closeReason) this.#closeReason = reason;
      try {
        if (this.#failure === null) {
          if (err) this.#fire('error', { error: err.message });
          else if (code !== 1000 && this.#closeCode === 0)
            this.#fire('error', { error: `websocket: close ${code}${reason ? ` ${reason}` : ''}` });
          this.#fire('close', { ...(this.#closeCode ? { code: this.#closeCode } : {}), reason: this.#closeReason });
        }
      } catch (e) {
        this.#failure ??= e;
      }
      if (this.#failure !== null) this.#settle.reject(this.#failure);
      else this.#settle.resolve();
    }

    #fire(type: EventType, fields: Record<string, unknown>, at = Date.now()): void {
      const event = { type, target: this, timestamp: at, ...fields };
      const on = this.#on.get(type);
      for (const fn of [...(this.#listeners.get(type) ?? []), ...(on ? [on] : [])]) fn.call(this, event);
    }

    static {
      for (const type of EVENTS) {
        Object.defineProperty(this.prototype, `on${type}`, {
          get(this: WebSocket) {
            return this.#on.get(type) ?? null;
          },
          set(this: WebSocket, fn: unknown) {
            if (fn === null || fn === undefined) this.#on.set(type, null);
            else if (typeof fn !== 'function') throw new TypeError(`a value for 'on${type}' should be callable`);
            else this.#on.set(type, fn as Listener);
          },
        });
      }
    }
  };
}

export const createModule: ModuleFactory = (vu) => {
  defineWsMetrics(vu);
  const api = { WebSocket: makeWebSocketClass(vu), Blob };
  return { ...api, default: api };
};
