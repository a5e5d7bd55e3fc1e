/** SleepWatch: the one-time warning for a sleep() promise that is never awaited in async mode. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SleepPromise, SleepWatch, UNAWAITED_SLEEP_WARNING } from '../../../engine/runtime/sleep-watch.ts';

const resolved = () => new SleepPromise((r) => r());

describe('SleepWatch', () => {
  it('stays silent when every sleep of the iteration was awaited', async () => {
    const warnings: string[] = [];
    const w = new SleepWatch((m) => warnings.push(m));
    const p = resolved();
    w.track(p);
    await p;
    w.endIteration();
    assert.deepEqual(warnings, []);
  });

  it('counts Promise.all and a stored promise awaited later as awaited', async () => {
    const warnings: string[] = [];
    const w = new SleepWatch((m) => warnings.push(m));
    const a = resolved();
    const b = resolved();
    w.track(a);
    w.track(b);
    const stored = resolved();
    w.track(stored);
    await Promise.all([a, b]);
    await stored;
    w.endIteration();
    assert.deepEqual(warnings, []);
  });

  it('warns at the end of an iteration whose sleep was not awaited, and only once', () => {
    // Each test file runs in its own process; the warning is once per thread.
    const warnings: string[] = [];
    const w = new SleepWatch((m) => warnings.push(m));
    w.track(resolved());
    w.endIteration();
    w.track(resolved());
    w.endIteration();
    assert.deepEqual(warnings, [UNAWAITED_SLEEP_WARNING]);
  });
});
