import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadThresholdFile } from '../../run/thresholds-file.ts';
import { checkExpression } from '../../run/threshold-eval.ts';
import { decide, degradationRatio, runChecks, thresholdChecks } from '../../run/verdict.ts';
import type { SummaryFile } from '../../run/summary-values.ts';
import { worstExit } from '../../run/run-all.ts';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const file = loadThresholdFile(join(fixtures, 'thresholds-pass.json'), checkExpression);
const summary = JSON.parse(readFileSync(join(fixtures, 'summary-pass.json'), 'utf8')) as SummaryFile;
const measured = { target_peak_rss_mb: 180.5, engine_peak_rss_mb: 120 };

function withMetric(name: string, metric: Record<string, unknown> | undefined): SummaryFile {
  const copy = structuredClone(summary);
  if (metric === undefined) delete copy.metrics[name];
  else copy.metrics[name] = metric;
  return copy;
}

describe('verdict', () => {
  it('re-evaluates every threshold of the file from the summary', () => {
    const checks = thresholdChecks(file, summary);
    assert.deepEqual(
      checks.map((c) => [c.metric, c.expression, c.observed, c.ok]),
      [
        ['e2e_duration', 'p(95)<5000', 812.4, true],
        ['e2e_success', 'rate>=0.9', 1, true],
        ['http_req_duration{name:submit}', 'p(95)<200', 9.5, true],
      ],
    );
  });

  it('fails a threshold whose observed value breaks it', () => {
    const slow = withMetric('e2e_duration', {
      avg: 6000,
      min: 1,
      med: 6000,
      max: 9000,
      'p(90)': 7000,
      'p(95)': 8000,
      'p(99)': 9000,
    });
    const check = thresholdChecks(file, slow).find((c) => c.metric === 'e2e_duration')!;
    assert.equal(check.ok, false);
    assert.equal(check.observed, 8000);
  });

  it('fails a threshold on a metric absent from the summary', () => {
    const check = thresholdChecks(file, withMetric('e2e_success', undefined)).find((c) => c.metric === 'e2e_success')!;
    assert.equal(check.ok, false);
    assert.equal(check.observed, null);
    assert.match(check.note ?? '', /absent/);
  });

  it('reads the handleSummary shape (values) as well as the export shape', () => {
    const shaped = withMetric('e2e_success', {
      type: 'rate',
      contains: 'default',
      values: { rate: 0.5, passes: 1, fails: 1 },
    });
    const check = thresholdChecks(file, shaped).find((c) => c.metric === 'e2e_success')!;
    assert.deepEqual([check.observed, check.ok], [0.5, false]);
  });

  it('fails a threshold on a Rate without samples (k6 passes it; the gate wants evidence)', () => {
    const empty = withMetric('e2e_success', { passes: 0, fails: 0, value: 0 });
    const check = thresholdChecks(file, empty).find((c) => c.metric === 'e2e_success')!;
    assert.deepEqual([check.ok, check.observed, check.note], [false, null, 'no samples']);
  });

  it('fails a threshold whose metric reads zero but got no samples by the counts', () => {
    const counter = loadThresholdFile(join(fixtures, 'thresholds-empty.json'), checkExpression);
    const zero = withMetric('outbox_events_lost', { count: 0, rate: 0 });
    const evidence = { samples: { outbox_events_lost: 0, dropped_iterations: 0, e2e_duration: 12 }, exceptions: null };
    const checks = thresholdChecks(counter, zero, evidence);
    const lost = checks.find((c) => c.metric === 'outbox_events_lost')!;
    assert.deepEqual([lost.ok, lost.note], [false, 'no samples']);
    assert.equal(
      thresholdChecks(counter, zero, {
        samples: { ...evidence.samples, outbox_events_lost: 1 },
        exceptions: null,
      }).find((c) => c.metric === 'outbox_events_lost')!.ok,
      true,
    );
  });

  it('passes an allowEmpty threshold whose metric got no samples, saying so', () => {
    const counter = loadThresholdFile(join(fixtures, 'thresholds-empty.json'), checkExpression);
    const zero = withMetric('dropped_iterations', { count: 0, rate: 0 });
    const check = thresholdChecks(counter, zero, { samples: { dropped_iterations: 0 }, exceptions: null }).find(
      (c) => c.metric === 'dropped_iterations',
    )!;
    assert.deepEqual([check.ok, check.observed, check.note], [true, 0, 'no samples (allowEmpty)']);
  });

  it('fails a run check on a counter that got no samples', () => {
    const check = runChecks(file, summary, measured, {
      samples: { outbox_events_lost: 0, vus: 3 },
      exceptions: null,
    }).find((c) => c.metric === 'outbox_events_lost')!;
    assert.deepEqual([check.ok, check.note], [false, 'no samples']);
  });

  it('gates on the uncaught exceptions of a named scenario and shows ungated ones', () => {
    const exceptions = { total: 3, byScenario: { consumer: 1, business: 2 } };
    const gated = { ...file, run: { 'script_exceptions{scenario:consumer}': '==0' } };
    const [row] = runChecks(gated, summary, measured, { samples: null, exceptions });
    assert.deepEqual([row!.observed, row!.ok], [1, false]);
    const clean = runChecks(gated, summary, measured, {
      samples: null,
      exceptions: { total: 2, byScenario: { business: 2 } },
    });
    assert.deepEqual([clean[0]!.observed, clean[0]!.ok], [0, true]);
    const shown = runChecks(file, summary, measured, { samples: null, exceptions }).find(
      (c) => c.metric === 'script_exceptions',
    )!;
    assert.deepEqual([shown.observed, shown.ok], [3, true]);
    assert.match(shown.note ?? '', /consumer: 1/);
  });

  it('evaluates run checks from counters, gauges, the degradation ratio and measured memory', () => {
    const checks = runChecks(file, summary, measured);
    assert.deepEqual(
      checks.map((c) => [c.metric, c.observed, c.ok]),
      [
        ['outbox_events_lost', 0, true],
        ['degradation_ratio', 1.25, true],
        ['target_peak_rss_mb', 180.5, true],
        ['vus', 2, true],
      ],
    );
  });

  it('fails the events-lost check when the counter is above zero', () => {
    const lost = withMetric('outbox_events_lost', { count: 3, rate: 0.1 });
    const check = runChecks(file, lost, measured).find((c) => c.metric === 'outbox_events_lost')!;
    assert.deepEqual([check.observed, check.ok], [3, false]);
  });

  it('skips the memory check when the kit did not start the process', () => {
    const check = runChecks(file, summary, { target_peak_rss_mb: null, engine_peak_rss_mb: null }).find(
      (c) => c.metric === 'target_peak_rss_mb',
    )!;
    assert.equal(check.skipped, true);
    assert.equal(check.ok, true);
  });

  it('computes the degradation ratio as p(95) of the last window over the first', () => {
    assert.equal(degradationRatio(summary).value, 250 / 200);
    assert.equal(degradationRatio(withMetric('endurance_latency{window:last}', undefined)).value, null);
  });

  it('exits 0 when every check passes and 99 when one fails', () => {
    const ok = decide({ checks: thresholdChecks(file, summary), engineExitCode: 0, haveSummary: true });
    assert.deepEqual([ok.ok, ok.exitCode], [true, 0]);
    const failing = [{ source: 'threshold' as const, metric: 'm', expression: 'avg<1', observed: 2, ok: false }];
    assert.equal(decide({ checks: failing, engineExitCode: 99, haveSummary: true }).exitCode, 99);
  });

  it('passes the engine exit codes for script errors and aborts through', () => {
    for (const code of [104, 105, 107, 108])
      assert.equal(decide({ checks: [], engineExitCode: code, haveSummary: false }).exitCode, code);
  });

  it('reports a missing summary as a script error', () => {
    const v = decide({ checks: [], engineExitCode: 0, haveSummary: false });
    assert.equal(v.exitCode, 107);
    assert.match(v.notes.join(' '), /no summary\.json/);
  });

  it('takes the worst exit code of several scenarios', () => {
    assert.equal(worstExit([0, 0]), 0);
    assert.equal(worstExit([0, 99, 0]), 99);
    assert.equal(worstExit([99, 111, 0]), 111);
    assert.equal(worstExit([107, 99]), 107);
  });
});
