/**
 * A scheduler clock whose timer fires within about a tenth of a millisecond of its due time.
 *
 * Node's setTimeout counts in whole milliseconds of a loop clock that is read once per loop
 * turn, so a timer fires anywhere from about 1 ms early to 0.5 ms late (bench/mock-llm-timers.ts,
 * one stream, 50 timers a second: p1 −0.48 ms, p50 +0.23 ms, p90 +0.66 ms). Every client
 * measuring the stub saw that jitter as its own error.
 *
 * Here one helper thread sleeps in `Atomics.wait`, whose timeout is not rounded to the
 * millisecond, until the armed time, then posts a message that wakes the main thread's loop.
 * That path takes about 0.1–0.4 ms on a 2-core VM (the thread's wake-up, then the message), so
 * the clock arms the thread early by a quantile of what it observed (a low one under load, a high
 * one while quiet, see Q_QUIET); a wake-up that still comes early waits out the rest on the main
 * thread (never more than 1 ms). So the timer never fires before its time, and the scheduler
 * needs no tolerance for early firing.
 *
 * The price is CPU: each timer costs two thread wake-ups instead of one (bench/mock-llm-timers.ts,
 * 64 streams, 3,200 tokens/s: 16 % of a core against setTimeout's 2.8 %). So in
 * `auto` mode (the stub's default) the clock uses the helper only while fewer than
 * AUTO_MAX_TIMERS_PER_S timers were armed in the last 100 ms window, and setTimeout above that:
 * a few streams get sub-millisecond timing, a load test with many streams keeps the cheap timer.
 *
 * The helper thread is unref'd (it never keeps the process alive) and stopped by `close()`.
 */
import { Worker } from 'node:worker_threads';
import type { ClockTiming, SchedulerClock } from './scheduler.ts';

