/**
 * The stack watch (DESIGN.md "The verdict's rules"): while the engine runs, every component the
 * run depends on — Redis, PostgreSQL, Kafka, the mock LLM, the target — is probed about once a
 * second (its process alive when the kit knows its pid, and a cheap health request, probes.ts).
 * A component that stays down longer than the grace is a failure: the watch records it (which
 * component, since when, why, its last log lines) and aborts the run's engine; the pipeline then
 * tears down and exits 113 with a verdict row naming the component.
 */
import { existsSync } from 'node:fs';
import { logTail } from '../infra/lifecycle/files.ts';
import type { Probe } from './probes.ts';

export interface WatchedComponent {
  name: string;
  /** host:port, for the log line that says what is watched. */
  address?: string;
  /** Checked with signal 0 each round when known: a dead process fails at once, without waiting for a timeout. */
  pid?: number;
  probe: Probe;
  logFile?: string;
}

export interface ComponentFailure {
  component: string;
  /** The other components down at that moment (a target whose Kafka died fails its health check too). */
  alsoDown: { component: string; reason: string }[];
  /** When the first failed probe of the streak started. */
  since: Date;
  /** When the watch declared it failed (since + grace). */
  detectedAt: Date;
  reason: string;
  logFile?: string;
  logTail: string[];
}

export interface WatchOptions {
  /** How long a component may stay down before the run is stopped (default 5 s). */
  graceMs?: number;
  intervalMs?: number;
  /** One probe's time limit (default 1 s). */
  probeTimeoutMs?: number;
  onFailure: (failure: ComponentFailure) => void;
  now?: () => Date;
}

export const DEFAULT_HEALTH_GRACE_MS = 5000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StackWatch {
  private readonly down = new Map<string, { since: Date; reason: string }>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  failure: ComponentFailure | null = null;

  constructor(
    private readonly components: readonly WatchedComponent[],
    private readonly opts: WatchOptions,
  ) {}

  start(): this {
    if (this.components.length === 0) return this;
    this.running = true;
    this.schedule();
    return this;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.round().finally(() => this.schedule()), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** One probe of every component; public for tests. */
  async round(): Promise<void> {
    const now = this.opts.now ?? (() => new Date());
    const timeout = this.opts.probeTimeoutMs ?? 1000;
    await Promise.all(
      this.components.map(async (c) => {
        const started = now();
        let why: string | null = null;
        if (c.pid !== undefined && !alive(c.pid)) why = `process ${c.pid} is gone`;
        else {
          try {
            await c.probe(timeout);
          } catch (err) {
            why = err instanceof Error ? err.message : String(err);
          }
        }
        if (why === null) this.down.delete(c.name);
        else this.markDown(c, started, why, now());
      }),
    );
  }

  private markDown(c: WatchedComponent, at: Date, why: string, now: Date): void {
    const streak = this.down.get(c.name) ?? { since: at, reason: why };
    streak.reason = why;
    this.down.set(c.name, streak);
    if (this.failure || !this.running) return;
    if (now.getTime() - streak.since.getTime() < (this.opts.graceMs ?? DEFAULT_HEALTH_GRACE_MS)) return;
    // Blame the first component down in start order: what others depend on comes first (infra, stub, target).
    const culprit = this.components.find((x) => this.down.has(x.name))!;
    const first = this.down.get(culprit.name)!;
    this.failure = {
      component: culprit.name,
      alsoDown: this.components
        .filter((x) => x !== culprit && this.down.has(x.name))
        .map((x) => ({ component: x.name, reason: this.down.get(x.name)!.reason })),
      since: first.since,
      detectedAt: now,
      reason: first.reason,
      logFile: culprit.logFile,
      logTail:
        culprit.logFile && existsSync(culprit.logFile)
          ? logTail(culprit.logFile, 5)
              .split('\n')
              .filter((l) => l !== '')
          : [],
    };
    this.stop();
    this.opts.onFailure(this.failure);
  }
}
