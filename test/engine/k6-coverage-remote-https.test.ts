/**
 * Issue 17: remote modules over https://, served with a certificate of a CA made in the test
 * (helpers/coverage-servers.ts makeCert). k6 is Go: it trusts the system roots and honours
 * SSL_CERT_FILE / SSL_CERT_DIR; so does the engine's remote-module fetch (runtime/trusted-cas.ts).
 * With the CA in SSL_CERT_FILE (or in a directory of SSL_CERT_DIR) the import works, and the
 * engine keeps it on disk; without, the run stops at start with an error naming the URL and the
 * TLS reason (and, when a copy is cached, runs from it with a warning that says why). With K6_BIN
 * set, a real k6 runs the same scripts with the same variables.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCert } from './helpers/coverage-servers.ts';
import { K6_BIN, runBoth, runEngine, runK6, SUMMARY_TO_FILE, type Outcome } from './helpers/k6-parity.ts';

let dir = '';
let server: Server;
let base = '';
let fetches = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6lp-remote-https-'));
  const cert = makeCert(dir);
  mkdirSync(join(dir, 'certs'));
  copyFileSync(join(dir, 'ca.crt'), join(dir, 'certs', 'test-ca.pem'));
  server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/javascript');
    if (req.url === '/lib/index.js') {
      res.end(
        "import { check } from 'k6';\nimport { twice } from './util.js';\n" +
          'export function checkTwice(v) {\n  return check(twice(v), { "remote module computed twice": (x) => x === 2 * v });\n}\n',
      );
    } else if (req.url === '/lib/util.js') {
      res.end('export const twice = (n) => n * 2;\n');
    } else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'remote.js'),
    `import { checkTwice } from '${base}/lib/index.js';\nexport const options = { iterations: 2 };\n` +
      `export default function () {\n  checkTwice(21);\n}\n${SUMMARY_TO_FILE}`,
  );
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Variables of one run: the CA as given, and a cache of its own (the engine's). */
function env(cache: string, ca: { SSL_CERT_FILE?: string; SSL_CERT_DIR?: string } = {}): Record<string, string> {
  return { K6_LLM_PERF_CACHE: join(dir, cache), SSL_CERT_FILE: '', SSL_CERT_DIR: '', ...ca };
}

function passes(o: Outcome): number {
  return o.metrics.checks?.values.passes ?? -1;
}

function each(r: { engine: Outcome; k6: Outcome | null }, fn: (o: Outcome, who: string) => void): void {
  fn(r.engine, 'engine');
  if (r.k6) fn(r.k6, 'k6');
}

describe('k6 coverage: remote modules over https://', () => {
  it('imports a remote module whose CA is in SSL_CERT_FILE, and the engine fetches it once and keeps it on disk', async () => {
    fetches = 0;
    const vars = env('cache-file', { SSL_CERT_FILE: join(dir, 'ca.crt') });
    const engine = await runEngine('remote.js', [], dir, vars);
    assert.equal(fetches, 2); // index.js and util.js
    assert.equal(readdirSync(join(dir, 'cache-file', 'remote-modules')).length, 2);
    each({ engine, k6: K6_BIN ? await runK6('remote.js', [], dir, vars) : null }, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.equal(passes(o), 2, `${who}: ${o.stderr}`);
    });
  });

  it('imports it with the CA in a directory of SSL_CERT_DIR', async () => {
    const r = await runBoth(
      'remote.js',
      [],
      dir,
      env('cache-dir', { SSL_CERT_DIR: `/nonexistent:${join(dir, 'certs')}` }),
    );
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.equal(passes(o), 2, `${who}: ${o.stderr}`);
    });
  });

  it('stops at start without the CA, naming the URL and the TLS reason', async () => {
    const r = await runBoth('remote.js', [], dir, env('cache-none'));
    each(r, (o, who) => {
      assert.notEqual(o.exitCode, 0, who);
      assert.deepEqual(o.metrics, {}, `${who}: nothing ran`);
      assert.ok(o.stderr.includes(`${base}/lib/index.js`), `${who} names the URL: ${o.stderr}`);
    });
    assert.equal(r.engine.exitCode, 107, r.engine.stderr);
    assert.match(r.engine.stderr, /TLS: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    assert.match(r.engine.stderr, /SSL_CERT_FILE \/ SSL_CERT_DIR/);
    if (r.k6) assert.match(r.k6.stderr, /x509: certificate signed by unknown authority/);
  });

  it('runs from the cached copy without the CA, with a warning giving the TLS reason', async () => {
    const r = await runEngine('remote.js', [], dir, env('cache-file'));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(passes(r), 2, r.stderr);
    assert.match(r.stderr, /cannot fetch remote module https:\S+\/lib\/index\.js: TLS: .*using the copy cached at/);
  });
});
