/**
 * k6 coverage, HTTP rows (issue 17): small k6 scripts written from k6's documentation, run by the
 * engine against real local servers (coverage-servers.ts), asserting what k6 documents: checks,
 * http_reqs counts, metric tags (through thresholds on tagged submetrics: a submetric without
 * samples fails its threshold, so exit code 0 proves the tag was there), exit codes.
 * Each script prints `R <json>` lines of the values the test compares.
 *
 * With K6_BIN set, the same scripts also run under that real k6 and the same facts are asserted of
 * it (run the suite inside a private network namespace, as /work/shared/tools/k6/README.md says).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers/run.ts';
import {
  makeCert,
  PASS,
  startAuthServer,
  startH2Counter,
  startTlsServers,
  USER,
  type AuthServer,
  type H2Counter,
  type H2Counts,
  type TlsServers,
} from './helpers/coverage-servers.ts';
import {
  AUTH_SCRIPT,
  DURATION_SCRIPT,
  h2ShareScript,
  HTML_SCRIPT,
  TLS_BAD_CA_SCRIPT,
  TLS_PINNED_SCRIPT,
  TLS_SCRIPT,
} from './helpers/coverage-scripts.ts';

/** The outcome of a script, whichever runs it. */
interface Outcome {
  exitCode: number;
  /** `R` lines by their `name` field. */
  out: Record<string, unknown>;
  /** summary metrics: name -> values ({ count, rate } / { passes, fails, rate } / trend stats). */
  metrics: Record<string, Record<string, number>>;
  testRunDurationMs: number;
  log: string;
}

/** The `R <base64 of {name, value}>` lines of a log (base64: k6's logfmt would quote JSON). */
function rLines(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of text.matchAll(/\bR ([A-Za-z0-9+/=]+)/g)) {
    const line = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as { name: string; value: unknown };
    out[line.name] = line.value;
  }
  return out;
}

let dir = '';
let auth: AuthServer;
let tls: TlsServers;
let h2c: H2Counter;
let env: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6-coverage-http-'));
  auth = await startAuthServer();
  const cert = makeCert(dir);
  tls = await startTlsServers(cert);
  h2c = await startH2Counter(cert);
  env = { AUTH_HOSTPORT: `127.0.0.1:${auth.port}`, AUTH: auth.url, H2: tls.h2, H1: tls.h1, H2C: h2c.url };
});

after(async () => {
  await auth?.close();
  await tls?.close();
  await h2c?.close();
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, text: string): string {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, text);
  return file;
}

async function engine(name: string, text: string, mode: 'async' | 'sync' = 'async'): Promise<Outcome> {
  const r = await run(script(name, text), { env, mode, workers: 1, noSummary: true });
  const metrics = (r.summary?.metrics ?? {}) as Record<string, { values: Record<string, number> }>;
  const state = (r.summary?.state ?? {}) as { testRunDurationMs?: number };
  return {
    exitCode: r.exitCode,
    out: rLines(r.stderr),
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.values])),
    testRunDurationMs: state.testRunDurationMs ?? NaN,
    log: r.stderr,
  };
}

/** The same script under a real k6 (K6_BIN), its summary exported. */
async function k6(name: string, text: string): Promise<Outcome> {
  const file = script(`${name}-k6`, text);
  const summary = join(dir, `${name}-summary.json`);
  const handle = join(dir, `${name}-state.json`);
  const withState = `${text}\nexport function handleSummary(d) { return { '${handle}': JSON.stringify(d.state), '${summary}': JSON.stringify(d.metrics) }; }\n`;
  writeFileSync(file, withState);
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.env.K6_BIN!,
      ['run', '-q', file],
      { env: { ...process.env, ...env, K6_NO_USAGE_REPORT: 'true', K6_AUTO_EXTENSION_RESOLUTION: 'false' } },
      (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
  const metrics = JSON.parse(readFileSync(summary, 'utf8')) as Record<string, { values: Record<string, number> }>;
  const state = JSON.parse(readFileSync(handle, 'utf8')) as { testRunDurationMs: number };
  return {
    exitCode: code,
    out: rLines(stderr),
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.values])),
    testRunDurationMs: state.testRunDurationMs,
    log: stderr,
  };
}

