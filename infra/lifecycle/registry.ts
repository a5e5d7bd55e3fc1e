import { rmSync } from 'node:fs';

/**
 * The last line of defence: every process group and temp dir the kit starts is listed
 * here until it is cleaned up normally. If this Node process exits anyway (an uncaught
 * error, process.exit() from elsewhere), the 'exit' hook kills the groups and removes
 * the dirs synchronously, so no server outlives the kit.
 */
const groups = new Set<number>();
const dirs = new Set<string>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', sweep);
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
}

export function trackGroup(pid: number): void {
  hook();
  groups.add(pid);
}
export function untrackGroup(pid: number): void {
  groups.delete(pid);
}
export function trackDir(dir: string): void {
  hook();
  dirs.add(dir);
}
export function untrackDir(dir: string): void {
  dirs.delete(dir);
}
