/**
 * Issue 24: k6's blocking calls block in async functions too. Conformance scripts
 * (test/engine/scripts/blocking/) run in async mode against a real local HTTP server, with the
 * counts a real k6 gives; duration-bound counts get a tolerance of one iteration per VU.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run, SCRIPTS } from './helpers/run.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let srv: TestServer;
const script = (name: string) => `${SCRIPTS}blocking/${name}`;
const near = (got: number | undefined, want: number, tolerance: number, what: string) =>
  assert.ok(
    got !== undefined && Math.abs(got - want) <= tolerance,
    `${what}: ${got}, k6 gives ${want} (±${tolerance})`,
  );

/** The log lines of one VU that carry `step=`, as their step names. */
const stepsOf = (vu: number) =>
  srv.log.filter((l) => l.includes(`vu=${vu}&`)).map((l) => new URL(l, 'http://x').searchParams.get('step'));

before(async () => {
  srv = await startServer();
});
after(() => srv.close());

describe('blocking calls in async functions', () => {
  it('an unawaited sleep(1) after an awaited request paces 10 VUs for 3 s to about 30 requests (k6: 30)', async () => {
    const r = await run(script('sleep-async.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    near(r.values('http_reqs').count, 30, 10, 'http_reqs');
    near(r.values('iterations').count, 30, 10, 'iterations');
  });

  it('the mixed script (sync get + check, group with get and sleep, asyncRequest, sleep) runs 6 iterations and 18 requests with 2 VUs for 3 s', async () => {
    const r = await run(script('mixed.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    const iterations = r.values('iterations').count!;
    near(iterations, 6, 2, 'iterations');
    assert.equal(r.values('http_reqs').count, iterations * 3, 'three requests per iteration');
    assert.equal(r.values('checks').passes, iterations);
    assert.doesNotMatch(r.stderr, /blocks its worker thread|not awaited/);
  });

  it('sleep inside a group callback inside an async function blocks the VU: the group lasts the sleep', async () => {
    const before = srv.log.length;
    const r = await run(script('group-sleep.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('iterations').count, 6);
    assert.equal(srv.log.length - before, 6);
    const groups = r.summary?.root_group as { groups: Array<{ name: string }> } | undefined;
    assert.deepEqual(
      groups?.groups.map((g) => g.name),
      ['paced'],
    );
    assert.ok(r.values('group_duration').min! >= 200, `group_duration min ${r.values('group_duration').min} ms`);
  });

  it('sleep in async setup() and teardown() blocks them', async () => {
    const r = await run(script('lifecycle-sleep.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('checks').passes, 2, r.stderr);
    assert.equal(r.values('checks').fails, 0);
  });

  it('a k6/timers setTimeout due during a sleep fires after it (unless cleared first; missed interval ticks collapse)', async () => {
    const r = await run(script('timer-during-sleep.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('checks').passes, 8, r.stderr);
    assert.equal(r.values('checks').fails, 0);
  });

  it(
    "exec.test.abort() during another VU's sleep stops the test (exit 108); the request after the sleep never goes out",
    { timeout: 60_000 },
    async () => {
      const r = await run(script('abort-during-sleep.js'), { baseUrl: srv.url, mode: 'async' });
      assert.equal(r.exitCode, 108, r.stderr);
      assert.equal(srv.hits.get('/after-sleep') ?? 0, 0);
    },
  );

  it('a sync http.get between two awaits keeps the order of the requests (server-side log)', async () => {
    srv.log.length = 0;
    const r = await run(script('request-order.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    for (const vu of [1, 2, 3]) assert.deepEqual(stepsOf(vu), Array(4).fill(['1', '2', '3']).flat(), `VU ${vu}`);
  });

  it('http.batch and a check callback that makes blocking calls run in order, and the check counts', async () => {
    srv.log.length = 0;
    const r = await run(script('batch-and-check.js'), { baseUrl: srv.url, mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.values('checks').passes, 8, r.stderr);
    for (const vu of [1, 2]) assert.deepEqual(stepsOf(vu), ['batch', 'in-check', 'batch', 'in-check'], `VU ${vu}`);
  });

  it('an error thrown after a rewritten call is reported at its original file and line', async () => {
    const r = await run(script('error-line.js'), { mode: 'async' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /thrown on line 9\n\s+at .*blocking\/error-line\.js:9:\d+/);
  });

  it('the rewritten scripts give the same counts in sync mode (a thread per VU, where the calls block for real)', async () => {
    const mixed = await run(script('mixed.js'), { baseUrl: srv.url, mode: 'sync' });
    assert.equal(mixed.exitCode, 0, mixed.stderr);
    near(mixed.values('iterations').count, 6, 2, 'iterations');
    assert.equal(mixed.values('http_reqs').count, mixed.values('iterations').count! * 3);
    const timers = await run(script('timer-during-sleep.js'), { mode: 'sync' });
    assert.equal(timers.exitCode, 0, timers.stderr);
    assert.equal(timers.values('checks').passes, 8, timers.stderr);
  });

  it('--verbose prints the rewrite and its cost, then "cached" for the same script', async () => {
    const first = await run(script('group-sleep.js'), { baseUrl: srv.url, mode: 'async', verbose: true });
    assert.match(
      first.stderr,
      /blocking-call rewrite of .*group-sleep\.js: (cached|[\d.]+ ms) \(2 call\(s\) awaited, 1 function\(s\) made async, 0 array callback loop\(s\) made sequential\)/,
    );
    const again = await run(script('group-sleep.js'), { baseUrl: srv.url, mode: 'async', verbose: true });
    assert.match(again.stderr, /group-sleep\.js: cached/);
  });
});