const RUNNERS: Array<[string, (name: string, text: string) => Promise<Outcome>]> = [
  ['engine (async mode)', (n, t) => engine(n, t, 'async')],
  ['engine (sync mode)', (n, t) => engine(n, t, 'sync')],
];
if (process.env.K6_BIN) RUNNERS.push(['real k6 (K6_BIN)', k6]);

for (const [who, runner] of RUNNERS) {
  describe(`k6 HTTP coverage: ${who}`, () => {
    describe('credentials in the URL and params.auth "digest"', () => {
      let o: Outcome;
      before(async () => {
        auth.log.length = 0;
        o = await runner('auth', AUTH_SCRIPT);
      });

      it('passes every check and threshold (exit 0)', () => {
        assert.equal(o.exitCode, 0, o.log);
        assert.deepEqual(o.metrics.checks, { ...o.metrics.checks, rate: 1, fails: 0 });
      });

      it('sends http://user:pass@host/ as basic auth', () => {
        const basic = auth.log.filter((l) => l.path === '/basic');
        assert.deepEqual(basic, [
          { path: '/basic', authorization: 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64') },
        ]);
      });

      it("answers the digest challenge: a first request (with Go's basic header), then one with a Digest Authorization", () => {
        const digest = auth.log.filter((l) => l.path === '/digest').map((l) => l.authorization.split(' ')[0]);
        assert.deepEqual(digest, ['Basic', 'Digest', 'Basic', 'Digest']);
      });

      it('counts both requests of a digest exchange in http_reqs, the 401 challenge as expected', () => {
        assert.equal(o.metrics.http_reqs!.count, 5);
        // only the wrong password's final 401 failed: the challenge 401s are expected responses
        assert.equal(o.metrics.http_req_failed!.passes, 1);
        assert.equal(o.metrics.http_req_failed!.fails, 4);
      });

      it('tags url and name with the password masked, and digest requests without the user info, as k6 does', () => {
        assert.equal(o.metrics[`http_reqs{url:http://****:****@${env.AUTH_HOSTPORT}/basic}`]?.count, 1);
        assert.equal(o.metrics[`http_reqs{url:http://${env.AUTH_HOSTPORT}/digest}`]?.count, 4);
        assert.ok(!Object.keys(o.metrics).some((k) => k.includes(PASS)));
      });
    });

    describe('Response.html() and k6/html', () => {
      let o: Outcome;
      before(async () => {
        o = await runner('html', HTML_SCRIPT);
      });

      it('passes its checks (exit 0)', () => {
        assert.equal(o.exitCode, 0, o.log);
        assert.equal(o.metrics.checks!.rate, 1);
      });

      it('finds, reads text, attributes and inner HTML', () => {
        assert.deepEqual(o.out.read, {
          title: 'Coverage page',
          h1: 'Hello world',
          attr: '1',
          missing: null,
          withDefault: 'd',
          html: '<p>para <b>bold</b></p>',
          emptyHtml: '',
          fromParse: 'x',
        });
      });

      it('walks a selection: size, eq, first, last, children, parent, closest, filter, is, each, map', () => {
        assert.deepEqual(o.out.walk, {
          size: 3,
          eq: 'two',
          first: 'one',
          last: 'three',
          negative: 'three',
          children: 3,
          parent: 'list',
          closest: 'box',
          filter: 2,
          filterFn: ['two'],
          isOdd: true,
          isNot: false,
          each: ['li:one', 'li:two', 'li:three'],
          map: ['ONE', 'TWO', 'THREE'],
          next: 'two',
          siblings: 2,
          not: 1,
        });
      });

      it('reads form values and data attributes as k6 converts them', () => {
        assert.deepEqual(o.out.form, {
          val: 'k6 load',
          textarea: 'text here',
          select: '2',
          checkbox: 'on',
          data: { count: 42, flag: true, userName: 'ann', obj: { k: [1, 2] } },
          dataKey: 42,
          serialize: 'c1=on&q=k6+load&s=2&t=text+here',
          serializeObject: { q: 'k6 load', c1: 'on', t: 'text here', s: '2' },
        });
      });

      it('gives Elements with k6 DOM methods, URLs resolved against the response', () => {
        assert.deepEqual(o.out.element, {
          nodeName: 'h1',
          nodeType: 1,
          id: 'top',
          textContent: 'Hello world',
          innerHTML: 'Hello <b>world</b>',
          firstChild: 'Hello ',
          childElementCount: 1,
          classList: ['a', 'b'],
          href: `${env.AUTH}/next?x=1`,
          query: 'bold',
          parent: 'body',
        });
      });
    });

    describe('HTTPS: HTTP/2 by ALPN, TLS version and cipher suite, OCSP fields', () => {
      let o: Outcome;
      let pinned: Outcome;
      let badCa: Outcome;
      before(async () => {
        o = await runner('tls', TLS_SCRIPT);
        pinned = await runner('tls-pinned', TLS_PINNED_SCRIPT);
        badCa = await runner('tls-bad-ca', TLS_BAD_CA_SCRIPT);
      });

      it('passes its checks and tagged thresholds (exit 0)', () => {
        assert.equal(o.exitCode, 0, o.log);
        assert.equal(o.metrics.checks!.rate, 1);
      });

      it('speaks HTTP/2 when the server offers h2, HTTP/1.1 otherwise', () => {
        assert.deepEqual(o.out.h2, { proto: 'HTTP/2.0', status_text: '200 OK', served: '2.0' });
        assert.deepEqual(o.out.h1, { proto: 'HTTP/1.1', status_text: '200 OK', served: '1.1' });
        assert.equal(o.metrics['http_reqs{proto:HTTP/2.0}']?.count, 1);
        assert.equal(o.metrics['http_reqs{proto:HTTP/1.1}']?.count, 1);
      });

      it('reports tls_version and the cipher suite by k6 names, and tags tls_version', () => {
        const t = o.out.tls as { version: string; cipher: string; served: string; constant: string };
        assert.deepEqual([t.version, t.constant], ['tls1.3', 'tls1.3']);
        assert.equal(t.cipher, t.served, 'the suite the server says it chose');
        assert.match(t.cipher, /^TLS_AES_(128|256)_GCM_SHA(256|384)$|^TLS_CHACHA20_POLY1305_SHA256$/);
        assert.equal(o.metrics['http_reqs{tls_version:tls1.3}']?.count, 2);
      });

      it('shows the OCSP fields, status "unknown" without a stapled response, and the constants', () => {
        const x = o.out.ocsp as { ocsp: unknown; constants: unknown };
        assert.deepEqual(x.ocsp, {
          produced_at: 0,
          this_update: 0,
          next_update: 0,
          revoked_at: 0,
          revocation_reason: '',
          status: 'unknown',
        });
        assert.deepEqual(x.constants, ['good', 'revoked', 'server_failed', 'unknown', 'key_compromise']);
      });

      it("reads a stapled OCSP response: status good, its times, Go's zero time where none", () => {
        const { stapled: s, now } = o.out.ocsp as { stapled: Record<string, number | string>; now: number };
        assert.equal(s.status, 'good');
        assert.equal(s.revocation_reason, 'unspecified');
        assert.equal(s.revoked_at, -62135596800);
        assert.ok(Math.abs((s.this_update as number) - now) < 600, `this_update ${s.this_update} vs now ${now}`);
        assert.equal(s.produced_at, s.this_update);
        assert.equal((s.next_update as number) - (s.this_update as number), 86400); // openssl ocsp -ndays 1
      });

      it('honours tlsVersion and tlsCipherSuites', () => {
        assert.equal(pinned.exitCode, 0, pinned.log);
        assert.deepEqual(pinned.out.pinned, {
          version: 'tls1.2',
          cipher: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
          served: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        });
      });

      it('fails an unknown CA without insecureSkipTLSVerify: status 0, error code 1310', () => {
        assert.equal(badCa.exitCode, 0, badCa.log);
        assert.deepEqual(badCa.out.badCa, { status: 0, error_code: 1310 });
      });
    });

    describe('HTTP/2: one connection per origin per VU, requests multiplexed over it', () => {
      interface Row {
        status: number;
        proto: string;
        session: number;
        connecting: number;
        tls: number;
      }
      let shared: Outcome;
      let sharedCounts: H2Counts;
      let single: Outcome;
      let singleCounts: H2Counts;
      const rows = (o: Outcome): Row[] => [...(o.out.iteration0 as Row[]), ...(o.out.iteration1 as Row[])];
      before(async () => {
        h2c.reset();
        shared = await runner('h2-shared', h2ShareScript(false));
        await h2c.settled();
        sharedCounts = h2c.counts();
        h2c.reset();
        single = await runner('h2-single', h2ShareScript(true));
        await h2c.settled();
        singleCounts = h2c.counts();
      });

      it('serves a batch of 5 in each of 2 iterations over one connection, the streams running at once', () => {
        assert.equal(shared.exitCode, 0, shared.log);
        const r = rows(shared);
        assert.equal(r.length, 10);
        assert.ok(
          r.every((x) => x.status === 200 && x.proto === 'HTTP/2.0'),
          JSON.stringify(r),
        );
        assert.deepEqual(new Set(r.map((x) => x.session)).size, 1, JSON.stringify(r));
        assert.equal(sharedCounts.sessionsUsed, 1, JSON.stringify(sharedCounts));
        assert.equal(sharedCounts.streams, 10);
        assert.ok(sharedCounts.maxConcurrent > 1, `at most ${sharedCounts.maxConcurrent} stream at once`);
        if (who.startsWith('engine')) {
          // Go dials once per request while the origin's protocol is unknown and closes the
          // connections it does not need (k6 opened 5, used 1); the engine waits for the first.
          assert.equal(sharedCounts.sessions, 1, JSON.stringify(sharedCounts));
        }
      });

      it('reports connecting and tls_handshaking on the one request that opened it, 0 on the reused streams', () => {
        const r = rows(shared);
        assert.equal(r.filter((x) => x.tls > 0).length, 1, JSON.stringify(r));
        assert.ok(r.filter((x) => x.connecting > 0).length <= 1, JSON.stringify(r));
      });

      it('opens a connection per request with noConnectionReuse', () => {
        assert.equal(single.exitCode, 0, single.log);
        const r = rows(single);
        assert.ok(
          r.every((x) => x.status === 200 && x.proto === 'HTTP/2.0'),
          JSON.stringify(r),
        );
        assert.equal(new Set(r.map((x) => x.session)).size, 10, JSON.stringify(r));
        assert.deepEqual([singleCounts.sessions, singleCounts.streams], [10, 10], JSON.stringify(singleCounts));
        assert.ok(
          r.every((x) => x.tls > 0),
          JSON.stringify(r),
        );
      });

      it("counts the h2 session's frame bytes in data_sent and data_received", () => {
        for (const [o, c] of [
          [shared, sharedCounts],
          [single, singleCounts],
        ] as const) {
          const sent = o.metrics.data_sent!.count!;
          const received = o.metrics.data_received!.count!;
          // k6 counts the TCP bytes under TLS (records, handshake): more than the frames
          assert.ok(sent >= c.bytesRead - 64, `data_sent ${sent} vs ${c.bytesRead} frame bytes the server read`);
          assert.ok(received >= c.bytesWritten - 64, `data_received ${received} vs ${c.bytesWritten} written`);
          if (who.startsWith('engine')) {
            // the engine counts the frames themselves; a GOAWAY sent as a session closes belongs to no request
            assert.ok(sent <= c.bytesRead, `data_sent ${sent} > ${c.bytesRead} frame bytes the server read`);
            assert.ok(received <= c.bytesWritten, `data_received ${received} > ${c.bytesWritten} written`);
          }
        }
      });
    });

    describe("a counter's rate over k6's test run duration", () => {
      let o: Outcome;
      before(async () => {
        o = await runner('duration', DURATION_SCRIPT);
      });

      it('counts setup() and teardown() in the test run duration', () => {
        assert.equal(o.exitCode, 0, o.log);
        assert.ok(
          o.testRunDurationMs >= 600,
          `testRunDurationMs ${o.testRunDurationMs} < the 600 ms of setup + teardown`,
        );
      });

      it('divides http_reqs by that duration', () => {
        const { count, rate } = o.metrics.http_reqs!;
        assert.equal(count, 3);
        assert.ok(
          Math.abs(rate! - count! / (o.testRunDurationMs / 1000)) < 0.05 * rate!,
          `rate ${rate} vs ${count} / ${o.testRunDurationMs} ms`,
        );
      });
    });
  });
}
