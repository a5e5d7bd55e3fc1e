/**
 * Real local servers for the k6 HTTP coverage suite (k6-coverage-http.test.ts), all on 127.0.0.1:
 * - `startAuthServer`: plain HTTP. /basic wants basic auth user:passwd; /digest wants RFC 7616 MD5
 *   digest auth (qop=auth) of user:passwd, checked with its own computation; /page is an HTML page;
 *   every request's path and Authorization header is logged.
 * - `makeCert`: a self-signed CA and a server certificate for 127.0.0.1/localhost (openssl CLI).
 * - `startTlsServers`: an HTTPS server offering HTTP/2 by ALPN (node:http2, HTTP/1.1 allowed) and
 *   one speaking HTTP/1.1 only (node:https) that staples a "good" OCSP response; both answer JSON
 *   of the protocol they served.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createSecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';

export const USER = 'user';
export const PASS = 'passwd';
const REALM = 'k6-coverage';

export const PAGE = `<!DOCTYPE html>
<html lang="en"><head><title>Coverage page</title></head>
<body>
<h1 id="top" data-x="1">Hello <b>world</b></h1>
<div id="box" class="a b" data-count="42" data-flag="true" data-user-name="ann" data-obj='{"k":[1,2]}'><p>para <b>bold</b></p></div>
<ul id="list"><li class="odd">one</li><li>two</li><li class="odd">three</li></ul>
<a id="rel" href="/next?x=1">next</a>
<form id="f" action="/post">
  <input name="q" value="k6 load">
  <input type="checkbox" name="c1" checked="checked">
  <input type="checkbox" name="c2" checked>
  <input type="submit" name="go" value="Go">
  <textarea name="t">text here</textarea>
  <select name="s"><option value="1">One</option><option value="2" selected>Two</option></select>
  <input name="d" value="x" disabled="disabled">
</form>
</body></html>`;

export interface AuthServer {
  url: string;
  port: number;
  /** Each request: path and its Authorization header ('' when none). */
  log: Array<{ path: string; authorization: string }>;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The server's own check of a digest Authorization header (RFC 7616 section 3.4.1, MD5, qop=auth). */
function digestOk(header: string, method: string, nonces: Set<string>): boolean {
  const p: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1]!] = m[2] ?? m[3]!;
  if (p.username !== USER || p.realm !== REALM || !nonces.has(p.nonce ?? '') || p.qop !== 'auth') return false;
  const ha1 = md5(`${USER}:${REALM}:${PASS}`);
  const ha2 = md5(`${method}:${p.uri}`);
  return p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`) && p.opaque === 'op4que';
}

export async function startAuthServer(): Promise<AuthServer> {
  const log: AuthServer['log'] = [];
  const nonces = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const authorization = req.headers.authorization ?? '';
    log.push({ path, authorization });
    req.resume();
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (path === '/basic') {
      const expected = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');
      if (authorization === expected) return json(200, { authenticated: true, user: USER });
      return json(401, { authenticated: false }, { 'WWW-Authenticate': `Basic realm="${REALM}"` });
    }
    if (path === '/digest') {
      if (authorization.startsWith('Digest ') && digestOk(authorization.slice(7), req.method ?? 'GET', nonces))
        return json(200, { authenticated: true, user: USER });
      const nonce = randomBytes(12).toString('hex');
      nonces.add(nonce);
      const challenge = `Digest realm="${REALM}", qop="auth", algorithm=MD5, nonce="${nonce}", opaque="op4que"`;
      return json(401, { authenticated: false }, { 'WWW-Authenticate': challenge });
    }
    if (path === '/page') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return void res.end(PAGE);
    }
    json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Cert {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
  /** A "good" OCSP response for `cert`, signed by the CA (DER), which the HTTP/1.1 server staples. */
  ocsp: Buffer;
}

/**
 * An OCSP response (DER) for the server certificate of `dir` (made by makeCert), signed by its CA:
 * `revoked` gives a revocation at 2026-01-02 03:04:05 UTC for keyCompromise.
 */
export function ocspResponse(dir: string, revoked = false): Buffer {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const serial = ssl('x509', '-in', f('srv.crt'), '-noout', '-serial').toString().trim().split('=')[1]!;
  const state = revoked ? 'R\t301231235959Z\t260102030405Z,keyCompromise' : 'V\t301231235959Z\t';
  writeFileSync(f('index.txt'), `${state}\t${serial}\tunknown\t/CN=localhost\n`);
  ssl('ocsp', '-issuer', f('ca.crt'), '-cert', f('srv.crt'), '-no_nonce', '-reqout', f('req.der'));
  // prettier-ignore
  ssl('ocsp', '-index', f('index.txt'), '-rsigner', f('ca.crt'), '-rkey', f('ca.key'), '-CA', f('ca.crt'),
    '-reqin', f('req.der'), '-respout', f('resp.der'), '-ndays', '1');
  return readFileSync(f('resp.der'));
}

/** A CA and a server certificate signed by it (EC P-256, one day), for 127.0.0.1 and localhost. */
export function makeCert(dir: string): Cert {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=k6 coverage CA', '-days', '1');
  ssl('req', ...ec, '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('srv.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('srv.crt'),
    '-days',
    '1',
    '-extfile',
    f('ext.cnf'),
  );
  return {
    key: readFileSync(f('srv.key')),
    cert: readFileSync(f('srv.crt')),
    ca: readFileSync(f('ca.crt')),
    ocsp: ocspResponse(dir),
  };
}

export interface TlsServers {
  /** https://127.0.0.1:port offering h2 and http/1.1 by ALPN. */
  h2: string;
  /** https://127.0.0.1:port speaking HTTP/1.1 only (no ALPN h2). */
  h1: string;
  close(): Promise<void>;
}

function answer(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  const socket = req.socket as TLSSocket;
  const body = JSON.stringify({
    httpVersion: req.httpVersion,
    tls: socket.getProtocol?.() ?? '',
    cipher: socket.getCipher?.()?.standardName ?? '',
  });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(body);
}

export async function startTlsServers(cert: Cert): Promise<TlsServers> {
  const h2 = createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }, answer);
  const h1 = createHttpsServer({ key: cert.key, cert: cert.cert }, answer);
  h1.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, resp: Buffer) => void) =>
    done(null, cert.ocsp),
  );
  const listen = (s: typeof h2 | typeof h1) =>
    new Promise<string>((resolve) =>
      s.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(s.address() as AddressInfo).port}`)),
    );
  const sockets = new Set<{ destroy(): void }>();
  h2.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    h2: await listen(h2),
    h1: await listen(h1),
    close: async () => {
      for (const s of sockets) s.destroy();
      h1.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => h2.close(() => resolve())),
        new Promise<void>((resolve) => h1.close(() => resolve())),
      ]);
    },
  };
}

