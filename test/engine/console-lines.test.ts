/**
 * Console lines of the VU threads reach the parent in batches (engine/scheduler/worker.ts): none
 * is lost, each VU's keep their order, and a message after them (an abort) comes after them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers/run.ts';

describe('console lines of the VU threads', () => {
  for (const workers of [1, 2]) {
    it(`hands over every line, each VU's in iteration order (${workers} thread(s))`, async () => {
      const r = await run('console-lines.js', { noSummary: true, workers });
      assert.equal(r.exitCode, 0);
      const seen = new Map<string, number[]>();
      for (const m of r.stderr.matchAll(/line vu=(\d+) i=(\d+)/g)) seen.set(m[1]!, [...(seen.get(m[1]!) ?? []), Number(m[2])]); // prettier-ignore
      assert.deepEqual([...seen.keys()].sort(), ['1', '2', '3', '4']);
      for (const [vu, iterations] of seen)
        assert.deepEqual(
          iterations,
          Array.from({ length: 200 }, (_, i) => i),
          `VU ${vu}`,
        );
    });
  }

  it('writes a line logged before exec.test.abort() ahead of the abort message', async () => {
    const r = await run('console-then-abort.js', { noSummary: true });
    assert.equal(r.exitCode, 108);
    const line = r.stderr.indexOf('written before the abort');
    const abort = r.stderr.indexOf('stopped on purpose');
    assert.ok(line >= 0 && abort > line, r.stderr);
  });
});
