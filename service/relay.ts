/**
 * The outbox relay (the methodology's EventRelayWorker). One relay owns the stream of
 * events at a time: it holds a session advisory lock on a dedicated connection; others
 * wait as standbys and take over when that connection dies. The owner polls unpublished
 * rows in id order (partial index), publishes them with the aggregate id as the key
 * (same key → same partition → order per aggregate; the idempotent producer with one
 * request in flight keeps the order across retries), and marks them published only
 * after the broker acknowledged (acks=all). A crash between the ack and the mark
 * publishes those events again: at-least-once, consumers dedupe on event_id.
 */
import { CompressionTypes, Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type pg from 'pg';
import type { ResolvedConfig } from './config.ts';
import { RELAY_LOCK_KEY } from './constants.ts';
import { fetchUnpublished, markPublished, type OutboxRow } from './db/repository.ts';
import { errorFields, Napper, type Logger } from './log.ts';
import type { TargetMetrics } from './metrics.ts';

/** The JSON value of each Kafka message. */
export interface EventEnvelope {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  aggregate_type: string;
  /** ISO time of the outbox row's creation (publish lag = broker ack time − this). */
  occurred_at: string;
  data: Record<string, unknown>;
}

export function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    event_id: row.event_id,
    event_type: row.event_type,
    aggregate_id: row.aggregate_id,
    aggregate_type: row.aggregate_type,
    occurred_at: row.created_at.toISOString(),
    data: row.payload,
  };
}

/** Creates the topic when missing (idempotent). */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
}

/** kafkajs errors are KafkaJS* classes; anything else came from the database side. */
function isDatabaseError(err: unknown): boolean {
  return !String((err as { name?: string })?.name).startsWith('KafkaJS');
}

export interface RelayDeps {
  pool: pg.Pool;
  kafka: Kafka;
  admin: Admin;
  config: ResolvedConfig;
  metrics: TargetMetrics;
  log: Logger;
}

export class OutboxRelay {
  private producer: Producer | undefined;
  private owner: pg.PoolClient | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly napper = new Napper();
  private publishedTotal = 0;

  constructor(private readonly d: RelayDeps) {}

  get isOwner(): boolean {
    return this.owner !== undefined;
  }

  get published(): number {
    return this.publishedTotal;
  }

  async start(): Promise<void> {
    await ensureTopic(this.d.admin, this.d.config.kafkaTopic, this.d.config.kafkaPartitions);
    await this.connectProducer();
    this.loop = this.run();
  }

  /**
   * A fresh idempotent producer. Called again after any publish failure: a topic deleted
   * and recreated (the kit's isolation between scenarios) leaves the old producer's
   * sequence numbers invalid for the new partitions, and a new producer id clears that.
   */
  private async connectProducer(): Promise<Producer> {
    const producer = this.d.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  private async resetProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch(() => {});
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!this.producer) await this.connectProducer();
        if (!this.owner && !(await this.acquire())) {
          await this.napper.sleep(Math.max(500, this.d.config.relayPollMs * 10));
          continue;
        }
        const n = await this.publishBatch();
        if (n === 0) await this.napper.sleep(this.d.config.relayPollMs);
      } catch (err) {
        if (this.stopping) break;
        this.d.metrics.relayErrors.inc();
        this.d.log('warn', 'relay batch failed; retrying', errorFields(err));
        if (isDatabaseError(err)) this.dropOwnership(err);
        else await this.resetProducer();
        await this.napper.sleep(Math.max(200, this.d.config.relayPollMs));
      }
    }
  }

  private async acquire(): Promise<boolean> {
    const client = await this.d.pool.connect();
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK_KEY]);
      if (r.rows[0]?.ok) {
        this.owner = client;
        this.d.log('info', 'relay owns the outbox');
        return true;
      }
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    client.release();
    return false;
  }

  private dropOwnership(err?: unknown): void {
    // Releasing with an error destroys the connection, which also frees its advisory lock.
    this.owner?.release(err instanceof Error ? err : new Error('relay ownership dropped'));
    this.owner = undefined;
  }

  /** Publishes one batch; returns how many events were published. */
  async publishBatch(): Promise<number> {
    const owner = this.owner;
    if (!owner || !this.producer) return 0;
    const rows = await fetchUnpublished(owner, this.d.config.relayBatchSize);
    if (rows.length === 0) return 0;
    await this.producer.send({
      topic: this.d.config.kafkaTopic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: rows.map((row) => ({
        key: row.aggregate_id,
        value: JSON.stringify(toEnvelope(row)),
        headers: { event_type: row.event_type, event_id: row.event_id },
      })),
    });
    const ackedAt = Date.now();
    if (this.d.config.relayCrashAfterPublish) process.kill(process.pid, 'SIGKILL');
    await markPublished(
      owner,
      rows.map((r) => r.id),
    );
    for (const row of rows) this.d.metrics.relayLag.observe(Math.max(0, ackedAt - row.created_at.getTime()) / 1000);
    this.d.metrics.relayPublished.inc(rows.length);
    this.publishedTotal += rows.length;
    return rows.length;
  }

  /** Stops the loop, publishes what is left within `timeoutMs` (flush), frees the lock, closes the producer. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.napper.wake();
    await this.loop;
    const deadline = Date.now() + timeoutMs;
    try {
      while (this.owner && Date.now() < deadline && (await this.publishBatch()) > 0);
    } catch (err) {
      this.d.log('warn', 'relay flush failed; the events stay in the outbox', errorFields(err));
    }
    if (this.owner) {
      await this.owner.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK_KEY]).catch(() => {});
      this.owner.release();
      this.owner = undefined;
    }
    await this.producer?.disconnect().catch(() => {});
  }
}
