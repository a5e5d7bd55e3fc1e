/**
 * Assembles one target instance in this process: clients (PostgreSQL pool, Redis,
 * Kafka admin), migrations, the roles asked for (api, worker, relay), the HTTP server.
 * `stop()` is the graceful shutdown: stop accepting HTTP, finish in-flight jobs within
 * the bound, flush the relay, close every client.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { buildApi } from './api.ts';
import { resolveConfig, type ResolvedConfig, type TargetConfig } from './config.ts';
import { migrate } from './db/migrations.ts';
import { createPool } from './db/pool.ts';
import { outboxBacklog } from './db/repository.ts';
import { TargetStartError } from './errors.ts';
import { LlmClient } from './llm-client.ts';
import { errorFields, stderrLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { RedisQueue } from './queue.ts';
import { OutboxRelay } from './relay.ts';
import { RequeueSweeper } from './requeue.ts';
import { QueueWorker } from './worker.ts';

export interface RunningTarget {
  url: string;
  config: ResolvedConfig;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
}

const CHECK_TIMEOUT_MS = 2000;
const CLOSE_TIMEOUT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)),
  );
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Runs the `closers` in order, each failure logged, never thrown. */
async function closeAll(closers: Array<[string, () => Promise<unknown>]>, log: Logger): Promise<void> {
  for (const [name, close] of closers) {
    try {
      await close();
    } catch (err) {
      log('warn', `closing ${name} failed`, errorFields(err));
    }
  }
}

/** pool.end() resolves before its clients' sockets close; wait for them too (bounded). */
async function endPool(pool: pg.Pool): Promise<void> {
  let left = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (left === 0) resolve();
    pool.on('remove', () => --left <= 0 && resolve());
  });
  await pool.end();
  await withTimeout(closed, 2000, 'closing PostgreSQL connections').catch(() => {});
}

async function connectClients(c: ResolvedConfig, log: Logger) {
  const pool = createPool(
    { connectionString: c.databaseUrl, max: Math.min(100, c.workerConcurrency + 10), idleTimeoutMillis: 30_000 },
    log,
  );
  const redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  const blocking = new Redis(c.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  for (const r of [redis, blocking]) r.on('error', (err) => log('warn', 'Redis connection error', errorFields(err)));
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  if (c.kafkaBrokers.length > 0) {
    kafka = new Kafka({
      clientId: 'k6-llm-perf-target',
      brokers: c.kafkaBrokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    admin = kafka.admin();
  }
  const closers: Array<[string, () => Promise<unknown>]> = [
    // Each bounded: a dependency that is down must not hang the shutdown.
    ['kafka admin', async () => admin && withTimeout(admin.disconnect(), CLOSE_TIMEOUT_MS, 'Kafka admin disconnect')],
    ['redis', async () => withTimeout(redis.quit(), CLOSE_TIMEOUT_MS, 'Redis QUIT').catch(() => redis.disconnect())],
    ['redis (blocking)', async () => blocking.disconnect()],
    ['postgres', async () => withTimeout(endPool(pool), CLOSE_TIMEOUT_MS, 'PostgreSQL pool end')],
  ];
  try {
    await withTimeout(pool.query('SELECT 1'), 10_000, 'PostgreSQL').catch((e) => {
      throw new TargetStartError(`DATABASE_URL: PostgreSQL unreachable: ${e.message}`, { cause: e });
    });
    await withTimeout(Promise.all([redis.connect(), blocking.connect()]), 10_000, 'Redis').catch((e) => {
      throw new TargetStartError(`REDIS_URL: Redis unreachable: ${e.message}`, { cause: e });
    });
    if (admin)
      await withTimeout(admin.connect(), 20_000, 'Kafka').catch((e) => {
        throw new TargetStartError(`KAFKA_BROKERS: Kafka unreachable: ${e.message}`, { cause: e });
      });
  } catch (err) {
    await closeAll(closers, log);
    throw err;
  }
  return { pool, redis, blocking, kafka, admin, closers };
}

export async function startTarget(config: TargetConfig, opts: StartOptions = {}): Promise<RunningTarget> {
  const log = opts.log ?? stderrLogger;
  const c = resolveConfig(config);
  const { pool, redis, blocking, kafka, admin, closers } = await connectClients(c, log);
  const queue = new RedisQueue({
    key: c.queueKey,
    group: c.queueGroup,
    consumer: `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
  });
  let worker: QueueWorker | undefined;
  let sweeper: RequeueSweeper | undefined;
  let relay: OutboxRelay | undefined;
  let app: ReturnType<typeof buildApi> | undefined;
  try {
    await migrate(pool);
    await queue.ensureGroup(redis);
    const metrics = createMetrics({ queueDepth: () => queue.depth(redis), outboxBacklog: () => outboxBacklog(pool) });
    const health = async () => {
      const checks: Record<string, string> = {};
      const probe = async (name: string, fn: () => Promise<unknown>) => {
        checks[name] = await withTimeout(fn(), CHECK_TIMEOUT_MS, name).then(
          () => 'ok',
          (e: Error) => `down: ${e.message}`,
        );
      };
      await Promise.all([
        probe('redis', () => redis.ping()),
        probe('postgres', () => pool.query('SELECT 1')),
        admin ? probe('kafka', () => admin.describeCluster()) : Promise.resolve((checks.kafka = 'disabled')),
      ]);
      return { ok: Object.values(checks).every((v) => v === 'ok' || v === 'disabled'), checks };
    };
    if (c.roles.includes('worker')) {
      const llm = new LlmClient({
        url: c.llmUrl,
        apiKey: c.llmApiKey,
        timeoutMs: c.llmTimeoutMs,
        maxRetries: c.llmMaxRetries,
        backoffBaseMs: c.llmBackoffBaseMs,
        backoffMaxMs: c.llmBackoffMaxMs,
        onAttempt: (seconds, outcome) => metrics.llmCall.observe({ outcome }, seconds),
      });
      worker = new QueueWorker({ pool, redis, blocking, queue, llm, metrics, config: c, log });
      worker.start();
      sweeper = new RequeueSweeper({ pool, redis, queue, staleMs: c.requeueStaleMs, log });
      sweeper.start();
    }
    if (c.roles.includes('relay') && kafka && admin) {
      relay = new OutboxRelay({ pool, kafka, admin, config: c, metrics, log });
      await relay.start();
    }
    app = buildApi({ pool, redis, queue, metrics, config: c, log, health, serveApi: c.roles.includes('api') });
    await app.listen({ port: c.port, host: c.host });
  } catch (err) {
    await closeAll(
      [
        ['http', async () => app?.close()],
        ['worker', async () => worker?.stop(0)],
        ['sweeper', async () => sweeper?.stop()],
        ['relay', async () => relay?.stop(0)],
        ...closers,
      ],
      log,
    );
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : c.port;
  const url = `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const deadline = Date.now() + c.shutdownTimeoutMs;
      await closeAll(
        [
          ['http', async () => app!.close()],
          [
            'worker',
            async () => {
              const r = await worker?.stop(Math.max(0, deadline - Date.now()));
              if (r?.abandoned)
                log('warn', 'jobs left unfinished at shutdown; they will be redelivered', { abandoned: r.abandoned });
            },
          ],
          ['sweeper', async () => sweeper?.stop()],
          ['relay', async () => relay?.stop(Math.max(1000, deadline - Date.now()))],
          ...closers,
        ],
        log,
      );
    })());
  log('info', 'target started', { url, roles: c.roles });
  return { url, config: c, stop };
}
