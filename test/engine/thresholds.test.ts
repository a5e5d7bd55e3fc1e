/** Conformance: thresholds pass, fail (99), are invalid (104), abort early, and can be disabled. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KitError } from '../../engine/index.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { run } from './helpers/run.ts';

let server: TestServer;
let dir: string;
let n = 0;

/** Writes a k6 config file (-c) with these thresholds. */
function config(thresholds: unknown, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `config-${n++}.json`);
  writeFileSync(file, JSON.stringify({ thresholds, ...extra }));
  return file;
}

before(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'engine-thresholds-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('thresholds', () => {
  it('exits 0 when every threshold holds', async () => {
    const r = await run('hello-async.js', {
      baseUrl: server.url,
      noSummary: true,
      flags: { iterations: 3 },
      configFile: config({ http_req_duration: ['p(95)<60000'], checks: ['rate==1'] }),
    });
    assert.equal(r.exitCode, 0);
  });

  it('exits 99 when a threshold is breached and marks it in the summary', async () => {
    const r = await run('hello-async.js', {
      baseUrl: server.url,
      noSummary: true,
      flags: { iterations: 3 },
      configFile: config({ http_reqs: ['count<2'] }),
    });
    assert.equal(r.exitCode, 99);
    const metrics = (r.summary as { metrics: Record<string, { thresholds: Record<string, { ok: boolean }> }> }).metrics;
    assert.deepEqual(metrics.http_reqs!.thresholds, { 'count<2': { ok: false } });
    assert.match(r.stderr, /thresholds on metrics 'http_reqs' have been crossed/);
  });

  it('evaluates a sub-metric threshold on its tagged samples only', async () => {
    const r = await run('hello-async.js', {
      baseUrl: server.url,
      noSummary: true,
      flags: { iterations: 3 },
      configFile: config({ 'http_reqs{status:404}': ['count<1'], 'http_reqs{status:200}': ['count==3'] }),
    });
    assert.equal(r.exitCode, 0);
  });

  it('fails with 104 on an unknown metric, naming it', async () => {
    await assert.rejects(
      run('hello-async.js', {
        baseUrl: server.url,
        noSummary: true,
        configFile: config({ no_such_metric: ['count<1'] }),
      }),
      (err: unknown) => err instanceof KitError && err.exitCode === 104 && /no_such_metric/.test(err.message),
    );
  });

  it('fails with 104 on an aggregation the metric type does not have', async () => {
    await assert.rejects(
      run('hello-async.js', {
        baseUrl: server.url,
        noSummary: true,
        configFile: config({ http_req_duration: ['rate<1'] }),
      }),
      (err: unknown) => err instanceof KitError && err.exitCode === 104 && /http_req_duration/.test(err.message),
    );
  });

  it('stops the test early with abortOnFail and exits 99', async () => {
    const r = await run('hello-async.js', {
      baseUrl: server.url,
      noSummary: true,
      flags: { vus: 2, duration: '30s' },
      configFile: config({ http_reqs: [{ threshold: 'count<5', abortOnFail: true }] }),
    });
    assert.equal(r.exitCode, 99);
    assert.match(r.reason ?? '', /abortOnFail enabled, stopping test prematurely/);
    const state = (r.summary as { state: { testRunDurationMs: number } }).state;
    assert.ok(state.testRunDurationMs < 25_000, `ran ${state.testRunDurationMs} ms of 30 s`);
  });

  it('ignores thresholds with --no-thresholds', async () => {
    const r = await run('hello-async.js', {
      baseUrl: server.url,
      noSummary: true,
      noThresholds: true,
      flags: { iterations: 2 },
      configFile: config({ http_reqs: ['count<1'] }),
    });
    assert.equal(r.exitCode, 0);
  });
});
