/**
 * The report page: one self-contained HTML string. uPlot (script and CSS) and the page's own script and
 * CSS are inlined; the chart data sits in a `<script type="application/json">`. Every string that comes
 * from results files is HTML-escaped, and the embedded JSON has `<` escaped so no value can close the tag.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ChartGroup } from './charts.ts';
import { fmtNumber } from './format.ts';
import { COMPARISON_HEADERS, comparisonCells, comparisonFooter, NUMERIC_COLUMNS } from './compare-format.ts';
import type { MetricRow, ThresholdRow } from './tables.ts';
import type { Comparison } from './types.ts';

export interface PageModel {
  title: string;
  status: 'pass' | 'fail' | 'unknown';
  statusText: string;
  generatedAt: string;
  /** Short facts for the header line: scenario, engine, infra provider, commit, seed. */
  subtitle: string[];
  notes: string[];
  groups: ChartGroup[];
  thresholds: { rows: ThresholdRow[]; from: string };
  comparison: Comparison | null;
  meta: Array<[string, string]> | null;
  metrics: MetricRow[];
  /** Extra tables after the thresholds (the capacity report's steps); cells are text, escaped here. */
  tables?: PageTable[];
}

export interface PageTable {
  title: string;
  headers: string[];
  rows: string[][];
  /** Column indexes aligned right. */
  numeric?: number[];
  /** A class per row (e.g. pass / fail), same length as rows. */
  rowClasses?: string[];
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no JS line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const require = createRequire(import.meta.url);

interface Assets {
  uplotJs: string;
  uplotCss: string;
  pageJs: string;
  pageCss: string;
}
let assets: Promise<Assets> | null = null;

/** The inlined files, read once. uPlot's banner URL is dropped so the page holds no http(s) address. */
function loadAssets(): Promise<Assets> {
  const here = new URL('./assets/', import.meta.url);
  assets ??= Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    readFile(new URL('page.js', here), 'utf8'),
    readFile(new URL('page.css', here), 'utf8'),
  ]).then(([uplotJs, uplotCss, pageJs, pageCss]) => ({
    uplotJs: uplotJs.replace(
      /^\/\*! https?:\/\/github\.com\/leeoniya\/uPlot (\(v[\d.]+\)) \*\//,
      '/*! uPlot $1, MIT licence, github.com/leeoniya/uPlot */',
    ),
    uplotCss,
    pageJs,
    pageCss,
  }));
  return assets;
}

const e = escapeHtml;
const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${e(s)}</td>`;

function chartsHtml(groups: ChartGroup[]): string {
  return groups
    .filter((g) => g.charts.length > 0 || g.note)
    .map((g) => {
      const figs = g.charts.map(
        (c) =>
          `<figure class="panel"><figcaption>${e(c.title)} <span class="unit">${e(c.unit)}</span></figcaption><div class="chart" id="${e(c.id)}"></div></figure>`,
      );
      const note = g.note ? `<p class="muted">${e(g.note)}</p>` : '';
      return `<section><h2>${e(g.title)}</h2>${note}<div class="grid">${figs.join('')}</div></section>`;
    })
    .join('\n');
}

function thresholdsHtml(t: PageModel['thresholds']): string {
  if (t.rows.length === 0)
    return `<section><h2>Thresholds</h2><p class="muted">No thresholds in ${e(t.from)}.</p></section>`;
  const result = (r: ThresholdRow) =>
    r.skipped ? ['skipped', '– skipped'] : r.ok ? ['pass', '✓ pass'] : ['fail', '✗ fail'];
  const rows = t.rows.map((r) => {
    const [cls, label] = result(r);
    return `<tr class="${cls}">${td(label!, 'badge')}${td(r.source)}${td(r.metric, 'mono')}${td(r.expression, 'mono')}${td(fmtNumber(r.observed), 'num')}${td(r.note)}</tr>`;
  });
  return `<section><h2>Thresholds <span class="muted">(from ${e(t.from)})</span></h2><table><thead><tr><th>result</th><th>source</th><th>metric</th><th>expression</th><th class="num">observed</th><th>note</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const COMPARISON_HEAD = COMPARISON_HEADERS.map(
  (h, i) => `<th${NUMERIC_COLUMNS.has(i) ? ' class="num"' : ''}>${h}</th>`,
).join('');

