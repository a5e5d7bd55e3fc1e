import type { Command } from 'commander';

/** Registers `k6-llm-perf target` (heavy modules load inside the action). */
export function register(program: Command): void {
  program
    .command('target')
    .description(
      'Run the reference target service (HTTP API, Redis queue worker, outbox relay to Kafka). ' +
        'Configured from the environment: REDIS_URL, DATABASE_URL, KAFKA_BROKERS, LLM_URL, PORT, WORKER_CONCURRENCY, ... (see docs/service.md).',
    )
    .option('--port <n>', 'HTTP port (0 picks a free one); overrides PORT')
    .option('--roles <list>', 'comma-separated roles of this process: api, worker, relay; overrides TARGET_ROLES')
    .action(async (opts: { port?: string; roles?: string }) => {
      const { runTargetCli } = await import('../service/main.ts');
      await runTargetCli(opts);
    });
}
