/**
 * The verdict and results-writing step on its own, from fixture summaries (no infrastructure):
 * what a finished run writes, how errors and signals map to exit codes, and --baseline regressions.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finishRun } from '../../run/finish.ts';
import { prepare } from '../../run/prepare.ts';
import { createResultsDir } from '../../run/results-dir.ts';
import { RunInfraError, RunInternalError } from '../../run/errors.ts';
import type { RunOptions } from '../../run/options.ts';
import type { RunRecord } from '../../run/record.ts';
import { FIXTURES, readJson } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-finish-'));
after(() => rmSync(root, { recursive: true, force: true }));

const opts: RunOptions = {
  scenario: 'load',
  thresholdsFile: join(FIXTURES, 'thresholds-pass.json'),
  engine: 'node',
  infra: 'local',
  overrides: { PROFILE: 'short' },
  env: { LLM_API_KEY: 'sk-secret' },
  resultsRoot: root,
  quiet: true,
  progress: 'silent',
  build: false,
};

let n = 0;
function record(summary: string | null, patch: Partial<RunRecord> = {}): RunRecord {
  const { entry, file, engine } = prepare(opts, 'load');
  const dir = createResultsDir(join(root, `r${n++}`), 'load', new Date('2026-11-25T12:00:00Z'));
  if (summary) {
    copyFileSync(join(FIXTURES, summary), dir.file('summary.json'));
    copyFileSync(join(FIXTURES, 'samples-pass.json'), dir.file('samples.json'));
  }
  return {
    entry,
    file,
    dir,
    engine: { ...engine, version: 'test' },
    startTime: new Date('2026-11-25T12:00:00Z'),
    endTime: new Date('2026-11-25T12:00:20Z'),
    execution: { exitCode: 0, signal: null, args: [], scriptEnv: {}, trendStats: [] },
    peaks: { target_peak_rss_mb: 150, engine_peak_rss_mb: 90 },
    errors: [],
    ...patch,
  };
}

const quiet = { signal: new AbortController().signal, log: () => {}, out: () => {} };

describe('finishing a run', () => {
  it('writes verdict.json, meta.json, junit.xml and summary.md for a passing run and exits 0', async () => {
    const rec = record('summary-pass.json');
    const verdict = await finishRun({ ...opts }, quiet, rec);
    assert.equal(verdict.exitCode, 0, JSON.stringify(verdict.checks));
    for (const f of ['verdict.json', 'meta.json', 'junit.xml', 'summary.md']) assert.ok(existsSync(rec.dir.file(f)), f);
    assert.equal(readJson(rec.dir.file('verdict.json')).exitCode, 0);
  });

  it('never writes a credential to meta.json', async () => {
    const rec = record('summary-pass.json', { execution: undefined });
    await finishRun(opts, quiet, rec);
    const meta = readFileSync(rec.dir.file('meta.json'), 'utf8');
    assert.doesNotMatch(meta, /sk-secret/);
    assert.match(meta, /"LLM_API_KEY": "\*\*\*"/);
  });

  it('maps an infrastructure failure to 111 and still writes junit.xml with an error', async () => {
    const rec = record(null, {
      execution: undefined,
      errors: [new RunInfraError('infrastructure: kafka did not start')],
    });
    const verdict = await finishRun(opts, quiet, rec);
    assert.equal(verdict.exitCode, 111);
    assert.match(
      readFileSync(rec.dir.file('junit.xml'), 'utf8'),
      /<error type="exit-111" message="exit code 111: infrastructure: kafka did not start"/,
    );
  });

  it('reports a run stopped by a signal as 105, and one stopped by an uncaught error as 1', async () => {
    assert.equal(
      (await finishRun(opts, quiet, record('summary-pass.json', { aborted: true, abortReason: new Error('SIGTERM') })))
        .exitCode,
      105,
    );
    assert.equal(
      (
        await finishRun(
          opts,
          quiet,
          record('summary-pass.json', { aborted: true, abortReason: new RunInternalError(new Error('boom')) }),
        )
      ).exitCode,
      1,
    );
  });

  it('fails a run whose engine left no sample counts, saying so', async () => {
    const rec = record('summary-pass.json');
    rmSync(rec.dir.file('samples.json'));
    const verdict = await finishRun(opts, quiet, rec);
    assert.equal(verdict.exitCode, 99);
    assert.ok(verdict.checks.some((c) => c.metric === 'samples.json' && !c.ok));
  });

  it('fails with 99 under --strict when a stat regressed beyond its rule and no histograms allow a significance test, and writes comparison.json', async () => {
    const baseline = join(root, 'baseline');
    mkdirSync(baseline, { recursive: true });
    const faster = readJson<{ metrics: Record<string, Record<string, number>> }>(join(FIXTURES, 'summary-pass.json'));
    faster.metrics.e2e_duration!['p(95)'] = 500; // current 812.4: +62 %, the rule allows 10 %
    writeFileSync(join(baseline, 'summary.json'), JSON.stringify(faster));
    const rec = record('summary-pass.json');
    const verdict = await finishRun({ ...opts, baseline, strict: true }, quiet, rec);
    const row = verdict.checks.find((c) => c.source === 'regression' && c.metric === 'e2e_duration');
    assert.ok(row, JSON.stringify(verdict.checks));
    assert.equal(row.ok, false);
    assert.equal(verdict.exitCode, 99);
    assert.ok(existsSync(rec.dir.file('comparison.json')));
  });

  it('passes against a baseline that is no better', async () => {
    const baseline = join(root, 'same');
    mkdirSync(baseline, { recursive: true });
    copyFileSync(join(FIXTURES, 'summary-pass.json'), join(baseline, 'summary.json'));
    const verdict = await finishRun({ ...opts, baseline }, quiet, record('summary-pass.json'));
    assert.equal(verdict.exitCode, 0, JSON.stringify(verdict.checks));
    assert.ok(verdict.checks.some((c) => c.source === 'regression' && c.ok));
  });
});
