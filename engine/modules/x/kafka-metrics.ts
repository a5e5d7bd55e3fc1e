/**
 * The metrics of `k6/x/kafka`, as mostafa/xk6-kafka v2.1.0 (the release for k6 v1) defines and
 * emits them (pkg/kafka/stats.go and compatibility_metrics.go).
 *
 * Every Reader.consume and Writer.produce call, failed ones included, emits one sample of every
 * reader (resp. writer) metric per group of messages: per topic and partition for the reader
 * (one group for the reader's topic, partition 0, when nothing came), per topic for the writer.
 * Tags: the VU's, plus `topic`; the reader's also `partition` and `clientid` (the client.id the
 * extension never sets, so ""). A failed call counts 1/groups in error_count or, for a timeout,
 * timeouts_count, so each call adds up to 1. Values the extension reports as constants (no
 * rebalances, no dial or queue wait, an empty queue, options it does not set) are those
 * constants here too, so that sums and thresholds compare between the engine and k6.
 */
import type { MetricType, ValueType } from '../../metrics/api.ts';

/** [name, type, value type] of every metric xk6-kafka v2.1.0 registers, in its order. */
export const KAFKA_METRICS: ReadonlyArray<readonly [string, MetricType, ValueType]> = [
  ['kafka_reader_dial_count', 'counter', 'default'],
  ['kafka_reader_fetches_count', 'counter', 'default'],
  ['kafka_reader_message_count', 'counter', 'default'],
  ['kafka_reader_message_bytes', 'counter', 'data'],
  ['kafka_reader_rebalance_count', 'counter', 'default'],
  ['kafka_reader_timeouts_count', 'counter', 'default'],
  ['kafka_reader_error_count', 'counter', 'default'],
  ['kafka_reader_dial_seconds', 'trend', 'time'],
  ['kafka_reader_read_seconds', 'trend', 'time'],
  ['kafka_reader_wait_seconds', 'trend', 'time'],
  ['kafka_reader_fetch_size', 'counter', 'default'],
  ['kafka_reader_fetch_bytes', 'counter', 'data'],
  ['kafka_reader_offset', 'gauge', 'default'],
  ['kafka_reader_lag', 'gauge', 'default'],
  ['kafka_reader_fetch_bytes_min', 'gauge', 'default'],
  ['kafka_reader_fetch_bytes_max', 'gauge', 'default'],
  ['kafka_reader_fetch_wait_max', 'gauge', 'time'],
  ['kafka_reader_queue_length', 'gauge', 'default'],
  ['kafka_reader_queue_capacity', 'gauge', 'default'],
  ['kafka_writer_write_count', 'counter', 'default'],
  ['kafka_writer_message_count', 'counter', 'default'],
  ['kafka_writer_message_bytes', 'counter', 'data'],
  ['kafka_writer_error_count', 'counter', 'default'],
  ['kafka_writer_batch_seconds', 'trend', 'time'],
  ['kafka_writer_batch_queue_seconds', 'trend', 'time'],
  ['kafka_writer_write_seconds', 'trend', 'time'],
  ['kafka_writer_wait_seconds', 'trend', 'time'],
  ['kafka_writer_retries_count', 'counter', 'default'],
  ['kafka_writer_batch_size', 'counter', 'default'],
  ['kafka_writer_batch_bytes', 'counter', 'data'],
  ['kafka_writer_attempts_max', 'gauge', 'default'],
  ['kafka_writer_batch_max', 'gauge', 'default'],
  ['kafka_writer_batch_timeout', 'gauge', 'time'],
  ['kafka_writer_read_timeout', 'gauge', 'time'],
  ['kafka_writer_write_timeout', 'gauge', 'time'],
  ['kafka_writer_acks_required', 'gauge', 'default'],
  ['kafka_writer_async', 'rate', 'default'],
];

/** What the metrics need to know of one message. */
export interface MeteredMessage {
  topic: string;
  partition: number;
  offset: number;
  highWaterMark: number;
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: Record<string, Uint8Array>;
}

/**
 * A message's bytes as xk6-kafka counts them: key, value, and for each header its name plus
 * Go's `%v` rendering of the value bytes ("[104 105]").
 */
export function messageBytes(m: MeteredMessage): number {
  let size = (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [name, value] of Object.entries(m.headers ?? {}))
    size += name.length + `[${Array.from(value).join(' ')}]`.length;
  return size;
}

/** The Reader options the extension reports as gauges (0 when not set). */
export interface ReaderGauges {
  minBytes: number;
  maxBytes: number;
  maxWaitMs: number;
}

export interface ConsumeOutcome {
  /** The reader's topic(s), for the group of a call that got no message. */
  topic: string;
  messages: MeteredMessage[];
  elapsedMs: number;
  /** The call failed: by timing out (`timeout`) or otherwise (`error`). */
  failure: 'timeout' | 'error' | null;
}

