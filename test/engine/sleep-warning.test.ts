/** The engine warns once when an async exec function leaves a sleep() unawaited where the blocking-call rewrite cannot see it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers/run.ts';

const WARNING = /sleep\(\) returned a promise that was not awaited/g;

describe('sleep() without await in async mode', () => {
  it('prints the warning once', async () => {
    const r = await run('sleep-unawaited.js', { noSummary: true, workers: 1 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stderr.match(WARNING)?.length, 1, r.stderr);
  });

  it('prints nothing when the sleep is awaited', async () => {
    const r = await run('sleep-unawaited.js', { noSummary: true, workers: 1, env: { SLEEP_AWAIT: '1' } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stderr, WARNING);
    assert.equal(r.values('iterations').count, 3);
  });
});
