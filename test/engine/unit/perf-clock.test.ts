/**
 * PerfClock.sleepUntil must not resolve before the clock reads `at`: a timer fires on libuv's loop
 * time, in whole milliseconds, so it can run up to a millisecond early. An executor that stops at
 * its end time and then snapshots its running iterations would otherwise let a VU, still reading a
 * time before the end, start one more iteration that nobody waits for (teardown then runs beside it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PerfClock } from '../../../engine/scheduler/clock.ts';

describe('PerfClock.sleepUntil', () => {
  it('resolves only once now() has reached the target, for fractional targets', async () => {
    const clock = new PerfClock(performance.now());
    const early: number[] = [];
    for (let i = 0; i < 300; i++) {
      const at = clock.now() + 0.2 + (i % 17) * 0.13;
      await clock.sleepUntil(at);
      const late = clock.now() - at;
      if (late < 0) early.push(late);
    }
    assert.deepEqual(
      early,
      [],
      `resolved before its target ${early.length} times, by up to ${Math.min(...early).toFixed(3)} ms`,
    );
  });

  it("still rejects with the signal's reason when aborted while waiting", async () => {
    const clock = new PerfClock(performance.now());
    const ac = new AbortController();
    const p = clock.sleepUntil(clock.now() + 10_000, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
  });
});
