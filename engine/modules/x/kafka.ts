/**
 * `k6/x/kafka` — mostafa/xk6-kafka's `Writer`, `Reader`, `Connection` and
 * `SchemaRegistry` (string/JSON/bytes serdes) on kafkajs.
 *
 * The extension is synchronous in k6; here every I/O method returns a promise, so scripts
 * `await` it (a no-op on a value under k6). Message keys and values are bytes
 * (`Uint8Array`), made with `schemaRegistry.serialize({ data, schemaType })` and read back
 * with `deserialize`, as in the extension. Metrics: kafka_writer_* and kafka_reader_*
 * counters and trends (see kafka-client.ts), tagged with the topic.
 *
 * Partitioning: keyed messages go through kafkajs's murmur2 partitioner (Java client
 * compatible) whatever `balancer` says, except `BALANCER_ROUND_ROBIN`, which rotates.
 */
import { CompressionTypes, Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import type { VuContext } from '../api.ts';
import {
  badConfig,
  KafkaMetrics,
  makeKafka,
  MODULE,
  optionalString,
  requireBrokers,
  requireObject,
} from './kafka-client.ts';
import { writerSamples, type WriterGauges } from './kafka-metrics.ts';
import { makeReaderClass } from './kafka-reader.ts';
import { describe, ExtensionError, forbidInInit, parseDurationMs, requireAsyncMode, toBuffer } from './support.ts';

export const CONSTANTS = {
  SCHEMA_TYPE_STRING: 'STRING',
  SCHEMA_TYPE_BYTES: 'BYTES',
  SCHEMA_TYPE_JSON: 'JSON',
  SCHEMA_TYPE_AVRO: 'AVRO',
  SCHEMA_TYPE_PROTOBUF: 'PROTOBUF',
  BALANCER_ROUND_ROBIN: 'balancer_roundrobin',
  BALANCER_LEAST_BYTES: 'balancer_leastbytes',
  BALANCER_HASH: 'balancer_hash',
  BALANCER_CRC32: 'balancer_crc32',
  BALANCER_MURMUR2: 'balancer_murmur2',
  CODEC_GZIP: 'gzip',
  CODEC_SNAPPY: 'snappy',
  CODEC_LZ4: 'lz4',
  CODEC_ZSTD: 'zstd',
  START_OFFSETS_FIRST_OFFSET: 'start_offsets_first_offset',
  START_OFFSETS_LAST_OFFSET: 'start_offsets_last_offset',
  SASL_PLAIN: 'sasl_plain',
  SASL_SCRAM_SHA256: 'sasl_scram_sha256',
  SASL_SCRAM_SHA512: 'sasl_scram_sha512',
  NONE: 'none',
  TIME: { NANOSECOND: 1, MICROSECOND: 1e3, MILLISECOND: 1e6, SECOND: 1e9, MINUTE: 60e9, HOUR: 3600e9 },
} as const;

/** kafkajs ships only gzip; the others need codec plugins the kit does not install. */
function toCompression(value: unknown): CompressionTypes {
  if (value === undefined || value === '') return CompressionTypes.None;
  if (value === 'gzip') return CompressionTypes.GZIP;
  throw badConfig(`Writer config.compression "${String(value)}" is not available in the kit's engine (gzip only)`);
}

function roundRobin() {
  let next = 0;
  return ({ partitionMetadata }: { partitionMetadata: Array<{ partitionId: number }> }) =>
    partitionMetadata[next++ % partitionMetadata.length]!.partitionId;
}

function toKafkaMessage(raw: unknown, i: number): { topic?: string; message: Message } {
  const m = requireObject(raw, `produce: messages[${i}]`);
  const message: Message = {
    key: m.key === undefined || m.key === null ? null : toBuffer(m.key, MODULE, `produce: messages[${i}].key`),
    value:
      m.value === undefined || m.value === null ? null : toBuffer(m.value, MODULE, `produce: messages[${i}].value`),
  };
  if (m.headers !== undefined) {
    const headers = requireObject(m.headers, `produce: messages[${i}].headers`);
    message.headers = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, toBuffer(v, MODULE, `produce: messages[${i}].headers.${k}`)]),
    );
  }
  if (typeof m.partition === 'number') message.partition = m.partition;
  if (m.time !== undefined) message.timestamp = String(new Date(m.time as string | number | Date).getTime());
  return { topic: optionalString(m.topic, `produce: messages[${i}].topic`), message };
}

