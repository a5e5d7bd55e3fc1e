import { InfraError } from '../errors.ts';
import type { Endpoints, ServiceName, StartedService } from '../services/types.ts';
import { imageOf, type ServiceOptions } from '../services/options.ts';
import { withSslModeDisable } from '../services/postgres/url.ts';
import type { Provider } from './types.ts';

interface Container {
  getHost(): string;
  getMappedPort(port: number): number;
  stop(): Promise<unknown>;
}

/** The methodology's own way: @testcontainers/{redis,postgresql,kafka} on a container runtime. */
export class TestcontainersProvider implements Provider {
  readonly name = 'testcontainers' as const;
  constructor(private readonly options: ServiceOptions = {}) {}

  async start(service: ServiceName): Promise<StartedService> {
    const image = imageOf(service, this.options);
    try {
      if (image === null)
        throw new InfraError(
          'INFRA_BAD_OPTION',
          'services.kafka.version: the testcontainers provider runs cp-kafka images, tagged by Confluent Platform version; give services.kafka.image',
          { service },
        );
      switch (service) {
        case 'redis': {
          const { RedisContainer } = await import('@testcontainers/redis');
          const c = await new RedisContainer(image).start();
          return handle(service, c, 6379, { redis: { url: c.getConnectionUrl() } });
        }
        case 'postgres': {
          const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
          const settings = Object.entries(this.options.postgres?.settings ?? {});
          const container = new PostgreSqlContainer(image);
          if (settings.length)
            container.withCommand(['postgres', ...settings.flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
          const c = await container.start();
          return handle(service, c, 5432, { postgres: { url: withSslModeDisable(c.getConnectionUri()) } });
        }
        case 'kafka': {
          const { KafkaContainer } = await import('@testcontainers/kafka');
          const k = this.options.kafka;
          const c = await new KafkaContainer(image)
            .withEnvironment({
              ...(k?.partitions ? { KAFKA_NUM_PARTITIONS: String(k.partitions) } : {}),
              ...(k?.heap ? { KAFKA_HEAP_OPTS: `-Xmx${k.heap}` } : {}),
            })
            .start();
          const broker = `${c.getHost()}:${c.getMappedPort(9093)}`;
          return handle(service, c, 9093, { kafka: { brokers: [broker] } });
        }
      }
    } catch (err) {
      if (err instanceof InfraError) throw err;
      throw new InfraError(
        'INFRA_START_FAILED',
        `${service} container (${image}) did not start: ${(err as Error).message}`,
        { service, cause: err },
      );
    }
  }
}

function handle(name: ServiceName, container: Container, internalPort: number, endpoints: Endpoints): StartedService {
  let stopping: Promise<string[]> | undefined;
  const stop = (): Promise<string[]> =>
    (stopping ??= container.stop().then(
      () => [],
      (err: Error) => [`${name}: could not stop its container: ${err.message}`],
    ));
  return {
    name,
    host: container.getHost(),
    port: container.getMappedPort(internalPort),
    endpoints,
    stop,
    async [Symbol.asyncDispose]() {
      for (const w of await stop()) console.warn(`warning: ${w}`);
    },
  };
}
