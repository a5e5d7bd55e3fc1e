/** The pieces of k6/http's auth and TLS options: URL masking, digest answers, option validation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanUrl, digestAuthorization, parseDigestChallenge, urlCredentials } from '../../../engine/http/auth.ts';
import { tlsOptions } from '../../../engine/http/tls.ts';
import { buildRequest } from '../../../engine/http/request-builder.ts';
import { consolidate } from '../../../engine/options/consolidate.ts';
import { parseOcsp } from '../../../engine/http/ocsp.ts';
import { makeCert, ocspResponse } from '../helpers/coverage-servers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('URL credentials', () => {
  it("masks user and password as k6's URL.Clean does", () => {
    assert.equal(cleanUrl('http://user:pass@host:8080/a?b=@'), 'http://****:****@host:8080/a?b=@');
    assert.equal(cleanUrl('https://user@host/'), 'https://****@host/');
    assert.equal(cleanUrl('http://host/a@b'), 'http://host/a@b');
  });

  it('decodes percent-encoded user info', () => {
    assert.deepEqual(urlCredentials('http://us%40er:p%3Ass@h/'), { user: 'us@er', pass: 'p:ss' });
    assert.equal(urlCredentials('http://h/x@y'), null);
  });
});

describe('digest auth', () => {
  it('answers the RFC 2617 example challenge with its documented response', () => {
    const ch = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    assert.ok(ch);
    const header = digestAuthorization(
      ch,
      'GET',
      '/dir/index.html',
      { user: 'Mufasa', pass: 'Circle Of Life' },
      '0a4f113b',
    );
    assert.match(header, /response="6629fae49393a05397450978507c4ef1"/);
    assert.match(header, /qop=auth, nc=00000001, cnonce="0a4f113b"/);
    assert.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  });

  it('finds no digest challenge in a Basic one', () => {
    assert.equal(parseDigestChallenge('Basic realm="x"'), null);
    assert.equal(parseDigestChallenge(undefined), null);
  });

  it('refuses an algorithm it does not implement, naming it', () => {
    const ch = { realm: 'r', nonce: 'n', algorithm: 'SHA-1' };
    assert.throws(() => digestAuthorization(ch, 'GET', '/', { user: 'u', pass: 'p' }), /unsupported algorithm "SHA-1"/);
  });
});

describe('params.auth', () => {
  const options = consolidate([]).options;
  it('rejects an unknown scheme, naming params.auth', () => {
    assert.throws(() => buildRequest('GET', 'http://u:p@h/', null, { auth: 'kerberos' }, options), /params\.auth/);
  });
  it('says ntlm is not supported by the engine', () => {
    assert.throws(
      () => buildRequest('GET', 'http://u:p@h/', null, { auth: 'ntlm' }, options),
      /"ntlm" is not supported/,
    );
  });
});

describe('TLS options', () => {
  it('maps tlsVersion, a single version or { min, max }, to Node names', () => {
    const problems: string[] = [];
    assert.deepEqual(
      [
        tlsOptions({ tlsVersion: 'tls1.2' }, problems),
        tlsOptions({ tlsVersion: { min: 'tls1.2', max: 'tls1.3' } }, problems),
      ].map((o) => [o.minVersion, o.maxVersion]),
      [
        ['TLSv1.2', 'TLSv1.2'],
        ['TLSv1.2', 'TLSv1.3'],
      ],
    );
    assert.deepEqual(problems, []);
  });

  it('reports every bad field by its name', () => {
    const problems: string[] = [];
    tlsOptions({ tlsVersion: { min: 'ssl3' }, tlsCipherSuites: ['TLS_NOPE', 'TLS_AES_128_GCM_SHA256'] }, problems);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /options\.tlsVersion\.min: unknown TLS version "ssl3"/);
    assert.match(problems[1]!, /options\.tlsCipherSuites: unknown cipher suite "TLS_NOPE"/);
  });

  it('limits the TLS 1.2 suites to the listed ones, with OpenSSL names', () => {
    const o = tlsOptions({ tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305'] }, []);
    assert.equal(
      o.ciphers,
      'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-CHACHA20-POLY1305',
    );
  });
});

describe('stapled OCSP responses', () => {
  it('reads a revoked response: its revocation time and reason by k6 names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-ocsp-'));
    try {
      makeCert(dir);
      const o = parseOcsp(ocspResponse(dir, true));
      assert.equal(o.status, 'revoked');
      assert.equal(o.revoked_at, Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
      assert.equal(o.revocation_reason, 'key_compromise');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers "unknown" with zero times for no response or bytes that do not parse', () => {
    const unknown = {
      produced_at: 0,
      this_update: 0,
      next_update: 0,
      revoked_at: 0,
      revocation_reason: '',
      status: 'unknown',
    };
    assert.deepEqual(parseOcsp(null), unknown);
    assert.deepEqual(parseOcsp(Buffer.from([0x30, 0x05, 0x0a, 0x01])), unknown);
  });
});
