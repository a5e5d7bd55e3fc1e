import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../../errors.ts';
import { ensureDir, logTail, makeTempDir, removeTempDir } from '../../lifecycle/files.ts';
import { freePort, freePorts } from '../../lifecycle/ports.ts';
import { ManagedProcess } from '../../lifecycle/process.ts';
import { describeWait, waitUntil } from '../../lifecycle/wait.ts';
import { javaBinary, kafkaJarsPresent, kafkaLibDir } from '../../setup/detect.ts';
import { StartedLocalService } from '../started-local.ts';
import type { StartContext } from '../types.ts';
import { KAFKA_VERSION } from '../versions.ts';
import { fetchMetadata } from './metadata.ts';
import { classArchive } from './cds.ts';
import { prepareStorage } from './storage.ts';
import { writeConfig } from './config.ts';

/**
 * A single-node KRaft Kafka broker (broker + controller in one JVM) on the Apache
 * Kafka jars that `npm run setup` resolved with Maven. Its storage dir is a copy of one
 * formatted once (storage.ts); ready when a kafkajs metadata request succeeds.
 */
export class LocalKafka {
  private java: string | undefined;
  private libDir: string | undefined;
  private port: number | undefined;
  private heap = '512m';
  private timeoutMs = 90_000;
  private jvmOptions: string[] = [];
  private partitions = 1;

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
  /** Extra JVM flags, after the kit's own (so they win). */
  withJvmOptions(options: string[]): this {
    this.jvmOptions = options;
    return this;
  }
  /** num.partitions of the broker: partitions of an auto-created topic. */
  withPartitions(n: number): this {
    this.partitions = n;
    return this;
  }
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }

  async start(ctx: StartContext = {}): Promise<StartedLocalService> {
    const java = this.java ?? javaBinary();
    if (!java)
      throw new InfraError('INFRA_MISSING', 'kafka: no `java` found (PATH or JAVA_HOME); run `npm run setup`', {
        service: 'kafka',
      });
    const libDir = this.libDir ?? kafkaLibDir();
    if (this.libDir ? !existsSync(libDir) : !kafkaJarsPresent()) {
      throw new InfraError(
        'INFRA_MISSING',
        `kafka: the Kafka ${KAFKA_VERSION} jars are not in ${libDir}; run \`npm run setup\``,
        { service: 'kafka' },
      );
    }
    const dir = makeTempDir('kafka');
    const logFile = join(ctx.logDir ? ensureDir(ctx.logDir) : dir, 'kafka.log');
    const fail = (message: string): InfraError =>
      new InfraError('INFRA_START_FAILED', `kafka ${message}`, {
        service: 'kafka',
        logFile,
        logTail: logTail(logFile),
      });
    const [port, controllerPort] = this.port ? [this.port, await freePort()] : await freePorts(2);
    const props = writeConfig(dir, port!, controllerPort!, this.partitions);
    const classpath = ['-cp', join(libDir, '*')];
    const logging = `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`;
    ctx.onStep?.('storage');
    try {
      await prepareStorage(java, libDir, join(dir, 'data'), logFile);
    } catch (err) {
      removeTempDir(dir);
      throw err;
    }
    ctx.onStep?.('start broker');
    const cds = classArchive(java, dir);
    const jvm = [
      `-Xmx${this.heap}`,
      '-Xms128m',
      '-XX:+UseSerialGC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      logging,
      ...cds.flags,
      ...this.jvmOptions,
    ];
    const proc = ManagedProcess.start({
      name: 'kafka',
      command: java,
      args: [...jvm, ...classpath, 'kafka.Kafka', props],
      logFile,
      cwd: dir,
    });
    const started = new StartedLocalService({
      name: 'kafka',
      port,
      proc,
      tempDir: dir,
      logFile,
      stopSignal: 'SIGTERM',
      graceMs: 20_000,
      afterExit: () => healthy && cds.keep(),
      endpoints: { kafka: { brokers: [`127.0.0.1:${port}`] } },
    });
    ctx.onStep?.('wait for metadata');
    const result = await waitUntil(() => fetchMetadata([`127.0.0.1:${port}`]), {
      timeoutMs: this.timeoutMs,
      signal: ctx.signal,
      process: proc,
      intervalMs: 300,
    });
    let healthy = result.ok;
    if (!result.ok) {
      const error = fail(`(port ${port}) ${describeWait(result, this.timeoutMs)}`);
      await started.stop();
      throw error;
    }
    return started;
  }
}
