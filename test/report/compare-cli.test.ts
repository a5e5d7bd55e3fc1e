import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { baselineDir, currentDir, runCli, tempDir } from './helpers.ts';

describe('k6-llm-perf compare', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.remove());

  it('exits 99 and prints the regression when p(95) is worse than the rule allows', async () => {
    const r = await runCli(['compare', baselineDir, currentDir, '--rule', 'http_req_duration:p(95):10']);
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stdout, /REGRESSION: http_req_duration p\(95\)/);
  });

  it('exits 0 when every rule holds', async () => {
    const r = await runCli([
      'compare',
      baselineDir,
      currentDir,
      '--rule',
      'http_req_duration:p(95):25',
      '--rule',
      'checks:rate:10',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /No regression \(2 rules\)/);
  });

  it('exits 0 comparing a run with itself under the default rule', async () => {
    const r = await runCli(['compare', currentDir, join(currentDir, 'summary.json')]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  it('reads the regression rules of a threshold file', async () => {
    const file = join(tmp.dir, 'load.json');
    writeFileSync(
      file,
      JSON.stringify({
        thresholds: {},
        regression: [{ metric: 'http_req_failed', stat: 'rate', maxIncreasePct: 50, minAbsolute: 0.001, alpha: 0.1 }],
      }),
    );
    const r = await runCli(['compare', baselineDir, currentDir, '--thresholds', file]);
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stdout, /REGRESSION: http_req_failed rate/);
    assert.doesNotMatch(r.stdout, /REGRESSION:.*http_req_duration/);
  });

  it('prints the comparison as JSON with --json', async () => {
    const r = await runCli(['compare', baselineDir, currentDir, '--json', '--rule', 'http_req_duration:p(95):10']);
    assert.equal(r.code, 99);
    const c = JSON.parse(r.stdout) as { ok: boolean; regressions: Array<{ metric: string }> };
    assert.equal(c.ok, false);
    assert.equal(c.regressions[0]?.metric, 'http_req_duration');
  });

  it('pools several baselines and prints each run, then the verdict with its p-value', async () => {
    const r = await runCli([
      'compare',
      baselineDir,
      join(baselineDir, 'summary.json'),
      currentDir,
      '--rule',
      'http_req_duration:p(95):10',
    ]);
    assert.equal(r.code, 99, r.stderr + r.stdout);
    assert.match(r.stdout, /^baseline: 2 runs pooled$/m);
    assert.match(r.stdout, /REGRESSION: http_req_duration p\(95\) 20\.\d% worse \(rule ≤10%, p=/);
  });

  it('exits 99 with --strict when a rule is inconclusive, 0 without', async () => {
    const dir = join(tmp.dir, 'summary-only');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(dir);
    copyFileSync(join(currentDir, 'summary.json'), join(dir, 'summary.json'));
    const lax = await runCli(['compare', baselineDir, dir, '--rule', 'http_req_duration:p(95):10']);
    assert.equal(lax.code, 0, lax.stderr + lax.stdout);
    assert.match(lax.stdout, /1 rule inconclusive \(not failing; --strict fails them\): http_req_duration p\(95\)/);
    const strict = await runCli(['compare', baselineDir, dir, '--rule', 'http_req_duration:p(95):10', '--strict']);
    assert.equal(strict.code, 99, strict.stderr + strict.stdout);
  });

  it('exits 104 on a bad --alpha and on a single path', async () => {
    const bad = await runCli(['compare', baselineDir, currentDir, '--alpha', '2']);
    assert.equal(bad.code, 104);
    assert.match(bad.stderr, /--alpha 2: expected a significance level/);
    const one = await runCli(['compare', baselineDir]);
    assert.equal(one.code, 104);
    assert.match(one.stderr, /expected at least a baseline and a current run/);
  });

  it('exits 104 naming the file when the baseline does not exist', async () => {
    const missing = join(tmp.dir, 'nope');
    const r = await runCli(['compare', missing, currentDir]);
    assert.equal(r.code, 104);
    assert.ok(r.stderr.includes(missing), r.stderr);
  });

  it('exits 104 naming the file when a summary is not JSON', async () => {
    const bad = join(tmp.dir, 'summary.json');
    writeFileSync(bad, '{ not json');
    const r = await runCli(['compare', bad, currentDir]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /summary\.json: not valid JSON/);
  });

  it('exits 104 naming the field when a histogram is not decodable', async () => {
    const dir = join(tmp.dir, 'bad-hist');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(dir);
    copyFileSync(join(currentDir, 'summary.json'), join(dir, 'summary.json'));
    writeFileSync(
      join(dir, 'histograms.json'),
      JSON.stringify({
        version: 1,
        encoding: 'x',
        scale: 1000,
        histograms: { http_req_duration: 'bm90IGEgaGlzdG9ncmFt' },
      }),
    );
    const r = await runCli(['compare', baselineDir, dir, '--rule', 'http_req_duration:p(95):10']);
    assert.equal(r.code, 104, r.stdout + r.stderr);
    assert.match(r.stderr, /histograms\.json: field "histograms\.http_req_duration"/);
  });

  it('exits 104 on a malformed --rule, saying what is expected', async () => {
    const r = await runCli(['compare', baselineDir, currentDir, '--rule', 'http_req_duration:p95:ten']);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /--rule "http_req_duration:p95:ten"/);
    assert.match(r.stderr, /stat must be one of/);
    assert.match(r.stderr, /maxIncreasePct must be a number/);
  });
});
