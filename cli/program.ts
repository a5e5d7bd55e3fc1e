/**
 * The program of the one CLI: every room's commands, registered from the files of this folder
 * (command definitions only; each action imports the one function of its room that does the work,
 * so registering stays cheap). Used by main.ts and by tools/cli-docs.mjs, which writes docs/cli.md.
 */
import { Command } from 'commander';
import { kitVersion } from './version.ts';

type Register = (program: Command) => void;

const rooms: Array<() => Promise<{ register: Register }>> = [
  () => import('./engine.ts'),
  () => import('./mock-llm.ts'),
  () => import('./service.ts'),
  () => import('./infra.ts'),
  () => import('./run.ts'),
  () => import('./capacity.ts'),
  () => import('./init.ts'),
  () => import('./report.ts'),
  () => import('./k8s.ts'),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command('k6-llm-perf')
    .description(
      'Performance tests for services that call an LLM: k6 scenarios, real infrastructure, a mock LLM, a CI gate.',
    )
    .version(kitVersion(), '-V, --version', "print the kit's version")
    .option('--no-color', 'never colour output (same as NO_COLOR=1; FORCE_COLOR=1 colours through a pipe)')
    .showHelpAfterError()
    .exitOverride();
  // --no-color becomes NO_COLOR for this process and the ones it starts, so every colour decision sees it.
  program.hook('preAction', () => {
    if (program.opts<{ color?: boolean }>().color === false) process.env.NO_COLOR = '1';
  });
  for (const load of rooms) (await load()).register(program);
  return program;
}
