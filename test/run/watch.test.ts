import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackWatch, type ComponentFailure } from '../../run/watch.ts';

/** A clock the test moves by hand. */
function clock(start = Date.parse('2026-12-06T10:00:00Z')): { now: () => Date; advance: (ms: number) => void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

describe('StackWatch', () => {
  it('declares a component failed only once it stayed down longer than the grace', async () => {
    const c = clock();
    let up = true;
    const failures: ComponentFailure[] = [];
    const watch = new StackWatch(
      [
        {
          name: 'kafka',
          probe: async () => {
            if (!up) throw new Error('connection refused');
          },
        },
      ],
      { graceMs: 3000, onFailure: (f) => failures.push(f), now: c.now },
    );
    watch.start();
    await watch.round();
    up = false;
    await watch.round();
    c.advance(2000);
    await watch.round();
    assert.equal(failures.length, 0);
    c.advance(1500);
    await watch.round();
    watch.stop();
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.component, 'kafka');
    assert.equal(failures[0]!.reason, 'connection refused');
    assert.equal(failures[0]!.detectedAt.getTime() - failures[0]!.since.getTime(), 3500);
  });

  it('forgives a component that comes back within the grace', async () => {
    const c = clock();
    let up = false;
    const failures: ComponentFailure[] = [];
    const watch = new StackWatch(
      [
        {
          name: 'redis',
          probe: async () => {
            if (!up) throw new Error('no answer within 1000 ms');
          },
        },
      ],
      { graceMs: 3000, onFailure: (f) => failures.push(f), now: c.now },
    ).start();
    await watch.round();
    c.advance(2000);
    up = true;
    await watch.round();
    up = false;
    c.advance(2000);
    await watch.round();
    c.advance(2000);
    await watch.round();
    watch.stop();
    assert.equal(failures.length, 0);
  });

  it('blames the first component down in start order and lists the others', async () => {
    const c = clock();
    const failures: ComponentFailure[] = [];
    const down = (why: string) => async () => {
      throw new Error(why);
    };
    const watch = new StackWatch(
      [
        { name: 'redis', probe: async () => undefined },
        { name: 'kafka', probe: down('connection refused') },
        { name: 'target', probe: down('answered 503') },
      ],
      { graceMs: 1000, onFailure: (f) => failures.push(f), now: c.now },
    ).start();
    await watch.round();
    c.advance(1000);
    await watch.round();
    watch.stop();
    assert.equal(failures[0]!.component, 'kafka');
    assert.deepEqual(failures[0]!.alsoDown, [{ component: 'target', reason: 'answered 503' }]);
  });

  it('fails a component whose process is gone, with the last lines of its log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-'));
    try {
      const log = join(dir, 'target.log');
      writeFileSync(log, 'line 1\nline 2\nfatal: out of memory\n');
      const failures: ComponentFailure[] = [];
      const c = clock();
      const watch = new StackWatch(
        [{ name: 'target', pid: 2 ** 22 + 12345, probe: async () => undefined, logFile: log }],
        { graceMs: 0, onFailure: (f) => failures.push(f), now: c.now },
      ).start();
      await watch.round();
      watch.stop();
      assert.equal(failures.length, 1);
      assert.match(failures[0]!.reason, /process \d+ is gone/);
      assert.deepEqual(failures[0]!.logTail, ['line 1', 'line 2', 'fatal: out of memory']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
