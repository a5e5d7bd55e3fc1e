import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderJunit, escapeXml } from '../../run/junit.ts';
import { renderSummaryMd, renderTable } from '../../run/summary-md.ts';
import type { Verdict } from '../../run/verdict.ts';

const verdict: Verdict = {
  ok: false,
  exitCode: 99,
  notes: [],
  checks: [
    { source: 'threshold', metric: 'e2e_duration', expression: 'p(95)<5000', observed: 812.4, ok: true },
    { source: 'threshold', metric: 'http_req_duration{name:submit}', expression: 'p(95)<0', observed: 9.5, ok: false },
    {
      source: 'run',
      metric: 'target_peak_rss_mb',
      expression: '<1024',
      observed: null,
      ok: true,
      skipped: true,
      note: 'not measured',
    },
  ],
};

describe('junit.xml', () => {
  const xml = renderJunit({ scenario: 'load', verdict, durationSeconds: 15.5, timestamp: '2026-11-25T12:00:00.000Z' });

  it('has one testcase per check', () => {
    assert.equal(xml.match(/<testcase /g)?.length, 3);
    assert.match(xml, /<testsuite name="k6-llm-perf\.load" tests="3" failures="1" errors="0" skipped="1"/);
  });

  it('marks the failing check with a failure carrying the observed value, escaped', () => {
    assert.match(
      xml,
      /<testcase classname="k6-llm-perf\.load\.threshold" name="http_req_duration\{name:submit\}: p\(95\)&lt;0" time="0">\n\s+<failure type="threshold" message="http_req_duration\{name:submit\} p\(95\)&lt;0: observed 9\.50">/,
    );
  });

  it('marks a skipped check as skipped', () => {
    assert.match(xml, /name="target_peak_rss_mb: &lt;1024" time="0">\n\s+<skipped message="not measured"\/>/);
  });

  it('adds an error testcase when the run itself failed', () => {
    const failed = renderJunit({
      scenario: 'load',
      verdict: { ok: false, exitCode: 111, checks: [], notes: ['redis did not start'] },
      durationSeconds: 1,
      timestamp: 't',
    });
    assert.match(
      failed,
      /<testcase classname="k6-llm-perf\.load\.run" name="run completed" time="0">\n\s+<error type="exit-111" message="exit code 111: redis did not start"\/>/,
    );
    assert.match(failed, /errors="1"/);
  });

  it('escapes XML special characters and drops control characters', () => {
    assert.equal(escapeXml(`a<b>&"'\u0001`), 'a&lt;b&gt;&amp;&quot;&apos;');
  });
});

describe('summary.md and the terminal table', () => {
  it('gives the outcome in its heading and one row per check', () => {
    const md = renderSummaryMd({
      scenario: 'load',
      verdict,
      resultsDir: 'results/x-load',
      meta: { engine: 'node', infra: 'local', target: 'reference', durationSeconds: 15.5 },
    });
    assert.match(md, /^### ❌ k6-llm-perf `load`: a threshold or check was breached \(exit 99\)/);
    assert.match(md, /\| ❌ \| threshold \| `http_req_duration\{name:submit\}` \| `p\(95\)<0` \| 9\.50 \|/);
    assert.match(md, /\| ➖ \| run \| `target_peak_rss_mb` \|/);
    assert.equal(md.split('\n').filter((l) => /^\| (✅|❌|➖) \|/.test(l)).length, 3);
  });

  it('prints an aligned table with the result of each check', () => {
    const lines = renderTable(verdict.checks).split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^result\s+check\s+metric\s+expression\s+observed$/);
    assert.match(lines[2]!, /^FAIL\s+threshold\s+http_req_duration\{name:submit\}\s+p\(95\)<0\s+9\.50$/);
    assert.equal(lines[1]!.indexOf('threshold'), lines[0]!.indexOf('check'));
  });
});
