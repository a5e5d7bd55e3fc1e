import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isListening } from '../../infra/lifecycle/ports.ts';
import { watchInfo } from '../../infra/lifecycle/registry.ts';
import { startInfra } from '../../infra/index.ts';
import { stubUp, targetUp } from '../../run/stack.ts';
import { Teardown } from '../../run/teardown.ts';
import { groupAlive } from './helpers.ts';

/** The process group of `pid`, from /proc/<pid>/stat (field 5). */
function pgrpOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** True when the watch list of this process names the group `pid`. */
function listed(pid: number): boolean {
  const file = watchInfo()?.listFile;
  return (
    !!file &&
    readFileSync(file, 'utf8')
      .split('\n')
      .some((l) => l.startsWith(`g ${pid} `))
  );
}

async function until(cond: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe('the run stub (stubUp)', () => {
  let logDir: string;
  before(() => (logDir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-stub-'))));
  after(() => rmSync(logDir, { recursive: true, force: true }));

  it('runs the mock LLM as a child leading its own registered process group, stopped by teardown', async () => {
    const warnings: string[] = [];
    const teardown = new Teardown((w) => warnings.push(w));
    const stub = await stubUp(logDir, teardown);
    try {
      assert.notEqual(stub.pid, process.pid);
      assert.equal(pgrpOf(stub.pid), stub.pid, 'the child leads its own group');
      assert.notEqual(pgrpOf(stub.pid), pgrpOf(process.pid));
      assert.ok(listed(stub.pid), 'its group is in the watch list');
      const res = await fetch(`${stub.url}/healthz`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await teardown.run();
    }
    assert.deepEqual(warnings, []);
    assert.equal(typeof (await stub.exited), 'number');
    await until(() => !groupAlive(stub.pid));
    assert.equal(groupAlive(stub.pid), false, 'process group gone after teardown');
    assert.equal(listed(stub.pid), false, 'and no longer in the watch list');
    assert.equal(await isListening(Number(new URL(stub.url).port)), false, 'port free');
  });

  it('drops a child that died on its own from the watch list, and reports how it ended', async () => {
    const teardown = new Teardown(() => undefined);
    const stub = await stubUp(logDir, teardown);
    try {
      process.kill(-stub.pid, 'SIGKILL');
      assert.equal(await stub.exited, 'SIGKILL');
      await until(() => !listed(stub.pid), 2_000);
      assert.equal(listed(stub.pid), false);
    } finally {
      await teardown.run();
    }
  });
});

describe('the run target (targetUp)', () => {
  it('leads its own registered process group and is stopped by teardown', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-target-'));
    const infra = await startInfra({ provider: 'local', services: ['redis', 'postgres'], progress: 'silent' });
    const teardown = new Teardown(() => undefined);
    try {
      const stub = await stubUp(logDir, teardown);
      const { target } = await targetUp({ infra, llmUrl: stub.url, realProvider: false, logDir }, teardown);
      assert.equal(pgrpOf(target.pid), target.pid, 'the child leads its own group');
      assert.ok(listed(target.pid), 'its group is in the watch list');
      await teardown.run();
      assert.notEqual(await target.exited, 'SIGKILL', 'stopped gracefully');
      await until(() => !groupAlive(target.pid));
      assert.equal(groupAlive(target.pid), false);
      assert.equal(listed(target.pid), false);
      assert.equal(await isListening(Number(new URL(target.url).port)), false, 'port free');
    } finally {
      await teardown.run();
      await infra.down();
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
