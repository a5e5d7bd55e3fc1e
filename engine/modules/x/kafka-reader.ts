/**
 * `k6/x/kafka` Reader on a kafkajs consumer.
 *
 * xk6-kafka's reader pulls (`consume({ limit })` blocks until `limit` messages arrived);
 * kafkajs pushes (`eachMessage`). The bridge is a bounded buffer: kafkajs fills it, the
 * consumer is paused while it holds `queueCapacity` messages, `consume` drains it.
 *
 * Modes, as in the extension:
 * - with `groupID` (or `groupId`): a consumer group over `topic` / `groupTopics`, starting
 *   at the first offset (or the last with `startOffset: START_OFFSETS_LAST_OFFSET`) when the
 *   group has no committed offset; offsets are committed as kafkajs hands messages over;
 * - without: one partition (`partition`, default 0) read from `offset` (default: the
 *   first). kafkajs has no group-less consumer, so a private throw-away group is used and
 *   the partition is sought to the offset; nothing is committed.
 * `consume` waits at most `maxWait` (default 10s) per call: on expiry it throws, or returns
 * what arrived when `expectTimeout: true` (xk6-kafka's option).
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { VuContext } from '../api.ts';
import {
  badConfig,
  formatMessageTime,
  type KafkaMetrics,
  makeKafka,
  MODULE,
  optionalString,
  requireBrokers,
  requireObject,
} from './kafka-client.ts';
import { readerSamples, type ReaderGauges } from './kafka-metrics.ts';
import { ExtensionError, forbidInInit, parseDurationMs, requireAsyncMode, toBytes } from './support.ts';

export interface ReaderMessage {
  topic: string;
  partition: number;
  offset: number;
  time: string;
  highWaterMark: number;
  headers: Record<string, Uint8Array>;
  key?: Uint8Array;
  value?: Uint8Array;
}

interface Buffered {
  topic: string;
  partition: number;
  message: KafkaMessage;
  highWaterMark: number;
}

const LAST_OFFSETS = new Set(['start_offset_last_offset', 'start_offsets_last_offset']);

function toReaderMessage(b: Buffered, nanoPrecision: boolean): ReaderMessage {
  const headers: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(b.message.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    headers[k] = typeof first === 'string' ? new TextEncoder().encode(first) : new Uint8Array(first ?? []);
  }
  const out: ReaderMessage = {
    topic: b.topic,
    partition: b.partition,
    offset: Number(b.message.offset),
    time: formatMessageTime(Number(b.message.timestamp), nanoPrecision),
    highWaterMark: b.highWaterMark,
    headers,
  };
  const key = toBytes(b.message.key);
  const value = toBytes(b.message.value);
  if (key) out.key = key;
  if (value) out.value = value;
  return out;
}

export function makeReaderClass(vu: VuContext, metrics: KafkaMetrics) {
  return class Reader {
    readonly #consumer: Consumer;
    readonly #topics: string[];
    readonly #maxWaitMs: number;
    readonly #capacity: number;
    readonly #gauges: ReaderGauges;
    readonly #buffer: Buffered[] = [];
    #waiter: (() => void) | null = null;
    #started: Promise<void> | null = null;
    #paused = false;
    #failure: unknown = null;
    readonly #start: () => Promise<void>;

    constructor(config: Record<string, unknown>) {
      requireAsyncMode(vu, MODULE, 'new Reader()');
      const c = requireObject(config, 'Reader config');
      const brokers = requireBrokers(c.brokers, 'Reader config');
      const groupId = optionalString(c.groupID ?? c.groupId, 'Reader config.groupID');
      const topic = optionalString(c.topic, 'Reader config.topic');
      const groupTopics = Array.isArray(c.groupTopics) ? c.groupTopics.map(String) : [];
      this.#topics = topic ? [topic] : groupTopics;
      if (this.#topics.length === 0) throw badConfig('Reader config needs topic (or groupTopics with groupID)');
      if (!groupId && this.#topics.length !== 1) throw badConfig('Reader config: groupTopics needs groupID');
      if (groupId && c.partition !== undefined && c.partition !== 0)
        throw badConfig('Reader config: partition and groupID are mutually exclusive');
      this.#maxWaitMs = c.maxWait === undefined ? 10_000 : parseDurationMs(c.maxWait, MODULE, 'Reader config.maxWait');
      this.#capacity = typeof c.queueCapacity === 'number' && c.queueCapacity > 0 ? c.queueCapacity : 100;
      const positive = (v: unknown): number => (typeof v === 'number' && v > 0 ? v : 0);
      this.#gauges = {
        minBytes: positive(c.minBytes),
        maxBytes: positive(c.maxBytes),
        maxWaitMs: c.maxWait === undefined ? 0 : this.#maxWaitMs,
      };
      const partition = typeof c.partition === 'number' ? c.partition : 0;
      const offset = typeof c.offset === 'number' && c.offset > 0 ? c.offset : 0;
      const fromBeginning = !LAST_OFFSETS.has(String(c.startOffset ?? ''));
      const kafka = makeKafka(brokers, c, 'Reader config');
      this.#consumer = kafka.consumer({
        groupId: groupId ?? `k6-llm-perf-reader-${randomUUID()}`,
        sessionTimeout: 30_000,
        heartbeatInterval: 3000,
        maxWaitTimeInMs: Math.min(this.#maxWaitMs, 500),
      });
      this.#start = async () => {
        await this.#consumer.connect();
        await this.#consumer.subscribe({ topics: this.#topics, fromBeginning: groupId ? fromBeginning : true });
        await this.#consumer.run({
          autoCommit: groupId !== undefined,
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            if (!groupId && batch.partition !== partition) return;
            for (const message of batch.messages) {
              if (!groupId && Number(message.offset) < offset) continue;
              this.#buffer.push({
                topic: batch.topic,
                partition: batch.partition,
                message,
                highWaterMark: Number(batch.highWatermark),
              });
            }
            this.#afterPush();
          },
        });
        if (!groupId) this.#consumer.seek({ topic: this.#topics[0]!, partition, offset: String(offset) });
      };
      const consumer = this.#consumer;
      vu.onClose(() => consumer.disconnect().catch(() => {}));
    }

    #afterPush(): void {
      if (this.#buffer.length >= this.#capacity && !this.#paused) {
        this.#paused = true;
        this.#consumer.pause(this.#topics.map((topic) => ({ topic })));
      }
      this.#waiter?.();
    }

    async #waitForMessages(limit: number, deadline: number): Promise<boolean> {
      while (this.#buffer.length < limit) {
        if (this.#failure) throw this.#failure;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          this.#waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#waiter = null;
      }
      return true;
    }

    /** Resolves with up to `limit` messages (`maxMessages` is the newer name). */
    async consume(config: { limit?: number; maxMessages?: number; nanoPrecision?: boolean; expectTimeout?: boolean }) {
      requireAsyncMode(vu, MODULE, 'Reader.consume()');
      forbidInInit(vu, MODULE, 'Reader.consume()');
      const c = requireObject(config, 'consume config');
      const limit =
        Number(c.maxMessages ?? 0) > 0 ? Number(c.maxMessages) : Number(c.limit ?? 0) > 0 ? Number(c.limit) : 1;
      const started = Date.now();
      this.#started ??= this.#start().catch((error: unknown) => {
        this.#failure = new ExtensionError('X_KAFKA_READER', `${MODULE}: Reader could not start: ${String(error)}`, {
          cause: error,
        });
      });
      await this.#started;
      let complete: boolean;
      try {
        complete = await this.#waitForMessages(limit, started + this.#maxWaitMs);
      } catch (error) {
        this.#emit([], started, 'error');
        throw error;
      }
      const taken = this.#take(limit);
      const messages = taken.map((b) => toReaderMessage(b, c.nanoPrecision === true));
      this.#emit(messages, started, complete ? null : 'timeout');
      if (!complete && c.expectTimeout !== true) {
        throw new ExtensionError(
          'X_KAFKA_TIMEOUT',
          `${MODULE}: Reader.consume timed out after ${this.#maxWaitMs} ms with ${taken.length} of ${limit} messages ` +
            '(raise maxWait, or pass expectTimeout: true to get what arrived)',
        );
      }
      return messages;
    }

    /** Takes up to `limit` buffered messages, resuming the consumer once the buffer has room. */
    #take(limit: number): Buffered[] {
      const taken = this.#buffer.splice(0, limit);
      if (this.#paused && this.#buffer.length < this.#capacity) {
        this.#paused = false;
        this.#consumer.resume(this.#topics.map((topic) => ({ topic })));
      }
      return taken;
    }

    /** xk6-kafka's samples of one consume call (kafka-metrics.ts), failed calls included. */
    #emit(messages: ReaderMessage[], started: number, failure: 'timeout' | 'error' | null): void {
      for (const group of readerSamples(
        { topic: this.#topics.join(','), messages, elapsedMs: Date.now() - started, failure },
        this.#gauges,
      )) {
        metrics.emit(group);
      }
    }

    async close(): Promise<void> {
      await this.#consumer.disconnect();
    }
  };
}
