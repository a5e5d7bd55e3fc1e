/**
 * The dial of k6/ws's `ws.connect` on the `ws` client: the handshake, its response as k6 returns it
 * (`{ url, status, headers, body, error }`, headers in Go's canonical form). Used where the socket
 * lives: on the VU's thread (ws.ts) or, for a blocking connect in sync mode, on the I/O thread
 * (runtime/ws-io.ts).
 */
import WebSocketClient from 'ws';

export interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  compression?: string;
}

export interface WsResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  error: string;
}

/** What a session uses of its socket: the `ws` client, or its proxy on the I/O thread (ws-blocking.ts). */
export interface SessionSocket {
  readonly readyState: number;
  send(data: string | Buffer, options: { binary: boolean }, cb: (err?: Error) => void): void;
  ping(data: string): void;
  close(code: number): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'ping', fn: () => void): unknown;
  on(event: 'pong', fn: (data: Buffer) => void): unknown;
  on(event: 'close', fn: (code: number) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

/** The socket's timers (socket.setTimeout, socket.setInterval): Node's, or a blocking loop's. */
export interface SessionClock {
  after(ms: number, fn: () => void): unknown;
  every(ms: number, fn: () => void): unknown;
  cancel(t: unknown): void;
}

export interface Session {
  /** Settles once the socket closed: the response, or what a handler threw. */
  readonly done: Promise<WsResponse>;
  readonly closed: boolean;
  /** After close: the response, or throws what a handler threw. */
  result(): WsResponse;
  /** Closes the socket (1001) without its close handlers: the iteration was interrupted (result() throws InterruptError). */
  abort(): void;
}

const headersOf = (raw: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(raw)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [
        k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()),
        ([] as string[]).concat(v!).join(', '),
      ]),
  );

/** Dials; resolves with the open client and the upgrade response, or the failed response. */
export function dial(
  url: string,
  params: Params,
): Promise<{ client: WebSocketClient | null; response: WsResponse; error: Error | null }> {
  return new Promise((resolve) => {
    const client = new WebSocketClient(url, {
      headers: params.headers,
      perMessageDeflate: params.compression === 'deflate',
      handshakeTimeout: 60_000,
    });
    client.binaryType = 'nodebuffer';
    const response: WsResponse = { url, status: 0, headers: {}, body: '', error: '' };
    client.on('upgrade', (res) => {
      response.status = res.statusCode ?? 0;
      response.headers = headersOf(res.headers);
    });
    client.on('unexpected-response', (_req, res) => {
      response.status = res.statusCode ?? 0;
      response.headers = headersOf(res.headers);
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        response.body = body; // k6 returns the HTTP response as it came: its error stays empty

        client.terminate();
        resolve({ client: null, response, error: new Error('websocket: bad handshake') });
      });
    });
    client.once('open', () => resolve({ client, response, error: null }));
    client.once('error', (err) => {
      if (response.status !== 0) return; // a refused handshake: 'unexpected-response' answers
      response.error = err.message;
      resolve({ client: null, response, error: err });
    });
  });
}
