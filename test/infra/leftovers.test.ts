import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { cleanLeftovers } from '../../infra/lifecycle/leftovers.ts';
import { pidAlive, procStart } from '../../infra/lifecycle/proc.ts';
import { cleanBeforeRun } from '../../run/cli-run.ts';
import { assertGone, groupAlive, type Trace } from './helpers.ts';

const CLI = resolve(import.meta.dirname, '../../bin/k6-llm-perf.js');
const FIXTURE = resolve(import.meta.dirname, 'fixtures/hold-leftovers.ts');

interface Held {
  child: ChildProcess;
  exited: Promise<unknown>;
  services: Trace[];
  listFile: string;
  watchdogPid: number;
}

// Every list, server and temp dir of these tests lives under one TMPDIR of their own, so a
// `clean` here never sees (nor touches) the runs of anything else on the machine.
let TMP: string;

/** Starts the orchestrator-like fixture under TMP and waits for its JSON line. */
async function hold(): Promise<Held> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), FIXTURE], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TMPDIR: TMP },
  });
  const exited = new Promise((r) => child.once('exit', r));
  const line = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error('fixture not ready in 120 s')), 120_000);
    createInterface({ input: child.stdout! }).once('line', (l) => (clearTimeout(timer), resolveLine(l)));
    void exited.then(() => reject(new Error('fixture exited before it was ready')));
  });
  return { child, exited, ...(JSON.parse(line) as Omit<Held, 'child' | 'exited'>) };
}

