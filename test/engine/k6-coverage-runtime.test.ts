/**
 * Issue 17, the script runtime rows: scripts run as strict ES modules with top-level await, see only
 * k6's globals (and k6's WebCrypto), report errors at their original file:line, import remote
 * modules (cached on disk), and k6/crypto hashers, exec.test.abort() and k6/timers behave as in k6.
 * The scripts (test/engine/scripts/runtime/) were written from k6's docs and run under a real
 * k6 v2.2.0 with the same counts; with K6_BIN set, the last suite compares them again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KitError } from '../../engine/index.ts';
import { run, SCRIPTS } from './helpers/run.ts';
import { K6_BIN, logMessages, runEngine, runK6 as runK6Cli, type Outcome } from './helpers/k6-parity.ts';

const R = SCRIPTS + 'runtime/';
const MODES = ['async', 'sync'] as const;

function allChecksPass(r: Awaited<ReturnType<typeof run>>, passes: number): void {
  assert.equal(r.values('checks').fails, 0, r.stderr);
  assert.equal(r.values('checks').passes, passes, r.stderr);
}

describe('k6 coverage: the script runtime', () => {
  for (const mode of MODES) {
    it(`runs scripts as strict-mode ES modules (${mode} mode)`, async () => {
      const r = await run(R + 'strict.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 0);
      allChecksPass(r, 4);
    });

    it(`awaits at the top level of the script before reading its options (${mode} mode)`, async () => {
      const r = await run(R + 'tla.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.values('iterations').count, 3);
      allChecksPass(r, 6);
      assert.ok(r.values('iteration_duration').min! >= 50, JSON.stringify(r.values('iteration_duration')));
      assert.doesNotMatch(r.stderr, /never awaited|WARN/);
    });

    it(`shows the script k6's globals only: process, Buffer, fetch, ... are undefined (${mode} mode)`, async () => {
      const r = await run(R + 'globals.js', { noSummary: true, mode });
      allChecksPass(r, 5);
    });

    it(`counts the iteration that calls exec.test.abort(), with its duration (${mode} mode)`, async () => {
      const r = await run(R + 'abort.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 108);
      assert.equal(r.values('iterations').count, 4);
      assert.ok(r.values('iteration_duration').min! >= 50, JSON.stringify(r.values('iteration_duration')));
    });

    it(`fails an iteration whose timer callback throws, and interrupts one held by an interval (${mode} mode)`, async () => {
      const r = await run(R + 'timers-interrupted.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.values('iterations').count, 1); // the failed one; the interrupted one is not counted
      assert.match(r.stderr, /Error: thrown in a timer\n\s+at \S*runtime\/timers-interrupted\.js:17:\d+/);
      assert.equal(r.stderr.match(/setInterval \d+ was stopped because the VU iteration was interrupted/g)?.length, 2);
    });

    it(`runs setup's and teardown's k6/timers callbacks before going on (${mode} mode)`, async () => {
      const r = await run(R + 'setup-timers.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 0, r.stderr);
      const order = ['setup returns', 'setup timer fired', 'iteration', 'teardown timer fired'].map((m) =>
        r.stderr.indexOf(m),
      );
      assert.ok(
        order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)),
        r.stderr,
      );
    });

    it(`stops on an abortOnFail threshold during a long iteration, not at its end (${mode} mode)`, async () => {
      const r = await run(R + 'abort-on-fail.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 99, r.stderr);
      assert.match(r.stderr, /thresholds on metrics 'check_failure_rate' were crossed/);
      assert.equal(r.values('checks').fails, 1);
      assert.equal(r.values('iterations').count ?? 0, 0); // the 20 s sleep never ended
    });

    it(`ends an iteration only after its k6/timers callbacks ran (${mode} mode)`, async () => {
      const r = await run(R + 'timers.js', { noSummary: true, mode });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.values('timer_callbacks').count, 12);
      allChecksPass(r, 3);
      assert.ok(r.values('iteration_duration').min! >= 100, JSON.stringify(r.values('iteration_duration')));
    });
  }

  it('reports an error at the original files and lines, without the engine frames', async () => {
    const r = await run(R + 'throws.js', { noSummary: true });
    assert.equal(r.values('iterations').count, 1);
    assert.match(r.stderr, /Error: deep failure 7\n\s+at failDeep \(\S*runtime\/throws-lib\.js:4:\d+\)/);
    assert.match(r.stderr, /at \S+ \(\S*runtime\/throws\.js:7:\d+\)/);
    assert.doesNotMatch(r.stderr, /worker\.mjs|engine\/runtime|node:internal/);
  });

  it('digests a k6/crypto hasher twice, as k6 does, instead of throwing', async () => {
    const r = await run(R + 'hasher.js', { noSummary: true });
    allChecksPass(r, 4);
  });

  it("provides k6's WebCrypto (getRandomValues, randomUUID, subtle with k6's algorithms)", async () => {
    const r = await run(R + 'webcrypto.js', { noSummary: true });
    allChecksPass(r, 7);
  });

  it('refuses at start the k6 modules it does not implement, naming each', async () => {
    await assert.rejects(run(R + 'missing-modules.js'), (err: unknown) => {
      assert.ok(err instanceof KitError, String(err));
      assert.equal(err.exitCode, 107);
      assert.match(err.message, /unknown module "k6\/browser"/);
      assert.match(err.message, /unknown module "k6\/net\/grpc"/);
      return true;
    });
  });
});

describe('k6 coverage: remote modules (http:// imports, cached on disk)', () => {
  let server: Server;
  let base = '';
  let dir = '';
  let fetches = 0;
  const savedCache = process.env.K6_LLM_PERF_CACHE;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k6lp-remote-'));
    process.env.K6_LLM_PERF_CACHE = join(dir, 'cache');
    server = createServer((req, res) => {
      fetches++;
      if (req.url === '/lib/index.js') {
        res.setHeader('content-type', 'application/javascript');
        res.end(
          "import { check } from 'k6';\nimport { twice } from './util.js';\n" +
            'export function checkTwice(v) {\n  return check(twice(v), { "remote module computed twice": (x) => x === 2 * v });\n}\n',
        );
      } else if (req.url === '/lib/util.js') {
        res.end('export const twice = (n) => n * 2;\n');
      } else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    if (savedCache === undefined) delete process.env.K6_LLM_PERF_CACHE;
    else process.env.K6_LLM_PERF_CACHE = savedCache;
    rmSync(dir, { recursive: true, force: true });
  });

  function script(name: string, url: string): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      `import { checkTwice } from '${url}';\nexport const options = { iterations: 2 };\nexport default function () {\n  checkTwice(21);\n}\n`,
    );
    return file;
  }

  it('fetches a remote module and its relative import once, at start, and keeps them on disk', async () => {
    const r = await run(script('remote.js', `${base}/lib/index.js`), { noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    allChecksPass(r, 2);
    assert.equal(fetches, 2);
    assert.equal(readdirSync(join(dir, 'cache', 'remote-modules')).length, 2);
  });

  it('runs from the cached copies when the server is gone, saying so', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const r = await run(script('remote.js', `${base}/lib/index.js`), { noSummary: true });
    assert.equal(r.exitCode, 0, r.stderr);
    allChecksPass(r, 2);
    assert.match(r.stderr, new RegExp(`cannot fetch remote module ${base}/lib/index\\.js: .*using the copy cached at`));
    server.listen(0, '127.0.0.1'); // reopened for after()
  });

  it('fails at start naming a remote module it can neither fetch nor find in the cache', async () => {
    const url = `http://127.0.0.1:9/never/cached.js`;
    await assert.rejects(run(script('missing.js', url), { noSummary: true }), (err: unknown) => {
      assert.ok(err instanceof KitError, String(err));
      assert.equal(err.exitCode, 107);
      assert.ok(err.message.includes(`cannot fetch remote module ${url}`), err.message);
      assert.match(err.message, /no cached copy in/);
      return true;
    });
  });
});

/** Runs the real k6 as /work/shared/tools/k6/README.md says: no network but loopback, no usage report. */
async function runK6(file: string, exportTo: string): Promise<{ code: number; summary: Record<string, unknown> }> {
  const args = [
    '-n',
    'sh',
    '-c',
    'ip link set lo up; exec "$@"',
    '_',
    'env',
    'K6_NO_USAGE_REPORT=true',
    'K6_AUTO_EXTENSION_RESOLUTION=false',
    process.env.K6_BIN!,
    'run',
    '-q',
    '--summary-export',
    exportTo,
    file,
  ];
  let code = 0;
  try {
    await promisify(execFile)('unshare', args);
  } catch (err) {
    code = (err as { code?: number }).code ?? -1;
  }
  return { code, summary: existsSync(exportTo) ? JSON.parse(readFileSync(exportTo, 'utf8')) : {} };
}

