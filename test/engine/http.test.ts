/** Conformance: k6/http in async and sync mode against a real server; error codes and http_req_failed. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startServer, type TestServer } from './helpers/server.ts';
import { run, type Ran } from './helpers/run.ts';

let server: TestServer;
let closedUrl: string;

/** A port with nothing listening: bind one, close it. */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/`;
}

function failedChecks(r: Ran): string[] {
  const root = (r.summary as { root_group: { checks: Array<{ name: string; fails: number }> } }).root_group;
  return root.checks.filter((c) => c.fails > 0).map((c) => c.name);
}

before(async () => {
  server = await startServer();
  closedUrl = await closedPort();
});
after(async () => {
  await server.close();
});

describe('k6/http', () => {
  describe('async mode', () => {
    let r: Ran;
    before(async () => {
      r = await run('http-async.js', { baseUrl: server.url, env: { CLOSED_URL: closedUrl }, noSummary: true });
    });

    it('passes every check of the script', () => {
      assert.deepEqual(failedChecks(r), []);
      assert.equal(r.values('checks').passes, 15);
    });

    it('counts failed requests in http_req_failed', () => {
      // 404 (default callback), timeout, refused = 3 failed; the expected 404 is not failed.
      assert.equal(r.values('http_req_failed').passes, 3);
    });

    it('emits one http_reqs sample per redirect hop', () => {
      // json, post, form, redirect(2 hops), redirect:0, 404, slow, refused, binary, expected-404 = 11
      assert.equal(r.values('http_reqs').count, 11);
    });

    it('runs in async mode for async exec functions', () => {
      assert.equal(r.exitCode, 0);
    });
  });

  describe('sync mode', () => {
    let r: Ran;
    before(async () => {
      r = await run('http-sync.js', { baseUrl: server.url, env: { CLOSED_URL: closedUrl }, noSummary: true });
    });

    it('passes every check of the script with blocking calls', () => {
      assert.deepEqual(failedChecks(r), []);
      assert.equal(r.values('checks').passes, 12);
    });

    it('runs both iterations', () => {
      assert.equal(r.values('iterations').count, 2);
    });

    it('counts the blocking errors in http_req_failed', () => {
      // per iteration: 404 in the batch, timeout, refused
      assert.equal(r.values('http_req_failed').passes, 6);
    });
  });

  it('loads a TypeScript extension module (k6/x/sse) in the worker threads', async () => {
    const r = await run('extension-module.js', { baseUrl: server.url, noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('checks').passes, 4);
  });

  it('runs a sync script in async mode with its blocking calls rewritten into awaits, blocking no worker', async () => {
    const r = await run('http-sync.js', {
      baseUrl: server.url,
      env: { CLOSED_URL: closedUrl },
      mode: 'async',
      noSummary: true,
    });
    assert.deepEqual(failedChecks(r), []);
    assert.doesNotMatch(r.stderr, /blocks its worker thread/);
  });
});
