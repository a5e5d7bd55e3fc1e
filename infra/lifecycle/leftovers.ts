/**
 * Leftovers of dead runs: a watch list (registry.ts) whose owner is gone and whose watchdog
 * is gone too means nobody stopped what the list names. `cleanLeftovers()` does it: TERM
 * to each listed process group, KILL after a bound, then the temp dirs and the list go.
 * Called at the start of every run, by `doctor`, and alone by `k6-llm-perf clean`.
 *
 * Safety rules, in order:
 * - A list whose owner is alive is never touched (a run in progress, e.g. a parallel CI job).
 *   "Alive" is the pid *and* its recorded start time: a pid reused by another process
 *   does not keep a dead run's list alive.
 * - A listed group is signalled only when it is still the one the dead run started: its
 *   leader has the recorded start time (or, in lists written before start times were
 *   recorded, started before the list was last written), or the leader is gone and the
 *   group survives (Linux never reuses a pid still naming a group).
 * - Only dirs named `k6-llm-perf-*` are removed.
 * - A live watchdog of a dead owner is doing this job: it gets a bounded wait first.
 */
import { readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { bootId, groupAlive, pidAlive, procName, procStart, procStartedAtMs, sameProcessAlive } from './proc.ts';
import { WATCH_LIST_PREFIX, WATCH_LIST_SUFFIX } from './registry.ts';

export interface Recorded {
  pid: number;
  /** /proc start ticks; undefined when the list did not record it. */
  start?: string;
}

export interface WatchList {
  file: string;
  owner: Recorded;
  boot?: string;
  watchdog?: Recorded;
  groups: Recorded[];
  dirs: string[];
  mtimeMs: number;
}

export interface CleanOptions {
  /** Where the lists are (default: the OS temp dir, where registry.ts writes them). */
  dir?: string;
  /** TERM → KILL bound for each group (default 5 s). */
  graceMs?: number;
  /** How long a dead owner's live watchdog may take to finish its own cleanup (default 6 s). */
  watchdogWaitMs?: number;
}

export interface CleanReport {
  /** One line per item stopped, removed or left on purpose. */
  lines: string[];
  /** Lists of runs still alive, left untouched. */
  liveRuns: number[];
}

function recorded(pid: string | undefined, start: string | undefined): Recorded | undefined {
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 1) return undefined;
  return { pid: n, start: start && start !== '-' ? start : undefined };
}

/** Parses a list file; undefined when it cannot be read or names no owner. */
export function readWatchList(file: string): WatchList | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(file, 'utf8');
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const fromName = /(\d+)\.list$/.exec(basename(file))?.[1]; // lists written before the 'o' line existed
  const list: WatchList = { file, owner: { pid: Number(fromName ?? 0) }, groups: [], dirs: [], mtimeMs };
  for (const line of text.split('\n')) {
    const [kind, a, b, c] = line.trim().split(' ');
    if (kind === 'o') {
      list.owner = recorded(a, b) ?? list.owner;
      if (c && c !== '-') list.boot = c;
    } else if (kind === 'w') list.watchdog = recorded(a, b);
    else if (kind === 'g') {
      const g = recorded(a, b);
      if (g) list.groups.push(g);
    } else if (kind === 'd' && line.length > 2) list.dirs.push(line.trim().slice(2));
  }
  return list.owner.pid > 1 ? list : undefined;
}

/** The list files in `dir`, sorted. */
export function listWatchLists(dir = tmpdir()): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.startsWith(WATCH_LIST_PREFIX) && n.endsWith(WATCH_LIST_SUFFIX))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function sameBoot(list: WatchList): boolean {
  const now = bootId();
  return !list.boot || !now || list.boot === now;
}

/** True when the run that wrote the list is gone (or is this process: never). */
export function ownerGone(list: WatchList): boolean {
  if (list.owner.pid === process.pid) return false;
  return !sameBoot(list) || !sameProcessAlive(list.owner.pid, list.owner.start);
}

