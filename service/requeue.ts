/**
 * The requeue sweeper: the API commits a request and then XADDs it; if Redis fails in
 * between, the committed request would never be processed. Every so often one worker
 * (a transaction-scoped advisory lock elects it per sweep) puts back on the queue the
 * requests still `queued` REQUEUE_STALE_MS after their creation or last requeue. A
 * request merely waiting in a long queue may get a second entry: harmless, the
 * conditional updates make the second delivery a no-op once the first has finished.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { SWEEP_LOCK_KEY } from './constants.ts';
import { errorFields, type Logger } from './log.ts';
import type { RedisQueue } from './queue.ts';

const SWEEP_LIMIT = 500;

/** Marks and returns the stale queued requests, or null when another instance is sweeping. */
export async function claimStale(pool: pg.Pool, staleMs: number, limit = SWEEP_LIMIT): Promise<string[] | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SWEEP_LOCK_KEY]);
    if (!lock.rows[0]?.ok) {
      await client.query('ROLLBACK');
      return null;
    }
    const r = await client.query<{ id: string }>(
      `UPDATE llm_requests SET requeued_at = clock_timestamp()
        WHERE id IN (SELECT id FROM llm_requests
                      WHERE status = 'queued'
                        AND COALESCE(requeued_at, created_at) < clock_timestamp() - make_interval(secs => $1 / 1000.0)
                      ORDER BY created_at LIMIT $2)
        RETURNING id`,
      [staleMs, limit],
    );
    await client.query('COMMIT');
    return r.rows.map((x) => x.id);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export class RequeueSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly d: { pool: pg.Pool; redis: Redis; queue: RedisQueue; staleMs: number; log: Logger }) {}

  start(): void {
    if (this.d.staleMs === 0) return;
    const every = Math.max(100, Math.min(this.d.staleMs / 2, 60_000));
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .finally(() => (this.running = undefined));
    }, every);
  }

  /** One sweep; returns how many requests were requeued. */
  async sweep(): Promise<number> {
    try {
      const ids = await claimStale(this.d.pool, this.d.staleMs);
      if (!ids?.length) return 0;
      await this.d.queue.enqueue(this.d.redis, ids);
      this.d.log('warn', 'requeued requests that were still queued after the stale bound', { count: ids.length });
      return ids.length;
    } catch (err) {
      this.d.log('warn', 'requeue sweep failed', errorFields(err));
      return 0;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
