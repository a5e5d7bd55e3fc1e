/**
 * One timer for every pending token of every stream: a binary min-heap of entries
 * keyed by their due time, and a single timer armed at the earliest one. When it
 * fires, every entry due by now (+ a tolerance of half a timer tick) is served in
 * due order, then the timer is armed again once. This replaces one setTimeout per
 * stream and per token (each fractional delay made node create a timer list of its
 * own) by one heap push per token.
 *
 * The clock and the timer are injected, so tests run it on virtual time.
 */

/** Something to run at `due` (ms, on the scheduler's clock). */
export interface Timed {
  due: number;
  /** Position in the heap, -1 when not scheduled; owned by the scheduler. */
  heapIndex: number;
  /** Called once `due` is reached; `now` is the clock read just before. */
  fire(now: number): void;
}

export interface SchedulerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /**
   * How the next timer will keep time, asked before each arming (a clock may switch between
   * timers, see precise-clock.ts); the scheduler's own tolerance when absent.
   */
  timing?(): ClockTiming;
}

export interface ClockTiming {
  /** An entry due within this of now is served now. */
  toleranceMs: number;
  /** How long before the earliest entry's due time the timer is armed. */
  aimEarlyMs: number;
}

/** setTimeout's ceiling: a longer wait would fire after 1 ms, so waits are cut to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Scheduler {
  private heap: Timed[] = [];
  private timer: unknown = null;
  /** Due time the armed timer aims at (Infinity when none). */
  private armedFor = Infinity;
  private running = false;

  /** The timing of the timer armed last (it is the one that fires next). */
  private timing: ClockTiming;
  private readonly fallbackTiming: ClockTiming;

  /**
   * @param toleranceMs an entry due within this of now is served now: node's timers
   *   have 1 ms resolution, so aiming half a tick early centres the error on 0. Used when
   *   the clock does not say (`SchedulerClock.timing`).
   */
  constructor(
    private readonly clock: SchedulerClock = realClock,
    toleranceMs = 0.5,
  ) {
    this.timing = { toleranceMs, aimEarlyMs: toleranceMs };
    this.fallbackTiming = this.timing;
  }

  /** An entry due within this of now is served now (that of the timer armed last). */
  get toleranceMs(): number {
    return this.timing.toleranceMs;
  }

  get size(): number {
    return this.heap.length;
  }

  /** The scheduler's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Schedules `item` at `item.due` (moves it if already scheduled). */
  add(item: Timed): void {
    if (item.heapIndex >= 0) this.remove(item);
    item.heapIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.heapIndex);
    if (!this.running) this.arm();
  }

  /** Unschedules `item` (no-op when not scheduled). */
  remove(item: Timed): void {
    const i = item.heapIndex;
    if (i < 0) return;
    item.heapIndex = -1;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(i);
    }
    if (!this.running && this.heap.length === 0) this.disarm();
  }

  /** Drops every entry and the timer (on stop). */
  clear(): void {
    for (const item of this.heap) item.heapIndex = -1;
    this.heap = [];
    this.disarm();
  }

  /** Serves every entry due by now + tolerance, in due order, then re-arms. Exposed for tests. */
  run(): void {
    this.timer = null;
    this.armedFor = Infinity;
    this.running = true;
    try {
      let now = this.clock.now();
      while (this.heap.length > 0 && this.heap[0]!.due <= now + this.timing.toleranceMs) {
        const item = this.heap[0]!;
        this.remove(item);
        item.fire(now);
        now = this.clock.now();
      }
    } finally {
      this.running = false;
      this.arm();
    }
  }

  private readonly onTimer = (): void => this.run();

  private arm(): void {
    if (this.heap.length === 0) return this.disarm();
    const due = this.heap[0]!.due;
    if (this.timer !== null && this.armedFor <= due) return;
    this.disarm();
    this.timing = this.clock.timing?.() ?? this.fallbackTiming;
    const wait = Math.min(Math.max(due - this.clock.now() - this.timing.aimEarlyMs, 0), MAX_TIMER_MS);
    this.armedFor = due;
    this.timer = this.clock.setTimer(this.onTimer, wait);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (parent.due <= item.due) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]!.due < heap[l]!.due ? r : l;
      if (heap[c]!.due >= item.due) break;
      heap[i] = heap[c]!;
      heap[i]!.heapIndex = i;
      i = c;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
