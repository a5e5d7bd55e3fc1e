/**
 * scripts/lib/verify.ts under Node: a verification proves it ran with one sample in its
 * `<scenario>_verified` counter, and an exception is counted (when asked) and propagates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Counter } from 'k6/metrics';
import { cleanup, verify, verifyInTeardown } from '../../scripts/lib/verify.ts';

/** A k6 Counter stand-in that records its samples. */
function fakeCounter(): Counter & { samples: Array<{ value: number; tags?: Record<string, string> }> } {
  const samples: Array<{ value: number; tags?: Record<string, string> }> = [];
  const c = {
    name: 'fake',
    samples,
    add: (value: number, tags?: Record<string, string>) => samples.push({ value, tags }),
  };
  return c as unknown as Counter & { samples: typeof samples };
}

describe('verify', () => {
  it('records one completion, tagged with the verification name, and returns the value', async () => {
    const done = fakeCounter();
    const v = await verify({ done, name: 'counts' }, async () => 42);
    assert.equal(v, 42);
    assert.deepEqual(done.samples, [{ value: 1, tags: { verification: 'counts' } }]);
  });

  it('records no completion when the verification throws, counts the failure, and rethrows', async () => {
    const done = fakeCounter();
    const failures = fakeCounter();
    await assert.rejects(
      verify({ done, name: 'workflow', failures }, async () => {
        throw new Error('query failed');
      }),
      /query failed/,
    );
    assert.deepEqual(done.samples, []);
    assert.deepEqual(failures.samples, [{ value: 1, tags: { verification: 'workflow', check: 'exception' } }]);
  });
});

describe('verifyInTeardown and cleanup', () => {
  it('logs a verification that threw instead of rethrowing it, and records no completion', async (t) => {
    const done = fakeCounter();
    const errors: string[] = [];
    t.mock.method(console, 'error', (line: string) => void errors.push(line));
    await verifyInTeardown({ done, name: 'outbox' }, async () => {
      throw new Error('connect ECONNREFUSED');
    });
    assert.deepEqual(done.samples, []);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^outbox: the verification did not complete.*ECONNREFUSED/);
  });

  it('records the completion of a verification that ran to its end', async () => {
    const done = fakeCounter();
    await verifyInTeardown({ done, name: 'queue' }, async () => undefined);
    assert.deepEqual(done.samples, [{ value: 1, tags: { verification: 'queue' } }]);
  });

  it('turns a failed cleanup into a warning naming what failed', async (t) => {
    const warnings: string[] = [];
    t.mock.method(console, 'warn', (line: string) => void warnings.push(line));
    await cleanup('closing the database', () => Promise.reject(new Error('gone')));
    assert.deepEqual(warnings, ['cleanup: closing the database failed: gone']);
  });
});
