import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * server.properties of a single-node KRaft broker (`partitions`: num.partitions, of auto-created topics) (broker and controller in one process)
 * on 127.0.0.1, data under `<dir>/data`, plus a log4j config writing to stdout (the
 * service's log file). Replication factors are 1: there is one broker.
 */
export function writeConfig(dir: string, port: number, controllerPort: number, partitions = 1): string {
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
    `num.partitions=${partitions}`,
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
