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
 */
import type { Socket } from 'node:net';
import { buildConnector, Client } from 'undici';

/** Phases of a new socket, performance.now() ms. */
export interface ConnectTimings {
  /** When the TCP connect began (after DNS, if any). */
  connectStart: number;
  connectDone: number;
  /** When the TLS handshake finished; 0 for plain http. */
  tlsDone: number;
}

export interface ConnectionOptions {
  insecureSkipTLSVerify: boolean;
}

const KEEP_ALIVE = { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, pipelining: 1 };

export class Connection {
  readonly client: Client;
  /** The peer of the current socket (k6's Response remote_ip / remote_port). */
  remoteIp = '';
  remotePort = 0;
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
    this.pool.idle.push(this);
  }

  private connect(connector: buildConnector.connector, opts: buildConnector.Options, cb: buildConnector.Callback): void {
    let connectStart = performance.now();
    let connectDone = 0;
    // undici's connector returns the socket it creates (its type says void).
    const socket = connector(opts, (...args) => {
      if (args[0] === null) {
        const now = performance.now();
        this.remoteIp = args[1].remoteAddress ?? '';
        this.remotePort = args[1].remotePort ?? 0;
        this.fresh = connectDone === 0 ? { connectStart, connectDone: now, tlsDone: 0 } : { connectStart, connectDone, tlsDone: now };
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
    }
  }
}

export class OriginConnections {
  readonly idle: Connection[] = [];
  readonly all: Connection[] = [];

  constructor(
    private readonly origin: string,
    private readonly connector: buildConnector.connector,
  ) {}

  /** An idle connection, or a new one. Give it back with `release()` when the request ends. */
  take(): Connection {
    const c = this.idle.pop();
    if (c !== undefined) return c;
    const fresh = new Connection(this.origin, this.connector, this);
    this.all.push(fresh);
    return fresh;
  }
}

export class Connections {
  private readonly byOrigin = new Map<string, OriginConnections>();
  private readonly connector: buildConnector.connector;

  constructor(opts: ConnectionOptions) {
    this.connector = buildConnector({ rejectUnauthorized: !opts.insecureSkipTLSVerify });
  }

  take(origin: string): Connection {
    let o = this.byOrigin.get(origin);
    if (o === undefined) {
      o = new OriginConnections(origin, this.connector);
      this.byOrigin.set(origin, o);
    }
    return o.take();
  }

  async destroy(): Promise<void> {
    const all = [...this.byOrigin.values()].flatMap((o) => o.all);
    this.byOrigin.clear();
    await Promise.all(all.map((c) => c.client.destroy().catch(() => undefined)));
  }
}
