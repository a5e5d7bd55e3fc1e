/**
 * The conformance suites' HTTP server: real node:http on 127.0.0.1, an ephemeral port.
 *   /            200 "hello"
 *   /json        200 {"ok":true,"items":[{"id":1},{"id":2}]}
 *   /slow?ms=N   200 after N ms
 *   /status/N    status N
 *   /redirect    302 -> /
 *   /echo        200 JSON of method, headers and body
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  /** Requests served so far, by path. */
  hits: Map<string, number>;
  /** Every request's path and query, in the order they arrived. */
  log: string[];
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const hits = new Map<string, number>();
  const log: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    log.push(url.pathname + url.search);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.pathname === '/json')
        return send(res, 200, JSON.stringify({ ok: true, items: [{ id: 1 }, { id: 2 }] }), 'application/json');
      if (url.pathname === '/slow') {
        const t = setTimeout(
          () => {
            timers.delete(t);
            send(res, 200, 'slow');
          },
          Number(url.searchParams.get('ms') ?? 1000),
        );
        timers.add(t);
        return;
      }
      if (url.pathname.startsWith('/status/')) return send(res, Number(url.pathname.slice(8)), 'status');
      if (url.pathname === '/redirect') {
        res.writeHead(302, { Location: '/' });
        return res.end();
      }
      if (url.pathname === '/echo') {
        return send(
          res,
          200,
          JSON.stringify({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() }),
          'application/json',
        );
      }
      send(res, 200, 'hello');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    log,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
