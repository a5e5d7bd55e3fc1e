/**
 * The local provider's template cache under concurrent first runs: the first complete
 * template wins, the others drop their staging copy, nobody deletes a finished one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { type InfraHandle, startInfra } from '../../infra/index.ts';
import { ensureTemplate } from '../../infra/lifecycle/template.ts';
import { postgresBinDir } from '../../infra/setup/detect.ts';
import { assertGone, traceOf } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ensureTemplate', () => {
  const saved = process.env.K6_LLM_PERF_CACHE;
  let cache = '';
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-cache-'));
    process.env.K6_LLM_PERF_CACHE = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.K6_LLM_PERF_CACHE;
    else process.env.K6_LLM_PERF_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  /** A build of a few files written over time, so concurrent builds interleave. */
  const builder = (id: number, finished: number[], delayMs: number) => async (dir: string) => {
    writeFileSync(join(dir, 'part-1'), `${id}\n`);
    await sleep(delayMs);
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'owner'), `${id}\n`);
    await sleep(delayMs);
    finished.push(id);
  };

  it('lets several concurrent calls on an empty cache all succeed on one complete template, the first built', async () => {
    const finished: number[] = [];
    const delays = [30, 5, 50, 15, 0, 40, 10, 25];
    const dirs = await Promise.all(delays.map((d, id) => ensureTemplate('demo', builder(id, finished, d))));
    const dir = join(cache, 'templates', 'demo');
    assert.deepEqual(new Set(dirs), new Set([dir]));
    assert.ok(existsSync(join(dir, '.complete')));
    assert.equal(readFileSync(join(dir, 'data', 'owner'), 'utf8'), `${finished[0]}\n`);
    assert.equal(readFileSync(join(dir, 'part-1'), 'utf8'), `${finished[0]}\n`);
    assert.deepEqual(readdirSync(join(cache, 'templates')), ['demo'], 'no staging copy left behind');
  });

  it('lets several processes build at once, each seeing a complete template when its call returns', async () => {
    const code = [
      `import { ensureTemplate } from ${JSON.stringify(import.meta.resolve('../../infra/lifecycle/template.ts'))};`,
      `import { existsSync, readFileSync, writeFileSync } from 'node:fs';`,
      `const dir = await ensureTemplate('multi', async (d) => { writeFileSync(d + '/owner', String(process.pid)); await new Promise((r) => setTimeout(r, 20)); });`,
      `console.log(JSON.stringify({ dir, complete: existsSync(dir + '/.complete'), owner: readFileSync(dir + '/owner', 'utf8') }));`,
    ].join('\n');
    const run = () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', import.meta.resolve('tsx'), '--input-type=module', '--eval', code],
          {
            env: { ...process.env, K6_LLM_PERF_CACHE: cache },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c;
        });
        child.stderr.on('data', (c: Buffer) => {
          err += c;
        });
        child.on('close', (exit) => resolve({ code: exit, out, err }));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    for (const r of results) assert.equal(r.code, 0, r.err);
    const seen = results.map((r) => JSON.parse(r.out) as { dir: string; complete: boolean; owner: string });
    assert.ok(seen.every((s) => s.complete));
    assert.equal(new Set(seen.map((s) => `${s.dir} ${s.owner}`)).size, 1, 'all use the same template');
    assert.deepEqual(readdirSync(join(cache, 'templates')), ['multi']);
  });

  it('uses a complete template as it is, without building', async () => {
    const first = await ensureTemplate('done', builder(1, [], 0));
    const again = await ensureTemplate('done', () => Promise.reject(new Error('must not build')));
    assert.equal(again, first);
    assert.equal(readFileSync(join(first, 'data', 'owner'), 'utf8'), '1\n');
  });

  it('replaces an incomplete leftover at the template path and removes it', async () => {
    const dir = join(cache, 'templates', 'left');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'half-written'), 'x');
    await ensureTemplate('left', builder(2, [], 0));
    assert.ok(existsSync(join(dir, '.complete')));
    assert.equal(existsSync(join(dir, 'data', 'half-written')), false);
    assert.deepEqual(readdirSync(join(cache, 'templates')), ['left']);
  });

  it('leaves neither template nor staging copy when the build fails', async () => {
    await assert.rejects(
      ensureTemplate('broken', () => Promise.reject(new Error('initdb failed'))),
      /initdb failed/,
    );
    assert.deepEqual(readdirSync(join(cache, 'templates')), []);
  });
});

describe(
  'local PostgreSQL: two concurrent first runs',
  { skip: postgresBinDir() ? false : 'PostgreSQL is not installed' },
  () => {
    it('both start from an empty template cache and answer queries', async () => {
      const saved = process.env.K6_LLM_PERF_CACHE;
      const cache = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-cache-'));
      const logDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-logs-')));
      process.env.K6_LLM_PERF_CACHE = cache;
      const starts = await Promise.allSettled(
        logDirs.map((logDir) => startInfra({ provider: 'local', services: ['postgres'], logDir, progress: 'plain' })),
      );
      const handles = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      try {
        for (const s of starts) assert.equal(s.status, 'fulfilled', s.status === 'rejected' ? String(s.reason) : '');
        for (const infra of handles as InfraHandle[]) {
          const client = new pg.Client({ connectionString: infra.endpoints.postgres!.url });
          await client.connect();
          try {
            assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
          } finally {
            await client.end();
          }
        }
        const names = readdirSync(join(cache, 'templates'));
        assert.equal(names.length, 1, `one template and no staging copy: ${names.join(', ')}`);
        assert.match(names[0]!, /^postgres-/);
      } finally {
        const traces = handles.flatMap((h) => h.services.map(traceOf));
        await Promise.all(handles.map((h) => h.down()));
        for (const t of traces) await assertGone(t);
        if (saved === undefined) delete process.env.K6_LLM_PERF_CACHE;
        else process.env.K6_LLM_PERF_CACHE = saved;
        for (const d of [cache, ...logDirs]) rmSync(d, { recursive: true, force: true });
      }
    });
  },
);
