/**
 * The kafkajs side shared by `k6/x/kafka`'s Writer, Reader and Connection: config
 * validation in the extension's terms, the kafkajs client factory, and the sink side of the
 * metrics the extension emits (kafka_writer_* / kafka_reader_*; what and when: kafka-metrics.ts).
 */
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { VuContext } from '../api.ts';
import { KAFKA_METRICS, type SampleGroup } from './kafka-metrics.ts';
import { describe, ExtensionError } from './support.ts';

export const MODULE = 'k6/x/kafka';

/** The metrics this module defines on each VU's sink: xk6-kafka v2.1.0's, see kafka-metrics.ts. */
export { KAFKA_METRICS } from './kafka-metrics.ts';

export function badConfig(message: string): ExtensionError {
  return new ExtensionError('X_KAFKA_BAD_CONFIG', `${MODULE}: ${message}`);
}

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badConfig(`${what} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function requireBrokers(value: unknown, what: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((b) => typeof b === 'string' && /^[^:\s]+:\d+$/.test(b))
  ) {
    throw badConfig(`${what}.brokers must be a non-empty array of "host:port" strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

export function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw badConfig(`${what} must be a string, got ${describe(value)}`);
  return value;
}

function toSasl(value: unknown, what: string): SASLOptions | undefined {
  if (value === undefined) return undefined;
  const sasl = requireObject(value, `${what}.sasl`);
  const algorithm = String(sasl.algorithm ?? 'none');
  const username = String(sasl.username ?? '');
  const password = String(sasl.password ?? '');
  switch (algorithm) {
    case 'none':
      return undefined;
    case 'sasl_plain':
      return { mechanism: 'plain', username, password };
    case 'sasl_scram_sha256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'sasl_scram_sha512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw badConfig(`${what}.sasl.algorithm "${algorithm}" is not supported by the kit's engine`);
  }
}

/** One kafkajs client per Writer/Reader/Connection (each owns its connections, as in the extension). */
export function makeKafka(brokers: string[], config: Record<string, unknown>, what: string): Kafka {
  const tls = config.tls === undefined ? undefined : requireObject(config.tls, `${what}.tls`);
  return new Kafka({
    clientId: 'k6-llm-perf',
    brokers,
    ssl: tls?.enableTls === true ? { rejectUnauthorized: tls.insecureSkipTlsVerify !== true } : undefined,
    sasl: toSasl(config.sasl, what),
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 100 },
    logLevel: config.connectLogger === true ? logLevel.WARN : logLevel.NOTHING,
  });
}

/** Emits the module's samples with the VU's current tags plus each group's (topic, ...). */
export class KafkaMetrics {
  constructor(private readonly vu: VuContext) {
    for (const [name, type, contains] of KAFKA_METRICS) vu.metrics.define(name, type, contains);
  }

  emit(group: SampleGroup): void {
    const tags = { ...this.vu.currentTags(), ...group.tags };
    const time = Date.now();
    for (const [name, value] of group.samples) this.vu.metrics.add(name, value, tags, time);
  }
}

/**
 * Go's RFC 3339 rendering of a message time, as xk6-kafka returns `time`: whole seconds by
 * default, with the fraction (trailing zeros trimmed, like RFC3339Nano) when asked for.
 */
export function formatMessageTime(ms: number, nanoPrecision: boolean): string {
  const iso = new Date(ms).toISOString(); // 2026-11-25T12:00:00.120Z
  const seconds = iso.slice(0, 19);
  if (!nanoPrecision) return `${seconds}Z`;
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return fraction ? `${seconds}.${fraction}Z` : `${seconds}Z`;
}
