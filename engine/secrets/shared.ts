/**
 * What the threads of one engine run share about secrets, as k6's one process shares them: the
 * values fetched so far (k6's Manager caches a value per source and key for the whole process, and
 * its one log hook redacts every value handed out, whichever VU asked) and each url source's rate
 * limiter. It lives in one growable SharedArrayBuffer that the parent creates (plan.ts) and every
 * thread attaches to, so a value fetched on one thread is known to all before the get() that
 * fetched it resolves: any log line written after that, on any thread, can redact it.
 *
 * Layout of the buffer (bytes):
 *
 *     0             Int32    lock: 0 free, 1 held (Atomics; held for a few microseconds)
 *     4             Int32    used: bytes of the entry log written so far
 *     8             Float64  × MAX_LIMITERS: each url source's theoretical arrival time (epoch ms)
 *     HEADER_BYTES  the entry log, append-only: records of [Uint32 length][UTF-8 JSON
 *                   [sourceId, key, value]]; `used` is stored after a record's bytes, so a reader
 *                   that loads it sees whole records only
 */

/** url sources with a shared limiter: one per `--secret-source` flag, by its position. */
export const MAX_LIMITERS = 256;
const HEADER_BYTES = 8 + 8 * MAX_LIMITERS;
const INITIAL_BYTES = HEADER_BYTES + 64 * 1024;
/** Address space reserved for the entry log; memory is used only as it grows. */
const MAX_BYTES = 256 * 1024 * 1024;

/** Growable SharedArrayBuffers (ES2024, in Node 20's V8; TypeScript's lib here predates them). */
type Growable = SharedArrayBuffer & { grow(byteLength: number): void };
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => Growable;

/** Epoch milliseconds that agree between threads (each thread's performance.now() has its own origin). */
const epochNow = (): number => performance.timeOrigin + performance.now();

export class SharedSecrets {
  private readonly words: Int32Array;
  private readonly arrivals: Float64Array;
  private readonly bytes: Uint8Array;
  /** Bytes of the entry log this thread has read. */
  private seen = 0;
  private readonly entries = new Map<number, Map<string, string>>();
  private readonly known = new Set<string>();

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 2);
    this.arrivals = new Float64Array(buffer, 8, MAX_LIMITERS);
    this.bytes = new Uint8Array(buffer); // length-tracking: follows the buffer as it grows
  }

  static create(): SharedSecrets {
    return new SharedSecrets(new GrowableSharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES }));
  }

  /** Reads the records other threads appended since the last call; true when there were any. */
  refresh(): boolean {
    const used = Atomics.load(this.words, 1);
    if (used === this.seen) return false;
    const view = new DataView(this.buffer);
    const decoder = new TextDecoder();
    let at = this.seen;
    while (at < used) {
      const length = view.getUint32(HEADER_BYTES + at);
      const start = HEADER_BYTES + at + 4;
      const [source, key, value] = JSON.parse(decoder.decode(this.bytes.slice(start, start + length))) as [
        number,
        string,
        string,
      ];
      this.note(source, key, value);
      at += 4 + length;
    }
    this.seen = used;
    return true;
  }

  /** The value of `key` in source `source` that some thread fetched, if any. */
  lookup(source: number, key: string): string | undefined {
    this.refresh();
    return this.entries.get(source)?.get(key);
  }

  /** Every value fetched so far, on any thread (as of the last refresh()). */
  get values(): ReadonlySet<string> {
    return this.known;
  }

  /**
   * Publishes a fetched value to every thread. Returns false when the buffer is full (256 MiB of
   * secrets): the value then stays known to this thread only.
   */
  publish(source: number, key: string, value: string): boolean {
    const record = new TextEncoder().encode(JSON.stringify([source, key, value]));
    this.lock();
    let ok = true;
    try {
      const used = Atomics.load(this.words, 1);
      const end = HEADER_BYTES + used + 4 + record.length;
      if (end > this.buffer.byteLength) {
        const size = Math.min(MAX_BYTES, Math.max(end, this.buffer.byteLength * 2));
        if (end > size) ok = false;
        else (this.buffer as Growable).grow(size);
      }
      if (ok) {
        new DataView(this.buffer).setUint32(HEADER_BYTES + used, record.length);
        this.bytes.set(record, HEADER_BYTES + used + 4);
        Atomics.store(this.words, 1, used + 4 + record.length);
      }
    } finally {
      this.unlock();
    }
    this.refresh();
    if (!ok) this.note(source, key, value);
    return ok;
  }

  /**
   * Takes one token of limiter `slot` (a token bucket of `burst` tokens, one more every
   * `intervalMs`, full at start, as Go's rate.Limiter behind k6's url source) and returns how long
   * the caller must wait before using it (0 while the bucket has tokens). Written as GCRA: the
   * slot holds the theoretical arrival time of the next request.
   */
  reserve(slot: number, intervalMs: number, burst: number): number {
    this.lock();
    try {
      const now = epochNow();
      const arrival = Math.max(this.arrivals[slot]!, now) + intervalMs;
      this.arrivals[slot] = arrival;
      return Math.max(0, arrival - burst * intervalMs - now);
    } finally {
      this.unlock();
    }
  }

  private note(source: number, key: string, value: string): void {
    let m = this.entries.get(source);
    if (!m) this.entries.set(source, (m = new Map()));
    m.set(key, value);
    this.known.add(value);
  }

  private lock(): void {
    while (Atomics.compareExchange(this.words, 0, 0, 1) !== 0) Atomics.wait(this.words, 0, 1, 1);
  }

  private unlock(): void {
    Atomics.store(this.words, 0, 0);
    Atomics.notify(this.words, 0, 1);
  }
}
