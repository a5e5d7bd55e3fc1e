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
import { countMissing, isSettled, OrderTracker, type OutboxEvent, type OutboxRow } from './lib/outbox-check.ts';
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

/** Reads one record: the envelope and its key, or null for a record that is not one of the service's events. */
function decode(message: Message): { event: OutboxEvent; key: string } | null {
  try {
    const event = JSON.parse(serdes.deserialize({ data: message.value ?? new Uint8Array(), schemaType: SCHEMA_TYPE_STRING }) as string) as OutboxEvent;
    const key = message.key ? (serdes.deserialize({ data: message.key, schemaType: SCHEMA_TYPE_STRING }) as string) : '';
    return typeof event?.event_id === 'string' ? { event, key } : null;
  } catch {
    return null;
  }
}

/** Folds one record in: this run's events only (occurred since `since`), deduplicated on event_id. */
function take(tracker: OrderTracker, message: Message, since: number): void {
  const decoded = decode(message);
  if (!decoded) return;
  const occurred = Date.parse(decoded.event.occurred_at);
  if (!(occurred >= since)) return; // an earlier run's event
  const result = tracker.take(decoded.event, decoded.key);
  if (result === 'duplicate') {
    duplicates.add(1);
    return;
  }
  consumed.add(1, { event_type: decoded.event.event_type });
  publishLag.add(Date.parse(message.time) - occurred);
  for (const reason of result) orderViolations.add(1, { reason });
}

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

export async function consumer(data: Setup): Promise<void> {
  const reader = new Reader({ brokers: kafkaBrokers(), groupID: `k6-outbox-${data.runId}`, groupTopics: [kafkaTopic()], maxWait: '1s' });
  const tracker = new OrderTracker();
  const since = data.startedAt - 1000;
  const businessEnd = data.startedAt + durationMs(DURATION) + 5000; // + the business scenario's gracefulStop
  const deadline = businessEnd + durationMs(WAIT);
  orderViolations.add(0);
  try {
    while (Date.now() < deadline) {
      const messages = await reader.consume({ limit: 500, expectTimeout: true, nanoPrecision: true });
      for (const m of messages) take(tracker, m, since);
      if (Date.now() > businessEnd && isSettled(await outboxRows(data.runId), tracker.seenEventIds)) break;
    }
    const rows = await outboxRows(data.runId);
    const lost = countMissing(rows, tracker.seenEventIds, Date.now(), PUBLISH_GRACE_MS);
    eventsLost.add(lost);
    check(lost, { 'no outbox event lost': (n) => n === 0 });
    if (SHORT || lost > 0) console.log(`outbox: ${rows.length} outbox rows for this run, ${tracker.seenEventIds.size} events seen, ${lost} lost`);
  } finally {
    await reader.close();
  }
}

export async function teardown(): Promise<void> {
  await db.close();
}