/** SIGKILLs the watchdog first (else it would clean up), then the orchestrator. */
async function killBoth(held: Held): Promise<void> {
  process.kill(-held.watchdogPid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (pidAlive(held.watchdogPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(pidAlive(held.watchdogPid), false, 'watchdog gone');
  held.child.kill('SIGKILL');
  await held.exited;
}

function runClean(): { code: number | null; out: string } {
  const res = spawnSync(process.execPath, [CLI, 'clean'], {
    env: { ...process.env, TMPDIR: TMP },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, TMPDIR: TMP },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.once('close', (status) => r({ status, stdout, stderr })));
}

async function assertAllGone(held: Held): Promise<void> {
  for (const s of held.services) await assertGone(s);
  assert.equal(existsSync(held.listFile), false, 'watch list removed');
}

function assertReported(text: string, held: Held): void {
  for (const s of held.services) {
    assert.match(text, new RegExp(`stopped process group ${s.pid} `), `${s.name} named:\n${text}`);
    assert.ok(text.includes(`removed temp dir ${s.tempDir}`), `${s.name} temp dir named:\n${text}`);
  }
  assert.ok(text.includes(`removed watch list ${held.listFile}`), text);
}

describe('leftovers of dead runs', () => {
  before(() => {
    TMP = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-leftovers-'));
    chmodSync(TMP, 0o755); // servers that drop root (PostgreSQL) must reach their dirs
  });
  after(async () => {
    await cleanLeftovers({ dir: TMP, watchdogWaitMs: 0 });
    rmSync(TMP, { recursive: true, force: true });
  });

  it('clean stops the servers and removes the temp dirs of a run SIGKILLed with its watchdog, and says so', async () => {
    const held = await hold();
    assert.deepEqual(
      held.services.map((s) => s.name),
      ['redis', 'sleeper'],
    );
    await killBoth(held);
    for (const s of held.services)
      assert.ok(groupAlive(s.pid!), `${s.name} outlived its orchestrator (the leak being fixed)`);
    const first = runClean();
    assert.equal(first.code, 0, first.out);
    assertReported(first.out, held);
    assert.match(first.out, /\(redis-server\)/);
    await assertAllGone(held);
    const second = runClean();
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /^nothing to clean$/m);
  });

  it("a run's start hook cleans the same leftovers and logs one line per item", async () => {
    const held = await hold();
    await killBoth(held);
    const lines: string[] = [];
    await cleanBeforeRun((l) => lines.push(l), { dir: TMP });
    assertReported(lines.join('\n'), held);
    assert.equal(lines.length, 2 * held.services.length + 1, lines.join('\n'));
    await assertAllGone(held);
  });

  it('lets the live watchdog of a dead run do its job, then finds nothing left', async () => {
    const held = await hold();
    held.child.kill('SIGKILL');
    await held.exited;
    const report = await cleanLeftovers({ dir: TMP, watchdogWaitMs: 30_000 }); // ends as soon as the watchdog does
    assert.deepEqual(report.lines, [], 'the watchdog stopped everything within the wait');
    await assertAllGone(held);
  });

  it('leaves the list, servers and temp dirs of a live run untouched', async () => {
    const held = await hold();
    try {
      process.kill(-held.watchdogPid, 'SIGKILL'); // even without its watchdog, a live owner keeps its list
      const res = runClean();
      assert.equal(res.code, 0, res.out);
      assert.match(res.out, /^nothing to clean$/m);
      assert.match(res.out, new RegExp(`left alone: .*pid ${held.child.pid}\\b`));
      for (const s of held.services) {
        assert.ok(groupAlive(s.pid!), `${s.name} still running`);
        assert.ok(existsSync(s.tempDir!), `${s.name} temp dir still there`);
      }
      assert.ok(existsSync(held.listFile));
    } finally {
      held.child.kill('SIGTERM');
      await held.exited;
    }
    await assertAllGone(held);
  });

  it('treats a reused owner pid as dead but leaves alone a group whose pid now names another process, and foreign dirs', async () => {
    const other = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const otherStart = procStart(other.pid!);
    assert.ok(otherStart, '/proc start time readable');
    const foreign = mkdtempSync(join(TMP, 'not-ours-'));
    const list = join(TMP, `k6-llm-perf-watch-${other.pid}.list`);
    try {
      const wrong = String(Number(otherStart) + 1);
      // The owner's pid is alive but started at another time (reused): the run is dead.
      // Its group entry names the same live process, also with another start time: not the run's.
      writeFileSync(list, `o ${other.pid} ${wrong} -\ng ${other.pid} ${wrong}\nd ${foreign}\n`);
      const report = await cleanLeftovers({ dir: TMP, graceMs: 500, watchdogWaitMs: 0 });
      const text = report.lines.join('\n');
      assert.match(text, new RegExp(`left process group ${other.pid} alone`), text);
      assert.match(text, /not a k6-llm-perf temp dir/, text);
      assert.ok(text.includes(`removed watch list ${list}`), text);
      assert.ok(groupAlive(other.pid!), 'the unrelated process is still running');
      assert.ok(existsSync(foreign), 'a dir not named k6-llm-perf-* is kept');
    } finally {
      process.kill(-other.pid!, 'SIGKILL');
      rmSync(foreign, { recursive: true, force: true });
      rmSync(list, { force: true });
    }
  });

  it('doctor cleans the leftovers of a dead run too, and lists them', async () => {
    const gone = spawnSync('true').pid; // a pid whose process has exited
    const sleeper = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const dir = mkdtempSync(join(TMP, 'k6-llm-perf-doctor-'));
    const list = join(TMP, `k6-llm-perf-watch-${gone}.list`);
    writeFileSync(list, `o ${gone} 1 -\ng ${sleeper.pid} ${procStart(sleeper.pid!)}\nd ${dir}\n`);
    const exited = new Promise((r) => sleeper.once('exit', r));
    try {
      // Asynchronously: the sleeper is this process's child, reaped only while its event loop runs.
      const res = await runAsync([CLI, 'doctor']);
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /leftovers of dead runs\s+cleaned now \(3 item\(s\)/);
      assert.match(res.stdout, new RegExp(`stopped process group ${sleeper.pid} \\(sleep\\)`));
      assert.ok(res.stdout.includes(`removed temp dir ${dir}`), res.stdout);
      await exited;
      assert.equal(existsSync(dir) || existsSync(list), false);
    } finally {
      sleeper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      rmSync(list, { force: true });
    }
  });

  it('in a list without start times (older kit), stops only the groups started before the list was written', async () => {
    const gone = spawnSync('true').pid;
    const ours = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const reused = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const list = join(TMP, `k6-llm-perf-watch-${gone}.list`);
    try {
      const oursEnds = new Promise((r) => ours.once('exit', r));
      writeFileSync(list, `g ${ours.pid}\n`);
      const report1 = await cleanLeftovers({ dir: TMP, graceMs: 2_000, watchdogWaitMs: 0 });
      assert.match(report1.lines.join('\n'), new RegExp(`stopped process group ${ours.pid} \\(sleep\\)`));
      await oursEnds;
      // Written a minute before `reused` started: that pid cannot be the one the list meant.
      writeFileSync(list, `g ${reused.pid}\n`);
      const past = new Date(Date.now() - 60_000);
      utimesSync(list, past, past);
      const report2 = await cleanLeftovers({ dir: TMP, graceMs: 500, watchdogWaitMs: 0 });
      assert.match(report2.lines.join('\n'), new RegExp(`left process group ${reused.pid} alone`));
      assert.ok(groupAlive(reused.pid!));
    } finally {
      ours.kill('SIGKILL');
      reused.kill('SIGKILL');
      rmSync(list, { force: true });
    }
  });

  it('keeps a list whose owner is alive with the recorded start time', async () => {
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
    const list = join(TMP, `k6-llm-perf-watch-${owner.pid}.list`);
    const dir = join(TMP, 'k6-llm-perf-kept-x');
    mkdirSync(dir);
    try {
      writeFileSync(list, `o ${owner.pid} ${procStart(owner.pid!)} -\nd ${dir}\n`);
      const report = await cleanLeftovers({ dir: TMP, watchdogWaitMs: 0 });
      assert.deepEqual(report.lines, []);
      assert.deepEqual(report.liveRuns, [owner.pid]);
      assert.ok(existsSync(dir) && readFileSync(list, 'utf8').startsWith('o '));
    } finally {
      owner.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      rmSync(list, { force: true });
    }
  });
});
