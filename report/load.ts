/**
 * Reading the results folder: every file is validated at the boundary, and a problem names the file
 * and the field. summary.json is required; every other file is optional (absent → null plus a note).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ReportError } from './errors.ts';
import type { LlmRequestLine } from './llm-charts.ts';
import type { Comparison, HistogramsFile, Meta, Summary, Timeseries, Verdict } from './types.ts';

export const RESULT_FILES = {
  summary: 'summary.json',
  timeseries: 'timeseries.json',
  histograms: 'histograms.json',
  verdict: 'verdict.json',
  meta: 'meta.json',
  comparison: 'comparison.json',
  report: 'report.html',
  requests: 'requests.jsonl',
} as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function malformed(file: string, field: string, expected: string): ReportError {
  return new ReportError('REPORT_FILE_MALFORMED', `${file}: field "${field}" ${expected}`);
}

/** Reads and parses a JSON file; a missing file or bad JSON is a ReportError naming the file. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory, expected a JSON file'
          : `cannot be read (${code})`;
    throw new ReportError('REPORT_FILE_MISSING', `${file} ${why}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ReportError('REPORT_FILE_MALFORMED', `${file}: not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
}

export function validateSummary(data: unknown, file: string): Summary {
  if (!isObject(data)) throw malformed(file, '(root)', 'must be an object in k6 --summary-export shape');
  if (!isObject(data.metrics)) throw malformed(file, 'metrics', 'must be an object of metric name → stats');
  for (const [name, metric] of Object.entries(data.metrics)) {
    if (!isObject(metric)) throw malformed(file, `metrics.${name}`, 'must be an object of stats');
  }
  return data as Summary;
}

export function validateTimeseries(data: unknown, file: string): Timeseries {
  if (!isObject(data)) throw malformed(file, '(root)', 'must be an object');
  if (data.version !== 1) throw malformed(file, 'version', `must be 1, got ${JSON.stringify(data.version)}`);
  if (typeof data.bucketSeconds !== 'number' || !(data.bucketSeconds > 0))
    throw malformed(file, 'bucketSeconds', 'must be a positive number');
  if (typeof data.startTime !== 'string' || Number.isNaN(Date.parse(data.startTime)))
    throw malformed(file, 'startTime', 'must be an ISO date string');
  if (!Array.isArray(data.buckets)) throw malformed(file, 'buckets', 'must be an array');
  data.buckets.forEach((b: unknown, i: number) => {
    if (!isObject(b) || typeof b.t !== 'number')
      throw malformed(file, `buckets[${i}].t`, 'must be a number of seconds');
  });
  return data as unknown as Timeseries;
}

export function validateHistograms(data: unknown, file: string): HistogramsFile {
  if (!isObject(data)) throw malformed(file, '(root)', 'must be an object');
  if (data.version !== 1) throw malformed(file, 'version', `must be 1, got ${JSON.stringify(data.version)}`);
  if (typeof data.scale !== 'number' || !(data.scale > 0)) throw malformed(file, 'scale', 'must be a positive number');
  if (!isObject(data.histograms))
    throw malformed(file, 'histograms', 'must be an object of metric key → base64 string');
  for (const [key, value] of Object.entries(data.histograms)) {
    if (typeof value !== 'string') throw malformed(file, `histograms.${key}`, 'must be a compressed base64 string');
  }
  return data as unknown as HistogramsFile;
}

export function validateVerdict(data: unknown, file: string): Verdict {
  if (!isObject(data)) throw malformed(file, '(root)', 'must be an object');
  if (!Array.isArray(data.checks)) throw malformed(file, 'checks', 'must be an array');
  data.checks.forEach((c: unknown, i: number) => {
    if (!isObject(c) || typeof c.metric !== 'string' || typeof c.ok !== 'boolean') {
      throw malformed(file, `checks[${i}]`, 'must have a string "metric" and a boolean "ok"');
    }
  });
  return data as unknown as Verdict;
}

function validateMeta(data: unknown, file: string): Meta {
  if (!isObject(data)) throw malformed(file, '(root)', 'must be an object');
  return data;
}

function validateComparison(data: unknown, file: string): Comparison {
  if (!isObject(data) || !Array.isArray(data.rows))
    throw malformed(file, 'rows', 'must be an array (a comparison written by compareResults)');
  return data as unknown as Comparison;
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads an optional file: absent → null and a note; present but malformed → the note says why, the page still renders. */
async function optional<T>(
  dir: string,
  name: string,
  validate: (d: unknown, f: string) => T,
  notes: string[],
): Promise<T | null> {
  const file = join(dir, name);
  if (!(await exists(file))) {
    notes.push(
      name === RESULT_FILES.comparison
        ? `${name} not found: no baseline comparison (run with --baseline, or use k6-llm-perf compare).`
        : `${name} not found: its section is left out.`,
    );
    return null;
  }
  try {
    return validate(await readJson(file), file);
  } catch (err) {
    notes.push(`${name} could not be used: ${(err as Error).message}`);
    return null;
  }
}

