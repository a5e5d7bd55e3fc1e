/**
 * Process identity on Linux, read from /proc: a pid alone names a process only until it
 * exits and the number is handed to someone else, so the registry records each process's
 * start time (field 22 of /proc/<pid>/stat, clock ticks since boot) beside its pid and
 * compares both before it signals anything. Elsewhere (no /proc) the start time is
 * undefined and callers fall back to the pid alone.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports times in 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** The start time of `pid` in clock ticks since boot, as written in /proc; undefined when unknown. */
export function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19]; // field 22 overall; fields[0] is field 3 (state)
    return start && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** The wall-clock start of `pid` in ms since the epoch; undefined when unknown. */
export function procStartedAtMs(pid: number): number | undefined {
  const ticks = procStart(pid);
  const boot = bootTimeMs();
  return ticks === undefined || boot === undefined ? undefined : boot + (Number(ticks) * 1000) / TICKS_PER_SECOND;
}

function bootTimeMs(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** This boot's random id (a list written before a reboot names no live process); undefined when unknown. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `pid` runs, for messages: its command name (redis-server, java, postgres), and for
 * the kit's own children the subcommand (`node: k6-llm-perf mock-llm`); undefined when unknown.
 */
export function procName(pid: number): string | undefined {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const bin = argv.findIndex((a) => a.endsWith('k6-llm-perf.js') || a.endsWith('k6-llm-perf'));
    return bin > 0 && argv[bin + 1] ? `${comm}: k6-llm-perf ${argv[bin + 1]}` : comm || undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while any process of the group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and is the process recorded with `start`: a recorded start
 * that differs from the live one means the number was reused. When either start time is
 * unknown, the pid alone decides.
 */
export function sameProcessAlive(pid: number, start: string | undefined): boolean {
  if (!pidAlive(pid)) return false;
  if (start === undefined) return true;
  const now = procStart(pid);
  return now === undefined || now === start;
}
