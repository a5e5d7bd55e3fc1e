/**
 * `run --baseline` is read and validated before anything starts: each folder (or folder of runs)
 * must hold a readable summary.json with a "metrics" object, its histograms.json (when present)
 * must have the documented shape, and a meta.json naming another scenario is refused. Synchronous
 * and light, so the orchestrator can call it while checking its options (exit 104 on a problem).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_FILES, validateHistograms, validateSummary } from './load.ts';

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function readJsonSync(file: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(
      `--baseline: ${file} ${code ? `cannot be read (${code})` : `is not valid JSON (${(err as Error).message})`}`,
    );
    return undefined;
  }
}

function checkRun(dir: string, scenario: string | undefined, problems: string[]): void {
  const summary = join(dir, RESULT_FILES.summary);
  const data = readJsonSync(summary, problems);
  if (data === undefined) return;
  try {
    validateSummary(data, summary);
  } catch (err) {
    problems.push(`--baseline: ${(err as Error).message}`);
  }
  const hist = join(dir, RESULT_FILES.histograms);
  if (existsSync(hist)) {
    const h = readJsonSync(hist, problems);
    if (h !== undefined) {
      try {
        validateHistograms(h, hist);
      } catch (err) {
        problems.push(`--baseline: ${(err as Error).message}`);
      }
    }
  }
  const metaFile = join(dir, RESULT_FILES.meta);
  if (scenario !== undefined && existsSync(metaFile)) {
    const meta = readJsonSync(metaFile, problems) as { scenario?: unknown } | undefined;
    if (meta && typeof meta.scenario === 'string' && meta.scenario !== scenario) {
      problems.push(`--baseline: ${dir} is a run of scenario "${meta.scenario}" (its meta.json), not "${scenario}"`);
    }
  }
}

/** Every problem of the baseline inputs, each naming the folder and what is missing (empty when usable). */
export function baselineProblems(inputs: readonly string[], scenario?: string): string[] {
  const problems: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) {
      problems.push(`--baseline ${input}: no such results folder`);
      continue;
    }
    if (!isDir(input)) {
      problems.push(
        `--baseline ${input}: not a folder (expected a results folder holding summary.json, or a folder of such runs)`,
      );
      continue;
    }
    if (existsSync(join(input, RESULT_FILES.summary))) {
      checkRun(input, scenario, problems);
      continue;
    }
    const runs = readdirSync(input)
      .sort()
      .map((n) => join(input, n))
      .filter((d) => isDir(d) && existsSync(join(d, RESULT_FILES.summary)));
    if (runs.length === 0)
      problems.push(
        `--baseline ${input}: no summary.json in it, and no sub-folder holding one (expected a results folder, or a folder of runs)`,
      );
    for (const run of runs) checkRun(run, scenario, problems);
  }
  return problems;
}
