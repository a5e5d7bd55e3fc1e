/**
 * k6's end-of-test text summary (the classic layout, as k6's `textSummary` of jslib k6-summary
 * and `--summary-mode=legacy` print it):
 *
 *      █ group name
 *        ✓ check that always passed
 *        ✗ check that failed
 *         ↳  90% — ✓ 9 / ✗ 1
 *
 *      checks.........................: 90.00% ✓ 9   ✗ 1
 *    ✓ http_req_duration..............: avg=1.2ms min=... med=... max=... p(90)=... p(95)=...
 *        { expected_response:true }...: avg=...
 *      http_reqs......................: 10     2/s
 *
 * Metrics sorted by name with submetrics under their parent; dots align the values; ✓/✗ before
 * a metric with thresholds; ANSI colours only when `colors` is true.
 */
import type { SummaryCheck, SummaryGroup } from '../metrics/groups.ts';
import { humanizeValue } from './humanize.ts';
import type { K6SummaryData, K6SummaryMetric } from './types.ts';

export interface TextSummaryOptions {
  /** Trend columns (default: data.options.summaryTrendStats). */
  trendStats?: string[];
  colors: boolean;
  /** Left margin (k6 uses one space). */
  indent?: string;
}

const OK = '✓';
const FAIL = '✗';
const GROUP = '█';
const DETAILS = '↳';
const C = { faint: '2', red: '31', green: '32', cyan: '36' } as const;

type Decorate = (text: string, ...codes: string[]) => string;

const width = (s: string): number => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;

function checkLines(indent: string, c: SummaryCheck, d: Decorate): string {
  if (c.fails === 0) return d(`${indent}${OK} ${c.name}`, C.green);
  const pct = Math.floor((100 * c.passes) / (c.passes + c.fails));
  return d(`${indent}${FAIL} ${c.name}\n${indent} ${DETAILS}  ${pct}% — ${OK} ${c.passes} / ${FAIL} ${c.fails}`, C.red);
}

function groupLines(indent: string, g: SummaryGroup, d: Decorate): string[] {
  const out: string[] = [];
  if (g.name !== '') {
    out.push(`${indent}${GROUP} ${g.name}\n`);
    indent += '  ';
  }
  for (const c of g.checks) out.push(checkLines(indent, c, d));
  if (g.checks.length > 0) out.push('');
  for (const child of g.groups) out.push(...groupLines(indent, child, d));
  return out;
}

const displayName = (name: string): string => {
  const at = name.indexOf('{');
  return at < 0 ? name : `{ ${name.slice(at + 1, -1)} }`;
};
const nameIndent = (name: string): string => (name.includes('{') ? '  ' : '');

function nonTrendCells(m: K6SummaryMetric, unit: string): string[] {
  const h = (v: number | undefined): string => humanizeValue(v ?? 0, m, unit);
  switch (m.type) {
    case 'counter':
      return [h(m.values.count), `${h(m.values.rate)}/s`];
    case 'gauge':
      return [h(m.values.value), `min=${h(m.values.min)}`, `max=${h(m.values.max)}`];
    case 'rate':
      return [h(m.values.rate), `${OK} ${m.values.passes ?? 0}`, `${FAIL} ${m.values.fails ?? 0}`];
    default:
      return ['[no data]'];
  }
}

/** Sort by parent name, submetrics right after their parent. */
function compareNames(a: string, b: string): number {
  const pa = a.split('{', 1)[0]!;
  const pb = b.split('{', 1)[0]!;
  const r = pa.localeCompare(pb);
  return r !== 0 ? r : a.slice(pa.length).localeCompare(b.slice(pb.length));
}

function metricLines(data: K6SummaryData, stats: readonly string[], indent: string, d: Decorate): string[] {
  const unit = data.options.summaryTimeUnit;
  const names = Object.keys(data.metrics).sort(compareNames);
  const cells = new Map<string, string[]>();
  const colW: number[] = [];
  const trendW: number[] = stats.map(() => 0);
  let nameW = 0;
  for (const name of names) {
    const m = data.metrics[name]!;
    nameW = Math.max(nameW, width(nameIndent(name) + displayName(name)));
    if (m.type === 'trend') {
      const row = stats.map((s, i) => {
        const v = m.values[s];
        const text = v === undefined ? '-' : s === 'count' ? String(v) : humanizeValue(v, m, unit);
        trendW[i] = Math.max(trendW[i]!, width(text));
        return text;
      });
      cells.set(name, row);
    } else {
      const row = nonTrendCells(m, unit);
      row.forEach((c, i) => (colW[i] = Math.max(colW[i] ?? 0, width(c))));
      cells.set(name, row);
    }
  }
  return names.map((name) => {
    const m = data.metrics[name]!;
    const row = cells.get(name)!;
    let rendered: string;
    if (m.type === 'trend') {
      rendered = row.map((c, i) => `${stats[i]}=${d(c, C.cyan)}${' '.repeat(trendW[i]! - width(c))}`).join(' ');
    } else {
      const [first, ...extras] = row;
      rendered = d(first!, C.cyan) + ' '.repeat(colW[0]! - width(first!));
      if (extras.length > 0) {
        rendered +=
          ' ' +
          extras
            .map((c, i) =>
              extras.length === 1 ? d(c, C.cyan, C.faint) : d(c, C.cyan, C.faint) + ' '.repeat(colW[i + 1]! - width(c)),
            )
            .join(' ');
      }
    }
    let mark = ' ';
    let color: string | null = null;
    if (m.thresholds) {
      const failed = Object.values(m.thresholds).some((t) => !t.ok);
      mark = failed ? FAIL : OK;
      color = failed ? C.red : C.green;
    }
    const ind = nameIndent(name);
    const dn = displayName(name);
    const dots = d('.'.repeat(nameW - width(dn) - width(ind) + 3) + ':', C.faint);
    return `${indent}${ind}${color ? d(mark, color) : mark} ${dn}${dots} ${rendered}`;
  });
}

export function textSummary(data: K6SummaryData, opts: TextSummaryOptions): string {
  const indent = opts.indent ?? ' ';
  const stats = opts.trendStats ?? data.options.summaryTrendStats;
  const d: Decorate = opts.colors ? (text, ...codes) => `\x1b[${codes.join(';')}m${text}\x1b[0m` : (text) => text;
  return [...groupLines(indent + '    ', data.root_group, d), ...metricLines(data, stats, indent + '  ', d)].join('\n');
}
