import { InfraError } from '../errors.ts';
import type { ConcreteProvider, ProviderName } from './types.ts';
import { PROVIDER_NAMES } from './types.ts';

/** The answer of a container-runtime check: found (with what) or not (with why). */
export interface RuntimeProbeResult {
  available: boolean;
  detail: string;
}
export type RuntimeProbe = () => Promise<RuntimeProbeResult>;

export interface ProviderChoice {
  provider: ConcreteProvider;
  /** Why: printed to the user ("no container runtime answered (...), using local processes"). */
  reason: string;
}

/**
 * `auto` → testcontainers when the runtime probe finds a container runtime, else local.
 * An explicit provider is taken as asked; `testcontainers` without a runtime is an error
 * (asking for containers and silently getting processes would surprise).
 */
export async function chooseProvider(
  requested: ProviderName,
  probe: RuntimeProbe = probeContainerRuntime,
): Promise<ProviderChoice> {
  if (!PROVIDER_NAMES.includes(requested)) {
    throw new InfraError(
      'INFRA_BAD_OPTION',
      `--infra: unknown provider ${JSON.stringify(requested)}; expected one of ${PROVIDER_NAMES.join(', ')}`,
    );
  }
  if (requested === 'local') return { provider: 'local', reason: 'asked for --infra local' };
  if (requested === 'external') return { provider: 'external', reason: 'asked for --infra external' };
  const runtime = await probe();
  if (requested === 'testcontainers') {
    if (!runtime.available)
      throw new InfraError(
        'INFRA_NO_RUNTIME',
        `--infra testcontainers: no container runtime answered (${runtime.detail}); use --infra local or start Docker`,
      );
    return {
      provider: 'testcontainers',
      reason: `asked for --infra testcontainers; container runtime: ${runtime.detail}`,
    };
  }
  return runtime.available
    ? { provider: 'testcontainers', reason: `auto: a container runtime answered (${runtime.detail})` }
    : { provider: 'local', reason: `auto: no container runtime answered (${runtime.detail}), using local processes` };
}

/** testcontainers' own runtime check (getContainerRuntimeClient), bounded in time. */
export async function probeContainerRuntime(timeoutMs = 15_000): Promise<RuntimeProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      timer.unref();
    });
    const client = await Promise.race([getContainerRuntimeClient(), timeout]);
    const info = client.info.containerRuntime;
    return { available: true, detail: `${info.host}, socket ${info.remoteSocketPath}, server ${info.serverVersion}` };
  } catch (err) {
    return { available: false, detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
