import { ExitCode } from './exit-codes.ts';
import { say } from './progress.ts';
import type { ProviderName } from './providers/types.ts';
import { holdUntilSignal, teardownOnSignals } from './signals.ts';
import { normalizeServices, startInfra } from './start.ts';

/** The options of `infra up` (cli/infra.ts defines them). */
export interface UpOptions {
  infra: string;
  services: string;
  json: boolean;
  logDir?: string;
  progress: 'auto' | 'tty' | 'plain' | 'silent';
}

/** "a, b,,c" -> ["a", "b", "c"]. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `infra up`: bring up, print endpoints, hold until SIGINT/SIGTERM, tear down, exit 105
 * (k6's external abort). A signal during bring-up aborts it; whatever was started is stopped.
 */
export async function infraUp(opts: UpOptions): Promise<number> {
  const services = normalizeServices(splitList(opts.services));
  const abort = new AbortController();
  const onEarlySignal = (): void => abort.abort();
  process.on('SIGINT', onEarlySignal);
  process.on('SIGTERM', onEarlySignal);
  let handle;
  try {
    handle = await startInfra({
      provider: opts.infra as ProviderName,
      services,
      logDir: opts.logDir,
      progress: opts.progress,
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
  }
  if (abort.signal.aborted) {
    await handle.down();
    return ExitCode.EXTERNAL_ABORT;
  }
  // Hooks first, endpoints second: whoever reads the endpoints may signal at once.
  const unhook = teardownOnSignals(handle);
  const held = holdUntilSignal();
  if (opts.json) {
    const services = handle.services.map(({ name, host, port, pid, tempDir, logFile }) => ({
      name,
      host,
      port,
      pid,
      tempDir,
      logFile,
    }));
    process.stdout.write(
      `${JSON.stringify({ provider: handle.provider, reason: handle.reason, endpoints: handle.endpoints, services })}\n`,
    );
  } else {
    const e = handle.endpoints;
    if (e.redis) console.log(`REDIS_URL=${e.redis.url}`);
    if (e.postgres) console.log(`DATABASE_URL=${e.postgres.url}`);
    if (e.kafka) console.log(`KAFKA_BROKERS=${e.kafka.brokers.join(',')}`);
  }
  say(opts.progress, 'infra: up; Ctrl-C (or SIGTERM) stops everything');
  const signal = await held;
  unhook();
  say(opts.progress, `infra: ${signal}, tearing down`);
  await handle.down();
  return ExitCode.EXTERNAL_ABORT;
}
