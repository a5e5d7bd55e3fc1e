/** --samples-export: how many samples each metric and threshold submetric got, so "never touched" is told from zero. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers/run.ts';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-samples-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('--samples-export', () => {
  it('counts add(0) as a sample and a never-touched thresholded counter as none', async () => {
    const script = join(dir, 'counters.js');
    writeFileSync(
      script,
      `
import { Counter, Rate } from 'k6/metrics';
const zero = new Counter('verified_zero');
const never = new Counter('never_touched');
const ok = new Rate('ok_rate');
export const options = { iterations: 2, thresholds: { never_touched: ['count==0'], 'ok_rate{kind:a}': ['rate>0'], verified_zero: ['count==0'] } };
export default async function () { zero.add(0); ok.add(1, { kind: 'a' }); ok.add(0, { kind: 'b' }); }
`,
    );
    const samplesExport = join(dir, 'samples.json');
    const r = await run(script, { noSummary: true, samplesExport });
    assert.equal(r.exitCode, 0, r.stderr);
    const file = JSON.parse(readFileSync(samplesExport, 'utf8')) as { version: number; counts: Record<string, number> };
    assert.equal(file.version, 1);
    assert.equal(file.counts.verified_zero, 2);
    assert.equal(file.counts.never_touched, 0);
    assert.equal(file.counts.ok_rate, 4);
    assert.equal(file.counts['ok_rate{kind:a}'], 2);
    assert.equal(file.counts.iterations, 2);
  });
});
