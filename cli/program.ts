/**
 * The program of the one CLI: every room's commands, registered from the files of this folder
 * (command definitions only; each action imports the one function of its room that does the work,
 * so registering stays cheap). Used by main.ts and by tools/cli-docs.mjs, which writes docs/cli.md.
 */
import { Command } from 'commander';

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

export async function buildProgram(): Promise<Command> {
  const program = new Command('k6-llm-perf')
    .description(
      'Performance tests for services that call an LLM: k6 scenarios, real infrastructure, a mock LLM, a CI gate.',
    )
    .showHelpAfterError()
    .exitOverride();
  for (const load of rooms) (await load()).register(program);
  return program;
}
