/**
 * Conformance in sync mode (one thread per VU): the VU-based executors hand each VU thread a whole
 * loop of iterations, numbered from a counter shared with the worker. Counts, k6/execution ids,
 * interrupts at the end of a duration and test.abort() must be what they are one iteration at a time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './helpers/server.ts';
import { run } from './helpers/run.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

interface Ids {
  test: number;
  vu: number;
  iter: number;
}

/** The `ids test=.. vu=.. iter=..` lines the scripts log, one per iteration. */
function ids(stderr: string): Ids[] {
  return [...stderr.matchAll(/ids test=(\d+) vu=(\d+) iter=(\d+)/g)].map((m) => ({
    test: Number(m[1]),
    vu: Number(m[2]),
    iter: Number(m[3]),
  }));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('executors in sync mode', () => {
  it('blocks in sleep() inside setup() and teardown(), which run on the parent thread', async () => {
    for (const mode of ['sync', 'async'] as const) {
      const r = await run('sync-lifecycle-sleep.js', { mode, noSummary: true });
      assert.equal(r.exitCode, 0, r.stderr);
      const setup = /setup slept=(\d+)/.exec(r.stderr);
      const teardown = /teardown slept=(\d+)/.exec(r.stderr);
      assert.ok(setup && teardown, r.stderr);
      // never shorter than asked (it returned at once in sync mode, 0 ms)
      assert.ok(Number(setup[1]) >= 300, `${mode}: setup slept ${setup[1]} ms`);
      assert.ok(Number(teardown[1]) >= 200, `${mode}: teardown slept ${teardown[1]} ms`);
      assert.match(r.stderr, /iteration got 200/);
    }
  });

  it('runs exactly 100 shared iterations over 10 VU threads in two workers', async () => {
    const r = await run('sync-shared-ids.js', { baseUrl: server.url, mode: 'sync', noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('iterations').count, 100);
    assert.equal(r.values('http_reqs').count, 100);
    assert.equal(r.values('vus_max').value, 10);
  });

  it('gives every shared iteration its own iterationInTest, 0 to 99', async () => {
    const r = await run('sync-shared-ids.js', { baseUrl: server.url, mode: 'sync', noSummary: true });
    assert.deepEqual(sorted(ids(r.stderr).map((x) => x.test)), range(100));
  });

  it('runs per-vu-iterations with __ITER 0 to 4 on each VU thread', async () => {
    const r = await run('sync-per-vu.js', { mode: 'sync', noSummary: true });
    assert.equal(r.values('iterations').count, 15);
    const all = ids(r.stderr);
    for (const vu of [1, 2, 3])
      assert.deepEqual(sorted(all.filter((x) => x.vu === vu).map((x) => x.iter)), range(5), `VU ${vu}`);
    // Unique; per worker they follow its segment (as one iteration at a time), so not 0 to 14.
    assert.equal(new Set(all.map((x) => x.test)).size, 15);
  });

  it('numbers ramping-vus iterations uniquely across looping and ramping-down VUs', async () => {
    const r = await run('sync-ramp-mixed.js', { mode: 'sync', noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('vus_max').value, 3);
    const tests = ids(r.stderr).map((x) => x.test);
    assert.ok(tests.length > 10, `iterations ${tests.length}`);
    assert.equal(new Set(tests).size, tests.length);
    assert.equal(r.values('iterations').count, tests.length);
  });

  it('interrupts a looping VU at the end of the duration and frees it for the next scenario', async () => {
    const r = await run('sync-interrupt.js', { mode: 'sync', workers: 1, noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /was not interrupted/);
    assert.equal(r.values('vus_max').value, 1);
    assert.equal(r.values('iterations').count, 2);
  });

  it('ends an iteration interrupted inside a blocking http.get there, without running its next statement', async () => {
    const r = await run('sync-interrupt-http.js', { baseUrl: server.url, mode: 'sync', workers: 1, noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /went on after an interrupted/);
    assert.equal(r.values('iterations').count ?? 0, 0);
  });

  it('carries binary, large and multi-byte bodies and response headers through the blocking I/O channel', async () => {
    const r = await run('sync-channel.js', { baseUrl: server.url, mode: 'sync', noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('checks').fails, 0, r.stderr);
    assert.equal(r.values('checks').passes, 7);
  });

  it('stops looping VUs with exit 105 when the run is stopped from outside (as SIGINT does)', async () => {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 4000);
    const r = await run('sync-long.js', { mode: 'sync', signal: stop.signal, noSummary: true });
    clearTimeout(timer);
    assert.equal(r.exitCode, 105, r.stderr);
    assert.ok(r.values('iterations').count! > 0);
    // 2 VUs x 60 s / 50 ms = 2400 if the loops had run on to the end of the duration.
    assert.ok(r.values('iterations').count! < 400, `iterations ${r.values('iterations').count}`);
  });

  it('stops a looping VU that calls exec.test.abort() with exit 108, counting the aborting iteration as k6 does', async () => {
    const r = await run('abort.js', { mode: 'sync', noSummary: true });
    assert.equal(r.exitCode, 108);
    assert.equal(r.values('iterations').count, 4);
  });
});
