import { InfraError } from '../errors.ts';
import type { Endpoints, ServiceName, StartedService } from '../services/types.ts';
import type { Provider } from './types.ts';
import { withSslModeDisable } from '../services/postgres/url.ts';

/** The environment variable that names each service's endpoint for `--infra external`. */
export const EXTERNAL_ENV: Record<ServiceName, string> = {
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
  kafka: 'KAFKA_BROKERS',
};

/**
 * What each variable looks like, for the hint when one is missing. The PostgreSQL example names
 * `sslmode=disable`: without an sslmode the kit adds it (see services/postgres/url.ts); a server
 * that wants TLS is named with its own sslmode (`?sslmode=require`), which the kit keeps.
 */
export const EXTERNAL_EXAMPLE: Record<ServiceName, string> = {
  redis: 'redis://127.0.0.1:6379',
  postgres: 'postgres://user:pass@127.0.0.1:5432/db?sslmode=disable',
  kafka: '127.0.0.1:9092',
};

/** Servers the user runs: endpoints from REDIS_URL, DATABASE_URL, KAFKA_BROKERS; never stopped by the kit. */
export class ExternalProvider implements Provider {
  readonly name = 'external' as const;
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async preflight(services: ServiceName[]): Promise<void> {
    const problems: string[] = [];
    for (const service of services) {
      const variable = EXTERNAL_ENV[service];
      const value = this.env[variable]?.trim();
      if (!value)
        problems.push(
          `${variable} is not set (needed for ${service}; for example ${variable}=${EXTERNAL_EXAMPLE[service]})`,
        );
      else {
        const bad = validate(service, value);
        if (bad) problems.push(`${variable}=${JSON.stringify(value)}: ${bad}`);
      }
    }
    if (problems.length) {
      throw new InfraError('INFRA_ENV_MISSING', `--infra external: ${problems.join('; ')}`);
    }
  }

  async start(service: ServiceName): Promise<StartedService> {
    await this.preflight([service]);
    const value = this.env[EXTERNAL_ENV[service]]!.trim();
    const endpoints: Endpoints =
      service === 'kafka'
        ? { kafka: { brokers: splitBrokers(value) } }
        : { [service]: { url: service === 'postgres' ? withSslModeDisable(value) : value } };
    const first = service === 'kafka' ? `kafka://${splitBrokers(value)[0]}` : value;
    const url = new URL(first);
    const handle: StartedService = {
      name: service,
      host: url.hostname,
      port: Number(url.port),
      endpoints,
      stop: async () => [],
      [Symbol.asyncDispose]: async () => undefined,
    };
    return handle;
  }
}

function splitBrokers(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Why an endpoint value is unusable, or undefined. */
function validate(service: ServiceName, value: string): string | undefined {
  if (service === 'kafka') {
    const bad = splitBrokers(value).filter((b) => !/^[^\s:/]+:\d+$/.test(b));
    return bad.length ? `expected host:port[,host:port...], got ${bad.join(', ')}` : undefined;
  }
  const schemes = service === 'redis' ? ['redis:', 'rediss:'] : ['postgres:', 'postgresql:'];
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) ? undefined : `expected a ${schemes.join(' or ')}// URL`;
  } catch {
    return `expected a ${schemes[0]}// URL`;
  }
}
