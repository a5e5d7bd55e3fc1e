import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeOwnedDir, pidAlive, sweepStaleDirs } from '../../../engine/runtime/stale-dirs.ts';

const root = mkdtempSync(join(tmpdir(), 'engine-stale-dirs-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('stale thread-bundle dirs', () => {
  it('names a dir after the pid that made it', () => {
    const dir = makeOwnedDir(root, 'x-');
    assert.match(dir, new RegExp(`x-${process.pid}-[^/]+$`));
  });

  it('removes the dirs of a dead process, with their files', () => {
    const pid = deadPid();
    assert.equal(pidAlive(pid), false);
    const dir = makeOwnedDir(root, 'k6-llm-perf-engine-', pid);
    writeFileSync(join(dir, 'worker.mjs'), '// bundle');
    const removed = sweepStaleDirs(root, 'k6-llm-perf-engine-');
    assert.equal(existsSync(dir), false);
    assert.equal(removed.length, 1);
  });

  it('keeps the dirs of live processes, its own, and names that do not match', () => {
    const mine = makeOwnedDir(root, 'k6-llm-perf-engine-');
    const parent = makeOwnedDir(root, 'k6-llm-perf-engine-', process.ppid);
    const other = join(root, 'k6-llm-perf-engine-notapid');
    mkdirSync(other);
    sweepStaleDirs(root, 'k6-llm-perf-engine-');
    assert.ok(existsSync(mine) && existsSync(parent) && existsSync(other));
  });

  it('asks the liveness check only about matching names', () => {
    const asked: number[] = [];
    makeOwnedDir(root, 'y-', 4242);
    sweepStaleDirs(root, 'y-', (pid) => (asked.push(pid), true));
    assert.deepEqual(asked, [4242]);
  });
});
