/**
 * Parts shared by the executors (k6 `lib/executor/helpers.go`): the set of running iterations
 * with graceful stop and interruption, and the VU loop of the VU-based executors.
 */
import type { ExecVu, ExecutorContext, IterationOutcome, LoopPlan, ScenarioRun } from './context.ts';
import { nthOwned } from '../options/segment.ts';

/** How long interrupted iterations get to unwind before the executor gives up waiting for them. */
const INTERRUPT_SETTLE_MS = 2000;

/** Running iterations of one scenario in this worker. */
export class Inflight {
  /**
   * Each VU that ever ran here, with its running iteration or null: a VU stays a key, so the Map
   * does not add and delete an entry per iteration (a churning Map reallocates its table every few
   * dozen iterations, and V8's obsolete tables keep their successors alive through the scavenges;
   * see Deadlines in http/transport-parts.ts).
   */
  private readonly running = new Map<ExecVu, Promise<IterationOutcome> | null>();
  private count = 0;
  private readonly onStop: () => void;

  constructor(private readonly ctx: ExecutorContext) {
    this.onStop = () => this.interruptAll();
    ctx.stop.addEventListener('abort', this.onStop, { once: true });
  }

  get size(): number {
    return this.count;
  }

  private mark(vu: ExecVu, p: Promise<IterationOutcome>): void {
    if (this.running.get(vu) == null) this.count++;
    this.running.set(vu, p);
  }

  private unmark(vu: ExecVu): void {
    if (this.running.get(vu) == null) return;
    this.count--;
    this.running.set(vu, null);
  }

  /** Starts one iteration on `vu` with the next iteration numbers; resolves when it ends. */
  start(vu: ExecVu, iterationInTest?: number): Promise<IterationOutcome> {
    const scn = this.ctx.scenario;
    const local = claimIteration(scn);
    const global = iterationInTest ?? nthOwned(this.ctx.segment, local);
    scn.activeVus++;
    const p = vu.iterate(scn, local, global).then((outcome) => {
      scn.activeVus--;
      if (outcome === 'interrupted') scn.iterationsInterrupted++;
      else scn.iterationsCompleted++;
      this.unmark(vu);
      return outcome;
    });
    this.mark(vu, p);
    return p;
  }

  /** Runs `vu`'s own loop (ExecVu.loop); resolves when it ended. */
  loop(vu: ExecVu, plan: LoopPlan): Promise<IterationOutcome> {
    const scn = this.ctx.scenario;
    scn.activeVus++;
    const p = vu.loop!(scn, plan).then(() => {
      scn.activeVus--;
      this.unmark(vu);
      return 'completed' as const;
    });
    this.mark(vu, p);
    return p;
  }

  isRunning(vu: ExecVu): boolean {
    return this.running.get(vu) != null;
  }

  interruptAll(): void {
    for (const [vu, p] of this.running) if (p !== null) vu.interrupt();
  }

  /** Waits for running iterations until `deadline` (scenario ms), then interrupts the rest. */
  async drain(deadline: number): Promise<void> {
    if (this.count === 0) return this.dispose();
    const all = Promise.all([...this.running.values()].filter((p) => p !== null));
    const timer = new AbortController();
    const gone = await Promise.race([
      all.then(() => true),
      this.ctx.clock.sleepUntil(deadline, timer.signal).then(
        () => false,
        () => false,
      ),
    ]);
    timer.abort();
    if (!gone) {
      this.interruptAll();
      await Promise.race([all, new Promise((r) => setTimeout(r, INTERRUPT_SETTLE_MS).unref())]);
    }
    this.dispose();
  }

  dispose(): void {
    this.ctx.stop.removeEventListener('abort', this.onStop);
  }
}

const NO_LIMIT = 0x7fffffff;

/** Claims the scenario's next iteration number (k6/execution iterationInInstance), or -1 once `limit` are started. */
export function claimIteration(scn: ScenarioRun, limit = NO_LIMIT): number {
  if (!scn.counter) return scn.iterationsStarted < limit ? scn.iterationsStarted++ : -1;
  return claimIn(scn.counter, limit);
}

/** claimIteration on a counter shared between threads. */
export function claimIn(counter: Int32Array, limit = NO_LIMIT): number {
  const max = Math.min(limit, NO_LIMIT);
  for (;;) {
    const n = Atomics.load(counter, 0);
    if (n >= max) return -1;
    if (Atomics.compareExchange(counter, 0, n, n + 1) === n) return n;
  }
}

/** Whether the VU-based executors can hand this VU a whole loop (ExecVu.loop). */
export function canLoop(ctx: ExecutorContext, vu: ExecVu): boolean {
  return vu.loop !== undefined && ctx.scenario.counter !== undefined;
}

/** The epoch ms (`performance.timeOrigin + performance.now()` scale) of scenario time `t`. */
export function epochAt(ctx: ExecutorContext, t: number): number {
  return performance.timeOrigin + performance.now() + (t - ctx.clock.now());
}

/** Gets `count` VUs for a VU-based executor: idle ones first, then new ones. */
export async function takeVus(ctx: ExecutorContext, count: number): Promise<ExecVu[]> {
  const vus: ExecVu[] = [];
  while (vus.length < count) vus.push(ctx.vus.idle() ?? (await ctx.vus.create()));
  return vus;
}

/** Returns VUs to the pool, except ones whose interrupted iteration never settled. */
export function releaseVus(ctx: ExecutorContext, inflight: Inflight, vus: Iterable<ExecVu>): void {
  for (const vu of vus) if (!inflight.isRunning(vu)) ctx.vus.release(vu);
}

/** Resolves after `ms` of the scenario clock unless `signal` aborts first (then resolves early). */
export async function waitUntil(ctx: ExecutorContext, at: number): Promise<void> {
  if (ctx.stop.aborted) return;
  await ctx.clock.sleepUntil(at, ctx.stop).catch(() => undefined);
}
