/**
 * `engine merge <part.json...>`: one summary for a test whose execution segments ran in several
 * engine processes (or machines). Metrics merge exactly (HDR histograms, not averaged percentiles),
 * thresholds are evaluated on the whole, and the exit code follows k6's: 99 on a breach.
 */
import type { Writable } from 'node:stream';
import { ExitCode } from '../exit-codes.ts';
import { Aggregator } from '../metrics/index.ts';
import { crossedMessage, crossedThresholds, writeJson } from './outputs.ts';
import { checkParts, readPart } from './part.ts';
import { ConfigError } from '../errors.ts';
import { shouldColor } from '../summary/color.ts';

export interface MergeOptions {
  parts: string[];
  summaryExport?: string;
  hdrExport?: string;
  samplesExport?: string;
  noSummary?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable;
}

export function mergeParts(o: MergeOptions): number {
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  if (o.parts.length === 0)
    throw new ConfigError(['engine merge: expected at least one part file (written by `engine run --part-export`)']);
  const parts = o.parts.map(readPart);
  const { problems, covered } = checkParts(o.parts, parts);
  if (problems.length) throw new ConfigError(problems);
  if (covered < 1 - 1e-9)
    stderr.write(
      `engine merge: the segments cover ${(covered * 100).toFixed(1)}% of the test; the summary is of that share only\n`,
    );
  const agg = new Aggregator({ thresholds: parts[0]!.thresholds, summaryTrendStats: parts[0]!.summaryTrendStats });
  for (const p of parts) agg.merge(p.snapshot);
  const start = Math.min(...parts.map((p) => p.startEpochMs));
  const durationMs = Math.max(...parts.map((p) => p.startEpochMs + p.durationMs)) - start;
  const data = agg.summaryData({
    options: { summaryTrendStats: agg.summaryTrendStats },
    state: { testRunDurationMs: durationMs, isStdOutTTY: Boolean(stdout.isTTY), isStdErrTTY: false },
  });
  const failed = crossedThresholds(agg, durationMs);
  if (!o.noSummary)
    stdout.write(
      agg.textSummary(data, { trendStats: agg.summaryTrendStats, colors: shouldColor({ stream: stdout }) }) + '\n',
    );
  if (o.summaryExport) writeJson(o.summaryExport, agg.exportSummary(data));
  if (o.hdrExport) writeJson(o.hdrExport, agg.histograms());
  if (o.samplesExport) writeJson(o.samplesExport, agg.sampleCounts());
  if (failed.length) stderr.write(crossedMessage(failed) + '\n');
  // A part that did not finish (signal, script error, abort) makes the whole test unfinished.
  const broken = parts.find((p) => p.exitCode !== ExitCode.OK && p.exitCode !== ExitCode.THRESHOLDS_FAILED);
  if (broken) {
    stderr.write(`engine merge: ${o.parts[parts.indexOf(broken)]} ended with exit code ${broken.exitCode}\n`);
    return broken.exitCode;
  }
  return failed.length ? ExitCode.THRESHOLDS_FAILED : ExitCode.OK;
}

/** The action of `engine merge` (a KitError reaches the CLI, which prints it and exits with its code). */
export function mergeCli(
  parts: string[],
  f: { summaryExport?: string; hdrExport?: string; samplesExport?: string; summary: boolean },
): number {
  return mergeParts({
    parts,
    summaryExport: f.summaryExport,
    hdrExport: f.hdrExport,
    samplesExport: f.samplesExport,
    noSummary: f.summary === false,
  });
}
