import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InfraError, startInfra, type StartInfraOptions, type StartedService } from '../../infra/index.ts';
import { freePort } from '../../infra/lifecycle/ports.ts';
import { assertGone, traceOf } from './helpers.ts';

/** Runs startInfra expecting it to fail; returns the error and the services that came up before it failed. */
async function failingStart(
  opts: Omit<StartInfraOptions, 'onServiceStarted'>,
): Promise<{ error: InfraError; started: StartedService[] }> {
  const started: StartedService[] = [];
  try {
    const handle = await startInfra({ progress: 'silent', ...opts, onServiceStarted: (s) => started.push(s) });
    await handle.down();
  } catch (error) {
    assert.ok(error instanceof InfraError, `expected an InfraError, got ${String(error)}`);
    return { error, started };
  }
  assert.fail('startInfra should have failed');
}

describe('a service that cannot start', () => {
  let blocker: Server;
  let takenPort: number;
  let scratch: string;

  before(async () => {
    takenPort = await freePort();
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(takenPort, '127.0.0.1', resolve));
    scratch = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-bad-'));
  });
  after(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('names redis and shows its log tail when its port is taken, and stops postgres that did start', async () => {
    const { error, started } = await failingStart({
      provider: 'local',
      services: ['redis', 'postgres'],
      local: { redis: { port: takenPort } },
    });
    assert.equal(error.code, 'INFRA_START_FAILED');
    assert.equal(error.service, 'redis');
    assert.equal(error.exitCode, 111);
    assert.match(error.message, /^redis /);
    assert.match(error.logTail ?? '', /Address already in use|bind/i);
    assert.match(error.message, /last lines of/);
    assert.deepEqual(
      started.map((s) => s.name),
      ['postgres'],
    );
    for (const s of started) await assertGone(traceOf(s));
  });

  it('names postgres and shows its log tail when its port is taken, and stops redis that did start', async () => {
    const { error, started } = await failingStart({
      provider: 'local',
      services: ['redis', 'postgres'],
      local: { postgres: { port: takenPort } },
    });
    assert.equal(error.service, 'postgres');
    assert.match(error.message, /^postgres /);
    assert.match(error.logTail ?? '', /could not bind|Address already in use/i);
    assert.deepEqual(
      started.map((s) => s.name),
      ['redis'],
    );
    for (const s of started) await assertGone(traceOf(s));
  });

  it('names the binary when the redis-server path does not exist', async () => {
    const { error } = await failingStart({
      provider: 'local',
      services: ['redis'],
      local: { redis: { binary: join(scratch, 'no-such-redis-server') } },
    });
    assert.equal(error.service, 'redis');
    assert.match(error.message, /no-such-redis-server/);
    assert.match(error.message, /ENOENT/);
  });

  it('shows what a broken redis binary printed before it died', async () => {
    const broken = join(scratch, 'broken-redis-server');
    writeFileSync(broken, '#!/bin/sh\necho "fatal: simulated broken build" >&2\nexit 3\n');
    chmodSync(broken, 0o755);
    const { error } = await failingStart({
      provider: 'local',
      services: ['redis'],
      local: { redis: { binary: broken } },
    });
    assert.match(error.message, /exited with code 3/);
    assert.match(error.logTail ?? '', /simulated broken build/);
  });

  it('names kafka when java cannot be run, and stops redis that did start', async () => {
    const { error, started } = await failingStart({
      provider: 'local',
      services: ['redis', 'kafka'],
      local: { kafka: { java: join(scratch, 'no-such-java'), libDir: scratch } },
    });
    assert.equal(error.service, 'kafka');
    assert.match(error.message, /^kafka /);
    assert.match(error.message, /no-such-java/);
    assert.deepEqual(
      started.map((s) => s.name),
      ['redis'],
    );
    for (const s of started) await assertGone(traceOf(s));
  });
});
