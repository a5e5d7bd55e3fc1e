/** A comparison as a terminal table and as Markdown (for summary.md). */
import { fmtChange, fmtNumber, fmtRatio, fmtRule, fmtSigned, VERDICT_LABEL } from './format.ts';
import type { Comparison, ComparisonRow } from './types.ts';

const HEADERS = ['metric', 'stat', 'baseline', 'current', 'delta', 'ratio', 'change', 'rule', 'verdict', 'source'];

function cells(r: ComparisonRow): string[] {
  return [r.metric, r.stat, fmtNumber(r.baseline), fmtNumber(r.current), fmtSigned(r.delta), fmtRatio(r), fmtChange(r), fmtRule(r), VERDICT_LABEL[r.verdict], r.source];
}

function footer(c: Comparison): string {
  if (c.ok) return `No regression (${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}).`;
  const list = c.regressions.map((r) => `${r.metric} ${r.stat} ${fmtChange(r)} (rule ≤${fmtNumber(r.maxIncreasePct)}%)`);
  return `REGRESSION: ${list.join('; ')}`;
}

/** Plain-text table with aligned columns; numeric columns right-aligned. */
export function comparisonTable(c: Comparison): string {
  const rows = [HEADERS, ...c.rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const right = new Set([2, 3, 4, 5]);
  const line = (r: string[]) =>
    r.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [
    `baseline: ${c.baseline.summaryPath}${c.baseline.histogramsPath ? ' (+ histograms.json)' : ''}`,
    `current:  ${c.current.summaryPath}${c.current.histogramsPath ? ' (+ histograms.json)' : ''}`,
    '',
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    '',
    ...c.notes.map((n) => `note: ${n}`),
    footer(c),
  ];
  return out.join('\n');
}

const mdEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function markdownTable(rows: ComparisonRow[]): string[] {
  return [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, i) => (i >= 2 && i <= 5 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => {
      const cs = cells(r).map(mdEscape);
      if (r.verdict === 'regressed') cs[8] = `**${cs[8]}**`;
      return `| ${cs.join(' | ')} |`;
    }),
  ];
}

/** The rows under a rule in a table; the informational rows folded in a <details> block (PR comments stay short). */
export function comparisonMarkdown(c: Comparison): string {
  const head = c.ok ? '### Baseline comparison: no regression' : `### Baseline comparison: ${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}`;
  const ruled = c.rows.filter((r) => r.verdict !== 'info');
  const info = c.rows.filter((r) => r.verdict === 'info');
  const out = [head, '', `Baseline \`${c.baseline.summaryPath}\`, current \`${c.current.summaryPath}\`.`, ''];
  if (ruled.length) out.push(...markdownTable(ruled), '');
  if (info.length) out.push(`<details><summary>${info.length} more compared values (no rule)</summary>`, '', ...markdownTable(info), '', '</details>', '');
  out.push(...c.notes.map((n) => `- ${mdEscape(n)}`));
  if (c.notes.length) out.push('');
  out.push(footer(c));
  return `${out.join('\n')}\n`;
}
