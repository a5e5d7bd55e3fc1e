/**
 * Issue 16: every synchronous-style conformance script runs the same rewritten (async mode, the
 * whole-script rewrite) and on threads (sync mode): iterations, requests, check passes and fails,
 * group paths, thresholds, handleSummary's output and the exit code are identical.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run, SCRIPTS, type Ran } from './helpers/run.ts';
import { startServerThread, type ThreadServer } from './helpers/server-thread.ts';

// On a thread of its own: a sync-mode setup() blocks this thread in its http.get.
let srv: ThreadServer;
before(async () => {
  srv = await startServerThread();
});
after(() => srv.close());

interface Group {
  path: string;
  groups: Group[];
  checks: Array<{ name: string; passes: number; fails: number }>;
}

const paths = (g: Group | undefined): string[] =>
  g ? [g.path, ...g.checks.map((c) => `${g.path}#${c.name}:${c.passes}/${c.fails}`), ...g.groups.flatMap(paths)] : [];

/** What must not differ between the modes. */
function fingerprint(r: Ran) {
  const summary = r.summary as unknown as {
    root_group?: Group;
    metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }>;
  };
  const thresholds = Object.entries(summary?.metrics ?? {})
    .filter(([, m]) => m.thresholds)
    .map(([name, m]) => `${name}: ${JSON.stringify(m.thresholds)}`)
    .sort();
  return {
    exitCode: r.exitCode,
    iterations: r.values('iterations').count ?? 0,
    requests: r.values('http_reqs').count ?? 0,
    checks: { passes: r.values('checks').passes ?? 0, fails: r.values('checks').fails ?? 0 },
    groups: paths(summary?.root_group).sort(),
    thresholds,
    // handleSummary's own output (the default summary carries timings, which differ)
    handleSummary: r.stdout.startsWith('iterations=') ? r.stdout : '',
  };
}

const CLASSIC: Array<[string, Record<string, unknown>]> = [
  ['http-sync.js', {}],
  ['sync-channel.js', {}],
  ['sync-shared-ids.js', {}],
  ['sync-interrupt-http.js', { workers: 1 }],
  ['classic/classic.js', {}],
];

describe('classic scripts in both modes', () => {
  for (const [name, extra] of CLASSIC) {
    it(`${name} gives the same counts, checks, groups, thresholds and exit code rewritten and on threads`, async () => {
      const o = { baseUrl: srv.url, env: { CLOSED_URL: 'http://127.0.0.1:1/' }, ...extra };
      const rewritten = await run(SCRIPTS + name, { ...o, mode: 'async' });
      const threads = await run(SCRIPTS + name, { ...o, mode: 'sync' });
      assert.doesNotMatch(rewritten.stderr, /running on threads/);
      assert.deepEqual(fingerprint(rewritten), fingerprint(threads), rewritten.stderr + threads.stderr);
    });
  }

  it('runs the classic script with its groups, checks, scenarios and thresholds as k6 would', async () => {
    const r = await run(SCRIPTS + 'classic/classic.js', { baseUrl: srv.url });
    const f = fingerprint(r);
    assert.equal(f.exitCode, 0, r.stderr);
    assert.equal(f.iterations, 10);
    // setup 1, browse 6 x (1 + 2), buy 4 x 2, teardown 1
    assert.equal(f.requests, 1 + 18 + 8 + 1);
    assert.deepEqual(f.checks, { passes: 6 * 3 + 4, fails: 0 });
    assert.ok(f.groups.includes('::home') && f.groups.includes('::pages'), f.groups.join(', '));
    assert.equal(r.stdout, 'iterations=10\n');
  });

  it('reports an error thrown in a rewritten helper at its original file:line', async () => {
    const r = await run(SCRIPTS + 'classic/error-line.js', { baseUrl: srv.url, mode: 'async' });
    assert.match(r.stderr, /boom from a rewritten helper/);
    assert.match(r.stderr, /error-line\.js:8/);
  });
});
