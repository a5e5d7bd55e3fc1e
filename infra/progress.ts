import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput } from 'listr2';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'silent';

/** One bring-up step; `update` reports a sub-step ("initdb", "format storage"). */
export interface Step<T> {
  title: string;
  run(update: (detail: string) => void): Promise<T>;
}

/** `auto` → a live display (listr2) when stderr is a terminal outside CI, else plain lines. */
export function resolveMode(mode: ProgressMode = 'auto'): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  // listr2's live renderer needs both streams on a terminal; it draws on stderr.
  return process.stdout.isTTY && process.stderr.isTTY && !process.env.CI ? 'tty' : 'plain';
}

/** A line on stderr (stdout stays clean for `--json`), unless silent. */
export function say(mode: ProgressMode, line: string): void {
  if (resolveMode(mode) !== 'silent') process.stderr.write(`${line}\n`);
}

/**
 * Runs the steps concurrently, showing each live with its duration; never rejects:
 * each step's outcome comes back settled, in the order given.
 */
export async function runSteps<T>(steps: Step<T>[], mode: ProgressMode = 'auto'): Promise<PromiseSettledResult<T>[]> {
  const resolved = resolveMode(mode);
  if (resolved === 'tty') return runWithListr(steps);
  return Promise.allSettled(steps.map((step) => runPlain(step, resolved === 'plain')));
}

async function runPlain<T>(step: Step<T>, print: boolean): Promise<T> {
  const started = performance.now();
  const line = (text: string): void => {
    if (print) process.stderr.write(`infra: ${text}\n`);
  };
  line(`${step.title} …`);
  try {
    const value = await step.run((detail) => line(`${step.title}: ${detail}`));
    line(`${step.title} ready in ${seconds(started)}`);
    return value;
  } catch (err) {
    line(`${step.title} FAILED after ${seconds(started)}: ${firstLine(err)}`);
    throw err;
  }
}

async function runWithListr<T>(steps: Step<T>[]): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = steps.map(() => ({ status: 'rejected', reason: new Error('not run') }));
  const list = new Listr(
    steps.map((step, i) => ({
      title: step.title,
      task: async (_ctx: unknown, task: { output: string; title: string }) => {
        try {
          const value = await step.run((detail) => (task.output = detail));
          results[i] = { status: 'fulfilled', value };
        } catch (err) {
          results[i] = { status: 'rejected', reason: err };
          throw new Error(firstLine(err));
        }
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      collectErrors: false,
      rendererOptions: {
        timer: PRESET_TIMER,
        collapseErrors: false,
        logger: new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(process.stderr, process.stderr) }),
      },
    },
  );
  try {
    await list.run();
  } catch {
    // each step's own outcome is in `results`
  }
  return results;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0] ?? '';
}
