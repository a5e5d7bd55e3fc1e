/**
 * k6/ws's `ws.connect` in sync mode: as under k6, the call blocks the VU's thread until the socket
 * closes and returns the response. The socket itself lives on the I/O thread (runtime/ws-io.ts);
 * this thread waits on a shared counter (Atomics.wait) and, woken by each event, runs the
 * script's handlers (`socket.on(...)`) itself, as well as the socket's own timers
 * (`socket.setTimeout`, `socket.setInterval`), which this loop keeps. `socket.send`, `ping` and
 * `close` post commands back. k6/timers callbacks (the global `setTimeout`) run after the call,
 * when the VU's event loop runs again, as k6's do (its ws.connect holds the VU's event loop too).
 * An interrupted iteration (gracefulStop, test end) closes the socket (1001) without running the
 * close handlers, and the call throws the interruption, as a blocking sleep does (k6 v2.2.0 alike).
 */
import { EventEmitter } from 'node:events';
import { receiveMessageOnPort } from 'node:worker_threads';
import { InterruptError } from '../errors.ts';
import type { VuContext } from './api.ts';
import type { VuState } from '../runtime/vu-state.ts';
import type { SocketLink } from '../runtime/sync-http.ts';
import type { SocketCommand, SocketEvent } from '../runtime/ws-io.ts';
import type { Params, Session, SessionClock, SessionSocket, WsResponse } from './ws-dial.ts';
import { wsTags } from './ws-metrics.ts';

/** How often the wait checks for an interrupted iteration (ms). */
const POLL_MS = 50;

/** The socket on the I/O thread, as a session sees a `ws` client. */
class RemoteSocket extends EventEmitter implements SessionSocket {
  readyState = 1; // OPEN
  private sendFailed: ((err: Error) => void) | null = null;

  constructor(private readonly link: SocketLink) {
    super();
  }

  private command(c: SocketCommand, transfer?: ArrayBuffer[]): void {
    if (this.readyState !== 3) this.link.port.postMessage(c, transfer);
  }
  send(data: string | Buffer, options: { binary: boolean }, cb: (err?: Error) => void): void {
    this.sendFailed = cb;
    if (typeof data === 'string') this.command({ type: 'send', data, binary: options.binary });
    else {
      const copy = new Uint8Array(data).buffer;
      this.command({ type: 'send', data: copy, binary: options.binary }, [copy]);
    }
  }
  ping(data: string): void {
    this.command({ type: 'ping', data });
  }
  close(code: number): void {
    this.command({ type: 'close', code });
    this.readyState = 2; // CLOSING
  }
  terminate(): void {
    this.command({ type: 'terminate' });
    this.readyState = 3; // CLOSED
    this.link.port.close();
  }

  /** An event from the I/O thread, as the `ws` client emits it. */
  deliver(e: SocketEvent): void {
    switch (e.type) {
      case 'message':
        this.emit('message', typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data), e.binary);
        break;
      case 'ping':
        this.emit('ping');
        break;
      case 'pong':
        this.emit('pong', Buffer.from(e.data));
        break;
      case 'error':
        this.emit('error', new Error(e.message));
        break;
      case 'sent':
        this.sendFailed?.(new Error(e.error));
        break;
      case 'close':
        this.readyState = 3;
        this.emit('close', e.code);
        break;
      case 'dialed':
        break;
    }
  }
}

interface LoopTimer {
  at: number;
  every: number | null;
  fn: () => void;
}

/** The socket's timers, run by the blocking loop. */
class LoopClock implements SessionClock {
  private readonly timers = new Set<LoopTimer>();

