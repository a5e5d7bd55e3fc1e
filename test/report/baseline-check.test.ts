/** `--baseline` is read and validated before a run starts anything: each problem names the folder and what is missing. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { baselineProblems } from '../../report/baseline-check.ts';
import { baselineDir, copyFixture, runCli, tempDir } from './helpers.ts';

describe('baselineProblems', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());

  it('accepts a results folder, and a folder of runs', () => {
    const runs = join(tmp.dir, 'runs');
    mkdirSync(runs);
    copyFixture(baselineDir, runs, 'a');
    copyFixture(baselineDir, runs, 'b');
    assert.deepEqual(baselineProblems([baselineDir, runs], 'load'), []);
  });

  it('names a folder that does not exist', () => {
    const missing = join(tmp.dir, 'nope');
    assert.deepEqual(baselineProblems([missing]), [`--baseline ${missing}: no such results folder`]);
  });

  it('names a folder with no summary.json and no run in it', () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    const [p] = baselineProblems([empty]);
    assert.match(p!, /empty: no summary\.json in it, and no sub-folder holding one/);
  });

  it('names a summary.json that is not JSON, or has no "metrics", and a malformed histograms.json', () => {
    const bad = join(tmp.dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'summary.json'), '{ nope');
    const noMetrics = join(tmp.dir, 'no-metrics');
    mkdirSync(noMetrics);
    writeFileSync(join(noMetrics, 'summary.json'), '{"root_group":{}}');
    writeFileSync(join(noMetrics, 'histograms.json'), '{"version":2}');
    const problems = baselineProblems([bad, noMetrics]);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /bad\/summary\.json is not valid JSON/);
    assert.match(problems[1]!, /no-metrics\/summary\.json: field "metrics"/);
    assert.match(problems[2]!, /no-metrics\/histograms\.json: field "version" must be 1/);
  });

  it('refuses a run of another scenario (its meta.json)', () => {
    const other = copyFixture(baselineDir, tmp.dir, 'other');
    writeFileSync(join(other, 'meta.json'), JSON.stringify({ scenario: 'stress' }));
    assert.match(baselineProblems([other], 'load')[0]!, /is a run of scenario "stress" \(its meta\.json\), not "load"/);
  });

  it('makes `run` exit 104 naming the folder before anything starts', async () => {
    const missing = join(tmp.dir, 'gone');
    const r = await runCli(['run', 'load', '--baseline', baselineDir, '--baseline', missing, '--infra', 'external']);
    assert.equal(r.code, 104, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`--baseline ${missing}: no such results folder`), r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, /infrastructure|mock LLM|target/i);
  });
});
