/**
 * k6/ws (k6 v2.2.0, internal/js/modules/k6/ws), the older callback API, on the `ws` client:
 * `ws.connect(url, params?, (socket) => { ... })` dials, runs the callback (which registers
 * handlers with `socket.on(event, fn)`), fires `open`, then delivers `message` (text),
 * `binaryMessage` (an ArrayBuffer), `ping`, `pong`, `error` and `close` (the close code) until the
 * socket closes, and returns the response `{ url, status, headers, body, error }`. Under k6 the
 * call blocks: so it does in sync mode (ws-blocking.ts, the socket on the I/O thread); in async
 * mode it returns a promise that the blocking-call rewrite awaits (transform/blocking-apis.ts).
 * The socket: `send(text)`, `sendBinary(arrayBuffer)`, `ping()`, `close(code = 1001)`,
 * `setTimeout(fn, ms)` and `setInterval(fn, ms)` that live as long as the socket.
 * A refused handshake gives the HTTP response (`status`, `body`, an empty `error`), a network
 * failure `{ status: 0, error }`, (or throws with options.throw); a handler or timer
 * callback that throws closes the socket (1001) and `connect` throws it. params: `headers`, `tags`,
 * `compression: "deflate"`. Metrics (ws-metrics.ts): ws_sessions and ws_connecting once dialled,
 * ws_msgs_sent per send/sendBinary, ws_msgs_received per message, ws_ping per pong,
 * ws_session_duration when connect returns.
 */
import WebSocketClient from 'ws';
import type { ModuleFactory, VuContext } from './api.ts';
import { stateOf } from '../runtime/vu-state.ts';
import { InterruptError } from '../errors.ts';
import { defineWsMetrics, wsTags } from './ws-metrics.ts';
import { connectBlocking } from './ws-blocking.ts';
import { dial, type Params, type Session, type SessionClock, type SessionSocket, type WsResponse } from './ws-dial.ts';

type Handler = (...args: unknown[]) => unknown;

function parseArgs(args: unknown[]): { params: Params; setup: (socket: unknown) => unknown } {
  if (args.length < 1 || args.length > 2) throw new Error('invalid number of arguments to ws.connect');
  const setup = args[args.length - 1];
  if (typeof setup !== 'function') throw new Error('last argument to ws.connect must be a function');
  const params = (args.length === 2 ? (args[0] ?? {}) : {}) as Params;
  if (params.compression !== undefined && params.compression !== '' && params.compression !== 'deflate')
    throw new Error(`unsupported compression algorithm '${params.compression}', supported algorithm is 'deflate'`);
  return { params, setup: setup as (socket: unknown) => unknown };
}

function makeConnect(vu: VuContext) {
  const st = stateOf(vu);
  /** The socket's life keeps the iteration going even where the call is not awaited (a sync-mode VU). */
  return function connect(url: unknown, ...args: unknown[]): Promise<WsResponse | null> | WsResponse | null {
    if (vu.phase() === 'init') throw new Error('using websockets in the init context is not supported');
    const { params, setup } = parseArgs(args);
    if (st.host.mode === 'sync')
      return connectBlocking(vu, st, String(url), params, setup, (client, response, tags, clock) =>
        session(vu, client, response, tags, setup, clock),
      );
    const p = connectNow(String(url), params, setup);
    st.keepIterationAlive(p);
    return p;
  };

  async function connectNow(
    href: string,
    params: Params,
    setup: (socket: unknown) => unknown,
  ): Promise<WsResponse | null> {
    const tags = wsTags(vu, href, params.tags);
    const startedAt = Date.now();
    const t0 = performance.now();
    const { client, response, error } = await dial(href, params);
    if (response.status) tags.status = String(response.status);
    if (client?.protocol) tags.subproto = client.protocol;
    vu.metrics.add('ws_sessions', 1, tags, startedAt);
    vu.metrics.add('ws_connecting', performance.now() - t0, tags, startedAt);
    if (!client) {
      if (st.host.options.throw) throw error;
      return response.status ? response : { url: '', status: 0, headers: {}, body: '', error: response.error };
    }
    try {
      return await session(vu, client, response, tags, setup).done;
    } finally {
      vu.metrics.add('ws_session_duration', performance.now() - t0, tags, startedAt);
    }
  }
}

