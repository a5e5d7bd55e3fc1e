import { InfraError } from './errors.ts';
import type { Endpoints } from './services/types.ts';
import type { Kafka } from 'kafkajs';

export interface ResetOptions {
  /** FLUSHDB on Redis. */
  flushRedis?: boolean;
  /** TRUNCATE ... RESTART IDENTITY CASCADE; tables that do not exist are skipped. */
  truncateTables?: string[];
  /**
   * Delete then create these Kafka topics, empty, each with the partition count it had (a topic
   * that did not exist is created with 1 partition), replication 1.
   */
  recreateTopics?: string[];
}

/** Isolation between scenarios (methodology §5.1): each scenario starts from empty stores. */
export async function resetInfra(endpoints: Endpoints, opts: ResetOptions): Promise<void> {
  if (opts.flushRedis) await step('redis', 'FLUSHDB', () => flushRedis(need(endpoints.redis?.url, 'redis')));
  if (opts.truncateTables?.length) {
    await step('postgres', 'TRUNCATE', () => truncate(need(endpoints.postgres?.url, 'postgres'), opts.truncateTables!));
  }
  if (opts.recreateTopics?.length) {
    await step('kafka', 'recreate topics', () =>
      recreateTopics(need(endpoints.kafka?.brokers, 'kafka'), opts.recreateTopics!),
    );
  }
}

function need<T>(value: T | undefined, service: string): T {
  if (value === undefined)
    throw new InfraError('INFRA_RESET_FAILED', `reset: no ${service} endpoint to reset (was ${service} started?)`, {
      service,
    });
  return value;
}

async function step(service: string, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof InfraError) throw err;
    throw new InfraError('INFRA_RESET_FAILED', `reset: ${service} ${what} failed: ${(err as Error).message}`, {
      service,
      cause: err,
    });
  }
}

async function flushRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

async function truncate(url: string, tables: string[]): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query<{ name: string }>(
      'SELECT t::text AS name FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL',
      [tables],
    );
    const names = found.rows.map((r) =>
      r.name
        .split('.')
        .map((p) => `"${p.replaceAll('"', '""')}"`)
        .join('.'),
    );
    if (names.length) await client.query(`TRUNCATE ${names.join(', ')} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
}

async function recreateTopics(brokers: string[], topics: string[]): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'k6-llm-perf-reset', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    const partitions = new Map<string, number>();
    if (present.length) {
      const meta = await admin.fetchTopicMetadata({ topics: present });
      for (const t of meta.topics) partitions.set(t.name, t.partitions.length);
      await admin.deleteTopics({ topics: present, timeout: 30_000 });
    }
    await createWhenDeleted(admin, topics, present, partitions);
  } finally {
    await admin.disconnect();
  }
}

type Admin = ReturnType<Kafka['admin']>;

/** Topic deletion is asynchronous in the broker: wait until the old ones are gone, then create. */
async function createWhenDeleted(
  admin: Admin,
  topics: string[],
  deleted: string[],
  partitions: ReadonlyMap<string, number>,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const listed = new Set(await admin.listTopics());
    if (!deleted.some((t) => listed.has(t))) break;
    if (Date.now() > deadline) throw new Error(`topics ${deleted.join(', ')} still not deleted after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (;;) {
    try {
      const listed = new Set(await admin.listTopics());
      const toCreate = topics.filter((t) => !listed.has(t));
      if (toCreate.length === 0) return;
      await admin.createTopics({
        topics: toCreate.map((topic) => ({ topic, numPartitions: partitions.get(topic) ?? 1, replicationFactor: 1 })),
        waitForLeaders: true,
      });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
