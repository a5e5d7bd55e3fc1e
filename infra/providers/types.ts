import type { ServiceName, StartContext, StartedService } from '../services/types.ts';

export type ProviderName = 'auto' | 'testcontainers' | 'local' | 'external';
export type ConcreteProvider = Exclude<ProviderName, 'auto'>;
export const PROVIDER_NAMES: readonly ProviderName[] = ['auto', 'testcontainers', 'local', 'external'];

/** One way of getting Redis, PostgreSQL and Kafka: containers, local processes, or the user's own. */
export interface Provider {
  readonly name: ConcreteProvider;
  /** Checks everything the services need before any is started (throws InfraError). */
  preflight?(services: ServiceName[]): Promise<void>;
  start(service: ServiceName, ctx: StartContext): Promise<StartedService>;
}