describe(
  'k6 coverage: the runtime scripts under a real k6 (K6_BIN)',
  { skip: process.env.K6_BIN ? false : 'K6_BIN is unset: no real k6 binary here' },
  () => {
    const expected: Record<string, { code: number; iterations: number; passes?: number }> = {
      'strict.js': { code: 0, iterations: 2, passes: 4 },
      'tla.js': { code: 0, iterations: 3, passes: 6 },
      'globals.js': { code: 0, iterations: 1, passes: 5 },
      'hasher.js': { code: 0, iterations: 1, passes: 4 },
      'abort.js': { code: 108, iterations: 4 },
      'timers.js': { code: 0, iterations: 3, passes: 3 },
      'webcrypto.js': { code: 0, iterations: 1, passes: 7 },
      'abort-on-fail.js': { code: 99, iterations: 0 },
      'timers-interrupted.js': { code: 0, iterations: 1 },
    };
    for (const [name, want] of Object.entries(expected)) {
      it(`${name}: k6 gives the counts the engine's test asserts`, async () => {
        const out = mkdtempSync(join(tmpdir(), 'k6lp-k6-'));
        try {
          const { code, summary } = await runK6(R + name, join(out, 'summary.json'));
          const metrics = summary.metrics as Record<string, { count?: number; passes?: number; fails?: number }>;
          assert.equal(code, want.code);
          assert.equal(metrics.iterations?.count ?? 0, want.iterations);
          if (want.passes !== undefined) {
            assert.equal(metrics.checks?.passes, want.passes);
            assert.equal(metrics.checks?.fails, 0);
          }
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      });
    }
  },
);

describe('k6 coverage: timers set in the init context (engine, and real k6 with K6_BIN)', () => {
  const cwd = SCRIPTS + 'runtime';
  const who: Array<[string, (script: string) => Promise<Outcome>]> = MODES.map((mode) => [
    `engine, ${mode} mode`,
    (script: string) => runEngine(script, ['--mode', mode], cwd),
  ]);
  if (K6_BIN) who.push(['real k6 (K6_BIN)', (script: string) => runK6Cli(script, [], cwd)]);

  for (const [name, runner] of who) {
    it(`waits for each VU's init timers before its first iteration (${name})`, async () => {
      const o = await runner(R + 'init-timers.js');
      assert.equal(o.exitCode, 0, o.stderr);
      const fired = logMessages(o.stderr).filter((m) => m.startsWith('init timeout fired in VU '));
      for (const vu of [1, 2, 3]) assert.ok(fired.includes(`init timeout fired in VU ${vu}`), o.stderr);
      assert.deepEqual([o.metrics.checks?.values.passes, o.metrics.checks?.values.fails], [12, 0]); // 3 VUs × 2 iterations × 2 checks
    });

    it(`fails the init context when an init timer throws, with exit 107 (${name})`, async () => {
      const o = await runner(R + 'init-timer-throws.js');
      assert.equal(o.exitCode, 107, o.stderr);
      assert.match(o.stderr, /thrown in an init timer/);
      assert.doesNotMatch(o.stderr, /an iteration ran/);
    });
  }
});

describe('k6 coverage: per-VU module state and global object (engine, and real k6 with K6_BIN)', () => {
  const cwd = SCRIPTS + 'runtime';
  const lines = (o: Outcome) =>
    logMessages(o.stderr)
      .filter((m) => m.startsWith('VU '))
      .sort();
  const perVu = ['VU 1: moduleInits=1 globalInits=1 lastVu=1', 'VU 2: moduleInits=1 globalInits=1 lastVu=2'];

  it('keeps module-level variables and global object properties per VU in sync mode, as k6 does', async () => {
    const o = await runEngine(R + 'per-vu-globals.js', ['--mode', 'sync'], cwd);
    assert.equal(o.exitCode, 0, o.stderr);
    assert.deepEqual(lines(o), perVu, o.stderr);
    assert.doesNotMatch(o.stderr, /share the global object/);
  });

  it('keeps module-level variables per VU in async mode, where the VUs of a thread share the global object (documented)', async () => {
    const o = await runEngine(R + 'per-vu-globals.js', ['--mode', 'async', '--workers', '1'], cwd);
    assert.equal(o.exitCode, 0, o.stderr);
    const got = lines(o);
    assert.equal(got.length, 2, o.stderr);
    for (const l of got) assert.match(l, /^VU \d: moduleInits=1 globalInits=2 lastVu=\d$/); // the 2 VUs on one worker thread
    // The difference is said, once, naming the property written.
    const warnings = logMessages(o.stderr).filter((m) => m.includes('share the global object'));
    assert.equal(warnings.length, 1, o.stderr);
    assert.match(warnings[0]!, /^the script set globalThis\.\w+: in async mode the VUs of one thread share/);
  });

  it(
    'real k6 (K6_BIN): module-level variables and global object properties are per VU',
    { skip: !K6_BIN && 'K6_BIN is not set' },
    async () => {
      const o = await runK6Cli(R + 'per-vu-globals.js', [], cwd);
      assert.equal(o.exitCode, 0, o.stderr);
      assert.deepEqual(lines(o), perVu, o.stderr);
    },
  );
});
