/**
 * `k6/x/kafka` — mostafa/xk6-kafka: Writer, Reader, Connection, SchemaRegistry and the
 * serdes constants.
 *
 * xk6-kafka is synchronous under the k6 binary; the kit's Node engine returns promises.
 * Methods are typed `Awaitable<T>`: scripts `await` them, right in both, and a forgotten
 * `await` is a type error wherever the result is used.
 */
declare module 'k6/x/kafka' {
  export type Awaitable<T> = T | Promise<T>;
  /** A Go duration string ("500ms", "10s") or nanoseconds. */
  export type Duration = string | number;
  export type Bytes = Uint8Array | ArrayBuffer | number[];

  export const SCHEMA_TYPE_STRING: 'STRING';
  export const SCHEMA_TYPE_BYTES: 'BYTES';
  export const SCHEMA_TYPE_JSON: 'JSON';
  export const SCHEMA_TYPE_AVRO: 'AVRO';
  export const SCHEMA_TYPE_PROTOBUF: 'PROTOBUF';
  export type SchemaType = 'STRING' | 'BYTES' | 'JSON' | 'AVRO' | 'PROTOBUF';

  export const BALANCER_ROUND_ROBIN: string;
  export const BALANCER_LEAST_BYTES: string;
  export const BALANCER_HASH: string;
  export const BALANCER_CRC32: string;
  export const BALANCER_MURMUR2: string;
  export const CODEC_GZIP: string;
  export const CODEC_SNAPPY: string;
  export const CODEC_LZ4: string;
  export const CODEC_ZSTD: string;
  export const START_OFFSETS_FIRST_OFFSET: string;
  export const START_OFFSETS_LAST_OFFSET: string;
  export const SASL_PLAIN: string;
  export const SASL_SCRAM_SHA256: string;
  export const SASL_SCRAM_SHA512: string;
  export const NONE: string;
  export const TIME: {
    NANOSECOND: number;
    MICROSECOND: number;
    MILLISECOND: number;
    SECOND: number;
    MINUTE: number;
    HOUR: number;
  };

  export interface SASLConfig {
    username: string;
    password: string;
    algorithm: string;
  }
  export interface TLSConfig {
    enableTls?: boolean;
    insecureSkipTlsVerify?: boolean;
    minVersion?: string;
    clientCertPem?: string;
    clientKeyPem?: string;
    serverCertPem?: string;
  }

  export interface WriterConfig {
    brokers: string[];
    topic?: string;
    autoCreateTopic?: boolean;
    balancer?: string;
    maxAttempts?: number;
    batchSize?: number;
    batchBytes?: number;
    batchTimeout?: Duration;
    readTimeout?: Duration;
    writeTimeout?: Duration;
    requiredAcks?: number;
    compression?: string;
    sasl?: SASLConfig;
    tls?: TLSConfig;
    connectLogger?: boolean;
  }

  /** A message to produce: key and value are bytes (see SchemaRegistry.serialize). */
  export interface ProduceMessage {
    key?: Bytes | string;
    value: Bytes | string;
    headers?: Record<string, Bytes | string>;
    topic?: string;
    partition?: number;
    time?: Date | number | string;
  }

  export interface ProduceConfig {
    messages: ProduceMessage[];
  }

  export interface ReaderConfig {
    brokers: string[];
    topic?: string;
    groupID?: string;
    groupTopics?: string[];
    partition?: number;
    offset?: number;
    startOffset?: string;
    maxWait?: Duration;
    queueCapacity?: number;
    minBytes?: number;
    maxBytes?: number;
    readBatchTimeout?: Duration;
    heartbeatInterval?: Duration;
    commitInterval?: Duration;
    sessionTimeout?: Duration;
    rebalanceTimeout?: Duration;
    isolationLevel?: string;
    maxAttempts?: number;
    sasl?: SASLConfig;
    tls?: TLSConfig;
    connectLogger?: boolean;
  }

  export interface ConsumeConfig {
    limit?: number;
    /** The newer name of `limit`. */
    maxMessages?: number;
    /** `time` with its fraction of a second (RFC 3339 nano) instead of whole seconds. */
    nanoPrecision?: boolean;
    /** Return what arrived when maxWait expires instead of throwing. */
    expectTimeout?: boolean;
  }

  /** A consumed message. `time` is the Kafka record timestamp, RFC 3339. */
  export interface Message {
    topic: string;
    partition: number;
    offset: number;
    time: string;
    highWaterMark: number;
    headers: Record<string, Uint8Array>;
    key?: Uint8Array;
    value?: Uint8Array;
  }

  export interface TopicConfig {
    topic: string;
    numPartitions?: number;
    replicationFactor?: number;
    configEntries?: Array<{ configName: string; configValue: string }>;
  }

  export interface ConnectionConfig {
    address: string;
    sasl?: SASLConfig;
    tls?: TLSConfig;
  }

  export interface Container {
    data: unknown;
    schemaType: SchemaType;
    schema?: unknown;
  }

  export class Writer {
    constructor(config: WriterConfig);
    produce(config: ProduceConfig): Awaitable<void>;
    close(): Awaitable<void>;
  }

  export class Reader {
    constructor(config: ReaderConfig);
    consume(config: ConsumeConfig): Awaitable<Message[]>;
    close(): Awaitable<void>;
  }

  export class Connection {
    constructor(config: ConnectionConfig);
    createTopic(config: TopicConfig): Awaitable<void>;
    deleteTopic(topic: string): Awaitable<void>;
    listTopics(): Awaitable<string[]>;
    close(): Awaitable<void>;
  }

  export class SchemaRegistry {
    constructor(config?: { url?: string });
    serialize(container: Container): Uint8Array;
    deserialize(container: Container): unknown;
  }
}
