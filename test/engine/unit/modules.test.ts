import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { b64decode, b64encode } from '../../../engine/modules/encoding.ts';
import { createModule as crypto } from '../../../engine/modules/crypto.ts';
import { buildRequest, expectedStatuses } from '../../../engine/http/request-builder.ts';
import { classify } from '../../../engine/http/error-codes.ts';
import { canonicalKey } from '../../../engine/http/transport.ts';
import { consolidate } from '../../../engine/options/consolidate.ts';
import { checkImports } from '../../../engine/runtime/module-map.ts';

type Fn = (...a: unknown[]) => unknown;
const c = crypto(undefined as never) as Record<string, Fn>;

describe('k6/encoding', () => {
  it('encodes with the four k6 encodings', () => {
    assert.equal(b64encode('hello?>'), 'aGVsbG8/Pg==');
    assert.equal(b64encode('hello?>', 'rawstd'), 'aGVsbG8/Pg');
    assert.equal(b64encode('hello?>', 'url'), 'aGVsbG8_Pg==');
    assert.equal(b64encode('hello?>', 'rawurl'), 'aGVsbG8_Pg');
  });

  it('decodes to a string with format "s"', () => {
    assert.equal(b64decode('aGVsbG8_Pg', 'rawurl', 's'), 'hello?>');
  });

  it('rejects an unknown encoding by name', () => {
    assert.throws(() => b64encode('x', 'hex'), /expected "std", "rawstd", "url" or "rawurl"/);
  });
});

describe('k6/crypto', () => {
  it('hashes with the common algorithms', () => {
    assert.equal(c.md5!('abc', 'hex'), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(c.sha256!('abc', 'hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(c.sha1!('abc', 'base64'), 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  });

  it('computes an hmac and streams through createHMAC', () => {
    const once = c.hmac!('sha256', 'key', 'data', 'hex');
    const h = c.createHMAC!('sha256', 'key') as { update: Fn; digest: Fn };
    h.update('da');
    h.update('ta');
    assert.equal(h.digest('hex'), once);
  });

  it('returns random bytes as an ArrayBuffer', () => {
    assert.equal((c.randomBytes!(16) as ArrayBuffer).byteLength, 16);
  });
});

describe('k6/http request building', () => {
  const options = consolidate([{}]).options;

  it('sends an object body as a form with its content type', () => {
    const b = buildRequest('POST', 'http://x/', { a: 1, b: 'c d' }, undefined, options);
    assert.equal(b.wire.body, 'a=1&b=c+d');
    assert.equal(b.wire.headers['Content-Type'], 'application/x-www-form-urlencoded');
  });

  it('reads timeout, tags and redirects from params', () => {
    const b = buildRequest('GET', 'http://x/', null, { timeout: '2s', tags: { name: 'home' }, redirects: 0 }, options);
    assert.equal(b.wire.timeoutMs, 2000);
    assert.equal(b.name, 'home');
    assert.equal(b.redirects, 0);
  });

  it('matches statuses and ranges with expectedStatuses', () => {
    const cb = expectedStatuses(201, { min: 300, max: 399 });
    assert.deepEqual([200, 201, 302, 404].map(cb), [false, true, true, false]);
  });

  it('maps connection errors to k6 error codes', () => {
    assert.equal(classify({ code: 'ECONNREFUSED' }, 'http://127.0.0.1:1/').code, 1212);
    assert.equal(classify({ code: 'ENOTFOUND' }, 'http://nowhere.invalid/').code, 1101);
    assert.equal(classify({ code: 'ECONNRESET' }, 'http://127.0.0.1:1/').code, 1220);
  });

  it('canonicalizes header names like Go', () => {
    assert.equal(canonicalKey('content-type'), 'Content-Type');
    assert.equal(canonicalKey('X-REQUEST-ID'), 'X-Request-Id');
  });
});

describe('module resolution', () => {
  it('accepts the k6 modules the engine implements', () => {
    assert.deepEqual(
      checkImports(['k6', 'k6/http', 'k6/metrics', 'k6/execution', 'k6/data', 'k6/timers', 'k6/encoding', 'k6/crypto']),
      [],
    );
  });

  it('rejects an unknown k6 module, pointing to the k6 binary', () => {
    assert.match(checkImports(['k6/browser'])[0]!, /unknown module "k6\/browser".*k6 binary/);
  });
});
