/** The summary room: handleSummary data, --summary-export shape, text summary, and their JSON Schemas. */
import { readFileSync } from 'node:fs';

export { buildSummaryData, type SummaryContext } from './data.ts';
export { exportSummary } from './export.ts';
export { textSummary, type TextSummaryOptions } from './text.ts';
export { humanizeDuration, humanizeBytes, humanizeValue } from './humanize.ts';
export { DEFAULT_TREND_STATS, validateSummaryTrendStats, type K6SummaryData, type K6SummaryMetric } from './types.ts';

export const SUMMARY_DATA_SCHEMA_PATH = new URL('./summary-data.schema.json', import.meta.url);
export const SUMMARY_EXPORT_SCHEMA_PATH = new URL('./summary-export.schema.json', import.meta.url);

export function loadSchema(which: 'data' | 'export'): object {
  return JSON.parse(
    readFileSync(which === 'data' ? SUMMARY_DATA_SCHEMA_PATH : SUMMARY_EXPORT_SCHEMA_PATH, 'utf8'),
  ) as object;
}
