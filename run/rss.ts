/**
 * Peak resident memory of processes, sampled from /proc/<pid>/status (Linux). VmHWM is the
 * kernel's own high-water mark, so a short peak between two samples is not missed; VmRSS is
 * the fallback. Elsewhere (no /proc) the peaks stay null: the run checks are then skipped.
 */
import { readFileSync } from 'node:fs';

function kib(status: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) : null;
}

/** Current peak (VmHWM, else VmRSS) of one process in MiB, or null when it cannot be read. */
export function readPeakMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const value = kib(status, 'VmHWM') ?? kib(status, 'VmRSS');
    return value === null ? null : value / 1024;
  } catch {
    return null;
  }
}

export interface RssSampler {
  /** Adds a process to watch under a name. */
  watch(name: string, pid: number): void;
  /** Samples now (also done every interval). */
  sample(): void;
  /** Highest value seen per name, in MiB (null: never read). */
  peak(name: string): number | null;
  stop(): void;
}

export function startRssSampler(intervalMs = 1000): RssSampler {
  const pids = new Map<string, number>();
  const peaks = new Map<string, number>();
  const sample = (): void => {
    for (const [name, pid] of pids) {
      const mb = readPeakMb(pid);
      if (mb !== null && mb > (peaks.get(name) ?? 0)) peaks.set(name, mb);
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    watch(name, pid) {
      pids.set(name, pid);
      sample();
    },
    sample,
    peak: (name) => {
      const v = peaks.get(name);
      return v === undefined ? null : Math.round(v * 10) / 10;
    },
    stop: () => clearInterval(timer),
  };
}
