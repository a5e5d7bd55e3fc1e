import { Kafka, logLevel } from 'kafkajs';

/** One metadata round trip through kafkajs (the broker's readiness check); throws when it fails. */
export async function fetchMetadata(brokers: string[], timeoutMs = 3_000): Promise<void> {
  const kafka = new Kafka({
    clientId: 'k6-llm-perf-health',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('metadata lists no broker yet');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
