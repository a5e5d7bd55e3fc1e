/** The `capacity` command's action: options checked (exit 104 before anything starts), signals trapped, the search. */
import { findConfig, loadConfig } from '../config.ts';
import { cleanBeforeRun } from '../cli-run.ts';
import { trapSignals } from '../teardown.ts';
import { toCapacityOptions, type CliCapacityOptions } from './options.ts';

export async function capacityCli(scenario: string, o: CliCapacityOptions): Promise<number> {
  const configFile = o.config ?? findConfig(process.cwd());
  const config = configFile ? await loadConfig(configFile) : undefined;
  const copts = toCapacityOptions(scenario, o, config);
  const { runCapacity } = await import('./index.ts');
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  await cleanBeforeRun(log);
  const trap = trapSignals(log);
  try {
    const ctx = { signal: trap.signal, log, out: (t: string) => void process.stdout.write(t) };
    return (await runCapacity(copts, ctx)).exitCode;
  } finally {
    trap.release();
  }
}
