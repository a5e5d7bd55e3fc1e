/**
 * The stub's precise clock on real time: what must hold on a loaded machine is that a timer
 * never fires before its due time, fires once, can be cleared, and that `auto` hands a busy
 * scheduler to setTimeout. How close to the due time it fires is measured in bench/, not here.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AUTO_MAX_TIMERS_PER_S, createPreciseClock, type PreciseClock } from '../../mock-llm/precise-clock.ts';

const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function wait(clock: PreciseClock, ms: number): Promise<number> {
  return new Promise((resolve) => {
    const due = hrMs() + ms;
    clock.setTimer(() => resolve(hrMs() - due), ms);
  });
}

describe('precise clock', () => {
  const clocks: PreciseClock[] = [];
  const make = (mode: 'precise' | 'auto'): PreciseClock => {
    const clock = createPreciseClock(mode);
    assert.ok(clock, 'a helper thread could not start');
    clocks.push(clock);
    return clock;
  };
  after(() => Promise.all(clocks.map((c) => c.close())));

  it('never fires a timer before its due time, fractional waits included', async () => {
    const clock = make('precise');
    assert.deepEqual(clock.timing(), { toleranceMs: 0.2, aimEarlyMs: 0 });
    for (const ms of [0, 0.3, 1.7, 2.25, 5.5, 12.1, 3.05, 0.9]) {
      const late = await wait(clock, ms);
      assert.ok(late >= 0, `a ${ms} ms timer fired ${(-late).toFixed(3)} ms early`);
    }
    assert.equal(clock.armed.precise, 8);
    assert.ok(clock.leadMs >= 0 && clock.leadMs <= 1, `lead ${clock.leadMs}`);
  });

  it('fires a re-armed timer once, at its new time, and a cleared one never', async () => {
    const clock = make('precise');
    const fired: string[] = [];
    const first = clock.setTimer(() => fired.push('first'), 5);
    clock.clearTimer(first);
    const start = hrMs();
    await new Promise<void>((resolve) =>
      clock.setTimer(() => {
        fired.push('second');
        resolve();
      }, 15),
    );
    assert.ok(hrMs() - start >= 15);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(fired, ['second']);
  });

  it('auto: precise while quiet, setTimeout once more timers are armed than it allows', () => {
    const clock = make('auto');
    assert.deepEqual(clock.timing(), { toleranceMs: 0.2, aimEarlyMs: 0 });
    // 50 timers in a 100 ms window is the 500/s limit; a stalled machine may roll a window over, so allow more calls.
    let calls = 1;
    while (clock.timing().aimEarlyMs === 0 && calls < 10 * AUTO_MAX_TIMERS_PER_S) calls++;
    assert.deepEqual(clock.timing(), { toleranceMs: 0.5, aimEarlyMs: 0.5 });
    assert.ok(calls >= AUTO_MAX_TIMERS_PER_S / 10 - 1, `switched after ${calls} timers`);
    const handle = clock.setTimer(() => assert.fail('cleared'), 50);
    clock.clearTimer(handle);
    assert.deepEqual(clock.armed, { precise: 0, node: 1 });
  });

  it('falls back to setTimeout after close, and close is idempotent', async () => {
    const clock = make('precise');
    await clock.close();
    await clock.close();
    assert.deepEqual(clock.timing(), { toleranceMs: 0.5, aimEarlyMs: 0.5 });
    await new Promise<void>((resolve) => clock.setTimer(resolve, 2));
    assert.deepEqual(clock.armed, { precise: 0, node: 1 });
  });
});
