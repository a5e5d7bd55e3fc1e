/**
 * The outbox scenario's bookkeeping (methodology §8), pure and k6-free so it is
 * unit-tested under Node.
 *
 * The truth it checks: every request the service accepted (every llm_requests row of the
 * run: the 202 is returned after the row and its `created` outbox event commit) has, on
 * Kafka, exactly one `created` event and exactly one terminal event (`completed` or
 * `failed`), `created` first, each keyed by the aggregate id. The ledger folds in what
 * the consumer read; `account` compares it with the accepted requests:
 *
 *   lost        events missing on Kafka: a request without `created` counts 1, a request
 *               without a terminal event counts 1 (a request whose worker never ran is
 *               missing its terminal event: it is lost, not "not yet an event row")
 *   duplicates  `redelivered`: the same event_id delivered again (the relay is
 *               at-least-once; consumers deduplicate on event_id);
 *               `extra`: a second distinct `created` or terminal event for one aggregate
 *               (two outcomes for one request: a real duplicate)
 *   order       per aggregate: a terminal event before `created`, `created` after a
 *               terminal event, or a record keyed by another id
 * Events of aggregates that are not this run's accepted requests are left out.
 */

/** The event envelope the service publishes (value of each Kafka record). */
export interface OutboxEvent {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  occurred_at: string;
}

/** One accepted request of this run, as PostgreSQL holds it. */
export interface RequestRow {
  id: string;
  status: string;
}

export type OrderViolation = 'key' | 'created_after_terminal' | 'terminal_before_created';

export const CREATED = 'llm.request.created.v1';
export const TERMINAL_TYPES: ReadonlySet<string> = new Set(['llm.request.completed.v1', 'llm.request.failed.v1']);

/** What Kafka delivered for one aggregate. */
interface AggregateState {
  created: number;
  terminal: number;
  redelivered: number;
  violations: OrderViolation[];
}

export type TakeResult = 'duplicate' | 'ignored' | OrderViolation[];

/** Every event read from Kafka, per aggregate, in arrival order. */
export class EventLedger {
  private readonly seen = new Set<string>();
  private readonly aggregates = new Map<string, AggregateState>();

  get eventsSeen(): number {
    return this.seen.size;
  }

  /** Folds one event in: 'duplicate' for an event id seen before, 'ignored' for an unknown type, else its order violations. */
  take(event: OutboxEvent, key: string): TakeResult {
    const s = this.stateOf(event.aggregate_id);
    if (this.seen.has(event.event_id)) {
      s.redelivered++;
      return 'duplicate';
    }
    const terminal = TERMINAL_TYPES.has(event.event_type);
    if (event.event_type !== CREATED && !terminal) return 'ignored';
    this.seen.add(event.event_id);
    const out: OrderViolation[] = [];
    if (key !== event.aggregate_id) out.push('key');
    if (terminal) {
      if (s.created === 0) out.push('terminal_before_created');
      s.terminal++;
    } else {
      if (s.terminal > 0) out.push('created_after_terminal');
      s.created++;
    }
    s.violations.push(...out);
    return out;
  }

  /** What was seen for one aggregate (zeros when nothing). */
  of(aggregateId: string): Readonly<AggregateState> {
    return this.aggregates.get(aggregateId) ?? { created: 0, terminal: 0, redelivered: 0, violations: [] };
  }

  private stateOf(aggregateId: string): AggregateState {
    let s = this.aggregates.get(aggregateId);
    if (!s) {
      s = { created: 0, terminal: 0, redelivered: 0, violations: [] };
      this.aggregates.set(aggregateId, s);
    }
    return s;
  }
}

export interface OutboxAccount {
  /** Requests of this run in PostgreSQL (every one was accepted). */
  accepted: number;
  /** Accepted requests not completed/failed in PostgreSQL when counted. */
  unfinished: number;
  createdSeen: number;
  terminalSeen: number;
  missingCreated: number;
  missingTerminal: number;
  /** missingCreated + missingTerminal: events that never reached Kafka. */
  lost: number;
  redelivered: number;
  extra: number;
  orderViolations: number;
  violationsByReason: Record<OrderViolation, number>;
}

const isFinished = (status: string) => status === 'completed' || status === 'failed';

/** Compares the accepted requests with what the ledger saw on Kafka. */
export function account(requests: readonly RequestRow[], ledger: EventLedger): OutboxAccount {
  const a: OutboxAccount = {
    accepted: requests.length,
    unfinished: 0,
    createdSeen: 0,
    terminalSeen: 0,
    missingCreated: 0,
    missingTerminal: 0,
    lost: 0,
    redelivered: 0,
    extra: 0,
    orderViolations: 0,
    violationsByReason: { key: 0, created_after_terminal: 0, terminal_before_created: 0 },
  };
  for (const r of requests) {
    if (!isFinished(r.status)) a.unfinished++;
    const s = ledger.of(r.id);
    if (s.created > 0) a.createdSeen++;
    else a.missingCreated++;
    if (s.terminal > 0) a.terminalSeen++;
    else a.missingTerminal++;
    a.redelivered += s.redelivered;
    a.extra += Math.max(0, s.created - 1) + Math.max(0, s.terminal - 1);
    for (const v of s.violations) a.violationsByReason[v]++;
    a.orderViolations += s.violations.length;
  }
  a.lost = a.missingCreated + a.missingTerminal;
  return a;
}

/** Every accepted request has its created and a terminal event on Kafka: nothing more to wait for. */
export function isSettled(requests: readonly RequestRow[], ledger: EventLedger): boolean {
  return (
    requests.length > 0 &&
    requests.every((r) => {
      const s = ledger.of(r.id);
      return s.created > 0 && s.terminal > 0;
    })
  );
}

/** The one-line account the scenario prints. */
export function formatAccount(a: OutboxAccount): string {
  return (
    `outbox: ${a.accepted} accepted, ${a.createdSeen} created seen, ${a.terminalSeen} terminal seen, ` +
    `${a.lost} lost (${a.missingCreated} without created, ${a.missingTerminal} without a terminal event); ` +
    `postgres: ${a.unfinished} accepted requests not completed/failed; ` +
    `${a.redelivered} redelivered, ${a.extra} extra events, ${a.orderViolations} order violations`
  );
}
