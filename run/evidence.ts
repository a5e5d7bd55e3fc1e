/**
 * What a run proves beyond the summary's values, read from its results folder:
 * - samples.json: how many samples each metric key got (the Node engine's `--samples-export`, or
 *   k6's raw points counted by the reports room). Under k6 a never-touched Counter reads `count: 0`,
 *   so only these counts tell "no samples" from zero.
 * - logs/engine.log: the uncaught exceptions of iterations. Both engines log each with
 *   `source=stacktrace` and, inside a scenario, `scenario=<name>` (k6's logfmt and the engine's
 *   `ERRO[0003] ... scenario=x source=stacktrace` alike).
 */
import { existsSync, readFileSync } from 'node:fs';
import { messageOf } from './errors.ts';
import type { Evidence, ExceptionCounts, SampleCounts } from './verdict.ts';

export function readSampleCounts(path: string, log: (l: string) => void): SampleCounts {
  if (!existsSync(path)) return null;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; counts?: unknown };
    if (data.version === 1 && data.counts && typeof data.counts === 'object')
      return data.counts as Record<string, number>;
    log(`warning: ${path}: expected {"version": 1, "counts": {...}}`);
  } catch (err) {
    log(`warning: ${path} is not valid JSON: ${messageOf(err)}`);
  }
  return null;
}

const SCENARIO_FIELD = /(?:^|\s)scenario=("(?:[^"\\]|\\.)*"|\S+)/;

/** Counts the `source=stacktrace` lines of an engine log, per scenario ("(none)" outside one). */
export function countExceptions(text: string): ExceptionCounts {
  const counts: ExceptionCounts = { total: 0, byScenario: {} };
  for (const line of text.split('\n')) {
    if (!/(?:^|\s)source=stacktrace(?:\s|$)/.test(line)) continue;
    const m = SCENARIO_FIELD.exec(line);
    const scenario = m ? m[1]!.replace(/^"|"$/g, '') : '(none)';
    counts.total++;
    counts.byScenario[scenario] = (counts.byScenario[scenario] ?? 0) + 1;
  }
  return counts;
}

/** The evidence of a results folder whose engine ran. */
export function readEvidence(samplesFile: string, engineLog: string, log: (l: string) => void): Evidence {
  return {
    samples: readSampleCounts(samplesFile, log),
    exceptions: existsSync(engineLog) ? countExceptions(readFileSync(engineLog, 'utf8')) : null,
  };
}
