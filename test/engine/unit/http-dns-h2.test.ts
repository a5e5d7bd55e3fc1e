/**
 * The HTTP transport's DNS cache (k6's `dns` option: ttl, select, policy), the `dns` and
 * `noConnectionReuse` options' validation, the h2 frame byte meter, and an h2 session the server
 * ends with GOAWAY being replaced by a new one. Injected resolver and clock; a real h2 server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { LookupAddress } from 'node:dns';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { DnsCache, dnsOptions, type DnsOptions } from '../../../engine/http/dns.ts';
import { FrameMeter, type Metered } from '../../../engine/http/frame-meter.ts';
import { HttpTransport } from '../../../engine/http/transport.ts';
import { consolidate } from '../../../engine/options/consolidate.ts';
import { makeCert } from '../helpers/coverage-servers.ts';

const ADDRS: LookupAddress[] = [
  { address: '::1', family: 6 },
  { address: '10.0.0.1', family: 4 },
  { address: '10.0.0.2', family: 4 },
];

/** A DnsCache over a fake resolver that counts its calls and answers ADDRS (or `answer`). */
function cache(o: Partial<DnsOptions>, answer = ADDRS, now = () => 0, random = () => 0.99) {
  const calls: string[] = [];
  const c = new DnsCache(
    { ttlMs: 300_000, select: 'first', policy: 'preferIPv4', ...o },
    (host, cb) => {
      calls.push(host);
      setImmediate(() => cb(null, answer));
    },
    now,
    random,
  );
  const lookup = (host: string) =>
    new Promise<string>((resolve, reject) =>
      c.lookup(host, {}, (err, address) => (err ? reject(err) : resolve(address as string))),
    );
  return { calls, lookup };
}

describe('DNS cache (k6 dns option)', () => {
  it('resolves a name once per ttl, however many connections ask at once', async () => {
    let t = 0;
    const { calls, lookup } = cache({ ttlMs: 1000 }, ADDRS, () => t);
    await Promise.all([lookup('svc'), lookup('svc'), lookup('svc')]);
    await lookup('svc');
    assert.equal(calls.length, 1);
    t = 1001;
    await lookup('svc');
    assert.equal(calls.length, 2);
  });

  it('resolves on every connection with ttl 0', async () => {
    const { calls, lookup } = cache({ ttlMs: 0 });
    await lookup('svc');
    await lookup('svc');
    assert.equal(calls.length, 2);
  });

  it('never asks the resolver for an IP address', async () => {
    const { calls, lookup } = cache({});
    assert.equal(await lookup('127.0.0.1'), '127.0.0.1');
    assert.equal(calls.length, 0);
  });

  it('keeps IPv4 addresses with preferIPv4, IPv6 with preferIPv6, falls back to the other family', async () => {
    assert.equal(await cache({ policy: 'preferIPv4' }).lookup('svc'), '10.0.0.1');
    assert.equal(await cache({ policy: 'preferIPv6' }).lookup('svc'), '::1');
    assert.equal(await cache({ policy: 'preferIPv6' }, [ADDRS[1]!]).lookup('svc'), '10.0.0.1');
    assert.equal(await cache({ policy: 'any' }).lookup('svc'), '::1');
  });

  it('fails onlyIPv6 when the name has no IPv6 address, naming the host', async () => {
    await assert.rejects(cache({ policy: 'onlyIPv6' }, [ADDRS[1]!]).lookup('svc'), /lookup svc: no address/);
  });

  it('picks the first, the next in turn (roundRobin) or a random address', async () => {
    const rr = cache({ select: 'roundRobin' });
    assert.deepEqual(
      [await rr.lookup('svc'), await rr.lookup('svc'), await rr.lookup('svc')],
      ['10.0.0.1', '10.0.0.2', '10.0.0.1'],
    );
    assert.equal(
      await cache(
        { select: 'random' },
        ADDRS,
        () => 0,
        () => 0.99,
      ).lookup('svc'),
      '10.0.0.2',
    );
  });

  it('reads the dns option as k6 does and names each bad field', () => {
    const problems: string[] = [];
    assert.deepEqual(dnsOptions({ ttl: '1m', select: 'first', policy: 'any' }, problems), {
      ttlMs: 60_000,
      select: 'first',
      policy: 'any',
    });
    assert.equal(dnsOptions({ ttl: 'inf' }, problems).ttlMs, Infinity);
    assert.equal(dnsOptions({ ttl: '250' }, problems).ttlMs, 250); // k6: a bare number is milliseconds
    assert.deepEqual(dnsOptions('ttl=0,select=roundRobin', problems), {
      ttlMs: 0,
      select: 'roundRobin',
      policy: 'preferIPv4',
    });
    assert.deepEqual(problems, []);
    dnsOptions({ ttl: 'soon', select: 'best', policy: 'ipv4', cache: true }, problems);
    assert.equal(problems.length, 4);
    assert.match(problems[0]!, /^options\.dns\.ttl: /);
    assert.match(problems[1]!, /^options\.dns\.select: expected one of first, random, roundRobin, got "best"/);
    assert.match(problems[2]!, /^options\.dns\.policy: /);
    assert.match(problems[3]!, /^options\.dns: unknown field "cache"/);
  });

  it('hands the transport dns and noConnectionReuse from the options, and names a bad noConnectionReuse', () => {
    const ok = consolidate([{ dns: { ttl: '10s' }, noConnectionReuse: true }]);
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.options.transport.dns?.ttlMs, 10_000);
    assert.equal(ok.options.transport.noConnectionReuse, true);
    const bad = consolidate([{ noConnectionReuse: 'yes' }]);
    assert.match(bad.problems.join('\n'), /options\.noConnectionReuse: expected true or false, got "yes"/);
  });
});

