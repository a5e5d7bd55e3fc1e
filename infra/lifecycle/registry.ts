import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The last line of defence: every process group and temp dir the kit starts is listed
 * here until it is cleaned up normally.
 * - If this Node process exits (an uncaught error, process.exit() from elsewhere), the
 *   'exit' hook kills the groups and removes the dirs synchronously.
 * - If it dies without running any JavaScript (SIGKILL, or a signal nobody handles), a
 *   detached watchdog shell (one per Node process, polling once a second) finds the
 *   parent gone and does the same from the list file kept here.
 * So no server outlives the kit.
 */
const groups = new Set<number>();
const dirs = new Set<string>();
let listFile: string | undefined;

// sh: wait for the parent to go, then TERM the listed groups, KILL them 3 s later, remove dirs.
const WATCHDOG = `P=$1; F=$2
while kill -0 "$P" 2>/dev/null; do sleep 1; done
[ -s "$F" ] || { rm -f "$F"; exit 0; }
while read -r kind v; do [ "$kind" = g ] && kill -TERM "-$v" 2>/dev/null; done < "$F"
sleep 3
while read -r kind v; do case "$kind" in g) kill -KILL "-$v" 2>/dev/null;; d) rm -rf -- "$v";; esac; done < "$F"
rm -f "$F"`;

function hook(): void {
  if (listFile) return;
  listFile = join(tmpdir(), `k6-llm-perf-watch-${process.pid}.list`);
  writeFileSync(listFile, '');
  process.on('exit', sweep);
  try {
    const dog = spawn('sh', ['-c', WATCHDOG, 'k6-llm-perf-watchdog', String(process.pid), listFile], { detached: true, stdio: 'ignore' });
    dog.on('error', () => undefined);
    dog.unref();
  } catch {
    // no sh: the exit hook still covers orderly exits
  }
}

function persist(): void {
  if (!listFile) return;
  const lines = [...[...groups].map((g) => `g ${g}`), ...[...dirs].map((d) => `d ${d}`)];
  try {
    writeFileSync(listFile, lines.length ? `${lines.join('\n')}\n` : '');
  } catch {
    // best effort
  }
}

/** Kills every registered group and removes every registered dir (synchronous). */
export function sweep(): void {
  for (const pid of groups) {
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

export function trackGroup(pid: number): void {
  hook();
  groups.add(pid);
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
