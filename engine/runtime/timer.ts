/**
 * A timer that never fires before `ms` have passed on performance.now(), as Go's timers behind k6's
 * sleep() and scenario deadlines never do. Node's timers run on libuv's loop time, which is kept in
 * whole milliseconds and read once per loop turn, so setTimeout(fn, ms) can fire up to a
 * millisecond early by performance.now(); this one re-arms for what is left.
 */
export class AtLeastTimer {
  private handle: NodeJS.Timeout;

  constructor(ms: number, fn: () => void) {
    const at = performance.now() + ms;
    const fire = () => {
      const left = at - performance.now();
      if (left > 0) this.handle = setTimeout(fire, left);
      else fn();
    };
    this.handle = setTimeout(fire, ms);
  }

  cancel(): void {
    clearTimeout(this.handle);
  }
}
