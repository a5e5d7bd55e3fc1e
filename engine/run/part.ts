/**
 * Part files: one engine process's share of a test split with --execution-segment, written with
 * `--part-export`, combined by `engine merge` into one summary with exact percentiles (the metrics
 * travel as the same snapshot the worker threads send, histograms included).
 *
 *   { "kind": "k6-llm-perf/engine-part", "version": 1, "script": "...", "segment": { "from": 0, "to": 0.5 },
 *     "thresholds": {...}, "summaryTrendStats": [...], "startEpochMs": ..., "durationMs": ..., "exitCode": 0,
 *     "snapshot": { "kind": "k6-llm-perf/metrics-snapshot", ... } }
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import type { MetricsSnapshot } from '../metrics/api.ts';
import type { Segment } from '../options/segment.ts';

export const PART_KIND = 'k6-llm-perf/engine-part';

export interface PartFile {
  kind: typeof PART_KIND;
  version: 1;
  script: string;
  segment: Segment;
  thresholds: unknown;
  summaryTrendStats: string[];
  startEpochMs: number;
  durationMs: number;
  /** The exit code of the run that wrote it. */
  exitCode: number;
  snapshot: MetricsSnapshot;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads and checks one part file; every problem names the file and the field. */
export function readPart(file: string): PartFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read it: ${(err as Error).message}`]);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: not valid JSON: ${(err as Error).message}`]);
  }
  const problems: string[] = [];
  const need = (ok: boolean, field: string, expected: string) => {
    if (!ok) problems.push(`${file}: ${field}: expected ${expected}`);
  };
  if (!isObject(v) || v.kind !== PART_KIND) {
    throw new ConfigError([`${file}: kind: expected "${PART_KIND}" (a file written by \`engine run --part-export\`)`]);
  }
  need(v.version === 1, 'version', '1');
  need(typeof v.script === 'string', 'script', 'a string');
  const seg = v.segment;
  need(
    isObject(seg) && isNumber(seg.from) && isNumber(seg.to) && seg.from >= 0 && seg.from < seg.to && seg.to <= 1,
    'segment',
    '{ from, to } with 0 <= from < to <= 1',
  );
  need(
    Array.isArray(v.summaryTrendStats) && v.summaryTrendStats.every((s) => typeof s === 'string'),
    'summaryTrendStats',
    'an array of strings',
  );
  for (const f of ['startEpochMs', 'durationMs', 'exitCode'])
    need(isNumber(v[f]) && (v[f] as number) >= 0, f, 'a number >= 0');
  need(
    isObject(v.snapshot) && v.snapshot.kind === 'k6-llm-perf/metrics-snapshot' && v.snapshot.version === 1,
    'snapshot',
    'a metrics snapshot (version 1)',
  );
  if (problems.length) throw new ConfigError(problems);
  return v as unknown as PartFile;
}

/** Problems with a set of parts: thresholds that differ, segments that overlap. */
export function checkParts(
  files: readonly string[],
  parts: readonly PartFile[],
): { problems: string[]; covered: number } {
  const problems: string[] = [];
  const t0 = JSON.stringify(parts[0]!.thresholds);
  parts.forEach((p, i) => {
    if (JSON.stringify(p.thresholds) !== t0)
      problems.push(
        `${files[i]}: thresholds: differ from those of ${files[0]} (the parts must come from the same test)`,
      );
  });
  const order = parts.map((p, i) => ({ ...p.segment, file: files[i]! })).sort((a, b) => a.from - b.from);
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    if (b.from < a.to - 1e-9) problems.push(`${b.file}: segment: ${fmt(b)} overlaps ${fmt(a)} of ${a.file}`);
  }
  const covered = order.reduce((s, x) => s + (x.to - x.from), 0);
  return { problems, covered };
}

const fmt = (s: Segment) => `${+s.from.toFixed(6)}:${+s.to.toFixed(6)}`;