function comparisonTableHtml(rows: Comparison['rows']): string {
  const cls = (i: number) => (NUMERIC_COLUMNS.has(i) ? 'num' : i === 10 ? 'badge' : i <= 1 ? 'mono' : '');
  const body = rows.map(
    (r) =>
      `<tr class="${r.verdict}">${comparisonCells(r)
        .map((cell, i) => td(cell, cls(i)))
        .join('')}</tr>`,
  );
  return `<table><thead><tr>${COMPARISON_HEAD}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** Rows under a rule in view; the informational rows folded in a <details> block. */
function comparisonHtml(c: Comparison | null): string {
  if (!c) return '';
  const ruled = c.rows.filter((r) => r.verdict !== 'info');
  const info = c.rows.filter((r) => r.verdict === 'info');
  const status = c.ok
    ? '<span class="status pass">no regression</span>'
    : `<span class="status fail">${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}</span>`;
  const bases = c.baselines ?? [c.baseline];
  const notes = c.notes.map((n) => `<li>${e(n)}</li>`).join('');
  return [
    `<section><h2>Baseline comparison ${status}</h2>`,
    `<p class="muted">baseline ${bases.map((b) => `<code>${e(b.summaryPath)}</code>`).join(', ')}${bases.length > 1 ? ` (${bases.length} runs pooled)` : ''} · current <code>${e(c.current.summaryPath)}</code></p>`,
    ruled.length ? comparisonTableHtml(ruled) : '',
    info.length
      ? `<details${ruled.length ? '' : ' open'}><summary>${info.length} more compared values (no rule)</summary>${comparisonTableHtml(info)}</details>`
      : '',
    notes ? `<ul class="notes">${notes}</ul>` : '',
    `<p>${e(comparisonFooter(c))}</p>`,
    '</section>',
  ].join('');
}

function tablesHtml(tables: PageTable[] | undefined): string {
  return (tables ?? [])
    .map((t) => {
      const num = new Set(t.numeric ?? []);
      const head = t.headers.map((h, i) => `<th${num.has(i) ? ' class="num"' : ''}>${e(h)}</th>`).join('');
      const body = t.rows.map((r, j) => {
        const cls = t.rowClasses?.[j];
        return `<tr${cls ? ` class="${e(cls)}"` : ''}>${r.map((c, i) => td(c, num.has(i) ? 'num' : '')).join('')}</tr>`;
      });
      return `<section><h2>${e(t.title)}</h2><table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></section>`;
    })
    .join('\n');
}

function metaHtml(meta: PageModel['meta']): string {
  if (!meta) return '';
  const rows = meta.map(([k, v]) => `<tr><th scope="row">${e(k)}</th>${td(v, 'mono')}</tr>`).join('');
  return `<section><h2>Run</h2><table class="kv"><tbody>${rows}</tbody></table></section>`;
}

function metricsHtml(metrics: MetricRow[]): string {
  if (metrics.length === 0) return '';
  const rows = metrics.map(
    (m) =>
      `<tr>${td(m.name, 'mono')}${td(m.type)}<td class="mono">${m.stats.map(([s, v]) => `<span class="stat">${e(s)}=${e(fmtNumber(v))}</span>`).join(' ')}</td></tr>`,
  );
  return `<section><h2>All metrics <span class="muted">(summary.json)</span></h2><table><thead><tr><th>metric</th><th>type</th><th>stats</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

export async function renderPage(m: PageModel): Promise<string> {
  const a = await loadAssets();
  const notes = m.notes.length ? `<ul class="notes">${m.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : '';
  const chartData = { groups: m.groups };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${e(m.title)}</title>
<style>${a.uplotCss}</style>
<style>${a.pageCss}</style>
</head>
<body>
<header><h1>${e(m.title)}</h1><span class="status ${m.status}">${e(m.statusText)}</span><p class="muted">${m.subtitle.map(e).join(' · ')}${m.subtitle.length ? ' · ' : ''}generated ${e(m.generatedAt)}</p></header>
<main>
${notes}
${thresholdsHtml(m.thresholds)}
${comparisonHtml(m.comparison)}
${chartsHtml(m.groups)}
${tablesHtml(m.tables)}
${metaHtml(m.meta)}
${metricsHtml(m.metrics)}
</main>
<script type="application/json" id="report-data">${scriptJson(chartData)}</script>
<script>${a.uplotJs}</script>
<script>${a.pageJs}</script>
</body>
</html>
`;
}

/** Renders `m` into `file` through a temporary name and a rename: never a half-written page. */
export async function writePage(file: string, m: PageModel): Promise<string> {
  const html = await renderPage(m);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, html);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return file;
}
