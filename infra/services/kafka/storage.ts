import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InfraError } from '../../errors.ts';
import { logTail } from '../../lifecycle/files.ts';
import { runToCompletion } from '../../lifecycle/process.ts';
import { copyTemplate, ensureTemplate } from '../../lifecycle/template.ts';
import { KAFKA_VERSION } from '../versions.ts';
import { writeConfig } from './config.ts';

/**
 * A formatted KRaft storage dir (meta.properties + bootstrap checkpoint), made once with
 * `kafka.tools.StorageTool format` and copied for every broker: it saves a JVM start per
 * bring-up. Each broker is its own single-node cluster, so sharing the cluster id is harmless.
 */
export async function prepareStorage(java: string, libDir: string, dataDir: string, logFile: string): Promise<void> {
  const template = await ensureTemplate(`kafka-${KAFKA_VERSION}-kraft-storage`, (staging) =>
    format(java, libDir, staging, logFile),
  );
  await copyTemplate(template, 'data', dataDir, logFile, 'kafka');
}

async function format(java: string, libDir: string, staging: string, logFile: string): Promise<void> {
  // Ports are irrelevant to formatting; any valid listener config will do.
  const props = writeConfig(staging, 9092, 9093);
  const args = [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${join(staging, 'log4j.properties')}`,
    '-cp',
    join(libDir, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId(),
    '-c',
    props,
  ];
  const result = await runToCompletion({ name: 'kafka', command: java, args, logFile, cwd: staging }, 180_000);
  if (result.error || result.code !== 0) {
    throw new InfraError(
      'INFRA_START_FAILED',
      `kafka storage format (${java}) failed: ${result.error?.message ?? `exit code ${result.code}`}`,
      {
        service: 'kafka',
        logFile,
        logTail: logTail(logFile),
      },
    );
  }
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid form). */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}