type Sample = readonly [name: string, value: number];
export interface SampleGroup {
  tags: Record<string, string>;
  samples: Sample[];
}

/** The samples of one Reader.consume call, one group per topic and partition. */
export function readerSamples(c: ConsumeOutcome, gauges: ReaderGauges): SampleGroup[] {
  const groups = new Map<
    string,
    { topic: string; partition: number; count: number; bytes: number; offset: number; hwm: number }
  >();
  for (const m of c.messages) {
    const key = `${m.topic}\u0000${m.partition}`;
    const g = groups.get(key) ?? { topic: m.topic, partition: m.partition, count: 0, bytes: 0, offset: 0, hwm: 0 };
    g.count += 1;
    g.bytes += messageBytes(m);
    g.offset = m.offset;
    g.hwm = m.highWaterMark;
    groups.set(key, g);
  }
  if (groups.size === 0) groups.set('', { topic: c.topic, partition: 0, count: 0, bytes: 0, offset: 0, hwm: 0 });
  const share = 1 / groups.size;
  const active = c.messages.length > 0 || c.failure !== null;
  return [...groups.values()].map((g) => ({
    tags: { topic: g.topic, clientid: '', partition: String(g.partition) },
    samples: [
      ['kafka_reader_dial_count', active ? share : 0],
      ['kafka_reader_fetches_count', g.count === 0 && c.failure === null ? 0 : g.count + share],
      ['kafka_reader_message_count', g.count],
      ['kafka_reader_message_bytes', g.bytes],
      ['kafka_reader_rebalance_count', 0],
      ['kafka_reader_timeouts_count', c.failure === 'timeout' ? share : 0],
      ['kafka_reader_error_count', c.failure === 'error' ? share : 0],
      ['kafka_reader_dial_seconds', 0],
      ['kafka_reader_read_seconds', active ? c.elapsedMs : 0],
      ['kafka_reader_wait_seconds', 0],
      ['kafka_reader_fetch_size', g.count],
      ['kafka_reader_fetch_bytes', g.bytes],
      ['kafka_reader_offset', g.offset],
      ['kafka_reader_lag', g.hwm > g.offset ? g.hwm - g.offset : 0],
      ['kafka_reader_fetch_bytes_min', gauges.minBytes],
      ['kafka_reader_fetch_bytes_max', gauges.maxBytes],
      ['kafka_reader_fetch_wait_max', gauges.maxWaitMs],
      ['kafka_reader_queue_length', 0],
      ['kafka_reader_queue_capacity', 0],
    ],
  }));
}

/** The Writer options the extension reports as gauges (0 when not set; acks as -1/0/1). */
export interface WriterGauges {
  batchMax: number;
  batchTimeoutMs: number;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  acks: number;
}

/** xk6-kafka adds this to each written message's bytes (what kafka-go's record framing cost). */
const WRITER_MESSAGE_OVERHEAD = 23;

/** The samples of one Writer.produce of `messages` to `topic`; `failed`: share of the error. */
export function writerSamples(
  topic: string,
  messages: MeteredMessage[],
  elapsedMs: number,
  failed: number,
  gauges: WriterGauges,
): SampleGroup {
  const ok = failed === 0;
  const n = messages.length;
  const bytes = messages.reduce((sum, m) => sum + WRITER_MESSAGE_OVERHEAD + messageBytes(m), 0);
  return {
    tags: { topic },
    samples: [
      ['kafka_writer_write_count', ok ? n : 0],
      ['kafka_writer_message_count', ok ? n : 0],
      ['kafka_writer_message_bytes', ok ? bytes : 0],
      ['kafka_writer_error_count', failed],
      ['kafka_writer_batch_seconds', ok && n > 0 ? elapsedMs / n : 0],
      ['kafka_writer_batch_queue_seconds', 0],
      ['kafka_writer_write_seconds', ok ? elapsedMs : 0],
      ['kafka_writer_wait_seconds', 0],
      ['kafka_writer_retries_count', 0],
      ['kafka_writer_batch_size', ok && n > 0 ? 1 : 0],
      ['kafka_writer_batch_bytes', ok && n > 0 ? bytes / n : 0],
      ['kafka_writer_attempts_max', 0],
      ['kafka_writer_batch_max', gauges.batchMax],
      ['kafka_writer_batch_timeout', gauges.batchTimeoutMs],
      ['kafka_writer_read_timeout', gauges.readTimeoutMs],
      ['kafka_writer_write_timeout', gauges.writeTimeoutMs],
      ['kafka_writer_acks_required', gauges.acks],
      ['kafka_writer_async', 0],
    ],
  };
}
