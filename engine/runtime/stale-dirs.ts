/**
 * Temp dirs named after the process that made them (`<prefix><pid>-XXXXXX`), so a later run can
 * remove those of a process that died without its exit handler (SIGKILL, OOM kill, power loss).
 * A dir whose pid is alive is left alone: it may belong to a run in progress.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A new temp dir under `root`, named `<prefix><pid>-XXXXXX`. */
export function makeOwnedDir(root: string, prefix: string, pid = process.pid): string {
  return mkdtempSync(join(root, `${prefix}${pid}-`));
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the dirs under `root` named `<prefix><pid>-…` whose pid is dead; returns what it
 * removed. Never throws: a dir it cannot read or remove is skipped.
 */
export function sweepStaleDirs(root: string, prefix: string, alive: (pid: number) => boolean = pidAlive): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Someone else's or busy: leave it.
    }
  }
  return removed;
}
