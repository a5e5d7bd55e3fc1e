/**
 * Integration: the transactional outbox and its relay against real Redis, PostgreSQL
 * and Kafka (local provider) with the mock LLM. One consumer reads the topic from the
 * beginning for the whole file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { resetInfra, startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import {
  configToEnv,
  DEFAULT_TOPIC,
  spawnTarget,
  startTarget,
  type EventEnvelope,
  type TargetConfig,
} from '../../service/index.ts';
import { RELAY_LOCK_KEY } from '../../service/constants.ts';
import { ensureTopic } from '../../service/relay.ts';
import { call, QUIET_LLM, waitFinished, waitFor } from './helpers.ts';

interface Consumed {
  key: string;
  partition: number;
  offset: string;
  timestamp: number;
  headers: Record<string, string>;
  envelope: EventEnvelope;
}

let infra: InfraHandle;
let llm: MockLlm;
let pool: pg.Pool;
let consumer: Consumer;
let kafkaConfig: TargetConfig;
const consumed: Consumed[] = [];

before(async () => {
  infra = await startInfra({ provider: 'local', services: ['redis', 'postgres', 'kafka'], progress: 'silent' });
  llm = await startMockLlm({ port: 0, seed: 42, config: QUIET_LLM });
  kafkaConfig = {
    redisUrl: infra.endpoints.redis!.url,
    databaseUrl: infra.endpoints.postgres!.url,
    kafkaBrokers: infra.endpoints.kafka!.brokers,
    llmUrl: llm.url,
    relayPollMs: 20,
  };
  pool = new pg.Pool({ connectionString: infra.endpoints.postgres!.url, max: 2 });
  pool.on('error', () => {});
  const kafka = new Kafka({
    clientId: 'target-test',
    brokers: infra.endpoints.kafka!.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, DEFAULT_TOPIC, 3);
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `target-test-${process.pid}` });
  await consumer.connect();
  await consumer.subscribe({ topic: DEFAULT_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      consumed.push({
        key: String(message.key),
        partition,
        offset: message.offset,
        timestamp: Number(message.timestamp),
        headers,
        envelope: JSON.parse(String(message.value)) as EventEnvelope,
      });
    },
  });
});

after(async () => {
  await consumer?.disconnect();
  await pool?.end();
  await llm?.stop();
  await infra?.down();
});

const item = (prompt: string) => ({ prompt, mode: 'quick' });

async function outboxIds(): Promise<
  Array<{ event_id: string; event_type: string; aggregate_id: string; created_at: Date }>
> {
  return (await pool.query('SELECT event_id, event_type, aggregate_id, created_at FROM outbox_events ORDER BY id'))
    .rows;
}

describe('events through Kafka', () => {
  it('publishes the created and completed events of a request, keyed by its id, in order per aggregate', async () => {
    const target = await startTarget(kafkaConfig, { log: () => {} });
    try {
      const health = await call('GET', `${target.url}/healthz`);
      assert.deepEqual(health.body, { redis: 'ok', postgres: 'ok', kafka: 'ok' });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await call('POST', `${target.url}/v1/requests`, item(`publish ${i}`))).body.id);
      for (const id of ids) assert.equal((await waitFinished(target.url, id)).status, 'completed');
      await waitFor('both events of every request', async () =>
        ids.every((id) => consumed.filter((c) => c.key === id).length >= 2) ? true : undefined,
      );
      const rows = await outboxIds();
      for (const id of ids) {
        const mine = consumed.filter((c) => c.key === id);
        assert.deepEqual(
          mine.map((c) => c.envelope.event_type),
          ['llm.request.created.v1', 'llm.request.completed.v1'],
        );
        assert.equal(new Set(mine.map((c) => c.partition)).size, 1, 'one aggregate, one partition');
        for (const c of mine) {
          assert.equal(c.envelope.aggregate_id, id);
          assert.equal(c.envelope.aggregate_type, 'llm_request');
          assert.equal(c.headers.event_type, c.envelope.event_type);
          assert.equal(c.headers.event_id, c.envelope.event_id);
          const row = rows.find((r) => r.event_id === c.envelope.event_id);
          assert.ok(row, `event ${c.envelope.event_id} is not in the outbox`);
          assert.equal(c.envelope.occurred_at, row.created_at.toISOString());
        }
        assert.equal(mine[1]!.envelope.data.status, 'completed');
      }
      const metrics = await call('GET', `${target.url}/metrics`);
      assert.match(metrics.body, /target_relay_publish_lag_seconds_count [1-9]/);
    } finally {
      await target.stop();
    }
    const unpublished = await pool.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL');
    assert.equal(unpublished.rows[0].n, 0);
  });
});

describe('a relay killed between the broker ack and the update', () => {
  it('loses no event after a restart, and the duplicates are the batch published before the kill', async (t) => {
    const batch = 10;
    const producer = await startTarget({ ...kafkaConfig, roles: ['api', 'worker'] }, { log: () => {} });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 15; i++)
        ids.push((await call('POST', `${producer.url}/v1/requests`, item(`relay crash ${i}`))).body.id);
      for (const id of ids) await waitFinished(producer.url, id);
    } finally {
      await producer.stop();
    }
    const backlog = async () =>
      (await pool.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL')).rows[0].n as number;
    assert.equal(await backlog(), 30);

    const bin = fileURLToPath(new URL('../../bin/k6-llm-perf.js', import.meta.url));
    const crashing = spawn(process.execPath, [bin, 'target', '--roles', 'relay', '--port', '0'], {
      env: { ...process.env, ...configToEnv({ ...kafkaConfig, relayBatchSize: batch, relayCrashAfterPublish: true }) },
      stdio: 'ignore',
    });
    const signal = await new Promise((resolve) => crashing.once('exit', (code, sig) => resolve(sig ?? code)));
    assert.equal(signal, 'SIGKILL');
    assert.equal(await backlog(), 30, 'the killed relay marked nothing');

    const relay = await spawnTarget({ ...kafkaConfig, roles: ['relay'], relayBatchSize: batch });
    try {
      await waitFor('the outbox to drain', async () => ((await backlog()) === 0 ? true : undefined));
    } finally {
      await relay.stop();
    }
    const all = await outboxIds();
    await waitFor('every outbox event to be consumed', async () => {
      const seen = new Set(consumed.map((c) => c.envelope.event_id));
      return all.every((r) => seen.has(r.event_id)) ? true : undefined;
    });
    const counts = new Map<string, number>();
    for (const c of consumed) counts.set(c.envelope.event_id, (counts.get(c.envelope.event_id) ?? 0) + 1);
    const lost = all.filter((r) => !counts.has(r.event_id)).length;
    const duplicates = [...counts.values()].reduce((n, k) => n + k - 1, 0);
    t.diagnostic(
      `outbox events ${all.length}, consumed messages ${consumed.length}, lost ${lost}, duplicates ${duplicates}`,
    );
    assert.equal(lost, 0);
    assert.equal(duplicates, batch);
    for (const id of new Set(all.map((r) => r.aggregate_id))) {
      const firstSeen = [
        ...new Map(
          consumed.filter((c) => c.key === id).map((c) => [c.envelope.event_id, c.envelope.event_type]),
        ).values(),
      ];
      assert.deepEqual(firstSeen, ['llm.request.created.v1', 'llm.request.completed.v1'], `order of ${id}`);
    }
  });
});

describe('two relays', () => {
  it('lets one own the outbox while the other waits, and the standby takes over when the owner stops', async () => {
    const relayLocks = async () =>
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1`,
          [RELAY_LOCK_KEY],
        )
      ).rows[0].n as number;
    const a = await startTarget({ ...kafkaConfig, roles: ['api', 'worker', 'relay'] }, { log: () => {} });
    await waitFor('a to own the outbox', async () => ((await relayLocks()) === 1 ? true : undefined));
    const b = await startTarget({ ...kafkaConfig, roles: ['relay'] }, { log: () => {} });
    let aStopped = false;
    try {
      const first = (await call('POST', `${a.url}/v1/requests`, item('two relays 1'))).body.id;
      await waitFinished(a.url, first);
      await waitFor('its events', async () => (consumed.filter((c) => c.key === first).length >= 2 ? true : undefined));
      assert.equal(await relayLocks(), 1, 'exactly one owner');
      // a owns the lock; once a stops, b's standby relay must take over.
      const producer = await startTarget({ ...kafkaConfig, roles: ['api', 'worker'] }, { log: () => {} });
      try {
        await a.stop();
        aStopped = true;
        const second = (await call('POST', `${producer.url}/v1/requests`, item('two relays 2'))).body.id;
        await waitFinished(producer.url, second);
        await waitFor('events published by the remaining relay', async () =>
          consumed.filter((c) => c.key === second).length >= 2 ? true : undefined,
        );
        assert.equal(await relayLocks(), 1);
      } finally {
        await producer.stop();
      }
    } finally {
      if (!aStopped) await a.stop();
      await b.stop();
    }
  });
});

describe('a topic recreated under a running relay', () => {
  it('keeps publishing after the topic is deleted and recreated', async (t) => {
    const warnings: string[] = [];
    const target = await startTarget(kafkaConfig, {
      log: (level, msg, f) => void (level !== 'info' && warnings.push(`${msg} ${JSON.stringify(f)}`)),
    });
    const kafka = new Kafka({
      clientId: 'target-test-2',
      brokers: infra.endpoints.kafka!.brokers,
      logLevel: logLevel.NOTHING,
    });
    const fresh = kafka.consumer({ groupId: `target-test-fresh-${process.pid}` });
    try {
      await consumer.disconnect();
      await resetInfra(infra.endpoints, { recreateTopics: [DEFAULT_TOPIC] });
      const r = await call('POST', `${target.url}/v1/requests`, item('after the topic was recreated'));
      await waitFinished(target.url, r.body.id);
      const seen: string[] = [];
      await fresh.connect();
      await fresh.subscribe({ topic: DEFAULT_TOPIC, fromBeginning: true });
      await fresh.run({ eachMessage: async ({ message }) => void seen.push(String(message.key)) });
      await waitFor(
        'both events on the new topic',
        async () => (seen.filter((k) => k === r.body.id).length >= 2 ? true : undefined),
        60_000,
      );
      t.diagnostic(`relay warnings: ${warnings.length ? warnings.join(' | ') : 'none'}`);
    } finally {
      await fresh.disconnect();
      await target.stop();
    }
  });
});
