/**
 * engine/secrets/shared.ts and the manager over it: what threads share through one buffer (two
 * SharedSecrets on the same buffer stand for two threads) and the token bucket of a url source.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SharedSecrets } from '../../../engine/secrets/shared.ts';
import { REDACTED, SecretsManager } from '../../../engine/secrets/manager.ts';
import type { SecretSource } from '../../../engine/secrets/types.ts';

/** A source that counts its gets and answers `v-<key>`. */
function counting(): SecretSource & { gets: number } {
  const s = {
    gets: 0,
    description: 'counting',
    get: (key: string) => {
      s.gets++;
      return Promise.resolve(`v-${key}`);
    },
  };
  return s;
}

describe('SharedSecrets', () => {
  it('shows a value one thread published to another attached to the same buffer', () => {
    const a = SharedSecrets.create();
    const b = new SharedSecrets(a.buffer);
    a.publish(0, 'k', 'value-1');
    assert.equal(b.lookup(0, 'k'), 'value-1');
    assert.equal(b.lookup(1, 'k'), undefined); // another source
    assert.deepEqual([...b.values], ['value-1']);
  });

  it('grows past its first 64 KiB and keeps every record', () => {
    const a = SharedSecrets.create();
    const b = new SharedSecrets(a.buffer);
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 10; i++) assert.ok(a.publish(0, `k${i}`, `${i}${big}`));
    assert.ok(a.buffer.byteLength > 200_000, String(a.buffer.byteLength));
    for (let i = 0; i < 10; i++) assert.equal(b.lookup(0, `k${i}`), `${i}${big}`);
  });

  it('hands out a full bucket of tokens at once, then makes the next caller wait', () => {
    const shared = SharedSecrets.create();
    const other = new SharedSecrets(shared.buffer);
    // a token a minute, bursts of 2: the third get() in this minute waits, on whichever thread
    assert.equal(shared.reserve(3, 60_000, 2), 0);
    assert.equal(other.reserve(3, 60_000, 2), 0);
    assert.ok(shared.reserve(3, 60_000, 2) > 0);
    assert.equal(shared.reserve(4, 60_000, 2), 0); // another source's bucket is full
  });
});

describe('SecretsManager over the shared state', () => {
  it('fetches a key once for every thread and redacts it on a thread that never asked for it', async () => {
    const shared = SharedSecrets.create();
    const source = counting();
    const one = new SecretsManager(new Map([['default', source]]), shared);
    const two = new SecretsManager(new Map([['default', source]]), new SharedSecrets(shared.buffer));
    assert.equal(two.redact('nothing yet v-k'), 'nothing yet v-k');
    assert.equal(await one.get('default', 'k'), 'v-k');
    assert.equal(await two.get('default', 'k'), 'v-k');
    assert.equal(source.gets, 1);
    assert.equal(two.redact('logged v-k here'), `logged ${REDACTED} here`);
  });

  it('redacts the longer of two secrets when one contains the other', async () => {
    const m = new SecretsManager(
      new Map<string, SecretSource>([
        ['default', { description: 'm', get: (k) => Promise.resolve(k === 'a' ? 'abc' : 'abcdef') }],
      ]),
    );
    await m.get('default', 'a');
    await m.get('default', 'b');
    assert.equal(m.redact('abcdef abc'), `${REDACTED} ${REDACTED}`);
  });
});
