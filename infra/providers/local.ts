import { InfraError } from '../errors.ts';
import { retryPortRace, saysPortTaken } from '../lifecycle/ports.ts';
import { LocalKafka } from '../services/kafka/local-kafka.ts';
import { LocalPostgres } from '../services/postgres/local-postgres.ts';
import { LocalRedis } from '../services/redis/local-redis.ts';
import type { ServiceName, StartContext, StartedService } from '../services/types.ts';
import type { ServiceOptions } from '../services/options.ts';
import { missingFor } from '../setup/index.ts';
import type { ProgressMode } from '../progress.ts';
import type { Provider } from './types.ts';

/** Knobs of the local servers, mostly for tests (a taken port, a bad binary path). */
export interface LocalOptions {
  redis?: { binary?: string; port?: number; timeoutMs?: number };
  postgres?: { binDir?: string; port?: number; timeoutMs?: number };
  kafka?: { java?: string; libDir?: string; port?: number; timeoutMs?: number; heap?: string };
  /** Install what is missing (`npm run setup` for these services) before starting; default true. */
  autoSetup?: boolean;
}

/** Real servers as local processes: redis-server, PostgreSQL from Debian, a KRaft Kafka on Java. */
export class LocalProvider implements Provider {
  readonly name = 'local' as const;
  constructor(
    private readonly options: LocalOptions = {},
    private readonly progress: ProgressMode = 'auto',
    /** Per-service options (versions are checked before the start, run/stack.ts). */
    private readonly services: ServiceOptions = {},
  ) {}

  async preflight(services: ServiceName[]): Promise<void> {
    const overridden = (s: ServiceName): boolean =>
      (s === 'redis' && !!this.options.redis?.binary) ||
      (s === 'postgres' && !!this.options.postgres?.binDir) ||
      (s === 'kafka' && !!this.options.kafka?.libDir && !!this.options.kafka?.java);
    const needed = services.filter((s) => !overridden(s));
    if (missingFor(needed).length === 0) return;
    if (this.options.autoSetup === false) {
      const what = missingFor(needed)
        .map((m) => m.what)
        .join(', ');
      throw new InfraError('INFRA_MISSING', `local infrastructure is missing ${what}; run \`npm run setup\``);
    }
    const { ensureSetup } = await import('../setup/index.ts');
    await ensureSetup({ services: needed, progress: this.progress });
  }

  /**
   * Starts one server. On a port it picked itself, a server that lost the port to another process
   * between the pick and its bind ("Address already in use" in its log, e.g. test files starting
   * servers side by side) is started again on new ports, up to PORT_RACE_ATTEMPTS times.
   */
  start(service: ServiceName, ctx: StartContext): Promise<StartedService> {
    if (this.options[service]?.port !== undefined) return this.startOnce(service, ctx);
    const lost = (err: unknown): boolean =>
      err instanceof InfraError &&
      err.code === 'INFRA_START_FAILED' &&
      !ctx.signal?.aborted &&
      saysPortTaken(err.message, err.logTail);
    return retryPortRace(
      () => this.startOnce(service, ctx),
      lost,
      undefined,
      (attempt) => ctx.onStep?.(`port taken by another process, attempt ${attempt}`),
    );
  }

  private startOnce(service: ServiceName, ctx: StartContext): Promise<StartedService> {
    switch (service) {
      case 'redis': {
        const o = this.options.redis ?? {};
        const redis = new LocalRedis();
        if (o.binary) redis.withBinary(o.binary);
        if (o.port) redis.withPort(o.port);
        if (o.timeoutMs) redis.withStartupTimeout(o.timeoutMs);
        return redis.start(ctx);
      }
      case 'postgres': {
        const o = this.options.postgres ?? {};
        const postgres = new LocalPostgres();
        if (o.binDir) postgres.withBinDir(o.binDir);
        if (o.port) postgres.withPort(o.port);
        if (o.timeoutMs) postgres.withStartupTimeout(o.timeoutMs);
        if (this.services.postgres?.settings) postgres.withSettings(this.services.postgres.settings);
        return postgres.start(ctx);
      }
      case 'kafka': {
        const o = this.options.kafka ?? {};
        const kafka = new LocalKafka();
        if (o.java) kafka.withJava(o.java);
        if (o.libDir) kafka.withLibDir(o.libDir);
        if (o.port) kafka.withPort(o.port);
        const heap = o.heap ?? this.services.kafka?.heap;
        if (heap) kafka.withHeap(heap);
        if (this.services.kafka?.partitions) kafka.withPartitions(this.services.kafka.partitions);
        if (o.timeoutMs) kafka.withStartupTimeout(o.timeoutMs);
        return kafka.start(ctx);
      }
    }
  }
}
