/**
 * The infra room's commands: `infra up`, `doctor`, `setup`. Kept light: each action
 * imports what it needs when it runs.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { UpOptions } from '../infra/infra-up.ts';

const PROVIDERS = ['auto', 'testcontainers', 'local', 'external'];

export function register(program: Command): void {
  const infra =
    program.commands.find((c) => c.name() === 'infra') ??
    program.command('infra').description('Bring Redis, PostgreSQL and Kafka up by hand.');
  infra
    .command('up')
    .description(
      'Start the services, print their endpoints, hold until Ctrl-C or SIGTERM, then tear everything down (exit 105).',
    )
    .addOption(new Option('--infra <provider>', 'where the servers come from').choices(PROVIDERS).default('auto'))
    .option('--services <list>', 'comma-separated: redis,postgres,kafka', 'redis,postgres,kafka')
    .option('--json', 'print the endpoints as one JSON line on stdout', false)
    .option(
      '--log-dir <dir>',
      "write each local server's log to <dir>/<service>.log (default: its temp dir, removed on exit)",
    )
    .addOption(
      new Option('--progress <mode>', 'bring-up display').choices(['auto', 'tty', 'plain', 'silent']).default('auto'),
    )
    .action(async (opts: UpOptions) => {
      const { infraUp } = await import('../infra/infra-up.ts');
      process.exitCode = await infraUp(opts);
    });

  program
    .command('doctor')
    .description(
      'Show what this machine offers (container runtime, k6, redis-server, PostgreSQL, Java, Kafka jars) and what --infra auto and --engine auto pick.',
    )
    .option('--json', 'print the report as JSON', false)
    .action(async (opts: { json: boolean }) => {
      const { doctor, formatDoctor } = await import('../infra/doctor.ts');
      const report = await doctor();
      console.log(opts.json ? JSON.stringify(report) : formatDoctor(report));
    });

  program
    .command('setup')
    .description(
      'Install what the local provider needs (redis-server, PostgreSQL, Java, Maven, the Kafka jars, chromium); a fast no-op when all are present.',
    )
    .option('--services <list>', 'only what these services need (comma-separated)', 'redis,postgres,kafka')
    .option('--no-browser', "skip chromium (used by the reports' browser test)")
    .addOption(new Option('--progress <mode>', 'display').choices(['auto', 'tty', 'plain', 'silent']).default('auto'))
    .action(async (opts: { services: string; browser: boolean; progress: 'auto' | 'tty' | 'plain' | 'silent' }) => {
      const [{ ensureSetup, normalizeServices }, { splitList }] = await Promise.all([
        import('../infra/index.ts'),
        import('../infra/infra-up.ts'),
      ]);
      await ensureSetup({
        services: normalizeServices(splitList(opts.services)),
        browser: opts.browser,
        progress: opts.progress,
      });
    });
}