/** What the counting h2 server saw (`startH2Counter`). */
export interface H2Counts {
  /** HTTP/2 sessions (connections) opened. */
  sessions: number;
  /** Sessions that carried at least one request. */
  sessionsUsed: number;
  /** Requests served. */
  streams: number;
  /** The most requests one session had in flight at once. */
  maxConcurrent: number;
  /** Frame bytes the server read and wrote, over all sessions (TLS sockets count cleartext). */
  bytesRead: number;
  bytesWritten: number;
}

export interface H2Counter {
  /** https://127.0.0.1:port, h2 only. */
  url: string;
  /** The counts since the last reset; closed sessions' bytes are counted when they close. */
  counts(): H2Counts;
  reset(): void;
  /** Resolves once every session is closed (their bytes counted), or after `ms`. */
  settled(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * An HTTPS server speaking HTTP/2 only that counts its connections ('session' events), the
 * requests on each and how many ran at once; each answer waits `delayMs` (so that the requests of
 * a batch overlap) and says which session served it: `{ session, stream }`.
 */
export async function startH2Counter(cert: Cert, delayMs = 40): Promise<H2Counter> {
  const server = createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: false });
  let c: H2Counts = { sessions: 0, sessionsUsed: 0, streams: 0, maxConcurrent: 0, bytesRead: 0, bytesWritten: 0 };
  const open = new Set<ServerHttp2Session>();
  const timers = new Set<NodeJS.Timeout>();
  server.on('session', (session) => {
    const id = ++c.sessions;
    const counts = c;
    let served = 0;
    let inFlight = 0;
    open.add(session);
    session.on('stream', (stream) => {
      if (served++ === 0) counts.sessionsUsed++;
      counts.streams++;
      counts.maxConcurrent = Math.max(counts.maxConcurrent, ++inFlight);
      stream.on('error', () => undefined);
      const t = setTimeout(() => {
        timers.delete(t);
        inFlight--;
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ session: id, stream: served }));
      }, delayMs);
      timers.add(t);
    });
    session.on('close', () => open.delete(session));
    session.on('error', () => undefined);
  });
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    const counts = c;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      counts.bytesRead += socket.bytesRead;
      counts.bytesWritten += socket.bytesWritten;
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    url: `https://127.0.0.1:${port}`,
    counts: () => ({ ...c }),
    reset: () => {
      c = { sessions: 0, sessionsUsed: 0, streams: 0, maxConcurrent: 0, bytesRead: 0, bytesWritten: 0 };
    },
    settled: async (ms = 3000) => {
      const end = Date.now() + ms;
      while ((open.size > 0 || sockets.size > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
