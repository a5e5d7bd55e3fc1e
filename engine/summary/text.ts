/** Placeholder replaced below. */
import type { K6SummaryData } from './types.ts';

export interface TextSummaryOptions { trendStats?: string[]; colors: boolean; indent?: string }

export function textSummary(data: K6SummaryData, opts: TextSummaryOptions): string {
  void opts;
  return Object.keys(data.metrics).join('\n');
}
