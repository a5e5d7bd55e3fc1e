/**
 * Queue throughput (methodology §4.1 "Queue Throughput: < 0.2 s per retrieval").
 *
 * What is measured, and why here: the service's queue is a Redis Stream read through a
 * consumer group (XADD to enqueue, XREADGROUP to take, XACK + XDEL when done). The
 * `queue` scenario drives exactly those commands through `k6/x/redis` on a stream of its
 * own (created in setup, UUID-named, deleted in teardown), with every VU both producer
 * and competing consumer. That isolates the queue's own cost — the methodology's
 * retrieval target — from the LLM and worker pool, and it never steals the service's
 * jobs. The `service` scenario adds the view from the API: requests submitted to the
 * service and the time they waited in its queue (timings.queue_ms, measured by the
 * service), for context only.
 *
 *   queue_enqueue_duration    Trend, one XADD (ms)
 *   queue_retrieval_duration  Trend, one XREADGROUP that returned an entry (ms)   p95 < 200
 *   queue_ack_duration        Trend, XACK + XDEL (ms)
 *   queue_success             Rate of queue commands that succeeded
 *   queue_items_lost          Counter, entries delivered but never acknowledged (teardown,
 *                             recorded 0 included)                                    == 0
 *   queue_backlog             Gauge, entries never delivered when the run ended
 *   queue_verified            Counter, 1 when teardown's count ran to its end        >= 1
 *   queue_service_wait        Trend, the service's own queue wait (ms), informational
 *
 * Env: REDIS_URL, BASE_URL (required), VUS (default 10), QUEUE_BATCH (items per
 * iteration, default 10), DURATION (default 15s; 6s with PROFILE=short).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import redis from 'k6/x/redis';
import { numberEnv, phase, redisUrl, SHORT } from './lib/config.ts';
import { uniqueRequest, uniqueSuffix } from './lib/data.ts';
import { waitForCompletion } from './lib/poll.ts';
import { submitRequest } from './lib/requests.ts';
import { cleanup, verifyInTeardown } from './lib/verify.ts';

const enqueueDuration = new Trend('queue_enqueue_duration', true);
const retrievalDuration = new Trend('queue_retrieval_duration', true);
const ackDuration = new Trend('queue_ack_duration', true);
const success = new Rate('queue_success');
const itemsLost = new Counter('queue_items_lost');
const backlog = new Gauge('queue_backlog');
const serviceWait = new Trend('queue_service_wait', true);
const verified = new Counter('queue_verified');

const client = new redis.Client(redisUrl());
const GROUP = 'k6-consumers';
const BATCH = numberEnv('QUEUE_BATCH', 10);
const DURATION = phase('15s', '6s');

export const options = {
  scenarios: {
    queue: {
      executor: 'constant-vus',
      vus: numberEnv('VUS', 10),
      duration: DURATION,
      gracefulStop: '10s',
      exec: 'queue',
    },
    service: {
      executor: 'constant-arrival-rate',
      rate: 2,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: 4,
      maxVUs: 20,
      gracefulStop: '15s',
      exec: 'service',
    },
  },
};

interface Setup {
  key: string;
}

/** XREADGROUP reply: [[key, [[entryId, [field, value, ...]], ...]]] or null. */
type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

export async function setup(): Promise<Setup> {
  const key = `k6:queue:${uniqueSuffix()}`;
  await client.sendCommand('XGROUP', 'CREATE', key, GROUP, '0', 'MKSTREAM');
  return { key };
}

async function timed<T>(trend: Trend, run: () => Promise<T>): Promise<T | null> {
  const started = Date.now();
  try {
    const value = await run();
    trend.add(Date.now() - started);
    success.add(true);
    return value;
  } catch {
    success.add(false);
    return null;
  }
}

/** Enqueues BATCH items, then takes BATCH items off the stream as a competing consumer. */
export async function queue(data: Setup): Promise<void> {
  const consumer = `vu-${exec.vu.idInTest}`;
  for (let i = 0; i < BATCH; i++) {
    await timed(enqueueDuration, () =>
      client.sendCommand('XADD', data.key, '*', 'id', `${consumer}-${exec.vu.iterationInScenario}-${i}`),
    );
  }
  let taken = 0;
  for (let attempt = 0; taken < BATCH && attempt < BATCH * 3; attempt++) {
    const started = Date.now();
    let reply: StreamReply;
    try {
      reply = (await client.sendCommand(
        'XREADGROUP',
        'GROUP',
        GROUP,
        consumer,
        'COUNT',
        1,
        'STREAMS',
        data.key,
        '>',
      )) as StreamReply;
      success.add(true);
    } catch {
      success.add(false);
      continue;
    }
    const entry = reply?.[0]?.[1]?.[0];
    if (!entry) continue; // the others took everything there was: nothing to time
    retrievalDuration.add(Date.now() - started);
    taken++;
    await timed(ackDuration, async () => {
      await client.sendCommand('XACK', data.key, GROUP, entry[0]);
      return client.sendCommand('XDEL', data.key, entry[0]);
    });
  }
  check(taken, { 'took as many items as it enqueued': (n) => n === BATCH });
}

/** The service's view: submit a request, follow it, record how long it waited in the service's queue. */
export async function service(): Promise<void> {
  const { res, body } = await submitRequest(uniqueRequest('queue', 'quick'));
  if (!check(res, { 'submit status is 202': (r) => r.status === 202 }) || body === null) return;
  const done = await waitForCompletion(body.id, { timeoutMs: SHORT ? 10_000 : 30_000, intervalS: 0.2 });
  const wait = done.view?.timings.queue_ms;
  if (typeof wait === 'number') serviceWait.add(wait);
}

/** Counts what is left on the stream (every count recorded, 0 included), then deletes it. */
export async function teardown(data: Setup): Promise<void> {
  try {
    await verifyInTeardown({ done: verified, name: 'queue' }, async () => {
      const summary = (await client.sendCommand('XPENDING', data.key, GROUP)) as [number, ...unknown[]];
      const length = (await client.sendCommand('XLEN', data.key)) as number;
      const pending = Number(summary[0] ?? 0);
      if (!Number.isFinite(pending) || !Number.isFinite(Number(length)))
        throw new Error(`queue: unreadable XPENDING/XLEN reply for ${data.key}`);
      itemsLost.add(pending);
      backlog.add(Number(length) - pending);
      console.log(`queue: ${pending} delivered but never acknowledged, ${Number(length) - pending} never delivered`);
    });
  } finally {
    await cleanup(`deleting ${data.key}`, () => client.del(data.key));
  }
}
