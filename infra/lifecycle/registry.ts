import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootId, procStart } from './proc.ts';

/**
 * The last line of defence: every process group and temp dir the kit starts is listed
 * here until it is cleaned up normally.
 * - If this Node process exits (an uncaught error, process.exit() from elsewhere), the
 *   'exit' hook kills the groups and removes the dirs synchronously.
 * - If it dies without running any JavaScript (SIGKILL, or a signal nobody handles), a
 *   detached watchdog shell (one per Node process, polling once a second) finds the
 *   parent gone and does the same from the list file kept here.
 * - If the watchdog dies too, the list file stays, and the next run (or `clean`, or
 *   `doctor`) finds it and does the watchdog's work: see leftovers.ts.
 *
 * The list file, `<tmpdir>/k6-llm-perf-watch-<pid>.list`, one entry a line:
 *   o <pid> <start> <boot id>   the owner (this process); start = /proc start ticks, '-' if unknown
 *   w <pid> <start>             its watchdog
 *   g <pid> <start>             a process group (pid of its leader when it was tracked)
 *   d <path>                    a temp dir
 */
const groups = new Map<number, string>();
const dirs = new Set<string>();
let listFile: string | undefined;
let watchdog: { pid: number; start: string } | undefined;

export const WATCH_LIST_PREFIX = 'k6-llm-perf-watch-';
export const WATCH_LIST_SUFFIX = '.list';

// sh: wait for the parent to go, then TERM the listed groups, KILL them 3 s later, remove dirs.
const WATCHDOG = `P=$1; F=$2
while kill -0 "$P" 2>/dev/null; do sleep 1; done
grep -q '^[gd] ' "$F" 2>/dev/null || { rm -f "$F"; exit 0; }
while read -r kind v rest; do [ "$kind" = g ] && kill -TERM "-$v" 2>/dev/null; done < "$F"
sleep 3
while read -r kind v rest; do case "$kind" in g) kill -KILL "-$v" 2>/dev/null;; d) rm -rf -- "$v";; esac; done < "$F"
rm -f "$F"`;

function hook(): void {
  if (listFile) return;
  listFile = join(tmpdir(), `${WATCH_LIST_PREFIX}${process.pid}${WATCH_LIST_SUFFIX}`);
  persist();
  process.on('exit', sweep);
  try {
    const dog = spawn('sh', ['-c', WATCHDOG, 'k6-llm-perf-watchdog', String(process.pid), listFile], {
      detached: true,
      stdio: 'ignore',
    });
    dog.on('error', () => undefined);
    dog.unref();
    if (dog.pid) watchdog = { pid: dog.pid, start: procStart(dog.pid) ?? '-' };
  } catch {
    // no sh: the exit hook still covers orderly exits, leftovers.ts the rest
  }
}

function persist(): void {
  if (!listFile) return;
  const lines = [`o ${process.pid} ${procStart(process.pid) ?? '-'} ${bootId() ?? '-'}`];
  if (watchdog) lines.push(`w ${watchdog.pid} ${watchdog.start}`);
  for (const [pid, start] of groups) lines.push(`g ${pid} ${start}`);
  for (const dir of dirs) lines.push(`d ${dir}`);
  try {
    writeFileSync(listFile, `${lines.join('\n')}\n`);
  } catch {
    // best effort
  }
}

/** Kills every registered group and removes every registered dir (synchronous). */
export function sweep(): void {
  for (const pid of groups.keys()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
  if (listFile) rmSync(listFile, { force: true });
}

/** Where this process's list is and who its watchdog is (undefined before anything was tracked). */
export function watchInfo(): { listFile: string; watchdogPid: number | undefined } | undefined {
  return listFile ? { listFile, watchdogPid: watchdog?.pid } : undefined;
}

export function trackGroup(pid: number): void {
  hook();
  groups.set(pid, procStart(pid) ?? '-');
  persist();
}
export function untrackGroup(pid: number): void {
  if (groups.delete(pid)) persist();
}
export function trackDir(dir: string): void {
  hook();
  dirs.add(dir);
  persist();
}
export function untrackDir(dir: string): void {
  if (dirs.delete(dir)) persist();
}

/**
 * For a child spawned in its own group whose leader forks nothing (the target, the mock LLM):
 * `track` registers the group as soon as the pid exists, `release` unregisters it once the
 * child is gone (its pid may name another process later). Both are safe to call twice.
 */
export function groupLease(): { track(pid: number): void; release(): void } {
  let leased = 0;
  return {
    track: (pid) => {
      leased = pid;
      trackGroup(pid);
    },
    release: () => {
      if (leased) untrackGroup(leased);
      leased = 0;
    },
  };
}
