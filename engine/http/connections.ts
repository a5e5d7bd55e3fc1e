/**
 * Keep-alive connections of the HTTP transport: per origin, a stack of idle connections, each one
 * undici `Client` (one socket, pipelining 1). A request takes an idle connection (the most
 * recently used one, LIFO, so that few stay warm) or opens a new one, and gives it back when it
 * ends. Going to the Client directly skips the Agent and Pool layers (origin lookup, a scan for a
 * free client, drain events up the chain) on every request.
 *
 * Each connection's socket comes from undici's own connector, wrapped to timestamp the phases of a
 * NEW socket as k6 reports them: DNS done (socket 'lookup', none for an IP) -> TCP connected
 * ('connect') -> TLS done ('secureConnect'). The first request that runs on that socket takes the
 * timings (`takeFresh`); requests on a reused socket find none, so their connecting and TLS time is 0.
 * Origins left unused past the keep-alive timeout are dropped (see Connections).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector, Client } from 'undici';
import { connectorTls, PLAIN_HTTP, tlsInfo, type ConnInfo, type TlsOptions } from './tls.ts';

/** Phases of a new socket, performance.now() ms. */
export interface ConnectTimings {
  /** When the TCP connect began (after DNS, if any). */
  connectStart: number;
  connectDone: number;
  /** When the TLS handshake finished; 0 for plain http. */
  tlsDone: number;
}

export type ConnectionOptions = TlsOptions;

/** allowH2: HTTP/2 when the server's ALPN picks it, as Go's transport (plain http stays HTTP/1.1). */
const KEEP_ALIVE = { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, pipelining: 1, allowH2: true };
/** How often (a share of idleOriginMs) `take` looks for origins to drop. */
const SWEEP_EVERY = 0.25;

export class Connection {
  readonly client: Client;
  /** The peer of the current socket (k6's Response remote_ip / remote_port). */
  remoteIp = '';
  remotePort = 0;
  /** The current socket's protocol and TLS version and suite. */
  info: ConnInfo = PLAIN_HTTP;
  private fresh: ConnectTimings | null = null;

  constructor(
    origin: string,
    connector: buildConnector.connector,
    readonly pool: OriginConnections,
  ) {
    this.client = new Client(origin, { ...KEEP_ALIVE, connect: (opts, cb) => this.connect(connector, opts, cb) });
  }

  /** The timings of a socket opened since the last call, else null (a reused connection). */
  takeFresh(): ConnectTimings | null {
    const f = this.fresh;
    this.fresh = null;
    return f;
  }

  release(): void {
    this.pool.busy--;
    this.pool.lastUsed = this.pool.now();
    this.pool.idle.push(this);
  }

  private connect(
    connector: buildConnector.connector,
    opts: buildConnector.Options,
    cb: buildConnector.Callback,
  ): void {
    let connectStart = performance.now();
    let connectDone = 0;
    let ocspDer: Buffer | null = null;
    // undici's connector returns the socket it creates (its type says void).
    const socket = connector(opts, (...args) => {
      if (args[0] === null) {
        const now = performance.now();
        this.remoteIp = args[1].remoteAddress ?? '';
        this.remotePort = args[1].remotePort ?? 0;
        this.info = opts.protocol === 'https:' ? tlsInfo(args[1] as TLSSocket, ocspDer) : PLAIN_HTTP;
        this.fresh =
          connectDone === 0
            ? { connectStart, connectDone: now, tlsDone: 0 }
            : { connectStart, connectDone, tlsDone: now };
      }
      cb(...args);
    }) as unknown as Socket | undefined;
    if (socket === undefined) return;
    socket.once('lookup', () => {
      connectStart = performance.now();
    });
    if (opts.protocol === 'https:') {
      socket.once('connect', () => {
        connectDone = performance.now();
      });
      socket.once('OCSPResponse', (der: Buffer) => {
        ocspDer = der;
      });
    }
  }
}

export class OriginConnections {
  readonly idle: Connection[] = [];
  readonly all: Connection[] = [];
  /** Connections taken and not given back yet. */
  busy = 0;
  /** When a connection was last given back (the clock of `now`). */
  lastUsed: number;

  constructor(
    private readonly origin: string,
    private readonly connector: buildConnector.connector,
    readonly now: () => number,
  ) {
    this.lastUsed = now();
  }

  /** An idle connection, or a new one. Give it back with `release()` when the request ends. */
  take(): Connection {
    this.busy++;
    const c = this.idle.pop();
    if (c !== undefined) return c;
    const fresh = new Connection(this.origin, this.connector, this);
    this.all.push(fresh);
    return fresh;
  }
}

export interface PoolOptions extends ConnectionOptions {
  /** An origin none of whose connections was used for this long is dropped (default: the keep-alive timeout). */
  idleOriginMs?: number;
  /** Clock in ms (default performance.now); tests inject one. */
  now?: () => number;
}

/**
 * Every origin the test reached, with its connections. An origin left unused for `idleOriginMs`
 * (its sockets already closed by the keep-alive timeout) is dropped, its Clients destroyed, so a
 * test reaching thousands of distinct hosts holds only the recent ones. The sweep runs from
 * `take`, at most once per SWEEP_EVERY share of that time: no timer of its own.
 */
export class Connections {
  private readonly byOrigin = new Map<string, OriginConnections>();
  private readonly connector: buildConnector.connector;
  private readonly idleOriginMs: number;
  private readonly now: () => number;
  private nextSweep: number;

  constructor(opts: PoolOptions) {
    this.connector = buildConnector({ ...connectorTls(opts), allowH2: true });
    this.idleOriginMs = opts.idleOriginMs ?? KEEP_ALIVE.keepAliveTimeout;
    this.now = opts.now ?? (() => performance.now());
    this.nextSweep = this.now() + this.idleOriginMs * SWEEP_EVERY;
  }

  /** Origins held (for tests and diagnostics). */
  get origins(): number {
    return this.byOrigin.size;
  }

  take(origin: string): Connection {
    let o = this.byOrigin.get(origin);
    if (o === undefined) {
      if (this.byOrigin.size > 0 && this.now() >= this.nextSweep) this.sweep();
      o = new OriginConnections(origin, this.connector, this.now);
      this.byOrigin.set(origin, o);
    }
    return o.take();
  }

  /** Drops the origins with no connection in use and none used for `idleOriginMs`. */
  sweep(): void {
    const now = this.now();
    this.nextSweep = now + this.idleOriginMs * SWEEP_EVERY;
    for (const [origin, o] of this.byOrigin) {
      if (o.busy > 0 || now - o.lastUsed < this.idleOriginMs) continue;
      this.byOrigin.delete(origin);
      for (const c of o.all) c.client.destroy().catch(() => undefined);
    }
  }

  async destroy(): Promise<void> {
    const all = [...this.byOrigin.values()].flatMap((o) => o.all);
    this.byOrigin.clear();
    await Promise.all(all.map((c) => c.client.destroy().catch(() => undefined)));
  }
}
