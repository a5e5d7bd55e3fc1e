import type { Command } from 'commander';

/** Registers `k6-llm-perf init` (the work is in run/init.ts). */
export function register(program: Command): void {
  program
    .command('init')
    .description(
      'Scaffold the current project: k6-llm-perf.config.ts, perf/ with a smoke scenario and its threshold file, perf/tsconfig.json, npm scripts perf:<scenario>',
    )
    .action(async () => {
      const { initProject, formatInit } = await import('../run/init.ts');
      process.stdout.write(formatInit(initProject(process.cwd())));
    });
}
