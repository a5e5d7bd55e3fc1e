import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { assertGone, groupAlive, type Trace } from './helpers.ts';

const CLI = resolve(import.meta.dirname, '../../bin/k6-llm-perf.js');

interface UpLine {
  provider: string;
  endpoints: Record<string, unknown>;
  services: Trace[];
}

/** Starts `k6-llm-perf infra up --json` in a child and resolves with its endpoints line. */
function infraUp(
  services: string,
  extra: string[] = [],
): { child: ChildProcess; ready: Promise<UpLine>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(
    process.execPath,
    [CLI, 'infra', 'up', '--infra', 'local', '--services', services, '--json', '--progress', 'plain', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<UpLine>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`infra up not ready in 150 s:\n${stderr}`)), 150_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolvePromise(JSON.parse(line) as UpLine);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`infra up exited early (${code}):\n${stderr}`));
    });
  });
  return { child, ready, exited, stderr: () => stderr };
}

describe('k6-llm-perf infra up', () => {
  for (const [signal, services] of [
    ['SIGTERM', 'redis,postgres,kafka'],
    ['SIGINT', 'redis,postgres'],
  ] as const) {
    it(`stops every server and exits 105 on ${signal}`, async () => {
      const up = infraUp(services);
      let line: UpLine;
      try {
        line = await up.ready;
      } catch (err) {
        up.child.kill('SIGKILL');
        throw err;
      }
      assert.deepEqual(
        line.services.map((s) => s.name),
        services.split(','),
      );
      for (const s of line.services) assert.ok(s.pid && groupAlive(s.pid), `${s.name} alive before the signal`);
      up.child.kill(signal);
      const code = await up.exited;
      assert.equal(code, 105, up.stderr());
      for (const s of line.services) await assertGone(s);
    });
  }

  it('stops what it had started and exits 105 when SIGTERM comes during bring-up', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-abort-'));
    try {
      const up = infraUp('redis,postgres,kafka', ['--log-dir', logDir]);
      up.ready.catch(() => undefined);
      const deadline = Date.now() + 60_000;
      while (!/redis ready/.test(up.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(up.stderr(), /redis ready/);
      up.child.kill('SIGTERM');
      assert.equal(await up.exited, 105, up.stderr());
      const redisPid = Number(/pid=(\d+)/.exec(readFileSync(join(logDir, 'redis.log'), 'utf8'))?.[1]);
      assert.ok(redisPid > 0, 'redis.log names the server pid');
      await assertGone({ name: 'redis', pid: redisPid, port: 0 });
      const pgPid = Number(/\[(\d+)\]/.exec(readFileSync(join(logDir, 'postgres.log'), 'utf8'))?.[1] ?? 0);
      if (pgPid > 0) await assertGone({ name: 'postgres', pid: pgPid, port: 0 });
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });

  it('leaves no server behind when the process holding infra is killed with SIGKILL', async () => {
    const holder = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), resolve(import.meta.dirname, 'fixtures/hold-infra.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((r) => holder.once('exit', r));
    const line = await new Promise<string>((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error('holder not ready in 120 s')), 120_000);
      createInterface({ input: holder.stdout! }).once('line', (l) => (clearTimeout(timer), resolveLine(l)));
    });
    const { services } = JSON.parse(line) as { services: Trace[] };
    assert.equal(services.length, 2);
    for (const s of services) assert.ok(s.pid && groupAlive(s.pid), `${s.name} alive before the kill`);
    holder.kill('SIGKILL');
    await exited;
    for (const s of services) await assertGone(s, 20_000);
  });
});
