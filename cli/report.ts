/**
 * `k6-llm-perf compare <baseline...> <current>` and `k6-llm-perf report <results dir>`.
 * Heavy modules are imported inside the actions, so registering stays cheap.
 * Exit codes: 0 no regression / report written, 99 a regression rule failed (or, with --strict, was
 * inconclusive), 104 bad input.
 */
import type { Command } from 'commander';
import { ExitCode } from '../engine/exit-codes.ts';
import type { RegressionRule } from '../report/types.ts';

interface CompareOptions {
  thresholds?: string;
  rule: string[];
  json?: boolean;
  strict?: boolean;
  alpha?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function compareAction(runs: string[], opts: CompareOptions): Promise<void> {
  const { compareResults, comparisonTable, parseRuleSpec, rulesFromThresholdsFile, ReportError } =
    await import('../report/index.ts');
  if (runs.length < 2)
    throw new ReportError(
      'REPORT_FILE_MISSING',
      `compare: expected at least a baseline and a current run, got ${runs.length} path${runs.length === 1 ? '' : 's'}`,
    );
  const alpha = opts.alpha === undefined ? undefined : Number(opts.alpha);
  if (alpha !== undefined && !(alpha > 0 && alpha < 0.5))
    throw new ReportError(
      'REPORT_BAD_RULE',
      `--alpha ${opts.alpha}: expected a significance level between 0 and 0.5, e.g. 0.01`,
    );
  let rules: RegressionRule[] | undefined;
  if (opts.thresholds !== undefined || opts.rule.length > 0) {
    rules = [
      ...(opts.thresholds !== undefined ? await rulesFromThresholdsFile(opts.thresholds) : []),
      ...opts.rule.map((r) => parseRuleSpec(r)),
    ];
  }
  const comparison = await compareResults(runs.slice(0, -1), runs[runs.length - 1]!, rules, {
    strict: opts.strict === true,
    alpha,
  });
  process.stdout.write(opts.json ? `${JSON.stringify(comparison, null, 2)}\n` : `${comparisonTable(comparison)}\n`);
  process.exitCode = comparison.ok ? ExitCode.OK : ExitCode.THRESHOLDS_FAILED;
}

async function reportAction(dir: string): Promise<void> {
  const { writeReport } = await import('../report/index.ts');
  const file = await writeReport(dir);
  process.stdout.write(`report written: ${file}\n`);
}

/** Registers this room's commands on the root CLI. */
export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'Compare a run against a baseline: per metric delta with its interval, p-value, floor and verdict; exits 99 on a regression',
    )
    .argument(
      '<runs...>',
      'baseline results folders (one or more, or a folder of runs; several are pooled), then the current results folder or summary.json',
    )
    .option('--thresholds <file>', 'threshold file whose "regression" rules apply')
    .option('--rule <metric:stat:pct>', 'a regression rule, e.g. http_req_duration:p(95):10 (repeatable)', collect, [])
    .option('--json', 'print the comparison as JSON instead of a table')
    .option('--strict', 'an inconclusive rule (too few samples to tell) fails too')
    .option('--alpha <level>', 'significance level of rules that give none (default 0.01)')
    .addHelpText(
      'after',
      '\nWithout --thresholds or --rule, the default rule is http_req_duration:p(95):10.\n' +
        'A rule fails only when the change is beyond its percentage, beyond its absolute floor and significant (docs/regression.md).\n' +
        'Exit codes: 0 no regression, 99 regression (or inconclusive with --strict), 104 bad input.',
    )
    .action(compareAction);
  program
    .command('report')
    .description('(Re)generate report.html in a results folder from its stored files')
    .argument('<dir>', 'results folder (must hold summary.json)')
    .addHelpText(
      'after',
      '\nOptional files: timeseries.json, histograms.json, verdict.json, meta.json, comparison.json.\nExit codes: 0 written, 104 folder or summary.json missing or malformed.',
    )
    .action(reportAction);
}
