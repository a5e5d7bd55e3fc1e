/** Conformance: the executors run the number of iterations and VUs k6 would, against a real HTTP server. */
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

describe('executors', () => {
  it('runs exactly 100 shared iterations over 10 VUs', async () => {
    const r = await run('shared-iterations.js', { baseUrl: server.url, noSummary: true });
    assert.equal(r.exitCode, 0);
    assert.equal(r.values('iterations').count, 100);
    assert.equal(r.values('http_reqs').count, 100);
    assert.equal(r.values('vus_max').value, 10);
  });

  it('runs per-vu-iterations with module state per VU', async () => {
    const r = await run('per-vu-state.js', { noSummary: true });
    assert.equal(r.values('iterations').count, 15);
    assert.equal(r.values('checks').fails, 0);
    assert.equal(r.values('checks').passes, 45);
  });

  it('keeps constant-vus busy for the duration', async () => {
    const r = await run('constant-vus.js', { noSummary: true });
    assert.equal(r.values('vus_max').value, 3);
    // 3 VUs x 2 s / 100 ms per iteration = 60; a loaded machine runs fewer, never more.
    const n = r.values('iterations').count!;
    assert.ok(n > 10 && n <= 63, `iterations ${n}`);
  });

  it('ramps ramping-vus up to the highest stage target', async () => {
    const r = await run('ramping-vus.js', { noSummary: true });
    assert.equal(r.values('vus_max').value, 4);
    assert.ok(r.values('iterations').count! > 0);
  });

  it('schedules 200 iterations at 50/s for 4 s with constant-arrival-rate', async () => {
    const r = await run('constant-arrival-rate.js', { baseUrl: server.url, noSummary: true });
    const n = r.values('iterations').count!;
    const dropped = r.values('dropped_iterations').count ?? 0;
    // Every scheduled start either ran or was dropped (a loaded machine may run out of VUs).
    assert.ok(Math.abs(n + dropped - 200) <= 2, `iterations ${n} + dropped ${dropped}`);
    assert.ok(n >= 180, `iterations ${n}`);
  });

  it('counts dropped_iterations and warns once when maxVUs is too low', async () => {
    const r = await run('dropped.js', { noSummary: true });
    const dropped = r.values('dropped_iterations').count!;
    const done = r.values('iterations').count!;
    assert.ok(dropped >= 25, `dropped ${dropped}`);
    assert.ok(done <= 6, `iterations ${done}`);
    assert.equal(r.stderr.match(/Insufficient VUs, reached 1 active VUs/g)?.length, 1);
  });
});
