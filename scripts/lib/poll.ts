/**
 * Polling a submitted request until it is finished (completed or failed) or a bounded
 * wait runs out. The end-to-end time is measured by the caller from its submit.
 */
import { getRequest, type RequestView, type Tags } from './requests.ts';
import { pause } from './timers.ts';

export type Outcome = 'completed' | 'failed' | 'timeout';

export interface Finished {
  outcome: Outcome;
  view: RequestView | null;
  polls: number;
}

export interface PollOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Seconds between polls. */
  intervalS?: number;
  tags?: Tags;
}

export async function waitForCompletion(id: string, o: PollOptions): Promise<Finished> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalS ?? 0.1;
  let polls = 0;
  let view: RequestView | null = null;
  while (Date.now() < deadline) {
    const reply = await getRequest(id, o.tags);
    polls++;
    view = reply.body;
    if (view?.status === 'completed' || view?.status === 'failed') return { outcome: view.status, view, polls };
    await pause(interval);
  }
  return { outcome: 'timeout', view, polls };
}

/** Waits for several requests at once (a batch's items); resolves when every one is finished or timed out. */
export function waitForAll(ids: string[], o: PollOptions): Promise<Finished[]> {
  return Promise.all(ids.map((id) => waitForCompletion(id, o)));
}