/** The helper thread: sleeps until the armed time (or a new arming), then posts its generation. */
const THREAD_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const ctl = new Int32Array(workerData, 0, 2);
const target = new Float64Array(workerData, 8, 1);
const hr = () => Number(process.hrtime.bigint()) / 1e6;
let posted = 0;
for (;;) {
  const gen = Atomics.load(ctl, 0);
  if (Atomics.load(ctl, 1) !== 0) break;
  const at = target[0];
  if (gen === posted || !(at > 0)) { Atomics.wait(ctl, 0, gen); continue; }
  const left = at - hr();
  if (left > 0) { Atomics.wait(ctl, 0, gen, left); continue; }
  posted = gen;
  parentPort.postMessage(gen);
}
`;

/** Most the clock arms early: a learned lead beyond this means the thread is starved, not slow. */
const MAX_LEAD_MS = 1;
/**
 * The lead tracks this quantile of the observed wake-up latency (a stochastic quantile
 * estimate: up by STEP × Q when a wake-up was slower than the lead, down by STEP × (1 − Q) when
 * faster). A low quantile keeps early wake-ups, and so waiting on the main thread, rare and short.
 */
const Q = 0.25;
/**
 * While the clock is quiet (fewer than QUIET_MAX_TIMERS_PER_S armed), the lead tracks this high
 * quantile instead: almost every wake-up comes early and the main thread waits out the rest, so
 * a token is written at its due time plus the write's own work, not plus the thread's wake-up
 * (bench/mock-llm-timers.ts, one stream, 50 timers a second: lateness p50 +0.051 -> +0.009 ms,
 * p90 +0.110 -> +0.022 ms, CPU unchanged at about 2 % of a core). The wait costs up to a few
 * tenths of a millisecond of the main thread per timer, so it is kept to low rates.
 */
const Q_QUIET = 0.95;
export const QUIET_MAX_TIMERS_PER_S = 200;
const STEP_MS = 0.02;
/** `auto`: the helper thread is used while the last 100 ms window armed fewer timers than this rate. */
export const AUTO_MAX_TIMERS_PER_S = 500;
const WINDOW_MS = 100;

/** The helper's timer never fires early: aim at the due time, serve entries due within 0.2 ms with it. */
const PRECISE_TIMING: ClockTiming = { toleranceMs: 0.2, aimEarlyMs: 0 };
/** setTimeout fires up to ~1 ms early or late: aim half a tick early and serve half a tick ahead. */
const NODE_TIMING: ClockTiming = { toleranceMs: 0.5, aimEarlyMs: 0.5 };

const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export type TimerMode = 'precise' | 'auto';

export interface PreciseClock extends SchedulerClock {
  timing(): ClockTiming;
  /** The wake-up latency the clock arms early by, ms. */
  readonly leadMs: number;
  /** Timers armed so far through the helper thread and through setTimeout. */
  readonly armed: { precise: number; node: number };
  /** Stops the helper thread; timers armed after this run on setTimeout. */
  close(): Promise<void>;
}

interface Armed {
  gen: number;
  fn: () => void;
  /** When it is due, on the hrtime scale (ms). */
  dueHr: number;
  /** When the thread was asked to wake, on the hrtime scale (ms). */
  wakeHr: number;
}

/** A precise (or, in `auto` mode, precise while quiet) clock; null when no helper thread can start. */
export function createPreciseClock(mode: TimerMode = 'auto'): PreciseClock | null {
  const shared = new SharedArrayBuffer(16);
  const ctl = new Int32Array(shared, 0, 2);
  const target = new Float64Array(shared, 8, 1);
  let worker: Worker;
  try {
    worker = new Worker(THREAD_SOURCE, { eval: true, workerData: shared });
  } catch {
    return null;
  }
  worker.unref();
  let closed = false;
  let gen = 0;
  let armed: Armed | null = null;
  /** Hands the thread a new wake-up time (0: none) under a new generation, so it drops the old one. */
  const retarget = (at: number): number => {
    target[0] = at;
    gen = (gen + 1) | 0 || 1;
    Atomics.store(ctl, 0, gen);
    Atomics.notify(ctl, 0);
    return gen;
  };
  let lead = 0.2;
  const nodeTimers = new Set<NodeJS.Timeout>();
  const counts = { precise: 0, node: 0 };
  // Timers armed in the current and the previous window (quiet, and auto mode's choice).
  let windowStart = 0;
  let inWindow = 0;
  let lastWindow = 0;
  let usePrecise = true;
  let quiet = true;

  const viaSetTimeout = (fn: () => void, ms: number): NodeJS.Timeout => {
    counts.node++;
    const t = setTimeout(() => {
      nodeTimers.delete(t);
      fn();
    }, ms);
    nodeTimers.add(t);
    return t;
  };

  worker.on('message', (g: number) => {
    const a = armed;
    if (a === null || a.gen !== g) return; // re-armed or cleared since
    armed = null;
    let now = hrMs();
    const q = quiet ? Q_QUIET : Q;
    lead += now - a.wakeHr > lead ? STEP_MS * q : -STEP_MS * (1 - q);
    lead = Math.min(Math.max(lead, 0), MAX_LEAD_MS);
    while (now < a.dueHr) now = hrMs(); // early by less than the lead: wait it out here
    a.fn();
  });
  // The thread died (it should not): the armed timer and every later one run on setTimeout.
  worker.on('error', () => {
    closed = true;
    const a = armed;
    armed = null;
    if (a !== null) viaSetTimeout(a.fn, Math.max(a.dueHr - hrMs(), 0));
  });

  return {
    now: () => performance.now(),
    get leadMs() {
      return lead;
    },
    get armed() {
      return { ...counts };
    },
    timing() {
      if (closed) return NODE_TIMING;
      const now = performance.now();
      if (now - windowStart >= WINDOW_MS) {
        lastWindow = now - windowStart < 2 * WINDOW_MS ? inWindow : 0;
        windowStart = now;
        inWindow = 0;
      }
      inWindow++;
      const rate = Math.max(lastWindow, inWindow);
      quiet = rate < (QUIET_MAX_TIMERS_PER_S * WINDOW_MS) / 1000;
      if (mode === 'auto') usePrecise = rate < (AUTO_MAX_TIMERS_PER_S * WINDOW_MS) / 1000;
      return usePrecise ? PRECISE_TIMING : NODE_TIMING;
    },
    setTimer(fn, ms) {
      if (closed || !usePrecise) return viaSetTimeout(fn, ms);
      counts.precise++;
      const now = hrMs();
      const dueHr = now + Math.max(ms, 0);
      const wakeHr = Math.max(dueHr - lead, now);
      armed = { gen: retarget(wakeHr), fn, dueHr, wakeHr };
      return armed;
    },
    clearTimer(handle) {
      if (nodeTimers.delete(handle as NodeJS.Timeout)) return clearTimeout(handle as NodeJS.Timeout);
      if (armed !== null && armed === handle) {
        armed = null;
        retarget(0);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      armed = null;
      for (const t of nodeTimers) clearTimeout(t);
      nodeTimers.clear();
      Atomics.store(ctl, 1, 1);
      Atomics.notify(ctl, 0);
      await worker.terminate();
    },
  };
}
