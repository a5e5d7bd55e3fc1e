/**
 * The one CLI's entry: `k6-llm-perf <command>` (program.ts holds the commands); errors become
 * exit codes: a usage error 104, a KitError its own code, anything else 1.
 */
import { CommanderError } from 'commander';
import { KitError } from '../engine/exit-codes.ts';
import { buildProgram } from './program.ts';

async function main(argv: string[]): Promise<void> {
  await (await buildProgram()).parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 104;
    return;
  }
  if (err instanceof KitError) {
    console.error(`error [${err.code}]: ${err.message}`);
    process.exitCode = err.exitCode;
    return;
  }
  console.error(err);
  process.exitCode = 1;
});
