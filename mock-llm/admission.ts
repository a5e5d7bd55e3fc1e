/**
 * The concurrency cap: at most `limit` requests generate at once, the rest wait in
 * FIFO order (limit 0 = no cap). A waiter whose client leaves is removed.
 */
export interface Waiter {
  run: () => void;
  cancelled: boolean;
  started: boolean;
}

export class Admission {
  private running = 0;
  private queue: Waiter[] = [];
  private head = 0;

  constructor(public limit: number) {}

  get depth(): number {
    return this.queue.length - this.head;
  }

  /** Runs `run` now or when a slot frees; the returned waiter can be cancelled while queued. */
  acquire(run: () => void): Waiter {
    const waiter: Waiter = { run, cancelled: false, started: false };
    if (this.limit === 0 || this.running < this.limit) {
      this.running++;
      waiter.started = true;
      run();
    } else {
      this.queue.push(waiter);
    }
    return waiter;
  }

  /** Gives a slot back and starts the next live waiter. */
  release(): void {
    this.running--;
    this.drain();
  }

  /** True while the waiter waits for a slot. */
  isQueued(waiter: Waiter): boolean {
    return !waiter.started && !waiter.cancelled;
  }

  /** Cancels a queued waiter (no-op once it runs). */
  cancel(waiter: Waiter): void {
    if (waiter.cancelled) return;
    const idx = this.queue.indexOf(waiter, this.head);
    if (idx >= 0) {
      waiter.cancelled = true;
      this.queue.splice(idx, 1);
    }
  }

  /** Re-reads the limit after a config change and admits whoever now fits. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  /** Drops every waiter (on stop). */
  clear(): void {
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.cancelled = true;
    this.queue = [];
    this.head = 0;
  }

  private drain(): void {
    while (this.depth > 0 && (this.limit === 0 || this.running < this.limit)) {
      const next = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.running++;
      next.started = true;
      next.run();
    }
  }
}
