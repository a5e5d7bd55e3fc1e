/**
 * One VU's state as the modules see it: the VuContext of the contract plus what k6/execution,
 * k6 (group, check, sleep) and k6/http need. Modules of this room reach it through `stateOf(vu)`;
 * the extension modules only use the VuContext contract.
 */
import type { Tags } from '../metrics/api.ts';
import type { ExecutionMode, VuContext, VuPhase } from '../modules/api.ts';
import type { ScenarioRun } from '../executors/context.ts';
import { InterruptError } from '../errors.ts';
import type { VuHost } from './host.ts';
import type { ResponseCallback } from '../http/request-builder.ts';
import type { InterruptSignal } from './interrupt.ts';
import { SleepPromise, SleepWatch } from './sleep-watch.ts';
import { CookieJar } from '../http/cookies.ts';
import { delay } from './timer.ts';
import { IterationTimers } from './iteration-timers.ts';

export class VuState implements VuContext {
  phaseNow: VuPhase = 'init';
  groupPath = '';
  scenario: ScenarioRun | null = null;
  /** k6/execution vu.iterationInScenario / __ITER */
  iterationInScenario = 0;
  iterationInInstance = 0;
  iterationInTest = 0;
  /** Aborted when the running iteration is interrupted. */
  signal: InterruptSignal | null = null;
  /**
   * Set for a VU on a thread of its own (sync mode): whether its worker interrupted the running
   * iteration, which it cannot signal through `signal` while this thread blocks.
   */
  interruptedFromOutside: (() => boolean) | null = null;
  /** exec.vu.tags / exec.vu.metrics.tags: set by the script, on every sample of this VU. */
  readonly vuTags: Record<string, string> = {};
  /** http.setResponseCallback for this VU; undefined = k6's default (200-399 expected). */
  responseCallback: ResponseCallback | null | undefined = undefined;
  /** k6/http's jar of this VU (http.cookieJar()), emptied after every iteration unless options.noCookiesReset. */
  readonly cookieJar = new CookieJar();
  readonly env: Record<string, string>;
  readonly closers: Array<() => void | Promise<void>> = [];
  /**
   * This VU's `Math` (the script sees it as the global): a copy of the built-in, so that
   * randomSeed() seeds this VU's Math.random only, as in k6 where every VU has its own runtime.
   */
  readonly math: Math = Object.defineProperties({}, Object.getOwnPropertyDescriptors(Math)) as Math;
  private tagCache: Tags | null = null;
  private readonly tagsByGroup = new Map<string, Tags>();
  /** Blocking calls (k6's sleep, the rewritten sync calls) this VU is in: its timers wait for 0. */
  private blockingDepth = 0;
  /** k6/timers callbacks that came due while the VU was in a blocking call, in order. */
  private held: Array<() => void> = [];
  /** The k6/timers callbacks the running iteration waits for (iteration-timers.ts). */
  readonly timers = new IterationTimers((message) => this.host.log('WARN', message));
  /** Sockets of the running iteration (k6/websockets, k6/ws): k6's event loop ends the iteration after them. */
  private readonly loopWork = new Set<Promise<unknown>>();
  /** k6's sleep() promises of the running iteration (async mode): warns when one is never awaited. */
  readonly sleeps = new SleepWatch((message) => this.host.log('WARN', message));

  constructor(
    readonly idInInstance: number,
    readonly idInTest: number,
    readonly host: VuHost,
  ) {
    this.env = { ...host.baseEnv };
  }

  /** Whether the running iteration was interrupted (checked after a blocking call returns). */
  get interrupted(): boolean {
    return this.signal?.aborted === true || this.interruptedFromOutside?.() === true;
  }

  get mode(): ExecutionMode {
    return this.host.mode;
  }

  get metrics() {
    return this.host.sink;
  }

  phase(): VuPhase {
    return this.phaseNow;
  }

  iterationSignal(): InterruptSignal | null {
    return this.signal;
  }

  onClose(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }

  /** options.tags < scenario tags < vu tags, then `scenario` and `group` (k6's order). */
  currentTags(): Tags {
    if (this.tagCache) return this.tagCache;
    let t = this.tagsByGroup.get(this.groupPath);
    if (t === undefined) {
      const own: Record<string, string> = { ...this.host.options.tags };
      if (this.scenario) Object.assign(own, this.scenario.config.tags);
      Object.assign(own, this.vuTags);
      if (this.scenario) own.scenario = this.scenario.config.name;
      own.group = this.groupPath;
      t = Object.freeze(own);
      if (this.tagsByGroup.size >= 1000) this.tagsByGroup.clear();
      this.tagsByGroup.set(this.groupPath, t);
    }
    this.tagCache = t;
    return t;
  }

