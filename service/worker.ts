/**
 * The queue worker: takes request ids from the Redis stream (up to `workerConcurrency`
 * at once), calls the LLM, stores the outcome and its outbox event in one transaction,
 * and acknowledges the entry only after that commit. A crash before the ack leaves the
 * entry pending; another worker reclaims it after the visibility timeout, and the
 * conditional update in `finishRequest` keeps the request completed exactly once.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { ResolvedConfig } from './config.ts';
import { finishRequest, startDelivery, type Outcome, type RequestRow } from './db/repository.ts';
import { LlmCallError, type LlmClient } from './llm-client.ts';
import { errorFields, Napper, type Logger } from './log.ts';
import type { TargetMetrics } from './metrics.ts';
import type { QueueEntry, RedisQueue } from './queue.ts';

export interface WorkerDeps {
  pool: pg.Pool;
  redis: Redis;
  /** A connection for the blocking XREADGROUP only. */
  blocking: Redis;
  queue: RedisQueue;
  llm: LlmClient;
  metrics: TargetMetrics;
  config: ResolvedConfig;
  log: Logger;
}

interface InFlight {
  promise: Promise<void>;
  abort: AbortController;
}

const TAKE_BLOCK_MS = 1000;

export class QueueWorker {
  private readonly inflight = new Map<string, InFlight>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly napper = new Napper();
  private timers: NodeJS.Timeout[] = [];
  private readonly ticks = new Set<Promise<void>>();

  constructor(private readonly d: WorkerDeps) {}

  start(): void {
    const { visibilityTimeoutMs } = this.d.config;
    this.loop = this.fetchLoop();
    this.timers.push(
      setInterval(() => this.tick(() => this.reclaim()), Math.max(50, Math.min(visibilityTimeoutMs / 2, 5000))),
    );
    this.timers.push(setInterval(() => this.tick(() => this.heartbeat()), Math.max(50, visibilityTimeoutMs / 3)));
  }

  /** Runs a periodic task, tracked so that stop() waits for it. */
  private tick(task: () => Promise<void>): void {
    const p = task().finally(() => this.ticks.delete(p));
    this.ticks.add(p);
  }

  get inFlightCount(): number {
    return this.inflight.size;
  }

  private async fetchLoop(): Promise<void> {
    while (!this.stopping) {
      const free = this.d.config.workerConcurrency - this.inflight.size;
      if (free <= 0) {
        await this.napper.sleep(TAKE_BLOCK_MS);
        continue;
      }
      try {
        const entries = await this.d.queue.take(this.d.blocking, free, TAKE_BLOCK_MS);
        for (const e of entries) this.dispatch(e);
      } catch (err) {
        if (this.stopping) break;
        this.d.log('warn', 'queue read failed; retrying', errorFields(err));
        await this.napper.sleep(500);
      }
    }
  }

  private async reclaim(): Promise<void> {
    const free = this.d.config.workerConcurrency - this.inflight.size;
    if (this.stopping || free <= 0) return;
    try {
      const entries = await this.d.queue.reclaim(this.d.redis, this.d.config.visibilityTimeoutMs, free);
      for (const e of entries) {
        // Stopping: leave it pending (claimed by us; idle again after the visibility timeout).
        if (this.inflight.has(e.entryId) || this.stopping) continue;
        this.d.log('info', 'reclaimed an abandoned job', { request_id: e.requestId, entry_id: e.entryId });
        this.dispatch(e);
      }
    } catch (err) {
      this.d.log('warn', 'reclaim failed', errorFields(err));
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.d.queue.heartbeat(this.d.redis, [...this.inflight.keys()]);
    } catch (err) {
      this.d.log('warn', 'heartbeat failed', errorFields(err));
    }
  }

  private dispatch(entry: QueueEntry): void {
    const abort = new AbortController();
    this.d.metrics.inFlight.inc();
    const promise = this.process(entry, abort.signal)
      .catch((err) => {
        // Not acknowledged: the entry stays pending and is reclaimed after the visibility timeout.
        if (!abort.signal.aborted)
          this.d.log('error', 'job failed; left for redelivery', { request_id: entry.requestId, ...errorFields(err) });
      })
      .finally(() => {
        this.inflight.delete(entry.entryId);
        this.d.metrics.inFlight.dec();
        this.napper.wake();
      });
    this.inflight.set(entry.entryId, { promise, abort });
  }

  private async process(entry: QueueEntry, signal: AbortSignal): Promise<void> {
    const { pool, redis, queue, config } = this.d;
    const row = await startDelivery(pool, entry.requestId);
    if (!row) {
      // Unknown id, or finished by an earlier delivery whose ack was lost.
      await queue.ack(redis, entry.entryId);
      this.d.metrics.jobs.inc({ outcome: 'skipped' });
      return;
    }
    let outcome: Outcome;
    if (row.deliveries > config.maxDeliveries) {
      outcome = { status: 'failed', error: `abandoned after ${row.deliveries - 1} deliveries`, attempts: 0, llmMs: 0 };
    } else {
      outcome = await this.callLlm(row, signal);
    }
    if (signal.aborted) return;
    if (config.workerCrashAfterLlm) process.kill(process.pid, 'SIGKILL');
    const stored = await finishRequest(pool, row.id, outcome);
    this.d.metrics.jobs.inc({ outcome: stored ? outcome.status : 'duplicate' });
    await queue.ack(redis, entry.entryId);
  }

  private async callLlm(
    row: Pick<RequestRow, 'model' | 'max_tokens' | 'messages'>,
    signal: AbortSignal,
  ): Promise<Outcome> {
    try {
      const r = await this.d.llm.complete(
        { model: row.model, maxTokens: row.max_tokens, messages: row.messages },
        signal,
      );
      if (r.attempts > 1) this.d.metrics.llmRetries.inc(r.attempts - 1);
      return {
        status: 'completed',
        result: r.text,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        attempts: r.attempts,
        llmMs: Math.round(r.llmMs),
      };
    } catch (err) {
      if (!(err instanceof LlmCallError)) throw err;
      if (err.attempts > 1) this.d.metrics.llmRetries.inc(err.attempts - 1);
      return { status: 'failed', error: err.message, attempts: err.attempts, llmMs: Math.round(err.llmMs) };
    }
  }

  /**
   * Stops taking jobs, waits for the in-flight ones up to `timeoutMs`, then aborts the
   * rest (left unacknowledged: another instance reclaims them).
   */
  async stop(timeoutMs: number): Promise<{ finished: number; abandoned: number }> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.napper.wake();
    // The loop ends within one blocking read; entries it got meanwhile are processed too.
    await Promise.all([this.loop, ...this.ticks]);
    const pending = [...this.inflight.values()];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    await Promise.race([Promise.all(pending.map((p) => p.promise)), deadline]);
    clearTimeout(timer);
    const abandoned = this.inflight.size;
    for (const p of this.inflight.values()) p.abort.abort(new Error('worker stopping'));
    await Promise.all([...this.inflight.values()].map((p) => p.promise));
    return { finished: pending.length - abandoned, abandoned };
  }
}
