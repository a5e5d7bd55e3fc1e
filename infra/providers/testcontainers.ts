import { InfraError } from '../errors.ts';
import type { Endpoints, ServiceName, StartedService } from '../services/types.ts';
import { IMAGES } from '../services/versions.ts';
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

  async start(service: ServiceName): Promise<StartedService> {
    try {
      switch (service) {
        case 'redis': {
          const { RedisContainer } = await import('@testcontainers/redis');
          const c = await new RedisContainer(IMAGES.redis).start();
          return handle(service, c, 6379, { redis: { url: c.getConnectionUrl() } });
        }
        case 'postgres': {
          const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
          const c = await new PostgreSqlContainer(IMAGES.postgres).start();
          return handle(service, c, 5432, { postgres: { url: withSslModeDisable(c.getConnectionUri()) } });
        }
        case 'kafka': {
          const { KafkaContainer } = await import('@testcontainers/kafka');
          const c = await new KafkaContainer(IMAGES.kafka).start();
          const broker = `${c.getHost()}:${c.getMappedPort(9093)}`;
          return handle(service, c, 9093, { kafka: { brokers: [broker] } });
        }
      }
    } catch (err) {
      if (err instanceof InfraError) throw err;
      throw new InfraError(
        'INFRA_START_FAILED',
        `${service} container (${IMAGES[service]}) did not start: ${(err as Error).message}`,
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
