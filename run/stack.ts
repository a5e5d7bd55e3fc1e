/**
 * Steps 3-5: the infrastructure, the mock LLM stub and the target of one run, each registering
 * its stop with the teardown. Errors come out as the kit's codes: 111 infrastructure, 112 target.
 */
import { join } from 'node:path';
import {
  chooseProvider,
  ensureSetup,
  missingFor,
  startInfra,
  type InfraHandle,
  type ProgressMode,
  type ProviderName,
  type ServiceName,
  type ServiceOptions,
} from '../infra/index.ts';
import { serviceOptionProblems } from './service-versions.ts';
import { KitError } from '../engine/exit-codes.ts';
import { spawnMockLlm, type SpawnedMockLlm } from '../mock-llm/spawn.ts';
import { startLlamaServer, type LlamaServer } from '../infra/llama/index.ts';
import { groupLease } from '../infra/lifecycle/registry.ts';
import { spawnTarget, type SpawnedTarget } from '../service/index.ts';
import { RunConfigError, RunInfraError, RunTargetError, messageOf } from './errors.ts';
import type { Teardown } from './teardown.ts';

export interface InfraRequest {
  provider: ProviderName;
  services: ServiceName[];
  logDir: string;
  progress: ProgressMode;
  signal: AbortSignal;
  /** The config's per-service options (versions, images, settings), and its file for errors. */
  options?: ServiceOptions;
  configFile?: string;
}

/** Infra up: installs what the local provider lacks first (visible progress), then starts the services. */
export async function infraUp(req: InfraRequest, teardown: Teardown): Promise<InfraHandle> {
  if (req.services.length === 0) {
    // Nothing to start: no provider probe (a container-runtime check costs seconds).
    const none = await startInfra({ provider: 'external', services: [], progress: 'silent' });
    return Object.assign(none, { reason: 'the scenario needs no Redis, PostgreSQL or Kafka' });
  }
  try {
    const choice = await chooseProvider(req.provider);
    if (choice.provider === 'local' && req.services.length > 0 && missingFor(req.services).length > 0) {
      await ensureSetup({ services: req.services, progress: req.progress });
    }
    // A version the provider cannot give is bad configuration (104), found before any server starts.
    const problems = serviceOptionProblems(choice.provider, req.services, req.options, req.configFile);
    if (problems.length) throw new RunConfigError(problems);
    const handle = await startInfra({
      provider: choice.provider,
      services: req.services,
      ...(req.options ? { serviceOptions: req.options } : {}),
      logDir: req.logDir,
      progress: req.progress,
      signal: req.signal,
    });
    teardown.add('infrastructure', () => handle.down());
    return Object.assign(handle, { reason: choice.reason });
  } catch (err) {
    if (err instanceof KitError) throw err;
    throw new RunInfraError(`infrastructure: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * The stub, a child process in its own process group, registered like the infrastructure:
 * seed 42, performance mode (no simulated errors), its log in logs/mock-llm.log.
 * `pid` and `exited` let the caller watch it.
 */
/** SIGTERM → SIGKILL bound of the stub and the target when the run failed for a component (Teardown.urgent). */
const URGENT_STOP_MS = 2000;

export async function stubUp(
  logDir: string,
  teardown: Teardown,
  opts: { seed?: number; performanceMode?: boolean; configFile?: string } = {},
): Promise<SpawnedMockLlm> {
  const lease = groupLease();
  try {
    const stub = await spawnMockLlm({
      seed: opts.seed ?? 42,
      performanceMode: opts.performanceMode ?? true,
      ...(opts.configFile ? { configFile: opts.configFile } : {}),
      logFile: join(logDir, 'mock-llm.log'),
      detached: true,
      onSpawn: lease.track,
    });
    void stub.exited.then(lease.release);
    teardown.add('mock LLM', () => stub.stop(teardown.urgent ? URGENT_STOP_MS : undefined));
    return stub;
  } catch (err) {
    lease.release();
    throw new RunInfraError(`mock LLM: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * llama-server instead of the stub (--llm-provider llama-server): a real inference engine on CPU,
 * in its own process group, registered with the run like the stub; its log in logs/llama-server.log.
 */
export async function llamaUp(
  logDir: string,
  teardown: Teardown,
  opts: { parallel: number; signal: AbortSignal },
): Promise<LlamaServer> {
  // ManagedProcess registers its group with the registry itself (and unregisters it in stop()).
  try {
    const server = await startLlamaServer({ logFile: join(logDir, 'llama-server.log'), parallel: opts.parallel, signal: opts.signal }); // prettier-ignore
    teardown.add('llama-server', () => server.stop(teardown.urgent ? URGENT_STOP_MS : undefined));
    return server;
  } catch (err) {
    if (err instanceof KitError) throw err;
    throw new RunInfraError(`llama-server: ${messageOf(err)}`, { cause: err });
  }
}

export interface TargetRequest {
  infra: InfraHandle;
  llmUrl: string;
  /** True for a real provider (--llm-url): its key goes to the target from LLM_API_KEY or ANTHROPIC_API_KEY. */
  realProvider: boolean;
  logDir: string;
}

export interface TargetUp {
  target: SpawnedTarget;
  /** Set when the target exited before the kit stopped it. */
  died(): string | null;
}

/** The reference target, wired to the infra and the LLM URL; provider keys reach it through the environment only. */
export async function targetUp(req: TargetRequest, teardown: Teardown): Promise<TargetUp> {
  const { redis, postgres, kafka } = req.infra.endpoints;
  if (!redis || !postgres) throw new RunTargetError('target: needs Redis and PostgreSQL endpoints');
  let target: SpawnedTarget;
  const lease = groupLease();
  try {
    target = await spawnTarget(
      {
        redisUrl: redis.url,
        databaseUrl: postgres.url,
        kafkaBrokers: kafka?.brokers ?? [],
        llmUrl: req.llmUrl,
        port: 0,
        roles: kafka ? ['api', 'worker', 'relay'] : ['api', 'worker'],
        // Handed over in the child's environment only; never logged nor written to results.
        llmApiKey: req.realProvider ? process.env.LLM_API_KEY || process.env.ANTHROPIC_API_KEY || undefined : undefined,
      },
      { logFile: join(req.logDir, 'target.log'), detached: true, onSpawn: lease.track },
    );
    void target.exited.then(lease.release);
  } catch (err) {
    lease.release();
    throw new RunTargetError(`target did not start (log: ${join(req.logDir, 'target.log')}): ${messageOf(err)}`, {
      cause: err,
    });
  }
  let stopping = false;
  let death: string | null = null;
  void target.exited.then((code) => {
    if (!stopping) death = `the target exited during the run (${code}); see ${join(req.logDir, 'target.log')}`;
  });
  teardown.add('target', () => {
    stopping = true;
    return target.stop(teardown.urgent ? URGENT_STOP_MS : undefined);
  });
  return { target, died: () => death };
}
