import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareResults, writeReport } from '../../report/index.ts';
import { baselineDir, copyFixture, currentDir, runCli, tempDir } from './helpers.ts';

const EVIL = '<img src=x onerror=alert(1)>';
const EVIL_SCRIPT = '</script><script>alert(2)</script>';

function embeddedData(html: string): {
  groups: Array<{ title: string; charts: Array<{ id: string; title: string }> }>;
} {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'no embedded data block');
  return JSON.parse(m[1]!) as ReturnType<typeof embeddedData>;
}

describe('writeReport', () => {
  let tmp: ReturnType<typeof tempDir>;
  let full: string;
  let html: string;

  before(async () => {
    tmp = tempDir();
    const dir = copyFixture(currentDir, tmp.dir, 'full');
    writeFileSync(join(dir, 'comparison.json'), JSON.stringify(await compareResults(baselineDir, dir)));
    full = await writeReport(dir);
    html = readFileSync(full, 'utf8');
  });
  after(() => tmp.remove());

  it('writes report.html in the results folder and returns its path', () => {
    assert.equal(full, join(tmp.dir, 'full', 'report.html'));
    assert.match(html, /^<!doctype html>/);
  });

  it('references nothing outside the file: no http(s) address, no src or href, no link tags', () => {
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /\s(src|href)\s*=/i);
    assert.doesNotMatch(html, /<link\b/i);
    assert.match(html, /var uPlot=/);
  });

  it('embeds a chart per panel: overview, each trend, and each scenario', () => {
    const data = embeddedData(html);
    assert.deepEqual(
      data.groups.map((g) => g.title),
      [
        'Overview',
        'Latency (p50, p95, p99 per second)',
        'Request phases and iteration duration',
        'Scenario: chat',
        'Scenario: submit',
      ],
    );
    assert.deepEqual(
      data.groups[1]!.charts.map((c) => c.title),
      ['http_req_duration', 'e2e_duration'],
    );
    assert.deepEqual(
      data.groups[2]!.charts.map((c) => c.title),
      ['iteration_duration'],
    );
    for (const c of data.groups.flatMap((g) => g.charts)) assert.ok(html.includes(`id="${c.id}"`), c.id);
  });

  it('leaves out Trends that were always 0, saying which', () => {
    assert.ok(html.includes('Always 0, not charted: http_req_connecting.'));
  });

  it('shows the verdict, the threshold table and the run metadata', () => {
    assert.match(html, /FAIL \(exit 99\)/);
    assert.match(
      html,
      /<tr class="fail"><td class="badge">✗ fail<\/td><td>threshold<\/td><td class="mono">http_req_duration<\/td><td class="mono">p\(95\)&lt;1000<\/td>/,
    );
    assert.ok(html.includes('outbox_events_lost'));
    for (const fact of ['engine node', 'infra local', 'commit abc1234', 'seed 42'])
      assert.ok(html.includes(fact), fact);
    assert.ok(html.includes('no Docker engine answered'));
  });

  it('shows the baseline comparison with its regression when comparison.json is present', () => {
    assert.match(html, /Baseline comparison <span class="status fail">1 regression<\/span>/);
    assert.match(html, /<tr class="regressed"><td class="mono">http_req_duration<\/td><td class="mono">p\(95\)<\/td>/);
  });

  it('renders from summary.json alone, noting each missing file and reading thresholds from the summary', async () => {
    const dir = join(tmp.dir, 'bare');
    copyFixture(currentDir, tmp.dir, 'bare');
    for (const f of ['timeseries.json', 'histograms.json', 'verdict.json', 'meta.json']) rmSync(join(dir, f));
    const page = readFileSync(await writeReport(dir), 'utf8');
    for (const f of ['timeseries.json', 'histograms.json', 'comparison.json', 'verdict.json', 'meta.json'])
      assert.ok(page.includes(`${f} not found`), f);
    assert.deepEqual(embeddedData(page).groups, []);
    assert.match(page, /Thresholds <span class="muted">\(from summary\.json\)<\/span>/);
    assert.match(
      page,
      /<tr class="fail"><td class="badge">✗ fail<\/td><td>threshold<\/td><td class="mono">http_req_duration<\/td><td class="mono">p\(95\)&lt;1000<\/td><td class="num">1140\.1<\/td>/,
    );
    assert.match(
      page,
      /<tr class="pass"><td class="badge">✓ pass<\/td><td>threshold<\/td><td class="mono">http_req_failed<\/td>/,
    );
  });

  it('shows a skipped verdict check as skipped, with its note', async () => {
    const dir = copyFixture(currentDir, tmp.dir, 'skipped');
    const verdict = JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8'));
    verdict.checks.push({
      source: 'regression',
      metric: 'e2e_success',
      expression: 'rate worse by >5%',
      observed: null,
      ok: true,
      skipped: true,
      note: 'missing on one side',
    });
    writeFileSync(join(dir, 'verdict.json'), JSON.stringify(verdict));
    const page = readFileSync(await writeReport(dir), 'utf8');
    assert.match(
      page,
      /<tr class="skipped"><td class="badge">– skipped<\/td><td>regression<\/td><td class="mono">e2e_success<\/td>.*?<td>missing on one side<\/td><\/tr>/,
    );
  });

  it('escapes metric names, tags and metadata so no markup gets in', async () => {
    const dir = join(tmp.dir, 'evil');
    copyFixture(currentDir, tmp.dir, 'evil');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    summary.metrics[EVIL] = { count: 1, rate: 1, thresholds: { [EVIL_SCRIPT]: true } };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    rmSync(join(dir, 'verdict.json'));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ scenario: EVIL_SCRIPT, [EVIL]: EVIL_SCRIPT }));
    const ts = JSON.parse(readFileSync(join(dir, 'timeseries.json'), 'utf8'));
    ts.buckets[0].trends[EVIL_SCRIPT] = ts.buckets[0].trends.http_req_duration;
    ts.buckets[0].scenarios[EVIL] = ts.buckets[0].scenarios.chat;
    writeFileSync(join(dir, 'timeseries.json'), JSON.stringify(ts));
    const page = readFileSync(await writeReport(dir), 'utf8');
    assert.ok(!page.includes(EVIL), 'raw <img> found');
    assert.ok(!page.includes('<script>alert'), 'raw <script> found');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
    const titles = embeddedData(page).groups.flatMap((g) => g.charts.map((c) => c.title));
    assert.ok(titles.includes(EVIL_SCRIPT), 'the embedded JSON round-trips the name');
  });
});

describe('k6-llm-perf report', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());

  it('regenerates report.html from a results folder and prints its path', async () => {
    const dir = copyFixture(baselineDir, tmp.dir, 'run');
    const r = await runCli(['report', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(join(dir, 'report.html')));
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /PASS \(exit 0\)/);
  });

  it('exits 104 naming summary.json when it is missing', async () => {
    const r = await runCli(['report', tmp.dir]);
    assert.equal(r.code, 104);
    assert.ok(r.stderr.includes(join(tmp.dir, 'summary.json')), r.stderr);
  });

  it('exits 104 when the folder does not exist', async () => {
    const r = await runCli(['report', join(tmp.dir, 'absent')]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /absent does not exist/);
  });
});
