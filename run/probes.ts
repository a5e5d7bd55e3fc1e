/**
 * Cheap health requests for the stack watch, one per kind of component, each a real round trip on
 * a fresh connection (a pooled client would hide a dead server behind its reconnect loop):
 * - Redis: `PING` → `+PONG`;
 * - PostgreSQL: the protocol's SSLRequest → the postmaster's one-byte answer (`N` or `S`): no login,
 *   no backend process forked, yet only a live postmaster answers it;
 * - Kafka: an ApiVersions v0 request → a response frame with the same correlation id;
 * - HTTP (mock LLM, target): `GET <url>` → any status below 500.
 * Each rejects with a short reason ("connection refused", "no answer within 1000 ms").
 */
import { connect, type Socket } from 'node:net';
import { request } from 'undici';

export type Probe = (timeoutMs: number) => Promise<void>;

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  return err instanceof Error ? err.message : String(err);
}

/** Connects, writes `hello`, resolves once `done(received)` is true; rejects on error, close or timeout. */
function exchange(
  host: string,
  port: number,
  hello: Buffer,
  done: (received: Buffer) => boolean,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket: Socket = connect({ host, port });
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve();
      else reject(new Error(typeof err === 'string' ? err : reason(err)));
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => socket.write(hello));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (done(received)) finish();
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish('connection closed before an answer'));
  });
}

export function redisProbe(host: string, port: number): Probe {
  return (timeoutMs) =>
    exchange(host, port, Buffer.from('PING\r\n'), (b) => b.toString('latin1').startsWith('+PONG\r\n'), timeoutMs);
}

/** SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export function postgresProbe(host: string, port: number): Probe {
  return (timeoutMs) =>
    exchange(host, port, SSL_REQUEST, (b) => b.length >= 1 && (b[0] === 0x4e || b[0] === 0x53), timeoutMs);
}

const CORRELATION_ID = 0x6b366c70;

/** ApiVersions v0: size, api key 18, version 0, correlation id, a null client id. */
function apiVersionsRequest(): Buffer {
  const body = Buffer.alloc(10);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(CORRELATION_ID, 4);
  body.writeInt16BE(-1, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

export function kafkaProbe(host: string, port: number): Probe {
  return (timeoutMs) =>
    exchange(host, port, apiVersionsRequest(), (b) => b.length >= 8 && b.readInt32BE(4) === CORRELATION_ID, timeoutMs);
}

export function httpProbe(url: string): Probe {
  return async (timeoutMs) => {
    try {
      const res = await request(url, { signal: AbortSignal.timeout(timeoutMs) });
      await res.body.dump();
      if (res.statusCode >= 500) throw new Error(`answered ${res.statusCode}`);
    } catch (err) {
      if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError')
        throw new Error(`no answer within ${timeoutMs} ms`);
      throw new Error(reason((err as { cause?: unknown }).cause ?? err));
    }
  };
}
