/**
 * What a provider cannot give of a config's per-service options, as configuration problems
 * (exit 104) found before any server starts: the local provider runs the servers installed on
 * this machine, so a requested version that differs is named with the installed one (never
 * silently replaced); testcontainers needs an image for a Kafka version. The external provider's
 * servers are the user's own: their versions are not checked.
 */
import {
  imageOf,
  localVersionMismatches,
  type ConcreteProvider,
  type ServiceName,
  type ServiceOptions,
} from '../infra/index.ts';

export function serviceOptionProblems(
  provider: ConcreteProvider,
  services: readonly ServiceName[],
  options: ServiceOptions | undefined,
  configFile = 'config',
): string[] {
  if (!options) return [];
  if (provider === 'local')
    return localVersionMismatches(services, options).map(
      ({ service, wanted, installed }) =>
        `${configFile}: /services/${service}/version: wants ${wanted}, but the local provider runs ` +
        `${installed.version ?? 'an unknown version'} (${installed.from}); install ${service} ${wanted}, ` +
        'use --infra testcontainers, or remove the version',
    );
  if (provider === 'testcontainers' && services.includes('kafka') && imageOf('kafka', options) === null)
    return [
      `${configFile}: /services/kafka/version: the testcontainers provider runs cp-kafka images, tagged by ` +
        'Confluent Platform version, not Kafka version; give services.kafka.image',
    ];
  return [];
}
