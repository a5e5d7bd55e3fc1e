/**
 * The outbox scenario's bookkeeping (methodology §8), pure and k6-free so it is
 * unit-tested under Node: which events were seen, whether each aggregate's events came
 * in order, and which events the outbox table holds that Kafka never delivered.
 */

/** The event envelope the service publishes (value of each Kafka record). */
export interface OutboxEvent { event_id: string; event_type: string; aggregate_id: string; occurred_at: string }

/** One row of this run's requests joined with their outbox events (nulls: a request without any event). */
export interface OutboxRow { id: string; status: string; event_id: string | null; created_ms: number | null }

export type OrderViolation = 'key' | 'created_after_terminal' | 'terminal_before_created';

export const CREATED = 'llm.request.created.v1';

/**
 * Per aggregate: `created` must come before `completed`/`failed`, and the record key must
 * be the aggregate id (the key is what keeps one aggregate's events on one partition, in order).
 */
export class OrderTracker {
  readonly seenEventIds = new Set<string>();
  private readonly state = new Map<string, { created: boolean; terminal: boolean }>();

  /** Folds one event in; returns 'duplicate' for an event id seen before, else the violations it shows. */
  take(event: OutboxEvent, key: string): OrderViolation[] | 'duplicate' {
    if (this.seenEventIds.has(event.event_id)) return 'duplicate';
    this.seenEventIds.add(event.event_id);
    const out: OrderViolation[] = [];
    if (key !== event.aggregate_id) out.push('key');
    const s = this.state.get(event.aggregate_id) ?? { created: false, terminal: false };
    if (event.event_type === CREATED) {
      if (s.terminal) out.push('created_after_terminal');
      s.created = true;
    } else {
      if (!s.created) out.push('terminal_before_created');
      s.terminal = true;
    }
    this.state.set(event.aggregate_id, s);
    return out;
  }
}

/**
 * Events lost: requests with no outbox event at all, and outbox events older than
 * `graceMs` (time for the relay to poll and publish) that were never seen.
 */
export function countMissing(rows: OutboxRow[], seen: ReadonlySet<string>, now: number, graceMs: number): number {
  return rows.filter((r) => r.event_id === null || (!seen.has(r.event_id) && (r.created_ms ?? 0) < now - graceMs)).length;
}

/** Every request finished (completed or failed) and every one of its events seen: nothing more to wait for. */
export function isSettled(rows: OutboxRow[], seen: ReadonlySet<string>): boolean {
  return rows.length > 0 &&
    rows.every((r) => (r.status === 'completed' || r.status === 'failed') && r.event_id !== null && seen.has(r.event_id));
}