describe('h2 frame byte meter', () => {
  const m = (): Metered => ({ framesRead: 0, framesWritten: 0 });

  it('gives a request alone on the session what crossed during it, and bytes between requests to the next one', () => {
    const socket = { bytesRead: 0, bytesWritten: 0 };
    const meter = new FrameMeter(socket);
    socket.bytesWritten = 50; // preface and SETTINGS, before any request
    const a = m();
    meter.start(a);
    socket.bytesWritten = 70;
    socket.bytesRead = 300;
    meter.end(a);
    assert.deepEqual(a, { framesRead: 300, framesWritten: 70 });
  });

  it('splits what crossed while requests overlapped among them, every byte counted once', () => {
    const socket = { bytesRead: 0, bytesWritten: 0 };
    const meter = new FrameMeter(socket);
    const [a, b] = [m(), m()];
    meter.start(a);
    socket.bytesRead = 100;
    meter.start(b); // a alone so far: 100
    socket.bytesRead = 301;
    meter.end(a); // 201 shared: 101 + 100
    socket.bytesRead = 351;
    meter.end(b); // b alone: 50
    assert.deepEqual([a.framesRead, b.framesRead], [201, 150]);
    assert.equal(a.framesRead + b.framesRead, 351);
  });
});

describe('h2 session ended by the server (GOAWAY)', () => {
  let dir = '';
  let server: Http2SecureServer;
  let url = '';
  let sessions = 0;
  const open = new Set<ServerHttp2Session>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'http-h2-'));
    const cert = makeCert(dir);
    server = createSecureServer({ key: cert.key, cert: cert.cert });
    server.on('session', (s) => {
      sessions++;
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    });
    server.on('stream', (stream) => {
      const session = stream.session!;
      stream.respond({ ':status': 200 });
      stream.end('ok');
      // once the answer is out, this session takes no more requests
      stream.on('close', () => session.goaway(0, stream.id!));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens a new session for the VU's next request, which reports its TLS handshake", async () => {
    const t = new HttpTransport({ insecureSkipTLSVerify: true });
    const req = { method: 'GET', url, headers: {}, body: null, timeoutMs: 5000, responseType: 'text' as const };
    try {
      const first = await t.request(req, undefined, 1);
      await new Promise((r) => setTimeout(r, 100)); // the GOAWAY arrives
      const second = await t.request(req, undefined, 1);
      for (const r of [first, second]) {
        assert.equal(r.hops[0]!.status, 200, r.hops[0]!.error);
        assert.equal(r.hops[0]!.proto, 'HTTP/2.0');
        assert.ok(r.hops[0]!.timings.tls_handshaking > 0, JSON.stringify(r.hops[0]!.timings));
      }
      assert.equal(sessions, 2);
    } finally {
      await t.close();
    }
  });
});
