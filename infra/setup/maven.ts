import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InfraError } from '../errors.ts';
import { ensureDir, logTail } from '../lifecycle/files.ts';
import { runToCompletion } from '../lifecycle/process.ts';
import { KAFKA_VERSION } from '../services/versions.ts';
import { kafkaLibDir } from './detect.ts';

export const KAFKA_POM = resolve(import.meta.dirname, '..', 'kafka', 'pom.xml');

/**
 * Resolves the broker's runtime classpath (kafka_2.13 + a log4j backend) with Maven and
 * copies it into the cache; written to a temp dir first and renamed, so a half-done
 * download is never taken for a complete one.
 */
export async function fetchKafkaJars(update: (detail: string) => void): Promise<void> {
  const libDir = kafkaLibDir();
  const parent = ensureDir(dirname(libDir));
  const staging = join(parent, `libs.tmp-${process.pid}`);
  const logFile = join(parent, 'maven.log');
  rmSync(staging, { recursive: true, force: true });
  update('mvn dependency:copy-dependencies');
  const args = [
    '-B',
    '-q',
    '-f',
    KAFKA_POM,
    `-Dkafka.version=${KAFKA_VERSION}`,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${staging}`,
    '-DincludeScope=runtime',
  ];
  const result = await runToCompletion({ name: 'setup', command: 'mvn', args, logFile }, 20 * 60_000);
  if (result.error || result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new InfraError(
      'INFRA_SETUP_FAILED',
      `setup: Maven could not fetch the Kafka ${KAFKA_VERSION} jars: ${result.error?.message ?? `exit code ${result.code}`}`,
      {
        service: 'kafka',
        logFile,
        logTail: logTail(logFile, 20),
      },
    );
  }
  writeFileSync(join(staging, '.complete'), `kafka ${KAFKA_VERSION}\n`);
  rmSync(libDir, { recursive: true, force: true });
  renameSync(staging, libDir);
}
