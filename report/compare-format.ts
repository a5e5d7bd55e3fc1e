/** A comparison as a terminal table and as Markdown (for summary.md). */
import { fmtChange, fmtCi, fmtFloor, fmtNumber, fmtP, fmtRule, fmtSigned, VERDICT_LABEL } from './format.ts';
import type { Comparison, ComparisonRow, ComparisonSide } from './types.ts';

/** Columns: the values, the delta and its interval, the p-value, the rule and floor, the verdict and why. */
export const COMPARISON_HEADERS = [
  'metric',
  'stat',
  'baseline',
  'current',
  'delta',
  'delta CI',
  'change',
  'p',
  'rule',
  'floor',
  'verdict',
  'why',
];
/** Numeric columns (right-aligned). */
export const NUMERIC_COLUMNS = new Set([2, 3, 4, 7, 9]);

export function comparisonCells(r: ComparisonRow): string[] {
  return [
    r.metric,
    r.stat,
    fmtNumber(r.baseline),
    fmtNumber(r.current),
    fmtSigned(r.delta),
    fmtCi(r),
    fmtChange(r),
    fmtP(r.pValue),
    fmtRule(r),
    fmtFloor(r),
    VERDICT_LABEL[r.verdict],
    r.verdict === 'info' ? '' : r.reason,
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function comparisonFooter(c: Comparison): string {
  const inconclusive = c.inconclusive ?? [];
  const undecided = inconclusive.length
    ? ` ${plural(inconclusive.length, 'rule')} inconclusive${c.strict ? ' (fails with --strict)' : ' (not failing; --strict fails them)'}: ${inconclusive.map((r) => `${r.metric} ${r.stat}`).join('; ')}.`
    : '';
  if (c.regressions.length === 0)
    return `${c.ok ? 'No regression' : 'FAILED'} (${plural(c.rules.length, 'rule')}).${undecided}`;
  const list = c.regressions.map(
    (r) => `${r.metric} ${r.stat} ${fmtChange(r)} (rule ≤${fmtNumber(r.maxIncreasePct)}%, p=${fmtP(r.pValue)})`,
  );
  return `REGRESSION: ${list.join('; ')}.${undecided}`;
}

function sidesText(c: Comparison): string[] {
  const hist = (s: ComparisonSide) => `${s.summaryPath}${s.histogramsPath ? ' (+ histograms.json)' : ''}`;
  const bases = c.baselines ?? [c.baseline];
  const head =
    bases.length === 1
      ? [`baseline: ${hist(bases[0]!)}`]
      : [`baseline: ${bases.length} runs pooled`, ...bases.map((b) => `  ${hist(b)}`)];
  return [...head, `current:  ${hist(c.current)}`];
}

/** Plain-text table with aligned columns; numeric columns right-aligned. */
export function comparisonTable(c: Comparison): string {
  const rows = [COMPARISON_HEADERS, ...c.rows.map(comparisonCells)];
  const widths = COMPARISON_HEADERS.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (NUMERIC_COLUMNS.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    ...sidesText(c),
    '',
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    '',
    ...c.notes.map((n) => `note: ${n}`),
    comparisonFooter(c),
  ];
  return out.join('\n');
}

const mdEscape = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function markdownTable(rows: ComparisonRow[]): string[] {
  return [
    `| ${COMPARISON_HEADERS.join(' | ')} |`,
    `|${COMPARISON_HEADERS.map((_, i) => (NUMERIC_COLUMNS.has(i) ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => {
      const cs = comparisonCells(r).map(mdEscape);
      if (r.verdict === 'regressed') cs[10] = `**${cs[10]}**`;
      return `| ${cs.join(' | ')} |`;
    }),
  ];
}

/** The rows under a rule in a table; the informational rows folded in a <details> block (PR comments stay short). */
export function comparisonMarkdown(c: Comparison): string {
  const n = c.regressions.length;
  const head =
    n === 0 ? '### Baseline comparison: no regression' : `### Baseline comparison: ${plural(n, 'regression')}`;
  const ruled = c.rows.filter((r) => r.verdict !== 'info');
  const info = c.rows.filter((r) => r.verdict === 'info');
  const bases = c.baselines ?? [c.baseline];
  const baseText =
    bases.length === 1
      ? `Baseline \`${bases[0]!.summaryPath}\``
      : `Baseline: ${bases.length} runs pooled (${bases.map((b) => `\`${b.summaryPath}\``).join(', ')})`;
  const out = [head, '', `${baseText}, current \`${c.current.summaryPath}\`.`, ''];
  if (ruled.length) out.push(...markdownTable(ruled), '');
  if (info.length)
    out.push(
      `<details><summary>${info.length} more compared values (no rule)</summary>`,
      '',
      ...markdownTable(info),
      '',
      '</details>',
      '',
    );
  out.push(...c.notes.map((note) => `- ${mdEscape(note)}`));
  if (c.notes.length) out.push('');
  out.push(comparisonFooter(c));
  return `${out.join('\n')}\n`;
}
