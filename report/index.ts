/**
 * The report room: report.html from a results folder, baseline comparison, k6 JSON output conversion.
 * See docs/results.md for the files read here and docs/reports.md for the commands.
 */
import { join } from 'node:path';
import { writePage } from './html.ts';
import { loadResults, RESULT_FILES } from './load.ts';
import { buildPageModel } from './page.ts';

export { compareResults } from './compare.ts';
export { comparisonMarkdown, comparisonTable } from './compare-format.ts';
export { k6JsonToTimeseries, convertK6Json, type SampleCounts } from './k6-json.ts';
export { ReportError } from './errors.ts';
export { DEFAULT_RULES, parseRuleSpec, rulesFromThresholdsFile } from './rules.ts';
export type { Comparison, ComparisonRow, RegressionRule, Timeseries } from './types.ts';

/**
 * Writes `resultsDir/report.html` and returns its path. summary.json is required; timeseries.json,
 * histograms.json, comparison.json, verdict.json and meta.json are optional (the page notes what is missing).
 * The file is written to a temporary name and renamed, so no half-written report is left behind.
 */
export async function writeReport(resultsDir: string): Promise<string> {
  const results = await loadResults(resultsDir);
  return writePage(join(resultsDir, RESULT_FILES.report), buildPageModel(results));
}
export {
  capacityStepRows,
  countWithin,
  writeCapacityReport,
  type CapacityStepView,
  type CapacityView,
} from './capacity.ts';
