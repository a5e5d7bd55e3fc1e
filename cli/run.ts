/**
 * The orchestrator's command: `k6-llm-perf run <scenario>` (or `run all`), DESIGN.md's data flow;
 * and `k6-llm-perf clean`, which stops what dead runs left (infra/lifecycle/leftovers.ts).
 * Heavy modules load inside the action so that registering stays cheap.
 */
import type { Command } from 'commander';
import { SCENARIO_NAMES } from '../run/catalog.ts';
import type { CliRunOptions } from '../run/cli-run.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function runAction(scenario: string, o: CliRunOptions): Promise<void> {
  const { runCli } = await import('../run/cli-run.ts');
  process.exitCode = await runCli(scenario, o);
}

async function cleanAction(): Promise<void> {
  const { cleanLeftovers, formatClean } = await import('../infra/lifecycle/leftovers.ts');
  console.log(formatClean(await cleanLeftovers()));
}

export function register(program: Command): void {
  program
    .command('clean')
    .description(
      'Stop the servers and remove the temp dirs that dead runs left (runs killed with their watchdog); runs in progress are left alone',
    )
    .action(cleanAction);

  program
    .command('run')
    .description(
      'Run a scenario end to end: build, thresholds, infrastructure, mock LLM, target, engine, verdict, reports, teardown',
    )
    .argument(
      '<scenario>',
      `a scenario of ./k6-llm-perf.config.ts, one of ${SCENARIO_NAMES.join(', ')}, a script path (./perf/x.ts, with --thresholds), or all`,
    )
    .option('--config <file>', 'config file (default ./k6-llm-perf.config.ts when it exists)')
    .option('--services <list>', 'with a script path: the services it talks to, e.g. redis,postgres,kafka')
    .option('--mock-llm', 'with a script path: start the mock LLM (LLM_URL)')
    .option('--thresholds <file>', 'threshold file (default thresholds/<scenario>.json)')
    .option('--engine <engine>', 'auto | k6 | node (auto: a k6 binary on PATH or K6_BIN, else the Node engine)', 'auto')
    .option('--infra <provider>', 'auto | local | testcontainers | external', 'auto')
    .option('--target <url>', "your own service's base URL instead of the reference target")
    .option(
      '--llm-url <url>',
      'a real LLM provider for the target instead of the mock (end to end; the key stays in the environment)',
    )
    .option(
      '--llm-provider <name>',
      'the LLM the kit starts: mock (default) | llama-server (llama.cpp on CPU, a tiny random-weight model; npm run setup:llama)',
    )
    .option('--rate <n>', 'arrival rate override (env RATE)')
    .option('--duration <d>', 'duration override, e.g. 30s (env DURATION)')
    .option('--vus <n>', 'virtual users override (env VUS)')
    .option('--profile <name>', 'script profile, e.g. short (env PROFILE)')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (repeatable)', collect, [])
    .option(
      '--secret-source <type=config>',
      "a k6 secret source for k6/secrets, handed to the engine (k6's syntax, repeatable)",
      collect,
      [],
    )
    .option(
      '--baseline <dir>',
      'compare with previous results folders (repeatable, or a folder of runs: pooled); significant regressions fail the run (exit 99)',
      (v: string, prev?: string[]) => [...(prev ?? []), v],
    )
    .option('--strict', 'with --baseline: a regression rule with too few samples to decide (inconclusive) fails too')
    .option('--results <dir>', 'where results/<timestamp>-<scenario>/ folders go', 'results')
    .option('--no-build', 'use dist/scripts/<scenario>.js as built (skip the esbuild step)')
    .option('--progress <mode>', 'infrastructure progress display: auto | tty | plain | silent', 'auto')
    .option('-q, --quiet', "hide the engine's own output (the verdict table is still printed)")
    .option(
      '--health-grace <duration>',
      'how long Redis, PostgreSQL, Kafka, the mock LLM or the target may stay down before the run stops with exit 113',
      '5s',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 pass, 99 threshold/check/regression breached, 104 bad configuration, 105 stopped by a signal,\n' +
        '107 script error, 108 script aborted the test, 111 infrastructure failure, 112 target failure,\n' +
        '113 a component (Redis, PostgreSQL, Kafka, mock LLM, target) died or stopped answering during the run.',
    )
    .action(runAction);
}
