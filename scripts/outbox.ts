/**
 * Outbox pattern testing (methodology §8): a business operation plus its outbox events,
 * observed where consumers see them — on Kafka.
 *
 * `business` submits requests at a steady rate (POST /v1/requests writes the request
 * row and its `llm.request.created.v1` event in one transaction; the worker later writes
 * `completed` or `failed` with the result). `consumer` (one VU) reads the topic through
 * `k6/x/kafka` as a fresh consumer group while that happens, then — after a bounded wait
 * — compares what it saw with what the outbox table holds for this run's requests (read
 * through `k6/x/sql`):
 *
 *   outbox_publish_lag       Trend, Kafka record time - event occurred_at (ms)
 *   outbox_events_lost       Counter, events in the outbox (or requests without any event)
 *                            never seen on Kafka within the wait                     == 0
 *   outbox_order_violations  Counter, per aggregate: completed/failed seen before created,
 *                            created after them, or a record keyed by another id    == 0
 *   outbox_events_consumed   Counter by event_type;  outbox_duplicates  Counter (the relay
 *                            is at-least-once; duplicates are deduplicated on event_id)
 *   outbox_submit_success    Rate of accepted submissions
 *
 * Env: BASE_URL, KAFKA_BROKERS, DATABASE_URL (required), KAFKA_TOPIC (default
 * llm.requests.events), RATE (default 5/s), DURATION (default 15s; 6s short),
 * OUTBOX_WAIT (bounded wait after the business phase, default 30s; 10s short).
 */
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { Reader, SCHEMA_TYPE_STRING, SchemaRegistry, type Message } from 'k6/x/kafka';
import sql from 'k6/x/sql';
import driver from 'k6/x/sql/driver/postgres';
import { databaseUrl, durationMs, kafkaBrokers, kafkaTopic, numberEnv, phase, SHORT } from './lib/config.ts';
import { prompt, uniqueSuffix } from './lib/data.ts';
import { submitRequest } from './lib/requests.ts';

const publishLag = new Trend('outbox_publish_lag', true);
const eventsLost = new Counter('outbox_events_lost');
const orderViolations = new Counter('outbox_order_violations');
const consumed = new Counter('outbox_events_consumed');
const duplicates = new Counter('outbox_duplicates');
const submitSuccess = new Rate('outbox_submit_success');

const RATE = numberEnv('RATE', 5);
const DURATION = phase('15s', '6s');
const WAIT = phase('30s', '10s', 'OUTBOX_WAIT');
/** An event must have been in the outbox this long before it counts as lost (relay poll + publish). */
const PUBLISH_GRACE_MS = 2000;

const db = sql.open(driver, databaseUrl());
const serdes = new SchemaRegistry();

export const options = {
  scenarios: {
    business: {
      executor: 'constant-arrival-rate', exec: 'business', rate: RATE, timeUnit: '1s', duration: DURATION,
      preAllocatedVUs: Math.ceil(RATE * 2), maxVUs: Math.ceil(RATE * 10), gracefulStop: '5s',
    },
    consumer: {
      executor: 'per-vu-iterations', exec: 'consumer', vus: 1, iterations: 1,
      maxDuration: `${Math.ceil((durationMs(DURATION) + durationMs(WAIT)) / 1000) + 30}s`,
    },
  },
};

interface Setup { runId: string; startedAt: number }

export async function setup(): Promise<Setup> {
  return { runId: uniqueSuffix(), startedAt: Date.now() };
}

export async function business(data: Setup): Promise<void> {
  const request = { client_request_id: `outbox-${data.runId}-${uniqueSuffix()}`, messages: [{ role: 'user' as const, content: prompt('quick', 1) }], mode: 'quick' as const };
  const { res } = await submitRequest(request);
  submitSuccess.add(check(res, { 'submit status is 202': (r) => r.status === 202 }));
}

interface OutboxEvent { event_id: string; event_type: string; aggregate_id: string; occurred_at: string }
interface AggregateState { created: boolean; terminal: boolean }

/** What one consumer has seen so far: event ids, and per aggregate which events arrived. */
class Observed {
  readonly eventIds = new Set<string>();
  readonly aggregates = new Map<string, AggregateState>();