/** Why a listed group must not be signalled, or undefined when it is the dead run's. */
function notOurs(g: Recorded, list: WatchList): string | undefined {
  if (!sameBoot(list) || !groupAlive(g.pid)) return 'gone';
  if (!pidAlive(g.pid)) return undefined; // leader gone, group survives: still the same group
  if (g.start !== undefined) {
    const now = procStart(g.pid);
    return now === undefined || now === g.start ? undefined : 'reused';
  }
  const startedAt = procStartedAtMs(g.pid);
  return startedAt === undefined || startedAt <= list.mtimeMs + 1000 ? undefined : 'reused';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(done: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

function signal(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // gone
  }
}

/** Gives live watchdogs of dead owners a bounded time; returns the lists still there after it. */
async function afterWatchdogs(lists: WatchList[], waitMs: number, lines: string[]): Promise<WatchList[]> {
  const busy = lists.filter((l) => l.watchdog && sameProcessAlive(l.watchdog.pid, l.watchdog.start));
  if (busy.length)
    await waitUntil(() => busy.every((l) => !sameProcessAlive(l.watchdog!.pid, l.watchdog!.start)), waitMs);
  for (const l of busy) {
    if (!sameProcessAlive(l.watchdog!.pid, l.watchdog!.start)) continue;
    signal(l.watchdog!.pid, 'SIGKILL');
    lines.push(`${prefix(l)}: stopped its watchdog (pid ${l.watchdog!.pid}), still running after ${waitMs} ms`);
  }
  return lists.filter((l) => existsSync(l.file));
}

function prefix(list: WatchList): string {
  return `leftover of dead run ${list.owner.pid}`;
}

/** TERM to every group, KILL after `graceMs` to what remains; one line per group. */
async function stopGroups(lists: WatchList[], graceMs: number, lines: string[]): Promise<void> {
  const targets: Array<{ list: WatchList; pgid: number; name: string }> = [];
  for (const list of lists) {
    for (const g of list.groups) {
      const why = notOurs(g, list);
      if (why === 'reused')
        lines.push(`${prefix(list)}: left process group ${g.pid} alone (its pid now belongs to another process)`);
      if (why) continue;
      targets.push({ list, pgid: g.pid, name: procName(g.pid) ?? 'leader gone' });
    }
  }
  for (const t of targets) signal(t.pgid, 'SIGTERM');
  const calm = await waitUntil(() => targets.every((t) => !groupAlive(t.pgid)), graceMs);
  if (!calm) for (const t of targets) if (groupAlive(t.pgid)) signal(t.pgid, 'SIGKILL');
  await waitUntil(() => targets.every((t) => !groupAlive(t.pgid)), 2_000);
  for (const t of targets) {
    const how = groupAlive(t.pgid) ? 'could not stop' : 'stopped';
    lines.push(`${prefix(t.list)}: ${how} process group ${t.pgid} (${t.name})`);
  }
}

function removeDirs(list: WatchList, lines: string[]): void {
  for (const dir of list.dirs) {
    if (!existsSync(dir)) continue;
    if (!isAbsolute(dir) || !basename(dir).startsWith('k6-llm-perf-')) {
      lines.push(`${prefix(list)}: left ${dir} (not a k6-llm-perf temp dir)`);
      continue;
    }
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      lines.push(`${prefix(list)}: removed temp dir ${dir}`);
    } catch (err) {
      lines.push(`${prefix(list)}: could not remove temp dir ${dir}: ${(err as Error).message}`);
    }
  }
  rmSync(list.file, { force: true });
  lines.push(`${prefix(list)}: removed watch list ${list.file}`);
}

/** Finds the leftovers of dead runs, stops and removes them; never throws. */
export async function cleanLeftovers(opts: CleanOptions = {}): Promise<CleanReport> {
  const lines: string[] = [];
  const liveRuns: number[] = [];
  const dead: WatchList[] = [];
  for (const file of listWatchLists(opts.dir)) {
    const list = readWatchList(file);
    if (!list || list.owner.pid === process.pid) continue;
    if (ownerGone(list)) dead.push(list);
    else liveRuns.push(list.owner.pid);
  }
  if (dead.length === 0) return { lines, liveRuns };
  const left = await afterWatchdogs(dead, opts.watchdogWaitMs ?? 6_000, lines);
  await stopGroups(left, opts.graceMs ?? 5_000, lines);
  for (const list of left) removeDirs(list, lines);
  return { lines, liveRuns };
}

/** The report as printed by `clean`: its lines, or "nothing to clean", and the runs left alone. */
export function formatClean(report: CleanReport): string {
  const out = report.lines.length ? [...report.lines] : ['nothing to clean'];
  if (report.liveRuns.length)
    out.push(
      `left alone: the watch lists of ${report.liveRuns.length} run(s) in progress (pid ${report.liveRuns.join(', ')})`,
    );
  return out.join('\n');
}