/** The Writer options xk6-kafka reports as gauges, in its units (0 when not set; acks -1 for "all"). */
function writerGauges(c: Record<string, unknown>): WriterGauges {
  const ms = (v: unknown, field: string): number =>
    v === undefined ? 0 : parseDurationMs(v, MODULE, `Writer config.${field}`);
  return {
    batchMax: typeof c.batchSize === 'number' && c.batchSize > 0 ? c.batchSize : 0,
    batchTimeoutMs: ms(c.batchTimeout, 'batchTimeout'),
    readTimeoutMs: ms(c.readTimeout, 'readTimeout'),
    writeTimeoutMs: ms(c.writeTimeout, 'writeTimeout'),
    acks: typeof c.requiredAcks === 'number' ? c.requiredAcks : 0,
  };
}

/** A kafkajs message as the metrics count it (kafka-metrics.ts). */
const metered = (topic: string) => (m: Message) => ({
  topic,
  partition: m.partition ?? 0,
  offset: 0,
  highWaterMark: 0,
  key: m.key as Buffer | null,
  value: m.value as Buffer | null,
  headers: m.headers as Record<string, Buffer> | undefined,
});

export function createModule(vu: VuContext): Record<string, unknown> {
  const metrics = new KafkaMetrics(vu);

  class Writer {
    readonly #producer: Producer;
    readonly #topic: string | undefined;
    readonly #acks: number;
    readonly #compression: CompressionTypes;
    readonly #gauges: WriterGauges;
    #connected: Promise<void> | null = null;

    constructor(config: Record<string, unknown>) {
      requireAsyncMode(vu, MODULE, 'new Writer()');
      const c = requireObject(config, 'Writer config');
      const brokers = requireBrokers(c.brokers, 'Writer config');
      this.#topic = optionalString(c.topic, 'Writer config.topic');
      this.#acks = typeof c.requiredAcks === 'number' ? c.requiredAcks : -1;
      this.#compression = toCompression(c.compression);
      this.#gauges = writerGauges(c);
      const producer = makeKafka(brokers, c, 'Writer config').producer({
        allowAutoTopicCreation: c.autoCreateTopic === true,
        createPartitioner: c.balancer === CONSTANTS.BALANCER_ROUND_ROBIN ? roundRobin : Partitioners.DefaultPartitioner,
        retry: { retries: typeof c.maxAttempts === 'number' ? c.maxAttempts : 5 },
      });
      this.#producer = producer;
      vu.onClose(() => producer.disconnect().catch(() => {}));
    }

    /** Writes the messages (grouped per topic), resolving when the brokers acknowledged them. */
    async produce(config: { messages: unknown[] }): Promise<void> {
      requireAsyncMode(vu, MODULE, 'Writer.produce()');
      forbidInInit(vu, MODULE, 'Writer.produce()');
      const c = requireObject(config, 'produce config');
      if (!Array.isArray(c.messages))
        throw badConfig(`produce config.messages must be an array, got ${describe(c.messages)}`);
      const byTopic = new Map<string, Message[]>();
      c.messages.forEach((raw, i) => {
        const { topic, message } = toKafkaMessage(raw, i);
        const t = topic ?? this.#topic;
        if (!t) throw badConfig(`produce: messages[${i}] has no topic and the Writer has none`);
        const list = byTopic.get(t);
        if (list) list.push(message);
        else byTopic.set(t, [message]);
      });
      this.#connected ??= this.#producer.connect();
      const share = 1 / byTopic.size;
      const pending = [...byTopic];
      for (const [topic, messages] of byTopic) {
        pending.shift();
        const started = Date.now();
        try {
          await this.#connected;
          await this.#producer.send({ topic, messages, acks: this.#acks, compression: this.#compression });
        } catch (error) {
          // as xk6-kafka: the failed call's topics each count their share of one error, nothing written
          for (const [t, list] of [[topic, messages] as const, ...pending])
            metrics.emit(writerSamples(t, list.map(metered(t)), 0, share, this.#gauges));
          this.#connected = null;
          throw new ExtensionError(
            'X_KAFKA_PRODUCE',
            `${MODULE}: Writer.produce to "${topic}" failed: ${String(error)}`,
            { cause: error },
          );
        }
        metrics.emit(writerSamples(topic, messages.map(metered(topic)), Date.now() - started, 0, this.#gauges));
      }
    }

    async close(): Promise<void> {
      await this.#producer.disconnect();
    }
  }

  class Connection {
    readonly #admin: Admin;
    #connected: Promise<void> | null = null;

    constructor(config: Record<string, unknown>) {
      requireAsyncMode(vu, MODULE, 'new Connection()');
      const c = requireObject(config, 'Connection config');
      if (typeof c.address !== 'string' || !/^[^:\s]+:\d+$/.test(c.address)) {
        throw badConfig(`Connection config.address must be "host:port", got ${JSON.stringify(c.address)}`);
      }
      const admin = makeKafka([c.address], c, 'Connection config').admin();
      this.#admin = admin;
      vu.onClose(() => admin.disconnect().catch(() => {}));
    }

    async #ready(): Promise<Admin> {
      this.#connected ??= this.#admin.connect();
      await this.#connected;
      return this.#admin;
    }

    /** Creates the topic; an existing topic is left as it is (as the extension does). */
    async createTopic(config: Record<string, unknown>): Promise<void> {
      requireAsyncMode(vu, MODULE, 'Connection.createTopic()');
      const c = requireObject(config, 'createTopic config');
      if (typeof c.topic !== 'string' || c.topic === '')
        throw badConfig('createTopic config.topic must be a non-empty string');
      const entries = Array.isArray(c.configEntries)
        ? (c.configEntries as Array<{ configName: string; configValue: string }>)
        : [];
      const admin = await this.#ready();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: c.topic,
            numPartitions: typeof c.numPartitions === 'number' && c.numPartitions > 0 ? c.numPartitions : 1,
            replicationFactor:
              typeof c.replicationFactor === 'number' && c.replicationFactor > 0 ? c.replicationFactor : 1,
            configEntries: entries.map((e) => ({ name: e.configName, value: e.configValue })),
          },
        ],
      });
    }

    async deleteTopic(topic: string): Promise<void> {
      requireAsyncMode(vu, MODULE, 'Connection.deleteTopic()');
      if (typeof topic !== 'string' || topic === '')
        throw badConfig('deleteTopic(topic): topic must be a non-empty string');
      const admin = await this.#ready();
      await admin.deleteTopics({ topics: [topic] });
    }

    async listTopics(): Promise<string[]> {
      requireAsyncMode(vu, MODULE, 'Connection.listTopics()');
      const admin = await this.#ready();
      return admin.listTopics();
    }

    async close(): Promise<void> {
      await this.#admin.disconnect();
    }
  }

  class SchemaRegistry {
    constructor(config?: Record<string, unknown>) {
      if (config !== undefined && requireObject(config, 'SchemaRegistry config').url !== undefined) {
        throw badConfig(
          "SchemaRegistry: a registry url (Avro/Protobuf schemas) is not supported by the kit's engine; string, JSON and bytes serdes need none",
        );
      }
    }

    serialize(container: { data: unknown; schemaType: string }): Uint8Array {
      const c = requireObject(container, 'serialize container');
      switch (c.schemaType) {
        case CONSTANTS.SCHEMA_TYPE_STRING:
          if (typeof c.data !== 'string')
            throw badConfig(`serialize: data must be a string for SCHEMA_TYPE_STRING, got ${describe(c.data)}`);
          return new TextEncoder().encode(c.data);
        case CONSTANTS.SCHEMA_TYPE_JSON:
          return new TextEncoder().encode(typeof c.data === 'string' ? c.data : JSON.stringify(c.data));
        case CONSTANTS.SCHEMA_TYPE_BYTES:
          return new Uint8Array(toBuffer(c.data, MODULE, 'serialize: data'));
        default:
          throw badConfig(
            `serialize: schemaType "${String(c.schemaType)}" is not supported by the kit's engine (STRING, JSON, BYTES)`,
          );
      }
    }

    deserialize(container: { data: unknown; schemaType: string }): unknown {
      const c = requireObject(container, 'deserialize container');
      const bytes =
        c.data === undefined || c.data === null ? Buffer.alloc(0) : toBuffer(c.data, MODULE, 'deserialize: data');
      switch (c.schemaType) {
        case CONSTANTS.SCHEMA_TYPE_STRING:
          return bytes.toString('utf8');
        case CONSTANTS.SCHEMA_TYPE_JSON:
          return JSON.parse(bytes.toString('utf8'));
        case CONSTANTS.SCHEMA_TYPE_BYTES:
          return new Uint8Array(bytes);
        default:
          throw badConfig(
            `deserialize: schemaType "${String(c.schemaType)}" is not supported by the kit's engine (STRING, JSON, BYTES)`,
          );
      }
    }
  }

  const Reader = makeReaderClass(vu, metrics);
  const exports = { Writer, Reader, Connection, SchemaRegistry, ...CONSTANTS };
  return { ...exports, default: exports };
}
