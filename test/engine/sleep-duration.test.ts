/**
 * sleep() never returns before its time, as in k6 (Go's time.Sleep): a threshold on
 * iteration_duration's min holds for an iteration that only sleeps, in both modes; so does a
 * k6/timers setTimeout. A plain
 * setTimeout-based sleep in async mode came back up to a millisecond early (min 4.21 ms for 5 ms).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './helpers/run.ts';

let dir = '';
const files = { async: '', sync: '', timers: '' };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k6-sleep-'));
  for (const mode of ['async', 'sync'] as const) {
    files[mode] = join(dir, `sleep-${mode}.js`);
    writeFileSync(
      files[mode],
      `import { sleep } from 'k6';
export const options = { vus: ${mode === 'async' ? 20 : 4}, iterations: ${mode === 'async' ? 2000 : 400}, thresholds: { iteration_duration: ['min>=5'] } };
export default ${mode === 'async' ? 'async function () { await sleep(0.005); }' : 'function () { sleep(0.005); }'}
`,
    );
  }
  files.timers = join(dir, 'timers.js');
  writeFileSync(
    files.timers,
    `import { setTimeout, clearTimeout } from 'k6/timers';
export const options = { vus: 20, iterations: 2000, thresholds: { iteration_duration: ['min>=5'] } };
export default async function () {
  clearTimeout(setTimeout(() => { throw new Error('a cleared timeout fired'); }, 1));
  await new Promise((resolve) => setTimeout(resolve, 5));
}
`,
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('sleep()', () => {
  for (const mode of ['async', 'sync'] as const) {
    it(`never returns before its time (${mode} mode: iteration_duration min >= 5 ms for sleep(0.005))`, async () => {
      const r = await run(files[mode], { mode });
      const d = r.values('iteration_duration');
      assert.equal(r.values('iterations').count, mode === 'async' ? 2000 : 400);
      assert.ok(d.min! >= 5, `min ${d.min} ms`);
      assert.equal(r.exitCode, 0, r.stderr);
    });
  }

  it('k6/timers setTimeout never fires before its delay either, and clearTimeout cancels it', async () => {
    const r = await run(files.timers, { mode: 'async' });
    const d = r.values('iteration_duration');
    assert.equal(r.values('iterations').count, 2000);
    assert.ok(d.min! >= 5, `min ${d.min} ms`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /a cleared timeout fired/);
  });
});
