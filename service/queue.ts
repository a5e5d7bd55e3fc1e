/**
 * The reliable work queue: a Redis Stream read through a consumer group.
 *
 * - enqueue: XADD (after the request's transaction committed).
 * - take: XREADGROUP ... STREAMS key '>' delivers new entries to this consumer; each
 *   stays in the group's pending list (PEL) until XACK, so a crashed worker loses nothing.
 * - heartbeat: XCLAIM of our in-flight entries to ourselves resets their idle time, so a
 *   long LLM call is not mistaken for an abandoned job.
 * - reclaim: XAUTOCLAIM moves entries idle longer than the visibility timeout (their
 *   worker died) to this consumer; they are processed again (the database makes the
 *   second processing of a finished request a no-op).
 * - ack: XACK + XDEL in one MULTI after the result's commit, so XLEN is the backlog.
 * A stream or group removed under us (FLUSHDB between scenarios) is recreated on NOGROUP.
 */
import type { Redis } from 'ioredis';

export interface QueueEntry {
  /** Stream entry id. */
  entryId: string;
  /** The request id. */
  requestId: string;
}

export interface QueueOptions {
  key: string;
  group: string;
  consumer: string;
}

type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

function toEntries(list: Array<[string, string[] | null]>): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (const [entryId, fields] of list) {
    if (!fields) continue; // deleted while pending
    const i = fields.indexOf('id');
    if (i >= 0 && fields[i + 1]) out.push({ entryId, requestId: fields[i + 1]! });
  }
  return out;
}

/** The stream or its group is gone (FLUSHDB, DEL): recreate and carry on. */
function isNoGroup(err: unknown): boolean {
  const m = String((err as Error)?.message ?? '');
  return m.includes('NOGROUP') || m.includes('no longer exists');
}

export class RedisQueue {
  constructor(private readonly o: QueueOptions) {}

  /** Creates the stream and group if missing (idempotent). */
  async ensureGroup(redis: Redis): Promise<void> {
    try {
      await redis.xgroup('CREATE', this.o.key, this.o.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async enqueue(redis: Redis, requestIds: string[]): Promise<void> {
    if (requestIds.length === 1) {
      await redis.xadd(this.o.key, '*', 'id', requestIds[0]!);
      return;
    }
    const p = redis.pipeline();
    for (const id of requestIds) p.xadd(this.o.key, '*', 'id', id);
    const results = await p.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Blocks up to `blockMs` for at most `count` new entries (on a connection used for nothing else). */
  async take(blocking: Redis, count: number, blockMs: number): Promise<QueueEntry[]> {
    try {
      const reply = (await blocking.xreadgroup(
        'GROUP',
        this.o.group,
        this.o.consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        this.o.key,
        '>',
      )) as StreamReply;
      return reply ? toEntries(reply[0]![1]) : [];
    } catch (err) {
      if (!isNoGroup(err)) throw err;
      await this.ensureGroup(blocking);
      return [];
    }
  }

  /** Claims up to `count` entries idle for more than `minIdleMs` (abandoned by a dead worker). */
  async reclaim(redis: Redis, minIdleMs: number, count: number): Promise<QueueEntry[]> {
    try {
      const reply = (await redis.xautoclaim(
        this.o.key,
        this.o.group,
        this.o.consumer,
        minIdleMs,
        '0-0',
        'COUNT',
        count,
      )) as [string, Array<[string, string[] | null]>, string[]?];
      return toEntries(reply[1] ?? []);
    } catch (err) {
      if (!isNoGroup(err)) throw err;
      await this.ensureGroup(redis);
      return [];
    }
  }

  /** Resets the idle time of entries this consumer is still working on. */
  async heartbeat(redis: Redis, entryIds: string[]): Promise<void> {
    if (entryIds.length === 0) return;
    await redis.xclaim(this.o.key, this.o.group, this.o.consumer, 0, ...entryIds, 'JUSTID');
  }

  async ack(redis: Redis, entryId: string): Promise<void> {
    await redis.multi().xack(this.o.key, this.o.group, entryId).xdel(this.o.key, entryId).exec();
  }

  /** Entries not yet delivered plus delivered-but-unacknowledged ones. */
  async depth(redis: Redis): Promise<{ waiting: number; pending: number }> {
    try {
      const [len, pending] = await Promise.all([
        redis.xlen(this.o.key),
        redis.xpending(this.o.key, this.o.group) as Promise<[number, ...unknown[]]>,
      ]);
      const p = Number(pending[0] ?? 0);
      return { waiting: Math.max(0, len - p), pending: p };
    } catch (err) {
      if (isNoGroup(err)) return { waiting: 0, pending: 0 };
      throw err;
    }
  }
}
