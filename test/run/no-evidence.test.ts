/**
 * No evidence, no pass, end to end through the CLI with the Node engine: a threshold on a metric
 * that got no samples fails the run (k6 would pass it), and so does a verification that throws
 * before it records anything (the outbox check with its PostgreSQL unreachable).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson, resultsDirOf, runCli } from './helpers.ts';

interface Verdict {
  exitCode: number;
  checks: { metric: string; expression: string; ok: boolean; note?: string }[];
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'no-evidence-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('no evidence, no pass', { timeout: 300_000 }, () => {
  it('fails a threshold whose metric got no samples, and passes it only when allowEmpty', async () => {
    const file = join(root, 'empty.json');
    writeFileSync(
      file,
      JSON.stringify({
        thresholds: {
          llm_stream_success: ['rate>=0.99'],
          'http_reqs{status:599}': ['count==0'],
          'http_req_failed{status:598}': [{ threshold: 'rate==0', allowEmpty: true }],
        },
      }),
    );
    const results = join(root, 'empty');
    const r = await runCli([
      'run',
      'llm-stream',
      '--profile',
      'short',
      '--thresholds',
      file,
      '--quiet',
      '--results',
      results,
    ]);
    assert.equal(r.code, 99, `${r.stdout}\n${r.stderr.slice(-2000)}`);
    const verdict = readJson<Verdict>(join(resultsDirOf(results, 'llm-stream'), 'verdict.json'));
    const byMetric = (m: string) => verdict.checks.find((c) => c.metric === m)!;
    assert.deepEqual([byMetric('llm_stream_success').ok], [true]);
    assert.deepEqual(
      [byMetric('http_reqs{status:599}').ok, byMetric('http_reqs{status:599}').note],
      [false, 'no samples'],
    );
    assert.deepEqual(
      [byMetric('http_req_failed{status:598}').ok, byMetric('http_req_failed{status:598}').note],
      [true, 'no samples (allowEmpty)'],
    );
    assert.match(r.stdout, /FAIL +threshold +http_reqs\{status:599\} +count==0 .*no samples/);
  });

  it('fails the outbox run whose verification throws before it records anything', async () => {
    const results = join(root, 'outbox');
    // The user's -e wins over the kit's endpoints: the verification's queries go to a closed port.
    const r = await runCli([
      'run',
      'outbox',
      '--profile',
      'short',
      '-e',
      'DATABASE_URL=postgres://nobody@127.0.0.1:9/none?sslmode=disable',
      '-e',
      'OUTBOX_WAIT=2s',
      '--quiet',
      '--results',
      results,
    ]);
    assert.notEqual(r.code, 0, `${r.stdout}\n${r.stderr.slice(-2000)}`);
    const verdict = readJson<Verdict>(join(resultsDirOf(results, 'outbox'), 'verdict.json'));
    const verified = verdict.checks.find((c) => c.metric === 'outbox_verified');
    assert.ok(verified, JSON.stringify(verdict.checks));
    assert.equal(verified.ok, false);
    const lost = verdict.checks.find((c) => c.metric === 'outbox_events_lost')!;
    assert.deepEqual([lost.ok, lost.note], [false, 'no samples']);
  });
});
