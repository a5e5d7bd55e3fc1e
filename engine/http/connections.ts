/**
 * Connections of the HTTP transport.
 *
 * HTTP/1.1: per origin, a stack of idle connections shared by the thread's VUs, each one undici
 * `Client` (one socket, pipelining 1). A request takes an idle connection (the most recently used
 * one, LIFO, so that few stay warm) or opens a new one, and gives it back when it ends. Going to
 * the Client directly skips the Agent and Pool layers (origin lookup, a scan for a free client,
 * drain events up the chain) on every request.
 *
 * HTTP/2 (https origins whose server picks h2 by ALPN), as Go's transport, of which k6 has one per
 * VU: each VU has ONE connection per origin (its `sessions`), and its concurrent requests
 * (http.batch, asyncRequest) are streams multiplexed over it; it is kept across iterations and
 * closed when the VU ends (`closeVu`). Until the first connection to an https origin has
 * finished its TLS handshake the protocol is unknown: the VU's requests to it all go to one new
 * connection (undici queues them until it is up); if the server picked HTTP/1.1, that connection
 * joins the HTTP/1.1 stack and later requests use the stack. A session the server ends (GOAWAY,
 * an error) is replaced by undici with a new connection on the next request.
 * With `noConnectionReuse` (Go's DisableKeepAlives) every request opens its own connection, h2 too
 * (Go's single-use h2 connections), closed when the request ends.
 * With `noVUConnectionReuse` (k6 closes a VU's idle connections after each of its iterations) each VU
 * has connections of its own, by origin: reused within an iteration, all closed when the iteration
 * ends (`endIteration`), h2 sessions included, so the next iteration dials anew.
 *
 * Each connection's socket comes from undici's own connector, wrapped to timestamp the phases of a
 * NEW socket as k6 reports them: DNS done (socket 'lookup', none for an IP) -> TCP connected
 * ('connect') -> TLS done ('secureConnect'). The first request that runs on that socket takes the
 * timings (`takeFresh`); requests on a reused socket or h2 session find none, so their connecting
 * and TLS time is 0. Host names are resolved through the k6-style DNS cache (dns.ts).
 * Origins left unused past the keep-alive timeout are dropped (see Connections).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector, Client } from 'undici';
import { DEFAULT_DNS, DnsCache, type DnsOptions } from './dns.ts';
import { FrameMeter } from './frame-meter.ts';
import { connectorTls, PLAIN_HTTP, tlsInfo, type ConnInfo, type TlsOptions } from './tls.ts';

/** Phases of a new socket, performance.now() ms. */
export interface ConnectTimings {
  /** When the TCP connect began (after DNS, if any). */
  connectStart: number;
  connectDone: number;
  /** When the TLS handshake finished; 0 for plain http. */
  tlsDone: number;
}

/** What the transport needs to open connections (structured-clone safe: it goes to the I/O thread). */
export interface ConnectionOptions extends TlsOptions {
  /** k6's `dns` option (default: ttl 5m, select random, policy preferIPv4). */
  dns?: DnsOptions;
  /** k6's `noConnectionReuse`: a new connection for every request. */
  noConnectionReuse?: boolean;
  /** k6's `noVUConnectionReuse`: a VU's connections are closed at the end of each of its iterations. */
  noVUConnectionReuse?: boolean;
}

/** allowH2: HTTP/2 when the server's ALPN picks it, as Go's transport (plain http stays HTTP/1.1). */
const KEEP_ALIVE = { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, pipelining: 1, allowH2: true };
/** Streams a VU's h2 session runs at once (undici's own cap, the usual SETTINGS_MAX_CONCURRENT_STREAMS of 100). */
const H2_STREAMS = 100;
/** How often (a share of idleOriginMs) `take` looks for origins to drop. */
const SWEEP_EVERY = 0.25;

/** An https origin's protocol: not known before its first TLS handshake. */
const enum Proto {
  Unknown,
  H1,
  H2,
}

export class Connection {
  readonly client: Client;
  /** The peer of the current socket (k6's Response remote_ip / remote_port). */
  remoteIp = '';
  remotePort = 0;
  /** The current socket's protocol and TLS version and suite. */
  info: ConnInfo = PLAIN_HTTP;
  /** The current h2 session's byte meter (frame-meter.ts); null over HTTP/1.1. */
  meter: FrameMeter | null = null;
  /** The VU whose session this is (h2, or an https origin's first connection); -1 in the HTTP/1.1 stack. */
  vu = -1;
  /** Requests taken and not given back. */
  inflight = 0;
  private fresh: ConnectTimings | null = null;

  constructor(
    origin: string,
    connector: buildConnector.connector,
    readonly pool: OriginConnections,
  ) {
    this.client = new Client(origin, { ...KEEP_ALIVE, connect: (opts, cb) => this.connect(connector, opts, cb) });
  }

  get h2(): boolean {
    return this.info.proto === 'HTTP/2.0';
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
    this.inflight--;
    if (this.vu >= 0) return; // a VU's session stays with the VU
    if (this.pool.noReuse) return this.pool.drop(this);
    if (this.inflight === 0) this.pool.idle.push(this);
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
        this.meter = this.info.proto === 'HTTP/2.0' ? new FrameMeter(args[1] as Socket) : null;
        this.fresh =
          connectDone === 0
            ? { connectStart, connectDone: now, tlsDone: 0 }
            : { connectStart, connectDone, tlsDone: now };
      }
      cb(...args);
      if (args[0] === null && opts.protocol === 'https:') this.pool.learned(this);
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
  /** HTTP/1.1 connections not in use. */
  readonly idle: Connection[] = [];
  readonly all = new Set<Connection>();
  /** Each VU's session (h2, or the first connection to an https origin of unknown protocol). */
  readonly sessions = new Map<number, Connection>();
  /** Connections taken and not given back yet. */
  busy = 0;
  /** When a connection was last given back (the clock of `now`). */
  lastUsed: number;
  private proto: Proto;