export interface LoadedResults {
  dir: string;
  summary: Summary;
  timeseries: Timeseries | null;
  histograms: HistogramsFile | null;
  verdict: Verdict | null;
  meta: Meta | null;
  comparison: Comparison | null;
  /** requests.jsonl (llm-stream), one object per line; empty when absent. */
  requests: LlmRequestLine[];
  notes: string[];
}

/** requests.jsonl, when present: every line an object; a bad line is left out and counted in a note. */
async function loadRequests(dir: string, notes: string[]): Promise<LlmRequestLine[]> {
  const file = join(dir, RESULT_FILES.requests);
  if (!(await exists(file))) return [];
  const out: LlmRequestLine[] = [];
  let bad = 0;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (isObject(v)) out.push(v as LlmRequestLine);
      else bad++;
    } catch {
      bad++;
    }
  }
  if (bad) notes.push(`${RESULT_FILES.requests}: ${bad} line(s) are not JSON objects, left out.`);
  return out;
}

/** Loads a results folder; summary.json is required (ReportError otherwise), the rest optional. */
export async function loadResults(dir: string): Promise<LoadedResults> {
  if (!(await isDirectory(dir)))
    throw new ReportError('REPORT_FILE_MISSING', `results folder ${dir} does not exist or is not a folder`);
  const summaryFile = join(dir, RESULT_FILES.summary);
  const summary = validateSummary(await readJson(summaryFile), summaryFile);
  const notes: string[] = [];
  return {
    dir,
    summary,
    timeseries: await optional(dir, RESULT_FILES.timeseries, validateTimeseries, notes),
    histograms: await optional(dir, RESULT_FILES.histograms, validateHistograms, notes),
    verdict: await optional(dir, RESULT_FILES.verdict, validateVerdict, notes),
    meta: await optional(dir, RESULT_FILES.meta, validateMeta, notes),
    comparison: await optional(dir, RESULT_FILES.comparison, validateComparison, notes),
    requests: await loadRequests(dir, notes),
    notes,
  };
}

export interface ResolvedSide {
  summaryPath: string;
  histogramsPath: string | null;
}

/**
 * A comparison side is a results folder (its summary.json, and histograms.json when present) or a
 * summary file (and a histograms.json beside it when present).
 */
export async function resolveSide(input: string): Promise<ResolvedSide> {
  if (await isDirectory(input)) {
    const hist = join(input, RESULT_FILES.histograms);
    return { summaryPath: join(input, RESULT_FILES.summary), histogramsPath: (await exists(hist)) ? hist : null };
  }
  if (!(await exists(input)))
    throw new ReportError(
      'REPORT_FILE_MISSING',
      `${input} does not exist (expected a results folder or a summary.json)`,
    );
  const beside = join(input, '..', RESULT_FILES.histograms);
  const useBeside = basename(input) === RESULT_FILES.summary && (await exists(beside));
  return { summaryPath: input, histogramsPath: useBeside ? beside : null };
}

/**
 * The runs of a baseline argument: a results folder or summary file is one run; a folder without a
 * summary.json is a folder of runs, each sub-folder holding a summary.json one run (sorted by name).
 */
export async function resolveRuns(input: string): Promise<Array<ResolvedSide & { input: string }>> {
  if ((await isDirectory(input)) && !(await exists(join(input, RESULT_FILES.summary)))) {
    const names = (await readdir(input)).sort();
    const runs: Array<ResolvedSide & { input: string }> = [];
    for (const name of names) {
      const dir = join(input, name);
      if ((await isDirectory(dir)) && (await exists(join(dir, RESULT_FILES.summary))))
        runs.push({ input: dir, ...(await resolveSide(dir)) });
    }
    if (runs.length === 0)
      throw new ReportError(
        'REPORT_FILE_MISSING',
        `${input}: no summary.json, and no sub-folder holding one (expected a results folder or a folder of runs)`,
      );
    return runs;
  }
  return [{ input, ...(await resolveSide(input)) }];
}
