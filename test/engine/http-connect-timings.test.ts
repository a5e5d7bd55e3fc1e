/**
 * Conformance: http_req_connecting and http_req_tls_handshaking as k6 reports them. The first
 * request on a new connection carries its TCP connect (and TLS handshake) time; requests on a
 * reused keep-alive connection carry 0; blocked includes the setup of a new connection (k6's
 * GetConn -> GotConn). Plain http and https with a self-signed certificate (insecureSkipTLSVerify).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpTransport } from '../../engine/http/transport.ts';
import type { WireRequest, WireTimings } from '../../engine/http/wire.ts';
import { run } from './helpers/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'connect-timings-'));

/** A self-signed certificate for 127.0.0.1 made with openssl (null when openssl is missing). */
function selfSigned(): { key: Buffer; cert: Buffer } | null {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  }
}

/** `/close` answers with Connection: close, so the next request needs a new connection; `/slow` after 300 ms. */
function handler(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/slow') {
    const t = setTimeout(() => res.end('late'), 300);
    res.on('close', () => clearTimeout(t));
    return;
  }
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  if (req.url === '/close') headers.Connection = 'close';
  res.writeHead(200, headers);
  res.end('ok');
}

async function listen(s: Server, scheme: string): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `${scheme}://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const tls = selfSigned();
let httpServer: Server;
let httpsServer: Server | null = null;
let httpUrl: string;
let httpsUrl = '';

before(async () => {
  httpServer = createHttpServer(handler);
  httpUrl = await listen(httpServer, 'http');
  if (tls) {
    httpsServer = createHttpsServer(tls, handler);
    httpsUrl = await listen(httpsServer, 'https');
  }
});
after(async () => {
  httpServer.closeAllConnections();
  await new Promise((r) => httpServer.close(r));
  if (httpsServer) {
    httpsServer.closeAllConnections();
    await new Promise((r) => httpsServer!.close(r));
  }
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string): WireRequest => ({
  method: 'GET',
  url,
  headers: {},
  body: null,
  timeoutMs: 10_000,
  responseType: 'text',
});

/** Sends the requests one after another on one transport; the timings of each. */
async function sequential(urls: string[], insecure = false): Promise<WireTimings[]> {
  const t = new HttpTransport({ insecureSkipTLSVerify: insecure });
  try {
    const out: WireTimings[] = [];
    for (const url of urls) {
      const res = await t.request(get(url));
      assert.equal(res.hops[0]!.status, 200, res.hops[0]!.error);
      out.push(res.hops[0]!.timings);
    }
    return out;
  } finally {
    await t.close();
  }
}

describe('connection timings', () => {
  describe('plain http', () => {
    let ts: WireTimings[];
    before(async () => {
      ts = await sequential([`${httpUrl}/a`, `${httpUrl}/b`, `${httpUrl}/close`, `${httpUrl}/c`, `${httpUrl}/d`]);
    });

    it('reports the TCP connect time on the first request of a new connection', () => {
      assert.ok(ts[0]!.connecting > 0, `connecting ${ts[0]!.connecting}`);
    });

    it('reports no connect time on a reused keep-alive connection', () => {
      assert.equal(ts[1]!.connecting, 0);
      assert.equal(ts[2]!.connecting, 0);
      assert.equal(ts[4]!.connecting, 0);
    });

    it('connects again after the server closed the connection', () => {
      assert.ok(ts[3]!.connecting > 0, `connecting ${ts[3]!.connecting}`);
    });

    it('reports no TLS handshake for plain http', () => {
      for (const t of ts) assert.equal(t.tls_handshaking, 0);
    });

    it('reports the peer address of the connection as remote_ip and remote_port', async () => {
      const t = new HttpTransport({ insecureSkipTLSVerify: false });
      try {
        for (let i = 0; i < 2; i++) {
          const res = await t.request(get(`${httpUrl}/a`));
          assert.equal(res.remoteIp, '127.0.0.1');
          assert.equal(res.remotePort, Number(new URL(httpUrl).port));
        }
      } finally {
        await t.close();
      }
    });

    it('answers the next request after one timed out (the timed-out connection is not reused mid-request)', async () => {
      const t = new HttpTransport({ insecureSkipTLSVerify: false });
      try {
        const slow = await t.request({ ...get(`${httpUrl}/slow`), timeoutMs: 50 });
        assert.equal(slow.hops[0]!.errorCode, 1050);
        const next = await t.request(get(`${httpUrl}/a`));
        assert.equal(next.hops[0]!.status, 200);
        assert.equal(next.body, 'ok');
      } finally {
        await t.close();
      }
    });

    it('counts the connection setup in blocked, as k6 does', () => {
      assert.ok(ts[0]!.blocked >= ts[0]!.connecting, `blocked ${ts[0]!.blocked} < connecting ${ts[0]!.connecting}`);
    });
  });

  describe('https with a self-signed certificate', () => {
    let ts: WireTimings[];
    before(async () => {
      if (!tls) return; // each test skips
      ts = await sequential([`${httpsUrl}/a`, `${httpsUrl}/b`, `${httpsUrl}/c`], true);
    });

    it('reports the TLS handshake and the TCP connect of a new connection separately', (t) => {
      if (!tls) return t.skip('openssl is not installed');
      assert.ok(ts[0]!.tls_handshaking > 0, `tls_handshaking ${ts[0]!.tls_handshaking}`);
      assert.ok(ts[0]!.connecting > 0, `connecting ${ts[0]!.connecting}`);
      assert.ok(ts[0]!.blocked >= ts[0]!.connecting + ts[0]!.tls_handshaking);
    });

    it('reports neither on a reused keep-alive connection', (t) => {
      if (!tls) return t.skip('openssl is not installed');
      for (const x of ts.slice(1)) {
        assert.equal(x.tls_handshaking, 0);
        assert.equal(x.connecting, 0);
      }
    });

    it('refuses the self-signed certificate without insecureSkipTLSVerify', async (t) => {
      if (!tls) return t.skip('openssl is not installed');
      const tr = new HttpTransport({ insecureSkipTLSVerify: false });
      try {
        const res = await tr.request(get(`${httpsUrl}/a`));
        assert.equal(res.hops[0]!.status, 0);
        assert.notEqual(res.hops[0]!.errorCode, 0);
      } finally {
        await tr.close();
      }
    });
  });

  describe('in the summary of a run', () => {
    it('has http_req_connecting and http_req_tls_handshaking above 0 for new connections and 0 for reused ones', async (t) => {
      if (!tls) return t.skip('openssl is not installed');
      const script = join(dir, 'timings.js');
      writeFileSync(
        script,
        `import http from 'k6/http';
export const options = { insecureSkipTLSVerify: true, iterations: 4, vus: 1 };
export default async function () {
  await http.asyncRequest('GET', __ENV.HTTP_URL);
  await http.asyncRequest('GET', __ENV.HTTPS_URL);
}
`,
      );
      const r = await run(script, {
        env: { HTTP_URL: `${httpUrl}/x`, HTTPS_URL: `${httpsUrl}/y` },
        noSummary: true,
        workers: 1,
      });
      assert.equal(r.exitCode, 0, r.stderr);
      // 8 requests, 2 new connections (one per origin): the median is 0, the maximum is not.
      assert.equal(r.values('http_reqs').count, 8);
      assert.equal(r.values('http_req_connecting').med, 0);
      assert.ok(r.values('http_req_connecting').max! > 0);
      assert.equal(r.values('http_req_tls_handshaking').med, 0);
      assert.ok(r.values('http_req_tls_handshaking').max! > 0);
    });
  });
});
