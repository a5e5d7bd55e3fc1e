/**
 * k6's concurrency of one `http.batch()` (lib/netext/httpext/batch.go, MakeBatchRequests):
 * min(n, batch) workers take the requests in the caller's order; each waits for a slot of its
 * request's host (`batchPerHost`, 0: no limit) before sending it, and takes the next request once
 * it is answered. So at most `batch` requests are in flight, at most `batchPerHost` to one host,
 * and a new one starts as soon as one ends. The results keep the caller's order.
 */

export interface BatchLimits {
  /** k6's `batch` (default 20): requests of one batch in flight at once. */
  batch: number;
  /** k6's `batchPerHost` (default 6): to one host; 0 for no limit. */
  batchPerHost: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { batch: 20, batchPerHost: 6 };

/** The host (with its port, as Go's URL.Host) that `batchPerHost` counts by. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A host's slots: how many are taken, and the workers waiting for one (first come, first served). */
interface HostSlots {
  taken: number;
  waiting: Array<() => void>;
}

/**
 * Runs `send(i)` for i in [0, n) under `limits`; `host(i)` names request i's host. Settles with
 * the results in index order, or rejects with the first rejection (no further request starts then).
 */
export function runLimited<T>(
  n: number,
  limits: BatchLimits,
  host: (i: number) => string,
  send: (i: number) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(n);
  const perHost = limits.batchPerHost;
  if (n <= limits.batch && perHost === 0) return Promise.all(Array.from({ length: n }, (_, i) => send(i)));
  const hosts = new Map<string, HostSlots>();
  let next = 0;
  let failed = false;
  const acquire = (h: string): Promise<void> | null => {
    let s = hosts.get(h);
    if (s === undefined) hosts.set(h, (s = { taken: 0, waiting: [] }));
    if (s.taken < perHost) {
      s.taken++;
      return null;
    }
    return new Promise((resolve) => s.waiting.push(resolve));
  };
  const release = (h: string): void => {
    const s = hosts.get(h)!;
    const wake = s.waiting.shift();
    if (wake)
      wake(); // the slot passes to the waiting worker
    else s.taken--;
  };
  const worker = async (): Promise<void> => {
    while (!failed && next < n) {
      const i = next++;
      const h = perHost > 0 ? host(i) : '';
      if (perHost > 0) {
        const wait = acquire(h);
        if (wait !== null) await wait;
        if (failed) return release(h);
      }
      try {
        out[i] = await send(i);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        if (perHost > 0) release(h);
      }
    }
  };
  const workers = Math.min(n, limits.batch);
  return Promise.all(Array.from({ length: workers }, worker)).then(() => out);
}
