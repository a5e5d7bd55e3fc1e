import { InfraError } from './errors.ts';
import { type ProgressMode, runSteps, say } from './progress.ts';
import { ExternalProvider } from './providers/external.ts';
import { LocalProvider, type LocalOptions } from './providers/local.ts';
import { chooseProvider, type RuntimeProbe } from './providers/select.ts';
import { TestcontainersProvider } from './providers/testcontainers.ts';
import type { ConcreteProvider, Provider, ProviderName } from './providers/types.ts';
import { type Endpoints, SERVICE_NAMES, type ServiceName, type StartedService } from './services/types.ts';
import type { ServiceOptions } from './services/options.ts';

export interface StartInfraOptions {
  provider?: ProviderName;
  services: ServiceName[];
  /** Each local server logs to `<logDir>/<service>.log` (the orchestrator passes results/<run>/logs). */
  logDir?: string;
  progress?: ProgressMode;
  signal?: AbortSignal;
  /** Per-service options: versions, images, settings (a config's `services`). */
  serviceOptions?: ServiceOptions;
  /** Local provider knobs (ports, binaries, timeouts), mostly for tests. */
  local?: LocalOptions;
  /** Container-runtime check used by `auto` (injected in tests). */
  probe?: RuntimeProbe;
  /** Environment of the external provider (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Called as each service becomes healthy (before the others finish), e.g. to record pids. */
  onServiceStarted?: (service: StartedService) => void;
}

export interface InfraHandle extends AsyncDisposable {
  provider: ConcreteProvider;
  /** Why this provider (auto's reasoning, or "asked for --infra local"). */
  reason: string;
  endpoints: Endpoints;
  /** The started services, in start order (pids, ports, temp dirs of local ones). */
  services: readonly StartedService[];
  /** Stops everything in reverse order; idempotent; cleanup failures are printed warnings, never thrown. */
  down(): Promise<void>;
}

/** Validates and orders the service list (redis, postgres, kafka); duplicates dropped. */
export function normalizeServices(services: readonly string[]): ServiceName[] {
  const unknown = services.filter((s) => !SERVICE_NAMES.includes(s as ServiceName));
  if (unknown.length) {
    throw new InfraError(
      'INFRA_BAD_OPTION',
      `services: unknown ${unknown.map((s) => JSON.stringify(s)).join(', ')}; expected any of ${SERVICE_NAMES.join(', ')}`,
    );
  }
  return SERVICE_NAMES.filter((s) => services.includes(s));
}

function createProvider(name: ConcreteProvider, opts: StartInfraOptions): Provider {
  if (name === 'local') return new LocalProvider(opts.local, opts.progress, opts.serviceOptions);
  if (name === 'external') return new ExternalProvider(opts.env);
  return new TestcontainersProvider(opts.serviceOptions);
}

/**
 * Brings up the services a run needs (concurrently, each shown with its duration) and
 * hands back their endpoints. On any failure the ones already up are stopped and the
 * first error is thrown: it names the service and carries its log tail.
 */
export async function startInfra(opts: StartInfraOptions): Promise<InfraHandle> {
  const services = normalizeServices(opts.services);
  const progress = opts.progress ?? 'auto';
  const choice = await chooseProvider(opts.provider ?? 'auto', opts.probe);
  say(progress, `infra: ${choice.provider} (${choice.reason})`);
  const handle = new Handle(choice.provider, choice.reason, progress);
  if (services.length === 0) return handle;
  const provider = createProvider(choice.provider, opts);
  await provider.preflight?.(services);
  throwIfAborted(opts.signal);
  const ctx = { logDir: opts.logDir, signal: opts.signal };
  const outcomes = await runSteps(
    services.map((service) => ({
      title: service,
      run: async (update: (detail: string) => void) => {
        const started = await provider.start(service, { ...ctx, onStep: update });
        try {
          opts.onServiceStarted?.(started);
        } catch {
          // an observer's bug must not leak a started server
        }
        return started;
      },
    })),
    progress,
  );
  for (const outcome of outcomes) if (outcome.status === 'fulfilled') handle.add(outcome.value);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure || opts.signal?.aborted) {
    await handle.down();
    throwIfAborted(opts.signal);
    throw asInfraError(failure!.reason);
  }
  return handle;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new InfraError('INFRA_ABORTED', 'infra: bring-up aborted');
}

function asInfraError(err: unknown): InfraError {
  if (err instanceof InfraError) return err;
  return new InfraError('INFRA_START_FAILED', `infra: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

class Handle implements InfraHandle {
  readonly endpoints: Endpoints = {};
  private readonly started: StartedService[] = [];
  private downing: Promise<void> | undefined;

  constructor(
    readonly provider: ConcreteProvider,
    readonly reason: string,
    private readonly progress: ProgressMode,
  ) {}

  get services(): readonly StartedService[] {
    return this.started;
  }

  add(service: StartedService): void {
    this.started.push(service);
    Object.assign(this.endpoints, service.endpoints);
  }

  down(): Promise<void> {
    this.downing ??= this.stopAll();
    return this.downing;
  }

  private async stopAll(): Promise<void> {
    for (const service of [...this.started].reverse()) {
      const t0 = performance.now();
      let warnings: string[];
      try {
        warnings = await service.stop();
      } catch (err) {
        warnings = [`${service.name}: ${(err as Error).message}`];
      }
      for (const w of warnings) console.warn(`warning: cleanup: ${w}`);
      say(this.progress, `infra: ${service.name} stopped in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
