import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../../errors.ts';
import { ensureDir, logTail, makeTempDir, removeTempDir } from '../../lifecycle/files.ts';
import { freePort, freePorts } from '../../lifecycle/ports.ts';
import { ManagedProcess, runToCompletion } from '../../lifecycle/process.ts';
import { describeWait, waitUntil } from '../../lifecycle/wait.ts';
import { javaBinary, kafkaJarsPresent, kafkaLibDir } from '../../setup/detect.ts';
import { StartedLocalService } from '../started-local.ts';
import type { StartContext } from '../types.ts';
import { KAFKA_VERSION } from '../versions.ts';
import { fetchMetadata } from './metadata.ts';

/**
 * A single-node KRaft Kafka broker (broker + controller in one JVM) on the Apache
 * Kafka jars that `npm run setup` resolved with Maven. Storage is formatted into a temp
 * dir; ready when a kafkajs metadata request succeeds.
 */
export class LocalKafka {
  private java: string | undefined;
  private libDir: string | undefined;
  private port: number | undefined;
  private heap = '512m';
  private timeoutMs = 90_000;

  withJava(path: string): this {
    this.java = path;
    return this;
  }
  withLibDir(dir: string): this {
    this.libDir = dir;
    return this;
  }
  withPort(port: number): this {
    this.port = port;
    return this;
  }
  withHeap(size: string): this {
    this.heap = size;
    return this;
  }
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }

  async start(ctx: StartContext = {}): Promise<StartedLocalService> {
    const java = this.java ?? javaBinary();
    if (!java) throw new InfraError('INFRA_MISSING', 'kafka: no `java` found (PATH or JAVA_HOME); run `npm run setup`', { service: 'kafka' });
    const libDir = this.libDir ?? kafkaLibDir();
    if (this.libDir ? !existsSync(libDir) : !kafkaJarsPresent()) {
      throw new InfraError('INFRA_MISSING', `kafka: the Kafka ${KAFKA_VERSION} jars are not in ${libDir}; run \`npm run setup\``, { service: 'kafka' });
    }
    const dir = makeTempDir('kafka');
    const logFile = join(ctx.logDir ? ensureDir(ctx.logDir) : dir, 'kafka.log');
    const fail = (message: string): InfraError =>
      new InfraError('INFRA_START_FAILED', `kafka ${message}`, { service: 'kafka', logFile, logTail: logTail(logFile) });
    const [port, controllerPort] = this.port ? [this.port, await freePort()] : await freePorts(2);
    const props = writeConfig(dir, port!, controllerPort!);
    const classpath = ['-cp', join(libDir, '*')];
    const logging = `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`;
    ctx.onStep?.('format storage');
    const format = await runToCompletion({
      name: 'kafka', command: java, logFile, cwd: dir,
      args: ['-Xmx256m', '-XX:+UseSerialGC', logging, ...classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', props],
    }, this.timeoutMs);
    if (format.error || format.code !== 0) {
      const error = fail(`storage format (${java}) failed: ${format.error?.message ?? `exit code ${format.code}`}`);
      removeTempDir(dir);
      throw error;
    }
    ctx.onStep?.('start broker');
    const jvm = [`-Xmx${this.heap}`, '-Xms128m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', logging];
    const proc = ManagedProcess.start({ name: 'kafka', command: java, args: [...jvm, ...classpath, 'kafka.Kafka', props], logFile, cwd: dir });
    const started = new StartedLocalService({
      name: 'kafka', port, proc, tempDir: dir, logFile, stopSignal: 'SIGTERM', graceMs: 15_000,
      endpoints: { kafka: { brokers: [`127.0.0.1:${port}`] } },
    });
    ctx.onStep?.('wait for metadata');
    const result = await waitUntil(() => fetchMetadata([`127.0.0.1:${port}`]), { timeoutMs: this.timeoutMs, signal: ctx.signal, process: proc, intervalMs: 300 });
    if (!result.ok) {
      const error = fail(`(port ${port}) ${describeWait(result, this.timeoutMs)}`);
      await started.stop();
      throw error;
    }
    return started;
  }
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid form). */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

function writeConfig(dir: string, port: number, controllerPort: number): string {
  const props = join(dir, 'server.properties');
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=5',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=5',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'log.flush.interval.messages=9223372036854775807',
    'num.network.threads=2',
    'num.io.threads=4',
  ];
  writeFileSync(props, `${lines.join('\n')}\n`);
  const log4j = [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.state.change.logger=WARN',
  ];
  writeFileSync(join(dir, 'log4j.properties'), `${log4j.join('\n')}\n`);
  return props;
}
