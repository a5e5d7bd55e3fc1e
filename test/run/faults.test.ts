/**
 * Fault injection against real servers: a short scenario run by the CLI (real Redis, PostgreSQL,
 * Kafka from the local provider, the mock LLM and the reference target as child processes), one
 * component killed (or stopped) mid-run. Each run must end non-zero well before its planned end,
 * name the component in its verdict, and leave no process, port or temp dir behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, readJson, resultsDirOf, runCli, type CliResult } from './helpers.ts';

interface Watched {
  name: string;
  host: string;
  port: number;
  pid: number;
}

/** Parses `run: watching redis 127.0.0.1:6379 (pid 12), mock LLM 127.0.0.1:4000 (pid 13), ...`. */
function watched(stderr: string): Watched[] | null {
  const line = /run: watching (.*)/.exec(stderr)?.[1];
  if (!line) return null;
  return [...line.matchAll(/([a-zA-Z][a-zA-Z ]*?) ([\d.]+):(\d+) \(pid (\d+)\)/g)].map((m) => ({
    name: m[1]!.trim(),
    host: m[2]!,
    port: Number(m[3]),
    pid: Number(m[4]),
  }));
}

/** The temp dirs and process groups the run's watch list holds while it runs. */
function watchList(cliPid: number): { dirs: string[]; groups: number[] } {
  const file = join(tmpdir(), `k6-llm-perf-watch-${cliPid}.list`);
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  return {
    dirs: lines.filter((l) => l.startsWith('d ')).map((l) => l.slice(2)),
    groups: lines.filter((l) => l.startsWith('g ')).map((l) => Number(l.split(' ')[1])),
  };
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

interface FaultRun {
  result: CliResult;
  faultAt: number;
  endAt: number;
  components: Watched[];
  dirs: string[];
  groups: number[];
  dir: string;
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'faults-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs `scenario`, and once the engine runs and `delayMs` passed, applies `fault` to the named component. */
async function runWithFault(
  scenario: string,
  component: string,
  fault: (c: Watched) => void,
  extra: string[] = [],
): Promise<FaultRun> {
  const results = mkdtempSync(join(root, `${scenario}-`));
  let faultAt = 0;
  let components: Watched[] = [];
  let list = { dirs: [] as string[], groups: [] as number[] };
  const args = [
    'run',
    scenario,
    '--profile',
    'short',
    '--duration',
    '90s',
    '--health-grace',
    '2s',
    '--quiet',
    '--progress',
    'plain',
    '--results',
    results,
    ...extra,
  ];
  const result = await runCli(args, {}, (stderr, pid) => {
    if (faultAt !== 0) return;
    const found = watched(stderr);
    if (!found) return;
    faultAt = -1;
    components = found;
    list = watchList(pid);
    setTimeout(() => {
      faultAt = Date.now();
      fault(found.find((c) => c.name === component)!);
    }, 3000);
  });
  return { result, faultAt, endAt: Date.now(), components, ...list, dir: resultsDirOf(results, scenario) };
}

async function assertNothingLeft(run: FaultRun): Promise<void> {
  for (const c of run.components) {
    assert.equal(isAlive(c.pid), false, `${c.name} (pid ${c.pid}) is still running`);
    assert.equal(await listening(c.host, c.port), false, `${c.name} still listens on ${c.host}:${c.port}`);
  }
  for (const g of run.groups) assert.equal(groupAlive(g), false, `process group ${g} is still alive`);
  for (const d of run.dirs) assert.equal(existsSync(d), false, `temp dir ${d} is still there`);
}

function assertComponentFailure(run: FaultRun, component: string): void {
  const { result } = run;
  assert.ok(run.faultAt > 0, `the run never reached the engine:\n${result.stderr.slice(-3000)}`);
  assert.equal(result.code, 113, `exit ${result.code}\n${result.stdout}\n${result.stderr.slice(-3000)}`);
  // 90 s planned: ending this early proves the watch stopped it (bound, not a speed figure).
  assert.ok(run.endAt - run.faultAt < 75_000, `took ${run.endAt - run.faultAt} ms after the fault`);
  const verdict = readJson<{
    exitCode: number;
    checks: { metric: string; ok: boolean; expression: string }[];
    notes: string[];
  }>(join(run.dir, 'verdict.json'));
  assert.equal(verdict.exitCode, 113);
  const row = verdict.checks.find((c) => c.expression === 'healthy during the run');
  assert.equal(row?.metric, component);
  assert.equal(row?.ok, false);
  assert.match(verdict.notes.join('\n'), new RegExp(`${component} failed during the run`));
  assert.match(result.stdout, new RegExp(`FAIL +run +${component} +healthy during the run`));
  console.log(`# ${component}: fault -> exit ${((run.endAt - run.faultAt) / 1000).toFixed(1)} s`);
}

const kill9 = (c: Watched): void => {
  process.kill(c.pid, 'SIGKILL');
};

describe('a component dies during the run', { timeout: 900_000 }, () => {
  for (const component of ['kafka', 'redis', 'postgres', 'target']) {
    it(`stops the run with 113 naming ${component} when it is killed, and leaves nothing`, async () => {
      const run = await runWithFault('load', component, kill9);
      assertComponentFailure(run, component);
      await assertNothingLeft(run);
    });
  }

  it('with Redis killed during outbox, still counts the accepted requests that never finished, as PostgreSQL does', async () => {
    const run = await runWithFault('outbox', 'redis', kill9);
    assertComponentFailure(run, 'redis');
    await assertNothingLeft(run);
    const log = readFileSync(join(run.dir, 'logs/engine.log'), 'utf8');
    const account =
      /outbox: (\d+) accepted, .*?(\d+) lost .*?postgres: (\d+) accepted requests not completed\/failed/.exec(log);
    assert.ok(account, `no outbox account line in the engine log:\n${log.slice(-3000)}`);
    const [accepted, lost, unfinished] = [Number(account[1]), Number(account[2]), Number(account[3])];
    console.log(
      `# outbox with redis killed: ${accepted} accepted, ${lost} lost, postgres says ${unfinished} unfinished`,
    );
    assert.ok(lost > 0, 'a Redis killed mid-run must leave accepted requests unfinished');
    assert.equal(lost, unfinished);
    const verdict = readJson<{ checks: { metric: string; ok: boolean; observed: number | null }[] }>(
      join(run.dir, 'verdict.json'),
    );
    const row = verdict.checks.find((c) => c.metric === 'outbox_events_lost')!;
    assert.deepEqual([row.ok, row.observed], [false, lost]);
  });

  it('stops the run naming the mock LLM when it stops answering (SIGSTOP) longer than the grace', async () => {
    let stopped: number | undefined;
    try {
      const run = await runWithFault('llm-stream', 'mock LLM', (c) => {
        stopped = c.pid;
        process.kill(c.pid, 'SIGSTOP');
      });
      assertComponentFailure(run, 'mock LLM');
      await assertNothingLeft(run);
    } finally {
      if (stopped !== undefined && isAlive(stopped)) {
        process.kill(stopped, 'SIGCONT');
        process.kill(stopped, 'SIGKILL');
      }
    }
  });
});
