/**
 * Per-service options of a config (infra/services/options.ts, installed.ts): the container image a
 * version stands for, the installed version read from the binary itself, the prefix rule of a
 * match, the broker's partitions in its server.properties, and a local broker started with the
 * partitions and heap a config asks for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { imageOf, installedVersion, localVersionMismatches, startInfra, versionMatches } from '../../infra/index.ts';
import { writeConfig } from '../../infra/services/kafka/config.ts';

/** A directory with fake `redis-server` and `postgres` binaries that print the given version lines. */
function fakeBinaries(redisLine: string, postgresLine: string): { dir: string; redis: string; postgresBinDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k6lp-versions-'));
  const redis = join(dir, 'redis-server');
  writeFileSync(redis, `#!/bin/sh\necho '${redisLine}'\n`);
  mkdirSync(join(dir, 'pg'));
  writeFileSync(join(dir, 'pg', 'postgres'), `#!/bin/sh\necho '${postgresLine}'\n`);
  chmodSync(redis, 0o755);
  chmodSync(join(dir, 'pg', 'postgres'), 0o755);
  return { dir, redis, postgresBinDir: join(dir, 'pg') };
}

describe('imageOf', () => {
  it('should keep the pinned image without a version, tag it with one, and prefer an explicit image', () => {
    assert.equal(imageOf('redis'), 'redis:7-alpine');
    assert.equal(imageOf('redis', { redis: { version: '7.2' } }), 'redis:7.2-alpine');
    assert.equal(imageOf('postgres', { postgres: { version: '15' } }), 'postgres:15-alpine');
    assert.equal(
      imageOf('postgres', { postgres: { version: '15', image: 'postgis/postgis:15-3.4' } }),
      'postgis/postgis:15-3.4',
    );
  });

  it('should have no image for a Kafka version alone (cp-kafka tags are Confluent versions)', () => {
    assert.equal(imageOf('kafka', { kafka: { version: '3.9' } }), null);
    assert.equal(imageOf('kafka', { kafka: { version: '3.9', image: 'apache/kafka:3.9.1' } }), 'apache/kafka:3.9.1');
  });
});

describe('installed versions', () => {
  it('should match the installed version and its prefixes on a dot boundary only', () => {
    assert.ok(versionMatches('7', '7.0.15'));
    assert.ok(versionMatches('7.0', '7.0.15'));
    assert.ok(versionMatches('7.0.15', '7.0.15'));
    assert.ok(!versionMatches('7.2', '7.0.15'));
    assert.ok(!versionMatches('7.0.1', '7.0.15'));
  });

  it('should read the versions from the binaries and report each one that differs', () => {
    const fake = fakeBinaries(
      'Redis server v=6.2.14 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64',
      'postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)',
    );
    try {
      assert.deepEqual(installedVersion('redis', fake), { version: '6.2.14', from: fake.redis });
      assert.equal(installedVersion('postgres', fake).version, '15.18');
      const options = { redis: { version: '7' }, postgres: { version: '15' }, kafka: { version: '2.8' } };
      const mismatches = localVersionMismatches(['redis', 'postgres', 'kafka'], options, fake);
      assert.deepEqual(
        mismatches.map((m) => [m.service, m.wanted, m.installed.version]),
        [
          ['redis', '7', '6.2.14'],
          ['kafka', '2.8', '3.9.1'],
        ],
      );
      assert.deepEqual(localVersionMismatches(['postgres'], { redis: { version: '7' } }, fake), []);
    } finally {
      rmSync(fake.dir, { recursive: true, force: true });
    }
  });

  it('should report a binary whose version cannot be read as a mismatch', () => {
    const fake = fakeBinaries('no version here', 'nor here');
    try {
      const [m] = localVersionMismatches(['redis'], { redis: { version: '7' } }, fake);
      assert.deepEqual([m?.service, m?.installed.version], ['redis', null]);
    } finally {
      rmSync(fake.dir, { recursive: true, force: true });
    }
  });
});

describe('the local Kafka broker config', () => {
  it('should write num.partitions=1 by default and the partitions asked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6lp-kafka-config-'));
    try {
      assert.match(readFileSync(writeConfig(dir, 9092, 9093), 'utf8'), /^num\.partitions=1$/m);
      assert.match(readFileSync(writeConfig(dir, 9092, 9093, 6), 'utf8'), /^num\.partitions=6$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the local provider with Kafka options', () => {
  it('should start the broker with the heap asked for and auto-create topics with its partitions', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'k6lp-kafka-options-'));
    const infra = await startInfra({
      provider: 'local',
      services: ['kafka'],
      serviceOptions: { kafka: { partitions: 3, heap: '384m' } },
      logDir,
      progress: 'silent',
    });
    try {
      const pid = infra.services[0]!.pid!;
      assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('-Xmx384m'));
      const kafka = new Kafka({
        clientId: 'options-test',
        brokers: infra.endpoints.kafka!.brokers,
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
      await admin.disconnect();
      assert.equal(topics[0]?.partitions.length, 3);
    } finally {
      await infra.down();
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
