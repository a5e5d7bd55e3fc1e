/**
 * `k6-llm-perf capacity <scenario>` (docs/capacity.md): the highest load the service sustains
 * within the scenario's thresholds, on one bring-up of the stack; a gate with --min / --baseline.
 * Heavy modules load inside the action so that registering stays cheap.
 */
import type { Command } from 'commander';
import type { CliCapacityOptions } from '../run/capacity/options.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function capacityAction(scenario: string, o: CliCapacityOptions): Promise<void> {
  const { capacityCli } = await import('../run/capacity/cli.ts');
  process.exitCode = await capacityCli(scenario, o);
}

export function register(program: Command): void {
  program
    .command('capacity')
    .description(
      'Find the highest load a scenario sustains within its thresholds: steps at rising load (geometric, then bisection) on one bring-up of the stack',
    )
    .argument(
      '<scenario>',
      'a scenario with a load knob (load, spike, endurance, outbox, batch, stress, redis, queue, llm-stream) or of ./k6-llm-perf.config.ts with --knob',
    ) // prettier-ignore
    .option(
      '--knob <env>',
      "the environment variable that sets the load: RATE (arrival rate) or VUS (default: the scenario's)",
    ) // prettier-ignore
    .option('--trend <metric>', "the main trend reported per step (default: the threshold file's first latency metric)")
    .option('--start <load>', 'the first load tried (default 1; llm-stream streams: 2)')
    .option('--growth <factor>', 'factor between steps until a threshold breaks', '2')
    .option('--resolution <pct>', 'bisect until the breaking and holding loads are this close, in percent', '5')
    .option('--max-steps <n>', 'at most this many steps', '12')
    .option('--max-load <load>', 'never offer more than this', '1000')
    .option('--step-duration <d>', 'measured length of each step (DURATION)', '10s')
    .option('--warmup <d>', 'unmeasured run at the same load before each step (0s: none)', '3s')
    .option(
      '--repeat <n>',
      'measured runs per step: the step holds when most of them hold; medians and spread reported',
      '1',
    ) // prettier-ignore
    .option('--min <load>', 'gate: exit 99 when the capacity is below this load')
    .option(
      '--baseline <dir>',
      'gate: a previous capacity folder; exit 99 when the capacity dropped by more than --max-drop',
    )
    .option(
      '--max-drop <pct>',
      "with --baseline: the largest tolerated drop, in percent (default: the threshold file's capacity.maxDropPct, else 10)",
    )
    .option('--config <file>', 'config file (default ./k6-llm-perf.config.ts when it exists)')
    .option('--thresholds <file>', 'threshold file (default thresholds/<scenario>.json)')
    .option('--engine <engine>', 'auto | k6 | node', 'auto')
    .option('--infra <provider>', 'auto | local | testcontainers | external', 'auto')
    .option('--target <url>', "your own service's base URL instead of the reference target")
    .option('--llm-url <url>', 'an LLM endpoint instead of the mock LLM (a real provider, or a stub you started)')
    .option('--profile <name>', 'script profile, e.g. short (env PROFILE)')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (repeatable)', collect, [])
    .option('--results <dir>', 'where the <timestamp>-capacity-<scenario>/ folder goes', 'results')
    .option('--no-build', 'use dist/scripts/<scenario>.js as built (skip the esbuild step)')
    .option('--progress <mode>', 'infrastructure progress display: auto | tty | plain | silent', 'auto')
    .option('-q, --quiet', "hide the engine's own output (always hidden during steps; kept in each step's logs)")
    .option(
      '--health-grace <duration>',
      'how long a component may stay down before the search stops with exit 113',
      '5s',
    ) // prettier-ignore
    .addHelpText(
      'after',
      '\nExit codes: 0 capacity found and every gate passed, 99 a gate failed (--min, --baseline), 104 bad configuration,\n' +
        "105 stopped by a signal, 107/108 a step's script failed, 111 infrastructure, 112 target, 113 a component failed during a step.",
    )
    .action(capacityAction);
}
