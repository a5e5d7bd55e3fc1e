/**
 * Outbox pattern testing (methodology §8): a business operation plus its outbox events,
 * observed where consumers see them — on Kafka.
 *
 * `business` submits requests at a steady rate (POST /v1/requests writes the request
 * row and its `llm.request.created.v1` event in one transaction, then answers 202; the
 * worker later writes `completed` or `failed` with the result). Once it is over,
 * `teardown` reads the topic through `k6/x/kafka` as a fresh consumer group (from the
 * first offset) until every accepted request (every llm_requests row of this run, read
 * through `k6/x/sql`) has its `created` and a terminal event on Kafka, or OUTBOX_WAIT
 * runs out (the bounded drain wait for requests still in flight), then counts
 * (scripts/lib/outbox-check.ts) and prints a one-line account. The count lives in
 * teardown because teardown also runs when the test is stopped (Ctrl-C, the kit's stack
 * watch when a component dies): a run cut short still reports what it lost. Stopped
 * before the business phase's planned end, it drains for 5 s at most.
 *
 *   outbox_events_lost       Counter, events missing on Kafka: per accepted request, no
 *                            `created` (1) and no completed/failed (1)           == 0
 *   outbox_duplicates        Counter, tag kind:redelivered (same event_id again; the relay
 *                            is at-least-once, consumers dedupe) | kind:extra (a second
 *                            created or terminal event for one request)  {kind:extra} == 0
 *   outbox_order_violations  Counter, per aggregate: terminal before created, created
 *                            after terminal, or a record keyed by another id     == 0
 *   outbox_verified          Counter, 1 when the count above ran to its end     >= 1
 *   outbox_requests_accepted Counter, the accepted requests the count covered   >= 1
 *                            (nothing accepted: "0 lost" would prove nothing)
 *   outbox_publish_lag       Trend, Kafka record timestamp - event occurred_at (ms)
 *   outbox_events_consumed   Counter by event_type
 *   outbox_submit_success    Rate of accepted submissions
 * The three counts are added once, at the end, zeros included: a verification that
 * threw records nothing, and outbox_verified then fails the run (under k6 as well).
 *
 * Env: BASE_URL, KAFKA_BROKERS, DATABASE_URL (required), KAFKA_TOPIC (default
 * llm.requests.events), RATE (default 5/s), DURATION (default 15s; 6s short),
 * OUTBOX_WAIT (bounded drain wait after the business phase, default 30s; 10s short).
 */
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { Reader, SCHEMA_TYPE_STRING, SchemaRegistry, type Message } from 'k6/x/kafka';
import sql from 'k6/x/sql';
import driver from 'k6/x/sql/driver/postgres';
import { databaseUrl, durationMs, kafkaBrokers, kafkaTopic, numberEnv, phase } from './lib/config.ts';
import { prompt, uniqueSuffix } from './lib/data.ts';
import {
  account,
  EventLedger,
  formatAccount,
  isSettled,
  type OutboxEvent,
  type RequestRow,
} from './lib/outbox-check.ts';
import { submitRequest } from './lib/requests.ts';
import { cleanup, verifyInTeardown } from './lib/verify.ts';

const publishLag = new Trend('outbox_publish_lag', true);
const eventsLost = new Counter('outbox_events_lost');
const orderViolations = new Counter('outbox_order_violations');
const duplicates = new Counter('outbox_duplicates');
const verified = new Counter('outbox_verified');
const acceptedCount = new Counter('outbox_requests_accepted');
const consumed = new Counter('outbox_events_consumed');
const submitSuccess = new Rate('outbox_submit_success');

const RATE = numberEnv('RATE', 5);
const DURATION = phase('15s', '6s');
const WAIT = phase('30s', '10s', 'OUTBOX_WAIT');
/** The drain wait of a run stopped before its business phase ended (the stack is likely broken: no point waiting long). */
const STOPPED_WAIT_MS = 5000;

const db = sql.open(driver, databaseUrl());
const serdes = new SchemaRegistry();

export const options = {
  scenarios: {
    business: {
      executor: 'constant-arrival-rate',
      exec: 'business',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.ceil(RATE * 2),
      maxVUs: Math.ceil(RATE * 10),
      gracefulStop: '5s',
    },
  },
  // The drain wait, the consumer group's join and the count all happen in teardown.
  teardownTimeout: `${Math.ceil(durationMs(WAIT) / 1000) + 60}s`,
};

interface Setup {
  runId: string;
  startedAt: number;
}

export async function setup(): Promise<Setup> {
  return { runId: uniqueSuffix(), startedAt: Date.now() };
}