  after(ms: number, fn: () => void): LoopTimer {
    const t = { at: performance.now() + ms, every: null, fn };
    this.timers.add(t);
    return t;
  }
  every(ms: number, fn: () => void): LoopTimer {
    const t = { at: performance.now() + ms, every: ms, fn };
    this.timers.add(t);
    return t;
  }
  cancel(t: unknown): void {
    this.timers.delete(t as LoopTimer);
  }
  /** When the next timer is due (performance.now() time), Infinity without one. */
  next(): number {
    let at = Infinity;
    for (const t of this.timers) at = Math.min(at, t.at);
    return at;
  }
  /** Runs the timers due, earliest first; an interval's missed ticks collapse into one, as a Go ticker's. */
  runDue(): void {
    const now = performance.now();
    const due = [...this.timers].filter((t) => t.at <= now).sort((a, b) => a.at - b.at);
    for (const t of due) {
      if (!this.timers.has(t)) continue; // cancelled by an earlier callback
      if (t.every === null) this.timers.delete(t);
      else t.at = Math.max(t.at + t.every, now);
      t.fn();
    }
  }
}

/**
 * Blocks until `stop()` holds, handing each event of `link` to `onEvent` and running `clock`'s
 * timers; `interrupted()` is checked every POLL_MS (then `onInterrupt` runs once).
 */
function pump(
  link: SocketLink,
  onEvent: (e: SocketEvent) => void,
  stop: () => boolean,
  interrupted: () => boolean,
  onInterrupt: () => void,
  clock: LoopClock | null,
): void {
  let told = false;
  for (;;) {
    for (let m = receiveMessageOnPort(link.port); m && !stop(); m = receiveMessageOnPort(link.port))
      onEvent(m.message as SocketEvent);
    if (stop()) return;
    clock?.runDue();
    if (stop()) return;
    if (!told && interrupted()) {
      told = true;
      onInterrupt();
      continue;
    }
    const seen = Atomics.load(link.counter, 0);
    const m = receiveMessageOnPort(link.port); // posted before the counter was bumped: no wake-up is lost
    if (m) {
      onEvent(m.message as SocketEvent);
      continue;
    }
    const wait = Math.min(POLL_MS, Math.max(0, (clock?.next() ?? Infinity) - performance.now()));
    Atomics.wait(link.counter, 0, seen, wait);
  }
}

/** ws.connect, blocking: the response (or the failed dial's), after the socket closed. */
export function connectBlocking(
  vu: VuContext,
  st: VuState,
  href: string,
  params: Params,
  setup: (socket: unknown) => unknown,
  startSession: (
    client: SessionSocket,
    response: WsResponse,
    tags: Record<string, string>,
    clock: SessionClock,
  ) => Session,
): WsResponse | null {
  const tags = wsTags(vu, href, params.tags);
  const startedAt = Date.now();
  const t0 = performance.now();
  const link = st.host.http.openSocketSync(href, { headers: params.headers, compression: params.compression });
  const interrupted = () => st.interrupted;
  let dialed: Extract<SocketEvent, { type: 'dialed' }> | null = null;
  let gaveUp = false;
  pump(
    link,
    (e) => e.type === 'dialed' && (dialed = e),
    () => dialed !== null || gaveUp,
    interrupted,
    () => (gaveUp = true),
    null,
  );
  if (!dialed) {
    link.port.postMessage({ type: 'terminate' } satisfies SocketCommand);
    link.port.close();
    throw new InterruptError();
  }
  const { response, error, protocol } = dialed as Extract<SocketEvent, { type: 'dialed' }>;
  if (response.status) tags.status = String(response.status);
  if (protocol) tags.subproto = protocol;
  vu.metrics.add('ws_sessions', 1, tags, startedAt);
  vu.metrics.add('ws_connecting', performance.now() - t0, tags, startedAt);
  if (error !== null) {
    link.port.close();
    if (st.host.options.throw) throw new Error(error);
    return response.status ? response : { url: '', status: 0, headers: {}, body: '', error: response.error };
  }
  const client = new RemoteSocket(link);
  const clock = new LoopClock();
  try {
    const s = startSession(client, response, tags, clock);
    pump(
      link,
      (e) => client.deliver(e),
      () => s.closed,
      interrupted,
      () => s.abort(),
      clock,
    );
    return s.result(); // throws InterruptError after abort()
  } finally {
    if (client.readyState !== 3) client.terminate();
    vu.metrics.add('ws_session_duration', performance.now() - t0, tags, startedAt);
  }
}
