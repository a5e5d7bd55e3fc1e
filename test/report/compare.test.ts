import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  compareResults,
  comparisonMarkdown,
  comparisonTable,
  type Comparison,
  type ComparisonRow,
} from '../../report/index.ts';
import { ReportError } from '../../report/errors.ts';
import { baselineDir, currentDir, tempDir } from './helpers.ts';

const row = (c: Comparison, metric: string, stat: string): ComparisonRow => {
  const r = c.rows.find((x) => x.metric === metric && x.stat === stat);
  assert.ok(r, `no row ${metric} ${stat}`);
  return r;
};

describe('compareResults', () => {
  let withHdr: Comparison;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    tmp = tempDir();
    withHdr = await compareResults(baselineDir, currentDir, [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 },
      { metric: 'http_req_duration{name:submit}', stat: 'p(95)', maxIncreasePct: 10 },
      { metric: 'checks', stat: 'rate', maxIncreasePct: 10 },
      { metric: 'http_req_failed', stat: 'rate', maxIncreasePct: 50, minAbsolute: 0.001 },
    ]);
  });
  after(() => tmp.remove());

  it('computes p(95) from both HDR histograms when both sides have them', () => {
    const r = row(withHdr, 'http_req_duration', 'p(95)');
    assert.equal(r.source, 'hdr');
    // HDR with 3 significant digits: within 0.1% of the recorded 950 ms and 1140 ms.
    assert.ok(Math.abs(r.baseline! - 950) / 950 < 0.001, `baseline ${r.baseline}`);
    assert.ok(Math.abs(r.current! - 1140) / 1140 < 0.001, `current ${r.current}`);
  });

  it('reports delta, ratio and how much worse the current run is', () => {
    const r = row(withHdr, 'http_req_duration', 'p(95)');
    assert.ok(Math.abs(r.delta! - (r.current! - r.baseline!)) < 1e-9);
    assert.ok(Math.abs(r.ratio! - 1.2) < 0.002, `ratio ${r.ratio}`);
    assert.ok(Math.abs(r.worsePct! - 20) < 0.2, `worsePct ${r.worsePct}`);
  });

  it('marks a p(95) 20% slower as regressed under a 10% rule', () => {
    assert.equal(row(withHdr, 'http_req_duration', 'p(95)').verdict, 'regressed');
  });

  it('marks an unchanged submetric as ok', () => {
    const r = row(withHdr, 'http_req_duration{name:submit}', 'p(95)');
    assert.equal(r.verdict, 'ok');
    assert.equal(r.delta, 0);
  });

  it('treats a lower success rate as worse', () => {
    const r = row(withHdr, 'checks', 'rate');
    assert.equal(r.worse, 'lower');
    assert.ok(Math.abs(r.worsePct! - 5) < 1e-9);
    assert.equal(r.verdict, 'ok');
  });

  it('treats a higher failure rate as worse, but 20/1000 against 10/1000 is not significant at 0.01', () => {
    const r = row(withHdr, 'http_req_failed', 'rate');
    assert.equal(r.worse, 'higher');
    assert.ok(Math.abs(r.worsePct! - 100) < 1e-9);
    assert.equal(r.test, 'two-proportion');
    assert.ok(Math.abs(r.pValue! - 0.0489) < 1e-3, `p ${r.pValue}`);
    assert.equal(r.verdict, 'ok');
    assert.match(r.reason, /not significant \(p=0\.049 ≥ α 0\.01\)/);
  });

  it('gives the p(95) row a Mann-Whitney p-value, a delta interval around the delta and the default 1 ms floor', () => {
    const r = row(withHdr, 'http_req_duration', 'p(95)');
    assert.equal(r.test, 'mann-whitney');
    assert.ok(r.pValue! < 1e-6, `p ${r.pValue}`);
    assert.ok(r.ci![0] > 0 && r.ci![0] < r.delta! && r.ci![1] > r.delta!, `ci ${r.ci} delta ${r.delta}`);
    assert.equal(r.minAbsolute, 1);
    assert.equal(r.alpha, 0.01);
    assert.deepEqual(r.samples, { baseline: 1000, current: 1000 });
    assert.match(r.reason, /% > 10%, .* > floor 1, p=.* < α 0\.01/);
  });

  it('treats lower throughput as worse', () => {
    const r = row(withHdr, 'http_reqs', 'rate');
    assert.equal(r.worse, 'lower');
    assert.ok(Math.abs(r.worsePct! - 10) < 1e-9);
    assert.equal(r.verdict, 'info');
  });

  it('lists the regressions and is not ok when any rule fails', () => {
    assert.equal(withHdr.ok, false);
    assert.deepEqual(withHdr.regressions.map((r) => `${r.metric} ${r.stat}`).sort(), ['http_req_duration p(95)']);
  });

  it('passes when the rule tolerates the change', async () => {
    const c = await compareResults(baselineDir, currentDir, [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 25 },
    ]);
    assert.equal(c.ok, true);
    assert.equal(row(c, 'http_req_duration', 'p(95)').verdict, 'ok');
  });

  it('applies the default rule (http_req_duration p(95) within 10%) when given no rules', async () => {
    const c = await compareResults(baselineDir, currentDir);
    assert.deepEqual(c.rules, [{ metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 }]);
    assert.equal(c.ok, false);
  });

  it('cannot fail with an empty rule list', async () => {
    const c = await compareResults(baselineDir, currentDir, []);
    assert.equal(c.ok, true);
    assert.ok(c.notes.some((n) => n.includes('No regression rules')));
  });

  it('falls back to summary.json values when a side has no histograms, and says so', async () => {
    const summaryOnly = join(tmp.dir, 'summary-only.json');
    writeFileSync(
      summaryOnly,
      JSON.stringify({
        metrics: { http_req_duration: { avg: 600.6, med: 600.6, max: 1200, 'p(90)': 1080.1, 'p(95)': 1140.06 } },
      }),
    );
    const c = await compareResults(join(baselineDir, 'summary.json'), summaryOnly, [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 },
    ]);
    const r = row(c, 'http_req_duration', 'p(95)');
    assert.equal(r.source, 'summary');
    assert.equal(r.baseline, 950.05);
    assert.equal(r.current, 1140.06);
    assert.ok(c.notes.some((n) => n.includes('No histograms.json for the current')));
    assert.equal(r.verdict, 'inconclusive');
    assert.match(r.reason, /no sample distribution/);
  });

  it('fails an inconclusive row only with strict', async () => {
    const summaryOnly = join(tmp.dir, 'summary-only-2.json');
    writeFileSync(
      summaryOnly,
      JSON.stringify({ metrics: { http_req_duration: { avg: 600.6, med: 600.6, max: 1200, 'p(95)': 1140.06 } } }),
    );
    const rules = [{ metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 }];
    const lax = await compareResults(baselineDir, summaryOnly, rules);
    assert.equal(lax.ok, true);
    assert.equal(lax.inconclusive.length, 1);
    const strict = await compareResults(baselineDir, summaryOnly, rules, { strict: true });
    assert.equal(strict.ok, false);
    assert.equal(strict.regressions.length, 0);
  });

  it('is inconclusive below minSamples, and decides with enough', async () => {
    const few = await compareResults(baselineDir, currentDir, [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10, minSamples: 5000 },
    ]);
    assert.equal(row(few, 'http_req_duration', 'p(95)').verdict, 'inconclusive');
    assert.match(
      row(few, 'http_req_duration', 'p(95)').reason,
      /too few samples \(baseline 1000, current 1000; the rule needs 5000 each\)/,
    );
  });

  it('never fails a worsening inside the absolute floor', async () => {
    const c = await compareResults(baselineDir, currentDir, [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10, minAbsolute: 500 },
    ]);
    const r = row(c, 'http_req_duration', 'p(95)');
    assert.equal(r.verdict, 'ok');
    assert.match(r.reason, /within the floor 500/);
  });

  it('regresses on a significant worsening from a zero baseline, whatever the percentage', async () => {
    const a = join(tmp.dir, 'a.json');
    const b = join(tmp.dir, 'b.json');
    writeFileSync(a, JSON.stringify({ metrics: { http_req_failed: { passes: 0, fails: 1000, value: 0 } } }));
    writeFileSync(b, JSON.stringify({ metrics: { http_req_failed: { passes: 50, fails: 950, value: 0.05 } } }));
    const c = await compareResults(a, b, [{ metric: 'http_req_failed', stat: 'rate', maxIncreasePct: 1000 }]);
    assert.equal(row(c, 'http_req_failed', 'rate').verdict, 'regressed');
    assert.equal(row(c, 'http_req_failed', 'rate').worsePct, null);
  });

  it('does not fail 1 failure in 100 from a zero baseline: within the 0.01 floor of a rate', async () => {
    const a = join(tmp.dir, 'a1.json');
    const b = join(tmp.dir, 'b1.json');
    writeFileSync(a, JSON.stringify({ metrics: { http_req_failed: { passes: 0, fails: 100, value: 0 } } }));
    writeFileSync(b, JSON.stringify({ metrics: { http_req_failed: { passes: 1, fails: 99, value: 0.01 } } }));
    const c = await compareResults(a, b, [{ metric: 'http_req_failed', stat: 'rate', maxIncreasePct: 1000 }]);
    assert.equal(row(c, 'http_req_failed', 'rate').verdict, 'ok');
    assert.match(row(c, 'http_req_failed', 'rate').reason, /within the floor 0\.01/);
  });

  it('marks a rule as missing, not regressed, when one side lacks the value', async () => {
    const a = join(tmp.dir, 'only-b-base.json');
    const b = join(tmp.dir, 'only-b-cur.json');
    writeFileSync(a, JSON.stringify({ metrics: { http_reqs: { count: 1, rate: 1 } } }));
    writeFileSync(
      b,
      JSON.stringify({
        metrics: { http_reqs: { count: 1, rate: 1 }, e2e_success: { passes: 9, fails: 1, value: 0.9 } },
      }),
    );
    const c = await compareResults(a, b, [{ metric: 'e2e_success', stat: 'rate', maxIncreasePct: 5 }]);
    assert.equal(row(c, 'e2e_success', 'rate').verdict, 'missing');
    assert.equal(c.ok, true);
    assert.ok(c.notes.some((n) => n.includes('e2e_success rate: a side has no value')));
  });

  it('rejects a rule whose metric is in neither summary, naming the metric', async () => {
    await assert.rejects(
      compareResults(baselineDir, currentDir, [{ metric: 'no_such_metric', stat: 'avg', maxIncreasePct: 5 }]),
      (err: unknown) => {
        assert.ok(err instanceof ReportError);
        assert.equal(err.code, 'REPORT_UNKNOWN_METRIC');
        assert.equal(err.exitCode, 104);
        assert.match(err.message, /no_such_metric/);
        return true;
      },
    );
  });

  it('rejects a summary without "metrics", naming the file and the field', async () => {
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ root_group: {} }));
    await assert.rejects(compareResults(bad, currentDir), (err: unknown) => {
      assert.ok(err instanceof ReportError);
      assert.equal(err.code, 'REPORT_FILE_MALFORMED');
      assert.match(err.message, /bad\.json: field "metrics"/);
      return true;
    });
  });
});

