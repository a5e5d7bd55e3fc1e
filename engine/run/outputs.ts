/** End-of-test outputs and verdict lines: handleSummary's map, the text summary, --summary-export, --timeseries-export, --hdr-export. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ScriptError } from '../errors.ts';
import type { Aggregator } from '../metrics/index.ts';

/** Writes what handleSummary returned: keys "stdout", "stderr" or file paths; values text or bytes. */
export function writeSummaryMap(result: unknown, stdout: Writable, stderr: Writable): void {
  if (result === undefined || result === null) return;
  if (typeof result !== 'object' || Array.isArray(result)) {
    throw new ScriptError(
      `handleSummary() must return an object mapping "stdout", "stderr" or file paths to content, got ${JSON.stringify(result)}`,
    );
  }
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    const content = toContent(key, value);
    if (key === 'stdout') stdout.write(content);
    else if (key === 'stderr') stderr.write(content);
    else writeFile(key, content);
  }
}

function toContent(key: string, value: unknown): string | Uint8Array {
  if (typeof value === 'string') return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value !== null && typeof value === 'object') return JSON.stringify(value, null, 2);
  throw new ScriptError(`handleSummary()["${key}"]: expected a string or an ArrayBuffer, got ${JSON.stringify(value)}`);
}

export function writeFile(path: string, content: string | Uint8Array): void {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

export function writeJson(path: string, value: unknown): void {
  writeFile(path, JSON.stringify(value, null, 2) + '\n');
}

/** The metrics whose thresholds fail at the end of a run of `durationMs` (final evaluation). */
export function crossedThresholds(agg: Aggregator, durationMs: number): string[] {
  return [
    ...new Set(
      agg
        .evaluateThresholds(durationMs, { final: true })
        .states.filter((s) => !s.ok)
        .map((s) => s.metric),
    ),
  ];
}

export function crossedMessage(metrics: readonly string[]): string {
  return `thresholds on metrics '${metrics.join("', '")}' have been crossed`;
}
