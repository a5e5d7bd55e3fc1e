/**
 * summary.md, for a pull-request comment, and the terminal table: the verdict as rows of
 * (check, metric, expression, observed, result).
 */
import type { Verdict, VerdictCheck } from './verdict.ts';
import { observedText, statusOf } from './format.ts';

const EXIT_MEANING: Record<number, string> = {
  0: 'passed',
  99: 'a threshold or check was breached',
  104: 'bad configuration',
  105: 'stopped by a signal',
  107: 'script error',
  108: 'the script aborted the test',
  111: 'infrastructure failure',
  112: 'target failure',
  113: 'a component failed during the run',
};

export function exitMeaning(code: number): string {
  return EXIT_MEANING[code] ?? 'unexpected failure';
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface SummaryMdInput {
  scenario: string;
  verdict: Verdict;
  resultsDir: string;
  meta: { engine?: string; infra?: string; target?: string; durationSeconds?: number };
}

export function renderSummaryMd({ scenario, verdict, resultsDir, meta }: SummaryMdInput): string {
  const mark = verdict.ok ? '✅' : '❌';
  const failed = verdict.checks.filter((c) => !c.ok).length;
  const lines = [
    `### ${mark} k6-llm-perf \`${scenario}\`: ${exitMeaning(verdict.exitCode)} (exit ${verdict.exitCode})`,
    '',
    `${verdict.checks.length} checks, ${failed} failed. Engine: ${meta.engine ?? '?'}; infrastructure: ${meta.infra ?? '?'}; target: ${meta.target ?? '?'}` +
      (meta.durationSeconds !== undefined ? `; ${meta.durationSeconds.toFixed(1)} s.` : '.'),
    '',
    '| | check | metric | expression | observed |',
    '|---|---|---|---|---|',
    ...verdict.checks.map(
      (c) =>
        `| ${statusOf(c) === 'FAIL' ? '❌' : statusOf(c) === 'skip' ? '➖' : '✅'} | ${c.source} | \`${mdCell(c.metric)}\` | \`${mdCell(c.expression)}\` | ${mdCell(observedText(c))} |`,
    ),
  ];
  if (verdict.notes.length) lines.push('', ...verdict.notes.map((n) => `- ${mdCell(n)}`));
  lines.push('', `Results: \`${resultsDir}\``, '');
  return lines.join('\n');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The verdict table for the terminal (plain text, aligned columns). */
export function renderTable(checks: readonly VerdictCheck[]): string {
  const rows = [
    ['result', 'check', 'metric', 'expression', 'observed'],
    ...checks.map((c) => [statusOf(c), c.source, c.metric, c.expression, observedText(c)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.min(60, Math.max(...rows.map((r) => r[i]!.length))));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]!))).join('  ')).join('\n');
}
