/**
 * The transport's request deadlines (http/transport-parts.ts): an array with swap-remove, swept
 * every 10 ms. Each request that passed its deadline times out exactly once, a request removed
 * before its deadline never does, and removing one request does not disturb the others' slots.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Deadlines, type Deadlined } from '../../../engine/http/transport-parts.ts';

class FakeCall implements Deadlined {
  deadlineSlot = -1;
  timedOut = 0;
  at = 0;
  constructor(
    readonly name: string,
    readonly deadline: number,
    readonly timeoutMs: number,
    private readonly owner: Deadlines,
  ) {}
  timeout(): void {
    this.timedOut++;
    this.at = performance.now();
    this.owner.delete(this); // as the transport's Call does when it stops
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('transport deadlines', () => {
  it('times out every expired request once, in the same sweep, even when each removes itself during it', async () => {
    const d = new Deadlines();
    const now = performance.now();
    const calls = ['a', 'b', 'c', 'd', 'e'].map((n) => new FakeCall(n, now + 5, 5, d));
    for (const c of calls) d.add(c);
    await sleep(60);
    assert.deepEqual(
      calls.map((c) => c.timedOut),
      [1, 1, 1, 1, 1],
    );
    assert.ok(calls.every((c) => c.deadlineSlot === -1));
    const spread = Math.max(...calls.map((c) => c.at)) - Math.min(...calls.map((c) => c.at));
    assert.ok(
      spread < 5,
      `all five are due at the first sweep, none is left for the next (spread ${spread.toFixed(1)} ms)`,
    );
    d.stop();
  });

  it('never times out a request removed before its deadline, and keeps the others in place', async () => {
    const d = new Deadlines();
    const now = performance.now();
    const early = ['a', 'b', 'c', 'd'].map((n) => new FakeCall(n, now + 20, 20, d));
    const late = new FakeCall('late', now + 60_000, 60_000, d);
    for (const c of [...early, late]) d.add(c);
    d.delete(early[1]!); // from the middle: the last one moves into its slot
    d.delete(early[0]!);
    d.delete(early[0]!); // twice: no effect
    d.delete(new FakeCall('stranger', now, 0, d)); // never added: no effect
    await sleep(80);
    assert.deepEqual(
      early.map((c) => c.timedOut),
      [0, 0, 1, 1],
    );
    assert.equal(late.timedOut, 0);
    assert.notEqual(late.deadlineSlot, -1, 'the request not yet due is still watched');
    d.delete(late);
    assert.equal(late.deadlineSlot, -1);
    d.stop();
  });
});
