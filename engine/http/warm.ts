/**
 * Readies the HTTP client during init, before setup() starts, as k6's Go binary has its HTTP
 * client compiled in: without this a test's first request paid ~15 ms that k6 does not, of which
 * undici's lazily compiled llhttp parser (WebAssembly), the first run of the connect and request
 * code, the first system name lookup (libuv's thread pool, the resolver's configuration) and, over
 * https, Node's root certificate store.
 *
 * It sends one request through a throwaway transport to a server of its own on 127.0.0.1 (never a
 * host of the test), looks up "localhost" without caching the answer (the transport's DNS cache
 * starts empty, so the test's own names are still resolved in the test, as k6 resolves them) and
 * builds a default TLS context. A failure (no loopback, say) only leaves the client cold.
 */
import { lookup } from 'node:dns';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { HttpTransport, type TransportOptions } from './transport.ts';

const ANSWER = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok';

export async function warmHttp(opts: TransportOptions): Promise<void> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.once('data', () => s.end(ANSWER));
  });
  const transport = new HttpTransport(opts);
  try {
    createSecureContext();
    const resolved = new Promise<void>((res) => lookup('localhost', { all: true }, () => res()));
    const port = await new Promise<number>((res, rej) => {
      server.once('error', rej);
      server.listen(0, '127.0.0.1', () => res((server.address() as AddressInfo).port));
    });
    await transport.request({
      method: 'GET',
      url: `http://127.0.0.1:${port}/`,
      headers: { 'User-Agent': 'warm-up' },
      body: null,
      timeoutMs: 5000,
      responseType: 'text',
    });
    await resolved;
  } catch {
    // the client stays cold: the test still runs
  } finally {
    await transport.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((res) => server.close(() => res()));
  }
}
