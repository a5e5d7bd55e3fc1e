/**
 * The sync I/O channel's binary replies (runtime/sync-reply.ts): what the I/O thread writes, the
 * VU thread reads back field for field; a reply that does not fit is refused (-1), never cut.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hop } from '../../../engine/http/hop.ts';
import { readReplies, writeReplies } from '../../../engine/runtime/sync-reply.ts';
import type { WireHop, WireResponse } from '../../../engine/http/wire.ts';

const timings = {
  blocked: 0.5,
  connecting: 1.25,
  tls_handshaking: 0,
  sending: 0.125,
  waiting: 20.75,
  receiving: 3,
  duration: 23.875,
};

function area(size: number): { bytes: Buffer; view: DataView } {
  const sab = new SharedArrayBuffer(size);
  return { bytes: Buffer.from(sab), view: new DataView(sab) };
}

function hop(raw: Buffer[] | null, setCookies?: string[]): Hop {
  const h = new Hop(
    'POST',
    'http://127.0.0.1:1/é?q=1',
    201,
    'Created',
    timings,
    321,
    654,
    '',
    0,
    1764000000123.5,
    raw,
    'HTTP/2.0',
    'tls1.3',
    'TLS_AES_128_GCM_SHA256',
    '{"status":"unknown"}',
  );
  if (setCookies) h.setCookies = setCookies;
  return h;
}

describe('sync channel replies', () => {
  it('carries every field of a response, its raw headers and cookies, and a UTF-8 body', () => {
    const raw = [
      'content-type',
      'application/json',
      'x-multi',
      'a',
      'X-Multi',
      'b',
      'set-cookie',
      'k=v; Expires=Wed, 21 Oct 2099 07:28:00 GMT',
    ].map((s) => Buffer.from(s, 'latin1'));
    const res: WireResponse[] = [
      {
        hops: [hop(raw, ['k=v; Expires=Wed, 21 Oct 2099 07:28:00 GMT'])],
        body: '{"ok":"✓ é"}',
        remoteIp: '127.0.0.1',
        remotePort: 8080,
      },
      { hops: [hop(null)], body: null, remoteIp: '', remotePort: 0 },
    ];
    const { bytes, view } = area(4096);
    const n = writeReplies(bytes, view, res);
    assert.ok(n > 0);
    const back = readReplies(bytes, view, n);
    assert.equal(back.length, 2);
    const [a, b] = back;
    const h = a!.hops[0]!;
    for (const k of [
      'method',
      'url',
      'status',
      'statusText',
      'proto',
      'tlsVersion',
      'tlsCipherSuite',
      'ocsp',
      'sentBytes',
      'receivedBytes',
      'error',
      'errorCode',
      'startTime',
    ] as const) {
      assert.equal(h[k], res[0]!.hops[0]![k], k);
    }
    assert.deepEqual(h.timings, timings);
    assert.deepEqual(h.headers, {
      'Content-Type': 'application/json',
      'X-Multi': 'a, b',
      'Set-Cookie': 'k=v; Expires=Wed, 21 Oct 2099 07:28:00 GMT',
    });
    assert.deepEqual(h.setCookies, ['k=v; Expires=Wed, 21 Oct 2099 07:28:00 GMT']);
    assert.equal(a!.body, '{"ok":"✓ é"}');
    assert.equal(a!.remoteIp, '127.0.0.1');
    assert.equal(a!.remotePort, 8080);
    assert.equal(b!.body, null, 'a null body stays null, not ""');
    assert.deepEqual(b!.hops[0]!.headers, {});
    assert.equal(b!.hops[0]!.setCookies, undefined);
  });

  it('takes a plain hop with built headers too', () => {
    const plain: WireHop = { ...hop(null), proto: 'HTTP/1.1', headers: { Date: 'today', 'Content-Length': '2' } };
    const { bytes, view } = area(1024);
    const n = writeReplies(bytes, view, [{ hops: [plain], body: 'ok', remoteIp: '::1', remotePort: 1 }]);
    assert.deepEqual(readReplies(bytes, view, n)[0]!.hops[0]!.headers, { Date: 'today', 'Content-Length': '2' });
  });

  it('refuses a reply that does not fit instead of cutting it', () => {
    const big = 'x'.repeat(300);
    const { bytes, view } = area(256);
    assert.equal(writeReplies(bytes, view, [{ hops: [hop(null)], body: big, remoteIp: '', remotePort: 0 }]), -1);
    // At the edge, in 2-byte characters: 60 of them are one byte too many, 59 fit.
    const empty = area(1024);
    const n0 = writeReplies(empty.bytes, empty.view, [{ hops: [hop(null)], body: '', remoteIp: '', remotePort: 0 }]);
    const tight = area(n0 + 119);
    assert.equal(
      writeReplies(tight.bytes, tight.view, [{ hops: [hop(null)], body: 'é'.repeat(60), remoteIp: '', remotePort: 0 }]),
      -1,
    );
    assert.ok(
      writeReplies(tight.bytes, tight.view, [
        { hops: [hop(null)], body: 'é'.repeat(59), remoteIp: '', remotePort: 0 },
      ]) > 0,
    );
  });
});