describe('comparison output', () => {
  let c: Comparison;
  before(async () => {
    c = await compareResults(baselineDir, currentDir, [
      { metric: 'http_req_duration', stat: 'p(95)', maxIncreasePct: 10 },
    ]);
  });

  it('prints a terminal table with the regressed row and a regression footer', () => {
    const text = comparisonTable(c);
    const line = text.split('\n').find((l) => l.startsWith('http_req_duration ') && l.includes('p(95)'));
    assert.ok(line?.includes('REGRESSED'), line);
    assert.match(line!, /\[\+\d+\.\d, \+\d+\.\d\]/, 'the delta interval');
    assert.match(text, /REGRESSION: http_req_duration p\(95\) 20\.\d% worse \(rule ≤10%, p=.*\)/);
    assert.match(
      text.split('\n')[3]!,
      /metric +stat +baseline +current +delta +delta CI +change +p +rule +floor +verdict +why/,
    );
  });

  it('writes Markdown with a heading counting the regressions and a table row per comparison row', () => {
    const md = comparisonMarkdown(c);
    assert.match(md, /^### Baseline comparison: 1 regression$/m);
    assert.ok(md.includes('| http_req_duration | p(95) |'));
    assert.ok(md.includes('**REGRESSED**'));
    assert.equal(md.split('\n').filter((l) => l.startsWith('| ')).length, c.rows.length + 4); // + two tables' header and separator
  });

  it('folds the rows without a rule into a details block after the ruled rows', () => {
    const md = comparisonMarkdown(c);
    const details = md.indexOf('<details>');
    assert.ok(details > md.indexOf('**REGRESSED**'));
    assert.ok(md.includes(`<summary>${c.rows.length - 1} more compared values (no rule)</summary>`));
  });

  it('escapes pipes in metric names in Markdown', async () => {
    const t = tempDir();
    try {
      const f = join(t.dir, 's.json');
      writeFileSync(f, JSON.stringify({ metrics: { 'odd|name': { count: 1, rate: 1 } } }));
      const md = comparisonMarkdown(await compareResults(f, f, []));
      assert.ok(md.includes('odd\\|name'));
    } finally {
      t.remove();
    }
  });
});