  /** The scenario or the VU's tags changed: every cached tag set is stale. */
  invalidateTags(): void {
    this.tagCache = null;
    this.tagsByGroup.clear();
  }

  /** Entering or leaving a group: tag sets are kept per group path (the same object every time). */
  setGroup(path: string): void {
    this.groupPath = path;
    this.tagCache = null;
  }

  /** Throws InterruptError when the running iteration was interrupted. */
  checkInterrupted(): void {
    if (this.signal?.aborted) throw new InterruptError();
  }

  /** Work the running iteration waits for before it ends (a rejection fails the iteration). */
  keepIterationAlive(p: Promise<unknown>): void {
    this.loopWork.add(p);
    const done = () => void this.loopWork.delete(p);
    p.then(done, done);
  }

  /** Whether a socket of the running iteration is still open. */
  hasLoopWork(): boolean {
    return this.loopWork.size > 0;
  }

  /** Resolves once every kept-alive piece of work settled; rejects with the first failure. */
  async settleLoopWork(): Promise<void> {
    while (this.loopWork.size > 0) await Promise.all([...this.loopWork]);
  }

  /** The error init-only APIs throw outside the init context. */
  initOnly(what: string): void {
    if (this.phaseNow !== 'init')
      throw new Error(`${what} can only be called in the init context (the top level of the script)`);
  }

  /** k6's sleep(): `wait`, and in an async-mode iteration a promise that is checked for a missing `await`. */
  sleep(ms: number): Promise<void> | undefined {
    if (this.host.blockingWait || this.phaseNow !== 'iteration') return this.hold(this.wait(ms));
    const p = this.wait(ms, SleepPromise as unknown as PromiseConstructor) as SleepPromise;
    this.sleeps.track(p);
    return this.hold(p);
  }

  /**
   * Marks the VU as in a blocking call until `p` settles (k6 blocks the VU's event loop there):
   * timers due meanwhile run after it (see `whenFree`). Returns `p` itself; a plain value passes.
   * Subscribes with Promise.prototype.then so that a SleepPromise does not count as awaited.
   */
  hold<T>(p: T): T {
    if (!(p instanceof Promise)) return p;
    this.blockingDepth++;
    const release = () => {
      if (--this.blockingDepth === 0 && this.held.length > 0) setImmediate(() => this.flushHeld());
    };
    void Promise.prototype.then.call(p, release, release); // both outcomes handled
    return p;
  }

  /** Runs `fn` now, or after the blocking call the VU is in (a k6/timers callback). */
  whenFree(fn: () => void): void {
    if (this.blockingDepth === 0) fn();
    else this.held.push(fn);
  }

  private flushHeld(): void {
    while (this.blockingDepth === 0 && this.held.length > 0) {
      const fn = this.held.shift()!;
      try {
        fn();
      } catch (err) {
        this.host.log(
          'ERRO',
          `a k6/timers callback threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
      }
    }
  }

  /** Waits `ms`: a promise in async mode, a blocking wait in sync mode. */
  wait(ms: number, Ctor: PromiseConstructor = Promise): Promise<void> | undefined {
    if (this.host.blockingWait) {
      if (!this.host.blockingWait(ms)) throw new InterruptError();
      return undefined;
    }
    if (this.host.mode === 'sync' && this.phaseNow !== 'iteration') {
      // setup/teardown/handleSummary of a sync-mode script run on the parent's VU, whose blocking
      // HTTP already blocks this thread (sync-http.ts): sleep blocks it too, as under k6
      Atomics.wait(SLEEPER, 0, 0, ms);
      return undefined;
    }
    // Never back before `ms` (k6's sleep never is): a plain timer can fire up to 1 ms early.
    return delay(ms, this.signal, () => new InterruptError(), Ctor);
  }
}

/** Nothing ever notifies it: Atomics.wait on it is a plain blocking sleep. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** The VuState behind a VuContext handed to a module of this room. */
export function stateOf(vu: VuContext): VuState {
  if (!(vu instanceof VuState)) throw new Error('this module needs the engine runtime VU context');
  return vu;
}