  constructor(
    private readonly origin: string,
    private readonly connector: buildConnector.connector,
    readonly now: () => number,
    readonly noReuse: boolean,
  ) {
    this.lastUsed = now();
    this.proto = origin.startsWith('https:') ? Proto.Unknown : Proto.H1;
  }

  /** VU `vu`'s h2 session, an idle connection, or a new one. Give it back with `release()` when the request ends. */
  take(vu: number): Connection {
    this.busy++;
    if (this.proto !== Proto.H1 && !this.noReuse) {
      let s = this.sessions.get(vu);
      if (s === undefined) {
        s = this.open();
        s.vu = vu;
        this.sessions.set(vu, s);
      }
      s.inflight++;
      return s;
    }
    const c = this.noReuse ? undefined : this.idle.pop();
    const out = c ?? this.open();
    out.inflight++;
    return out;
  }

  /** A connection's TLS handshake told the origin's protocol: a VU's first connection to an HTTP/1.1 server joins the stack. */
  learned(c: Connection): void {
    this.proto = c.h2 ? Proto.H2 : Proto.H1;
    if (c.vu < 0) return;
    if (c.h2) {
      c.client.pipelining = H2_STREAMS; // its queued requests now go out together as streams
      return;
    }
    c.client.pipelining = 1;
    if (this.sessions.get(c.vu) === c) this.sessions.delete(c.vu);
    c.vu = -1;
    if (c.inflight === 0) this.idle.push(c);
  }

  /** Closes VU `vu`'s session. */
  closeVu(vu: number): void {
    const s = this.sessions.get(vu);
    if (s === undefined) return;
    this.sessions.delete(vu);
    this.drop(s);
  }

  drop(c: Connection): void {
    this.all.delete(c);
    c.client.destroy().catch(() => undefined);
  }

  private open(): Connection {
    const c = new Connection(this.origin, this.connector, this);
    this.all.add(c);
    return c;
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
  private readonly noReuse: boolean;
  private nextSweep: number;
  /** With `noVUConnectionReuse`: each VU's origins and their connections, dropped at its iteration's end. */
  private readonly byVu = new Map<number, Map<string, OriginConnections>>();

  constructor(opts: PoolOptions) {
    const dns = new DnsCache(opts.dns ?? DEFAULT_DNS);
    this.connector = buildConnector({ ...connectorTls(opts), allowH2: true, lookup: dns.lookup });
    this.idleOriginMs = opts.idleOriginMs ?? KEEP_ALIVE.keepAliveTimeout;
    this.now = opts.now ?? (() => performance.now());
    this.noReuse = opts.noConnectionReuse === true;
    this.nextSweep = this.now() + this.idleOriginMs * SWEEP_EVERY;
    // The shared pools' `take` stays as it is; only this option's runs go to the VU's own pools.
    if (opts.noVUConnectionReuse === true && !this.noReuse) this.take = (origin, vu = 0) => this.takeOfVu(origin, vu);
  }

  /** Origins held (for tests and diagnostics). */
  get origins(): number {
    return this.byOrigin.size;
  }

  /** A connection for a request of VU `vu` (any number naming the VU on this thread) to `origin`. */
  take(origin: string, vu = 0): Connection {
    let o = this.byOrigin.get(origin);
    if (o === undefined) {
      if (this.byOrigin.size > 0 && this.now() >= this.nextSweep) this.sweep();
      o = new OriginConnections(origin, this.connector, this.now, this.noReuse);
      this.byOrigin.set(origin, o);
    }
    return o.take(vu);
  }

  /** With `noVUConnectionReuse`: a connection of VU `vu`'s own pool for `origin`. */
  private takeOfVu(origin: string, vu: number): Connection {
    let mine = this.byVu.get(vu);
    if (mine === undefined) this.byVu.set(vu, (mine = new Map()));
    let o = mine.get(origin);
    if (o === undefined) mine.set(origin, (o = new OriginConnections(origin, this.connector, this.now, false)));
    return o.take(vu);
  }

  /** VU `vu`'s iteration ended: with `noVUConnectionReuse`, closes every connection it opened (else nothing to do). */
  endIteration(vu: number): void {
    const mine = this.byVu.get(vu);
    if (mine === undefined) return;
    this.byVu.delete(vu);
    for (const o of mine.values()) for (const c of o.all) c.client.destroy().catch(() => undefined);
  }

  /** Closes VU `vu`'s h2 sessions (the VU ended). */
  closeVu(vu: number): void {
    for (const o of this.byOrigin.values()) o.closeVu(vu);
    this.endIteration(vu);
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
    const origins = [...this.byOrigin.values(), ...[...this.byVu.values()].flatMap((m) => [...m.values()])];
    const all = origins.flatMap((o) => [...o.all]);
    this.byOrigin.clear();
    this.byVu.clear();
    await Promise.all(all.map((c) => c.client.destroy().catch(() => undefined)));
  }
}
