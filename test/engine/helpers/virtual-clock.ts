/** Virtual time for executor tests: nothing waits for real time; `advance` moves the clock. */
import type {
  Clock,
  ExecVu,
  ExecutorContext,
  IterationOutcome,
  ScenarioRun,
  VuSource,
} from '../../../engine/executors/context.ts';
import type { BaseConfig } from '../../../engine/executors/base-config.ts';
import { FULL_SEGMENT, type Segment } from '../../../engine/options/segment.ts';

interface Timer {
  at: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const settle = () => new Promise<void>((r) => setImmediate(r));

export class VirtualClock implements Clock {
  private t = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (at <= this.t) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer: Timer = { at, resolve, reject };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Moves time forward to `to`, firing timers in order and letting promise chains run between them. */
  async advance(to: number): Promise<void> {
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.t = next.at;
      next.resolve();
      await settle();
    }
    this.t = to;
    await settle();
  }
}

/** A VU whose iterations take `iterationMs` of virtual time; records iteration starts. */
export class FakeVu implements ExecVu {
  readonly starts: number[] = [];
  private interruptNow: (() => void) | null = null;
  constructor(
    readonly idInInstance: number,
    readonly idInTest: number,
    private readonly clock: VirtualClock,
    private readonly iterationMs: number,
    private readonly log: { running: number; maxRunning: number; starts: number[] },
  ) {}

  async iterate(_s: ScenarioRun, _l: number, _g: number): Promise<IterationOutcome> {
    this.starts.push(this.clock.now());
    this.log.starts.push(this.clock.now());
    this.log.running++;
    this.log.maxRunning = Math.max(this.log.maxRunning, this.log.running);
    const ac = new AbortController();
    this.interruptNow = () => ac.abort();
    try {
      await this.clock.sleepUntil(this.clock.now() + this.iterationMs, ac.signal);
      return 'completed';
    } catch {
      return 'interrupted';
    } finally {
      this.log.running--;
      this.interruptNow = null;
    }
  }

  interrupt(): void {
    this.interruptNow?.();
  }
}

export class FakePool implements VuSource {
  readonly cheapCreate = true;
  readonly all: FakeVu[] = [];
  readonly log = { running: 0, maxRunning: 0, starts: [] as number[] };
  private readonly idleList: FakeVu[] = [];
  taken = 0;
  constructor(
    private readonly clock: VirtualClock,
    private readonly iterationMs: number,
  ) {}
  idle(): ExecVu | null {
    const v = this.idleList.pop() ?? null;
    if (v) this.taken++;
    return v;
  }
  async create(): Promise<ExecVu> {
    const vu = new FakeVu(this.all.length + 1, this.all.length + 1, this.clock, this.iterationMs, this.log);
    this.all.push(vu);
    this.taken++;
    return vu;
  }
  release(vu: ExecVu): void {
    this.taken--;
    this.idleList.push(vu as FakeVu);
  }
}

export function fakeContext(clock: VirtualClock, pool: FakePool, config: BaseConfig, segment: Segment = FULL_SEGMENT) {
  const stop = new AbortController();
  const drops: number[] = [];
  const scenario: ScenarioRun = {
    config,
    startEpochMs: 0,
    iterationsStarted: 0,
    iterationsCompleted: 0,
    iterationsInterrupted: 0,
    activeVus: 0,
    dropped: 0,
    progress: () => 0,
  };
  const ctx: ExecutorContext = {
    clock,
    segment,
    scenario,
    vus: pool,
    stop: stop.signal,
    dropped: (n) => drops.push(n),
  };
  return { ctx, stop, drops, scenario };
}
