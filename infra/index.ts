/**
 * The infra room's library entry, used by the orchestrator and by tests:
 * bring Redis / PostgreSQL / Kafka up (testcontainers, local processes or the user's own),
 * reset them between scenarios, install what the local provider needs.
 */
export type { Endpoints, ServiceName, StartedService } from './services/types.ts';
export { SERVICE_NAMES } from './services/types.ts';
export type { ProviderName, ConcreteProvider } from './providers/types.ts';
export { PROVIDER_NAMES } from './providers/types.ts';
export type { LocalOptions } from './providers/local.ts';
export { EXTERNAL_ENV } from './providers/external.ts';
export {
  chooseProvider,
  probeContainerRuntime,
  type ProviderChoice,
  type RuntimeProbe,
  type RuntimeProbeResult,
} from './providers/select.ts';
export { startInfra, normalizeServices, type InfraHandle, type StartInfraOptions } from './start.ts';
export { resetInfra, type ResetOptions } from './reset.ts';
export { ensureSetup, missingFor, type SetupOptions } from './setup/index.ts';
export { InfraError, type InfraErrorCode } from './errors.ts';
export { ExitCode } from './exit-codes.ts';
export type { ProgressMode } from './progress.ts';
export { IMAGES, KAFKA_VERSION } from './services/versions.ts';
export { imageOf, type ServiceOptions } from './services/options.ts';
export {
  installedVersion,
  localVersionMismatches,
  versionMatches,
  type VersionMismatch,
} from './services/installed.ts';
export { holdUntilSignal, teardownOnSignals } from './signals.ts';
