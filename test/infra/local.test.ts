import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type InfraHandle, resetInfra, startInfra } from '../../infra/index.ts';
import { assertGone, groupAlive, type Trace, traceOf } from './helpers.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

describe('local provider: redis, postgres and kafka together', () => {
  let infra: InfraHandle;
  let traces: Trace[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-logs-'));

  before(async () => {
    infra = await startInfra({
      provider: 'local',
      services: ['kafka', 'redis', 'postgres'],
      logDir,
      progress: 'plain',
    });
    traces = infra.services.map(traceOf);
  });
  after(async () => {
    await infra?.down();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('starts the services in canonical order, each its own live process', () => {
    assert.deepEqual(
      infra.services.map((s) => s.name),
      ['redis', 'postgres', 'kafka'],
    );
    for (const t of traces) assert.ok(t.pid && groupAlive(t.pid), `${t.name} process alive`);
    assert.equal(infra.provider, 'local');
  });

  it('hands back endpoints in the documented shapes', () => {
    assert.match(infra.endpoints.redis!.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.match(infra.endpoints.postgres!.url, /^postgres:\/\/\w+:\w+@127\.0\.0\.1:\d+\/\w+\?sslmode=disable$/);
    assert.equal(infra.endpoints.kafka!.brokers.length, 1);
    assert.match(infra.endpoints.kafka!.brokers[0]!, /^127\.0\.0\.1:\d+$/);
  });

  it('writes each server log under logDir', () => {
    for (const name of ['redis', 'postgres', 'kafka'])
      assert.ok(existsSync(join(logDir, `${name}.log`)), `${name}.log`);
  });

  it('serves SET and GET through ioredis', async () => {
    const redis = new Redis(infra.endpoints.redis!.url);
    try {
      await redis.set('k6-llm-perf:test', 'hello');
      assert.equal(await redis.get('k6-llm-perf:test'), 'hello');
    } finally {
      redis.disconnect();
    }
  });

  it('answers a SELECT through pg with the URL as given', async () => {
    const client = new pg.Client({ connectionString: infra.endpoints.postgres!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ sum: number; db: string }>(
        'SELECT 40 + 2 AS sum, current_database() AS db',
      );
      assert.deepEqual(rows[0], { sum: 42, db: 'k6llmperf' });
    } finally {
      await client.end();
    }
  });

  it('delivers a produced message to a consumer group through kafkajs', async () => {
    const kafka = new Kafka({
      clientId: 'infra-test',
      brokers: infra.endpoints.kafka!.brokers,
      logLevel: logLevel.NOTHING,
    });
    const topic = `infra-test-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: 'v1' },
        { key: 'k', value: 'v2' },
      ],
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `group-${randomUUID()}` });
    const received: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received only ${JSON.stringify(received)} in 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!.toString());
          if (received.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual(received, ['v1', 'v2']);
  });

  it('resets stores between scenarios: redis flushed, tables truncated, topics recreated empty with their partition counts', async () => {
    const redis = new Redis(infra.endpoints.redis!.url);
    const db = new pg.Client({ connectionString: infra.endpoints.postgres!.url });
    await db.connect();
    const kafka = new Kafka({
      clientId: 'infra-reset-test',
      brokers: infra.endpoints.kafka!.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    try {
      await redis.set('left-over', '1');
      await db.query('CREATE TABLE IF NOT EXISTS jobs (id serial PRIMARY KEY, body text)');
      await db.query("INSERT INTO jobs (body) VALUES ('a'), ('b')");
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'events-3', numPartitions: 3 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic: 'events', messages: [{ value: 'old' }] });
      await producer.send({ topic: 'events-3', messages: [{ key: 'a', value: 'old' }] });
      await resetInfra(infra.endpoints, {
        flushRedis: true,
        truncateTables: ['jobs', 'no_such_table'],
        recreateTopics: ['events', 'events-3'],
      });
      assert.equal(await redis.dbsize(), 0);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n, 0);
      const offsets = await admin.fetchTopicOffsets('events');
      const offsets3 = await admin.fetchTopicOffsets('events-3');
      await admin.disconnect();
      assert.deepEqual(
        offsets.map((o) => o.high),
        ['0'],
      );
      // A topic keeps its partition count (the target's outbox topic has 3).
      assert.deepEqual(
        offsets3.map((o) => o.high),
        ['0', '0', '0'],
      );
    } finally {
      redis.disconnect();
      await db.end();
      await producer.disconnect();
    }
  });

  it('leaves no process, port or temp dir behind after down, and down is idempotent', async () => {
    await infra.down();
    await infra.down();
    assert.equal(traces.length, 3);
    for (const t of traces) await assertGone(t);
  });
});
