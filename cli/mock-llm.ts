/**
 * `k6-llm-perf mock-llm`: runs the stub in the foreground until SIGINT/SIGTERM.
 * First stdout line once listening: `mock-llm listening on URL` (or, with --json,
 * `{"url":"URL"}`). Bad options or config file → exit 104.
 */
import type { Command } from 'commander';
import { ExitCode, KitError } from '../engine/exit-codes.ts';

interface CliOptions {
  port: string;
  host: string;
  seed: string;
  performanceMode?: boolean;
  config?: string;
  logFile?: string;
  timers: string;
  json?: boolean;
}

function intOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new KitError(
      'MOCK_LLM_BAD_OPTION',
      `--${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}`,
      ExitCode.INVALID_CONFIG,
    );
  }
  return n;
}

async function run(opts: CliOptions): Promise<void> {
  const port = intOption(opts.port, 'port', 0, 65535);
  const seed = intOption(opts.seed, 'seed', 0, 0xffffffff);
  if (opts.timers !== 'auto' && opts.timers !== 'precise' && opts.timers !== 'node') {
    throw new KitError(
      'MOCK_LLM_BAD_OPTION',
      `--timers: expected auto, precise or node, got ${JSON.stringify(opts.timers)}`,
      ExitCode.INVALID_CONFIG,
    );
  }
  const timers = opts.timers;
  const { startMockLlm } = await import('../mock-llm/index.ts');
  // Handlers go in before the first line is printed: a caller may signal as soon as it reads it.
  let signalled: () => void = () => {};
  const signal = new Promise<void>((resolve) => (signalled = resolve));
  const onSignal = (): void => signalled();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const mock = await startMockLlm({
      port,
      seed,
      host: opts.host,
      performanceMode: opts.performanceMode === true,
      config: opts.config,
      logFile: opts.logFile,
      timers,
    });
    process.stdout.write(opts.json ? `${JSON.stringify({ url: mock.url })}\n` : `mock-llm listening on ${mock.url}\n`);
    await signal;
    await mock.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = ExitCode.OK;
}

/** Registers `mock-llm` on the root CLI. */
export function register(program: Command): void {
  program
    .command('mock-llm')
    .description('Run the mock LLM provider (Anthropic /v1/messages, OpenAI /v1/chat/completions) until Ctrl-C.')
    .option('--port <n>', 'port to listen on (0 = ephemeral)', '0')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'seed of every random draw (text, latency, errors)', '42')
    .option('--performance-mode', 'disable all error simulation')
    .option('--config <file.json>', 'JSON file with a (partial) config: latency, output, errors, models, maxBodyBytes')
    .option('--log-file <file>', 'append one JSON line per finished generation')
    .option(
      '--timers <kind>',
      'token timers: precise (~0.1 ms, a helper thread, 2x the CPU), node (setTimeout, ~1 ms), auto (precise below 500 timers/s)',
      'auto',
    )
    .option('--json', 'print the first line as {"url": ...}')
    .action(run);
}
