/** Conformance: exit codes of script errors, test.abort(), bad options and unknown modules. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KitError } from '../../engine/index.ts';
import { run } from './helpers/run.ts';

const rejectsWith = (code: number, pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof KitError, String(err));
  assert.equal(err.exitCode, code);
  assert.match(err.message, pattern);
  return true;
};

describe('lifecycle and exit codes', () => {
  it('exits 108 when the script calls exec.test.abort(), counting the aborting iteration as k6 does', async () => {
    const r = await run('abort.js', { noSummary: true });
    assert.equal(r.exitCode, 108);
    assert.equal(r.values('iterations').count, 4);
  });

  it('logs an iteration that throws, counts it and goes on', async () => {
    const r = await run('throws.js', { noSummary: true });
    assert.equal(r.exitCode, 0);
    assert.equal(r.values('iterations').count, 4);
    assert.match(r.stderr, /Error: boom 0[\s\S]*source=stacktrace/);
    assert.match(r.stderr, /boom 2/);
  });

  it('fails with 107 when the init context throws', async () => {
    await assert.rejects(run('init-throws.js'), rejectsWith(107, /broken init context/));
  });

  it('fails with 107 on a k6 module the engine lacks, telling to use the k6 binary', async () => {
    await assert.rejects(run('unknown-module.js'), rejectsWith(107, /unknown module "k6\/net\/grpc".*k6 binary/));
  });

  it('fails with 104 listing every invalid scenario option', async () => {
    await assert.rejects(run('bad-options.js'), (err: unknown) => {
      rejectsWith(104, /scenarios\.a\.rate/)(err);
      const msg = (err as Error).message;
      assert.match(msg, /scenarios\.a\.maxVUs: maxVUs \(2\) can't be less than preAllocatedVUs \(5\)/);
      assert.match(msg, /scenarios\.b\.executor: "externally-controlled" was removed/);
      assert.match(
        msg,
        /scenarios\.c\.iterations: the number of iterations \(5\) can't be less than the number of VUs \(10\)/,
      );
      assert.match(msg, /scenarios\.c\.exec: function "missing" is not exported/);
      return true;
    });
  });
});
