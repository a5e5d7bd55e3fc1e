/**
 * The metrics the engine's x-modules emit have the names and types of the real extensions':
 * xk6-kafka v2.1.0 (pkg/kafka/stats.go), xk6-sse v0.1.12 (metrics.go and the built-in
 * http_req_* it pushes) and xk6-redis (no metric of its own; its bytes go to data_sent /
 * data_received). A table each, compared with what the modules define and emit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createModule as kafkaModule } from '../../../engine/modules/x/kafka.ts';
import { createModule as sseModule } from '../../../engine/modules/x/sse.ts';
import { KAFKA_METRICS, messageBytes, readerSamples, writerSamples } from '../../../engine/modules/x/kafka-metrics.ts';
import { BUILTIN_DEFINITIONS } from '../../../engine/metrics/builtin.ts';
import { fakeVu } from './fake-vu.ts';

/** xk6-kafka v2.1.0's reader metrics: name, k6 metric type, value type. */
const READER: Array<[string, string, string]> = [
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
];

/** xk6-kafka v2.1.0's writer metrics. */
const WRITER: Array<[string, string, string]> = [
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

const bytes = (s: string) => new TextEncoder().encode(s);
const gaugesR = { minBytes: 0, maxBytes: 0, maxWaitMs: 0 };
const gaugesW = { batchMax: 0, batchTimeoutMs: 0, readTimeoutMs: 0, writeTimeoutMs: 0, acks: 0 };
const msg = (partition: number, offset: number, value: string) => ({
  topic: 't',
  partition,
  offset,
  highWaterMark: offset + 3,
  value: bytes(value),
});

describe('k6/x/kafka metric names and types (xk6-kafka v2.1.0)', () => {
  it('lists exactly the reader and writer metrics of the extension', () => {
    assert.deepEqual(
      KAFKA_METRICS.map(([n, t, v]) => [n, t, v]),
      [...READER, ...WRITER],
    );
  });

  it('defines every one of them on the VU, with its type and value type', () => {
    const vu = fakeVu();
    kafkaModule(vu);
    assert.deepEqual(
      [...vu.defined].map(([n, d]) => [n, d.type, d.contains]),
      [...READER, ...WRITER],
    );
  });

  it('emits every reader metric once per consume call and partition, failed calls included', () => {
    for (const failure of [null, 'timeout', 'error'] as const) {
      const groups = readerSamples(
        { topic: 't', messages: failure ? [] : [msg(0, 4, 'ab'), msg(1, 9, 'c')], elapsedMs: 12, failure },
        gaugesR,
      );
      for (const g of groups)
        assert.deepEqual(
          g.samples.map(([n]) => n),
          READER.map(([n]) => n),
        );
      assert.deepEqual(
        groups.map((g) => g.tags),
        failure
          ? [{ topic: 't', clientid: '', partition: '0' }]
          : [
              { topic: 't', clientid: '', partition: '0' },
              { topic: 't', clientid: '', partition: '1' },
            ],
      );
    }
  });

  it('emits every writer metric once per produce call and topic', () => {
    assert.deepEqual(
      writerSamples('t', [msg(0, 0, 'x')], 5, 0, gaugesW).samples.map(([n]) => n),
      WRITER.map(([n]) => n),
    );
  });
});

describe('k6/x/kafka metric values (as xk6-kafka v2.1.0 computes them)', () => {
  const value = (samples: ReadonlyArray<readonly [string, number]>, name: string) =>
    samples.find(([n]) => n === name)![1];

  it('counts a message as its key, value, and each header name plus Go %v of its bytes', () => {
    assert.equal(
      messageBytes({
        topic: 't',
        partition: 0,
        offset: 0,
        highWaterMark: 0,
        key: bytes('k1'),
        value: bytes('hello'),
        headers: { h: bytes('hi') },
      }),
      2 + 5 + 1 + '[104 105]'.length,
    );
  });

  it('reports messages, bytes, fetches, offset and lag of a partition, and one dial per call', () => {
    const [g] = readerSamples(
      { topic: 't', messages: [msg(0, 4, 'ab'), msg(0, 5, 'cde')], elapsedMs: 12, failure: null },
      { minBytes: 1, maxBytes: 1e6, maxWaitMs: 500 },
    );
    const s = g!.samples;
    assert.equal(value(s, 'kafka_reader_message_count'), 2);
    assert.equal(value(s, 'kafka_reader_message_bytes'), 5);
    assert.equal(value(s, 'kafka_reader_fetch_bytes'), 5);
    assert.equal(value(s, 'kafka_reader_fetches_count'), 3);
    assert.equal(value(s, 'kafka_reader_dial_count'), 1);
    assert.equal(value(s, 'kafka_reader_offset'), 5);
    assert.equal(value(s, 'kafka_reader_lag'), 3);
    assert.equal(value(s, 'kafka_reader_read_seconds'), 12);
    assert.equal(value(s, 'kafka_reader_fetch_wait_max'), 500);
    assert.equal(value(s, 'kafka_reader_fetch_bytes_max'), 1e6);
  });

  it('counts a timed-out call in timeouts_count and a failed one in error_count, shared across its partitions', () => {
    const timeout = readerSamples(
      { topic: 't', messages: [msg(0, 1, 'a'), msg(1, 1, 'b')], elapsedMs: 10, failure: 'timeout' },
      gaugesR,
    );
    assert.deepEqual(
      timeout.map((g) => value(g.samples, 'kafka_reader_timeouts_count')),
      [0.5, 0.5],
    );
    assert.deepEqual(
      timeout.map((g) => value(g.samples, 'kafka_reader_error_count')),
      [0, 0],
    );
    const [err] = readerSamples({ topic: 't', messages: [], elapsedMs: 10, failure: 'error' }, gaugesR);
    assert.equal(value(err!.samples, 'kafka_reader_error_count'), 1);
    assert.equal(value(err!.samples, 'kafka_reader_message_count'), 0);
  });

  it('reports an empty successful call with zero dials, fetches and read time', () => {
    const [g] = readerSamples({ topic: 't', messages: [], elapsedMs: 10, failure: null }, gaugesR);
    for (const name of ['kafka_reader_dial_count', 'kafka_reader_fetches_count', 'kafka_reader_read_seconds'])
      assert.equal(value(g!.samples, name), 0, name);
  });

  it('adds 23 bytes of framing per written message, one write per message, and nothing but the error on failure', () => {
    const ok = writerSamples('t', [msg(0, 0, 'abc'), msg(0, 0, 'de')], 8, 0, gaugesW).samples;
    assert.equal(value(ok, 'kafka_writer_message_bytes'), 23 * 2 + 5);
    assert.equal(value(ok, 'kafka_writer_write_count'), 2);
    assert.equal(value(ok, 'kafka_writer_batch_seconds'), 4);
    const failed = writerSamples('t', [msg(0, 0, 'abc')], 8, 1, gaugesW).samples;
    assert.equal(value(failed, 'kafka_writer_error_count'), 1);
    assert.equal(value(failed, 'kafka_writer_message_count'), 0);
  });
});

describe('k6/x/sse and k6/x/redis metric names and types', () => {
  it('defines sse_event as a counter, as xk6-sse v0.1.12 does', () => {
    const vu = fakeVu();
    sseModule(vu);
    assert.deepEqual(
      [...vu.defined].map(([n, d]) => [n, d.type, d.contains]),
      [['sse_event', 'counter', 'default']],
    );
  });

  it('uses k6 built-ins of the types k6 gives them for the rest (sse: http_reqs, http_req_sending, http_req_duration; redis: data_sent, data_received)', () => {
    const types = new Map(BUILTIN_DEFINITIONS.map((m) => [m.name, [m.type, m.contains]]));
    assert.deepEqual(
      ['http_reqs', 'http_req_sending', 'http_req_duration', 'data_sent', 'data_received'].map((n) => [
        n,
        ...(types.get(n) ?? []),
      ]),
      [
        ['http_reqs', 'counter', 'default'],
        ['http_req_sending', 'trend', 'time'],
        ['http_req_duration', 'trend', 'time'],
        ['data_sent', 'counter', 'data'],
        ['data_received', 'counter', 'data'],
      ],
    );
  });
});
