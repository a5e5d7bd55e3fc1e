/**
 * Finds `sleep(x)` calls whose promise is never awaited in async mode. Under k6 `sleep` blocks;
 * under the engine's async mode it returns a promise, so a forgotten `await` means the VU never
 * pauses (and a loop that never yields starves its worker thread: no metrics flush, no timers).
 *
 * A sleep promise is "observed" once its `then` is called: `await p`, `p.then(...)`,
 * `Promise.all([p])`, `p.catch(...)` all do (they call it from a microtask at the latest).
 * The check runs at the end of each iteration (any unobserved sleep of that iteration), and
 * synchronously when a VU piles up many unobserved sleeps without a single microtask checkpoint
 * (a loop that never yields never reaches the end of its iteration).
 */

export const UNAWAITED_SLEEP_WARNING =
  'sleep() returned a promise that was not awaited: under the Node engine write `await sleep(x)` in async functions';

/** Unobserved sleeps of one turn (no microtask checkpoint in between) that mean a loop that never yields. */
const FLOOD = 1000;

/** A promise that records whether anyone subscribed to it. Derived promises are plain ones. */
export class SleepPromise extends Promise<void> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  observed = false;

  override then<A = void, B = never>(
    onOk?: ((v: void) => A | PromiseLike<A>) | null,
    onErr?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.observed = true;
    return super.then(onOk, onErr);
  }
}

/** One per VU: the sleep promises of the running iteration. */
export class SleepWatch {
  private pending: SleepPromise[] = [];
  private sameTurn = 0;
  private checkpointQueued = false;
  private static warned = false;

  constructor(private readonly warn: (message: string) => void) {}

  /** Registers a sleep promise of the running iteration. */
  track(p: SleepPromise): void {
    if (SleepWatch.warned) return;
    this.pending.push(p);
    this.sameTurn++;
    if (!this.checkpointQueued) {
      this.checkpointQueued = true;
      queueMicrotask(() => {
        this.checkpointQueued = false;
        this.sameTurn = 0;
      });
    }
    if (this.sameTurn === FLOOD && this.pending.slice(-FLOOD).every((x) => !x.observed)) this.report();
    else if (this.pending.length >= FLOOD) this.pending = this.pending.filter((x) => !x.observed);
  }

  /** Called when an iteration ends: warns (once per thread) if one of its sleeps was never awaited. */
  endIteration(): void {
    if (this.pending.length === 0) return;
    const unobserved = this.pending.some((x) => !x.observed);
    this.pending = [];
    if (unobserved) this.report();
  }

  private report(): void {
    this.pending = [];
    if (SleepWatch.warned) return;
    SleepWatch.warned = true;
    this.warn(UNAWAITED_SLEEP_WARNING);
  }
}