export async function business(data: Setup): Promise<void> {
  const request = {
    client_request_id: `outbox-${data.runId}-${uniqueSuffix()}`,
    messages: [{ role: 'user' as const, content: prompt('quick', 1) }],
    mode: 'quick' as const,
  };
  const { res } = await submitRequest(request);
  submitSuccess.add(check(res, { 'submit status is 202': (r) => r.status === 202 }));
}

/** Reads one record: the envelope and its key, or null for a record that is not one of the service's events. */
function decode(message: Message): { event: OutboxEvent; key: string } | null {
  try {
    const event = JSON.parse(
      serdes.deserialize({ data: message.value ?? new Uint8Array(), schemaType: SCHEMA_TYPE_STRING }) as string,
    ) as OutboxEvent;
    const key = message.key
      ? (serdes.deserialize({ data: message.key, schemaType: SCHEMA_TYPE_STRING }) as string)
      : '';
    return typeof event?.event_id === 'string' && typeof event.aggregate_id === 'string' ? { event, key } : null;
  } catch {
    return null;
  }
}

/** Folds one record in: this run's time span only (occurred since `since`); lag and consumption for first deliveries. */
function take(ledger: EventLedger, message: Message, since: number): void {
  const decoded = decode(message);
  if (!decoded) return;
  const occurred = Date.parse(decoded.event.occurred_at);
  if (!(occurred >= since)) return; // an earlier run's event
  const result = ledger.take(decoded.event, decoded.key);
  if (result === 'duplicate' || result === 'ignored') return;
  consumed.add(1, { event_type: decoded.event.event_type });
  publishLag.add(Date.parse(message.time) - occurred);
}

/** Every request of this run: the service accepted each (its row commits before the 202). */
async function acceptedRequests(runId: string): Promise<RequestRow[]> {
  const rows = await db.query(
    'SELECT id::text AS id, status FROM llm_requests WHERE client_request_id LIKE $1',
    `outbox-${runId}-%`,
  );
  return rows.map((r) => ({ id: String(r.id), status: String(r.status) }));
}

/** Reads Kafka until every accepted request is settled or the drain wait ends (shorter for a run stopped early). */
async function drain(reader: Reader, ledger: EventLedger, data: Setup): Promise<void> {
  const since = data.startedAt - 1000;
  const started = Date.now();
  // The last arrival is due 1/RATE before the end, and an executor may end as soon as it is done: 1 s of slack more.
  const stoppedEarly = started < data.startedAt + durationMs(DURATION) - 1000 / RATE - 1000;
  if (stoppedEarly)
    console.warn(
      `outbox: the run was stopped before the business phase ended; draining ${STOPPED_WAIT_MS / 1000} s at most`,
    );
  const deadline = started + (stoppedEarly ? Math.min(STOPPED_WAIT_MS, durationMs(WAIT)) : durationMs(WAIT));
  while (Date.now() < deadline) {
    const messages = await reader.consume({ limit: 500, expectTimeout: true, nanoPrecision: true });
    for (const m of messages) take(ledger, m, since);
    if (isSettled(await acceptedRequests(data.runId), ledger)) return;
  }
}

/** Counts what Kafka delivered against what the service accepted; every count recorded, zeros included. */
async function count(ledger: EventLedger, runId: string): Promise<void> {
  const a = account(await acceptedRequests(runId), ledger);
  acceptedCount.add(a.accepted);
  eventsLost.add(a.lost);
  duplicates.add(a.redelivered, { kind: 'redelivered' });
  duplicates.add(a.extra, { kind: 'extra' });
  orderViolations.add(a.orderViolations);
  for (const [reason, n] of Object.entries(a.violationsByReason))
    if (n > 0) console.warn(`outbox: ${n} order violations (${reason})`);
  check(a, {
    'no outbox event lost': (x) => x.lost === 0,
    'one created and one terminal event per request': (x) => x.extra === 0,
    'events in order per aggregate': (x) => x.orderViolations === 0,
  });
  console.log(formatAccount(a));
}

/** The verification: drain, then count (outbox_verified once it got to the end). */
export async function teardown(data: Setup): Promise<void> {
  await verifyInTeardown({ done: verified, name: 'outbox' }, async () => {
    const reader = new Reader({
      brokers: kafkaBrokers(),
      groupID: `k6-outbox-${data.runId}`,
      groupTopics: [kafkaTopic()],
      maxWait: '1s',
    });
    try {
      const ledger = new EventLedger();
      await drain(reader, ledger, data);
      await count(ledger, data.runId);
    } finally {
      await cleanup('closing the Kafka reader', () => reader.close());
    }
  });
  await cleanup('closing the database', () => db.close());
}