const nodeClock: SessionClock = {
  after: (ms, fn) => setTimeout(fn, ms),
  every: (ms, fn) => setInterval(fn, ms),
  cancel: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/** The socket's life after the handshake: k6's event loop of ws.connect, as callbacks of `client` and `clock`. */
export function session(
  vu: VuContext,
  client: SessionSocket,
  response: WsResponse,
  tags: Record<string, string>,
  setup: (socket: unknown) => unknown,
  clock: SessionClock = nodeClock,
): Session {
  const handlers = new Map<string, Handler[]>();
  const timers = new Set<unknown>();
  const pings = new Map<string, number>();
  let pingCounter = 0;
  let closed = false;
  let aborted = false;
  let failure: { err: unknown } | null = null;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));

  const emit = (event: string, ...args: unknown[]): void => {
    for (const fn of handlers.get(event) ?? []) fn(...args);
  };
  /** Runs script code; the first throw closes the socket (1001) and is what connect throws. */
  const guarded = (fn: () => void): void => {
    if (closed && failure) return;
    try {
      fn();
    } catch (err) {
      failure ??= { err };
      closeWith(1001);
    }
  };
  /** Closes the socket; the script's close handlers run unless the iteration was interrupted (as in k6). */
  const closeWith = (code: number, interrupted = false): void => {
    if (closed) return;
    closed = true;
    aborted = interrupted;
    for (const t of timers) clock.cancel(t);
    try {
      if (client.readyState === WebSocketClient.OPEN) client.close(code);
      if (!interrupted) emit('close', code);
    } catch (err) {
      failure ??= { err };
    } finally {
      client.terminate();
      finish();
    }
  };
  // connect() is the blocking call the VU is in (held): its own events run at once, as on k6's loop of ws.connect.
  const later = (fn: () => void): void => guarded(fn);

  const socket = {
    on(event: string, fn: unknown) {
      if (typeof fn === 'function') handlers.set(event, [...(handlers.get(event) ?? []), fn as Handler]);
    },
    send(message: unknown) {
      client.send(String(message), { binary: false }, (err) => err && later(() => emit('error', err)));
      vu.metrics.add('ws_msgs_sent', 1, tags);
    },
    sendBinary(message: unknown) {
      if (message === undefined) throw new Error('missing argument, expected ArrayBuffer');
      if (!(message instanceof ArrayBuffer))
        throw new Error(`expected ArrayBuffer as argument, received: ${typeof message}`);
      client.send(Buffer.from(message), { binary: true }, (err) => err && later(() => emit('error', err)));
      vu.metrics.add('ws_msgs_sent', 1, tags);
    },
    ping() {
      const id = String(pingCounter++);
      pings.set(id, performance.now());
      client.ping(id);
    },
    close(code?: unknown) {
      closeWith(code === undefined ? 1001 : Math.trunc(Number(code)));
    },
    setTimeout(fn: unknown, ms: unknown) {
      const d = Number(ms);
      if (!(d > 0)) throw new Error(`setTimeout requires a >0 timeout parameter, received ${d.toFixed(2)}`);
      const t = clock.after(d, () => {
        timers.delete(t);
        later(() => (fn as Handler)());
      });
      timers.add(t);
    },
    setInterval(fn: unknown, ms: unknown) {
      const d = Number(ms);
      if (!(d > 0)) throw new Error(`setInterval requires a >0 timeout parameter, received ${d.toFixed(2)}`);
      timers.add(clock.every(d, () => later(() => (fn as Handler)())));
    },
  };

  client.on('message', (data: Buffer, isBinary: boolean) =>
    later(() => {
      vu.metrics.add('ws_msgs_received', 1, tags);
      if (isBinary) emit('binaryMessage', data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      else emit('message', data.toString('utf8'));
    }),
  );
  client.on('ping', () => later(() => emit('ping')));
  client.on('pong', (data: Buffer) =>
    later(() => {
      const sent = pings.get(data.toString());
      if (sent !== undefined) vu.metrics.add('ws_ping', performance.now() - sent, tags);
      emit('pong');
    }),
  );
  client.on('close', (code: number) =>
    later(() => {
      if (code !== 1000 && code !== 1001 && code !== 1005)
        emit('error', new Error(`websocket: close ${code} (${code === 1006 ? 'abnormal closure' : 'closed'})`));
      closeWith(code === 1005 ? 1001 : code);
    }),
  );
  client.on('error', (err) => later(() => emit('error', err)));
  const signal = vu.iterationSignal();
  const onAbort = () => closeWith(1001, true);
  signal?.addEventListener('abort', onAbort, { once: true });

  guarded(() => setup(socket));
  if (!closed) guarded(() => emit('open'));
  const result = (): WsResponse => {
    signal?.removeEventListener('abort', onAbort);
    if (aborted) throw new InterruptError(); // the iteration goes no further, as in k6
    if (failure) throw failure.err;
    return { ...response, url: response.url };
  };
  return {
    get done() {
      return done.then(result);
    },
    get closed() {
      return closed;
    },
    result,
    abort: onAbort,
  };
}

export const createModule: ModuleFactory = (vu) => {
  defineWsMetrics(vu);
  const api = { connect: makeConnect(vu) };
  return { ...api, default: api };
};
