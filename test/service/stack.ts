/**
 * The setup shared by the Redis + PostgreSQL integration files: real servers from the
 * local provider (once per file), the mock LLM with errors off, one in-process target
 * (api + worker; the relay is off, so outbox rows are asserted in the database).
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { startInfra, type InfraHandle } from '../../infra/index.ts';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { startTarget, type RunningTarget, type TargetConfig } from '../../service/index.ts';
import { QUIET_LLM, waitFor } from './helpers.ts';

export interface Stack {
  infra: InfraHandle;
  llm: MockLlm;
  target: RunningTarget;
  base: string;
  pool: pg.Pool;
  redis: Redis;
  /** Config without Kafka, for more targets in the same file. */
  config: TargetConfig;
  stop(): Promise<void>;
}

export async function startStack(overrides: Partial<TargetConfig> = {}): Promise<Stack> {
  const infra = await startInfra({ provider: 'local', services: ['redis', 'postgres'], progress: 'silent' });
  const llm = await startMockLlm({ port: 0, seed: 42, config: QUIET_LLM });
  const config: TargetConfig = {
    redisUrl: infra.endpoints.redis!.url,
    databaseUrl: infra.endpoints.postgres!.url,
    kafkaBrokers: [],
    llmUrl: llm.url,
  };
  const target = await startTarget(
    { ...config, roles: ['api', 'worker'], llmBackoffBaseMs: 5, llmMaxRetries: 5, ...overrides },
    { log: (level, msg, fields) => level !== 'info' && console.error('target:', level, msg, fields) },
  );
  const pool = new pg.Pool({ connectionString: infra.endpoints.postgres!.url, max: 2 });
  pool.on('error', () => {}); // the server going down at teardown
  const redis = new Redis(infra.endpoints.redis!.url);
  const stop = async () => {
    await target.stop();
    await pool.end();
    redis.disconnect();
    await llm.stop();
    await infra.down();
  };
  return { infra, llm, target, base: target.url, pool, redis, config, stop };
}

export const item = (extra: Record<string, unknown> = {}) => ({ prompt: 'Say hello', mode: 'quick', ...extra });

/** The event types of a request's outbox rows, in insertion order. */
export async function eventsOf(pool: pg.Pool, id: string): Promise<string[]> {
  const r = await pool.query<{ event_type: string }>(
    'SELECT event_type FROM outbox_events WHERE aggregate_id = $1 ORDER BY id',
    [id],
  );
  return r.rows.map((x) => x.event_type);
}

/** Waits until no request is queued or processing, so that row counts stay still. */
export async function settled(pool: pg.Pool): Promise<void> {
  await waitFor('all requests to finish', async () => {
    const r = await pool.query("SELECT count(*)::int AS n FROM llm_requests WHERE status IN ('queued', 'processing')");
    return r.rows[0].n === 0 ? true : undefined;
  });
}
