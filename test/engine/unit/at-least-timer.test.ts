/**
 * AtLeastTimer never fires before its delay has passed on performance.now(); Node's own setTimeout
 * can, by up to a millisecond (libuv's loop time is whole milliseconds, read once per loop turn).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtLeastTimer } from '../../../engine/runtime/timer.ts';

const after = (ms: number) =>
  new Promise<number>((resolve) => {
    const t0 = performance.now();
    new AtLeastTimer(ms, () => resolve(performance.now() - t0));
  });

describe('AtLeastTimer', () => {
  it('fires no earlier than its delay, for fractional and whole delays', async () => {
    const early: string[] = [];
    for (let i = 0; i < 300; i++) {
      const ms = 0.2 + (i % 23) * 0.17;
      const took = await after(ms);
      if (took < ms) early.push(`${took.toFixed(3)} < ${ms.toFixed(2)}`);
    }
    assert.deepEqual(early, []);
  });

  it('fires once, and not at all when cancelled', async () => {
    let fired = 0;
    new AtLeastTimer(1, () => fired++);
    const cancelled = new AtLeastTimer(1, () => (fired += 100));
    cancelled.cancel();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fired, 1);
  });
});
