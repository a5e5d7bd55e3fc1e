/** Conformance: randomSeed() seeds one VU's Math.random, in both I/O modes, as in k6. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../engine/runtime/mulberry32.ts';
import { run } from './helpers/run.ts';

/** The values each VU logged, in order. */
function draws(stderr: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const m of stderr.matchAll(/vu=(\d+) r=([0-9.e-]+)/g)) {
    const vu = Number(m[1]);
    out.set(vu, [...(out.get(vu) ?? []), Number(m[2])]);
  }
  return out;
}

const expected = (() => {
  const g = mulberry32(7);
  return [g(), g(), g(), g()];
})();

for (const mode of ['async', 'sync'] as const) {
  describe(`randomSeed in ${mode} mode`, () => {
    let byVu: Map<number, number[]>;

    it('runs every VU its 4 iterations', async () => {
      const r = await run('random-seed.js', { mode, workers: 1, noSummary: true });
      assert.equal(r.exitCode, 0, r.stderr);
      byVu = draws(r.stderr);
      assert.deepEqual([...byVu.keys()].sort(), [1, 2, 3]);
      for (const list of byVu.values()) assert.equal(list.length, 4);
    });

    it("gives a seeded VU the seed's sequence even while other VUs draw", () => {
      assert.deepEqual(byVu.get(1), expected);
    });

    it('gives two VUs seeded alike the same sequence', () => {
      assert.deepEqual(byVu.get(2), byVu.get(1));
    });

    it('leaves an unseeded VU on an unseeded Math.random', () => {
      assert.notDeepEqual(byVu.get(3), expected);
      for (const x of byVu.get(3)!) assert.ok(x >= 0 && x < 1);
    });
  });
}