  constructor(private readonly since: number) {}

  take(message: Message): void {
    const text = serdes.deserialize({ data: message.value ?? new Uint8Array(), schemaType: SCHEMA_TYPE_STRING }) as string;
    let event: OutboxEvent;
    try {
      event = JSON.parse(text) as OutboxEvent;
    } catch {
      return; // not one of the service's events
    }
    const occurred = Date.parse(event.occurred_at);
    if (!(occurred >= this.since)) return; // an earlier run's event
    if (this.eventIds.has(event.event_id)) {
      duplicates.add(1);
      return;
    }
    this.eventIds.add(event.event_id);
    consumed.add(1, { event_type: event.event_type });
    publishLag.add(Date.parse(message.time) - occurred);
    this.checkOrder(event, message);
  }

  private checkOrder(event: OutboxEvent, message: Message): void {
    const key = message.key ? (serdes.deserialize({ data: message.key, schemaType: SCHEMA_TYPE_STRING }) as string) : '';
    if (key !== event.aggregate_id) orderViolations.add(1, { reason: 'key' });
    const state = this.aggregates.get(event.aggregate_id) ?? { created: false, terminal: false };
    if (event.event_type === 'llm.request.created.v1') {
      if (state.terminal) orderViolations.add(1, { reason: 'created_after_terminal' });
      state.created = true;
    } else {
      if (!state.created) orderViolations.add(1, { reason: 'terminal_before_created' });
      state.terminal = true;
    }
    this.aggregates.set(event.aggregate_id, state);
  }
}

interface OutboxRow { id: string; status: string; event_id: string | null; created_ms: number | null }

/** This run's requests joined with their outbox events (one row per event; a request without any gives one row with nulls). */
async function outboxRows(runId: string): Promise<OutboxRow[]> {
  const rows = await db.query(
    `SELECT r.id::text AS id, r.status, e.event_id::text AS event_id,
            (extract(epoch FROM e.created_at) * 1000)::float8 AS created_ms
       FROM llm_requests r LEFT JOIN outbox_events e ON e.aggregate_id = r.id::text
      WHERE r.client_request_id LIKE $1`,
    `outbox-${runId}-%`,
  );
  return rows as unknown as OutboxRow[];
}

/** Events the consumer should have seen by now but has not (or requests with no event at all). */
function missing(rows: OutboxRow[], seen: Observed, now: number): number {
  return rows.filter((r) => r.event_id === null || (!seen.eventIds.has(r.event_id) && (r.created_ms ?? 0) < now - PUBLISH_GRACE_MS)).length;
}

const settled = (rows: OutboxRow[], seen: Observed) =>
  rows.length > 0 && rows.every((r) => (r.status === 'completed' || r.status === 'failed') && r.event_id !== null && seen.eventIds.has(r.event_id));

export async function consumer(data: Setup): Promise<void> {
  const reader = new Reader({ brokers: kafkaBrokers(), groupID: `k6-outbox-${data.runId}`, groupTopics: [kafkaTopic()], maxWait: '1s' });
  const seen = new Observed(data.startedAt - 1000);
  const businessEnd = data.startedAt + durationMs(DURATION) + 5000; // + the business scenario's gracefulStop
  const deadline = businessEnd + durationMs(WAIT);
  orderViolations.add(0);
  try {
    while (Date.now() < deadline) {
      const messages = await reader.consume({ limit: 500, expectTimeout: true, nanoPrecision: true });
      for (const m of messages) seen.take(m);
      if (Date.now() > businessEnd && settled(await outboxRows(data.runId), seen)) break;
    }
    const rows = await outboxRows(data.runId);
    const lost = missing(rows, seen, Date.now());
    eventsLost.add(lost);
    check(lost, { 'no outbox event lost': (n) => n === 0 });
    if (SHORT || lost > 0) console.log(`outbox: ${rows.length} outbox rows for this run, ${seen.eventIds.size} events seen, ${lost} lost`);
  } finally {
    await reader.close();
  }
}

export async function teardown(): Promise<void> {
  await db.close();
}
