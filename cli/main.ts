/**
 * The one CLI: `k6-llm-perf <command>`. Each room registers its own commands from
 * its `cli.ts` (kept light: heavy modules are imported inside the action handlers).
 */
import { Command, CommanderError } from 'commander';
import { KitError } from '../engine/exit-codes.ts';

type Register = (program: Command) => void;

const rooms: Array<() => Promise<{ register: Register }>> = [
  () => import('./engine.ts'),
  () => import('./mock-llm.ts'),
  () => import('./service.ts'),
  () => import('./infra.ts'),
  () => import('./run.ts'),
  () => import('./report.ts'),
  () => import('./k8s.ts'),
];

async function main(argv: string[]): Promise<void> {
  const program = new Command('k6-llm-perf')
    .description('Performance tests for services that call an LLM: k6 scenarios, real infrastructure, a mock LLM, a CI gate.')
    .showHelpAfterError()
    .exitOverride();
  for (const load of rooms) {
    try {
      (await load()).register(program);
    } catch (err) {
      // A room not yet present must not break the others' commands.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  await program.parseAsync(argv);
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
