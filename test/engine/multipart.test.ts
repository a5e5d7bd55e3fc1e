/**
 * Conformance: object bodies as k6 sends them, async and sync mode, against a real server.
 * With an http.file() field the body is multipart/form-data; the server parses it with undici's
 * multipart parser (Response.formData), so the test does not trust our encoder to check itself.
 * That parser follows the WHATWG encoding and does not read a backslash-escaped quote in a filename
 * (k6 and Go's mime/multipart do), so the escaping is checked on the raw body instead.
 * Without one it is a urlencoded form with k6's rules (keys sorted, arrays repeated).
 *   POST /upload  -> {"contentType", "parts": [{name, value} | {name, filename, type, sha256}]}
 *   POST /echo    -> {"contentType", "body"}
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Response } from 'undici';
import { modeScripts } from './helpers/mode-scripts.ts';
import { run, type Ran } from './helpers/run.ts';

const BYTES = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256)); // every byte value, not UTF-8
const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const contentType = req.headers['content-type'] ?? '';
  if (req.url === '/upload') {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const parts: unknown[] = [];
    for (const [name, v] of form) {
      if (typeof v === 'string') parts.push({ name, value: v });
      else parts.push({ name, filename: v.name, type: v.type, sha256: sha256(new Uint8Array(await v.arrayBuffer())) });
    }
    return void res.end(JSON.stringify({ contentType, parts }));
  }
  res.end(JSON.stringify({ contentType, body: body.toString('utf8') }));
}

const SCRIPT = `import http from 'k6/http';
const bin = open(__ENV.BIN, 'b');
export const options = { iterations: 1 };
const B = __ENV.BASE_URL;
function out(name, value) { console.log('R ' + JSON.stringify({ name, value })); }
export default ASYNC function () {
  const f = http.file(bin, 'pic.bin', 'image/png');
  out('filedata', { filename: f.filename, content_type: f.content_type, isBuffer: f.data instanceof ArrayBuffer });
  const quoted = REQ('POST', B + '/echo', { q: http.file('x', 'a"b\\\\c.txt') });
  out('quoted', JSON.parse(quoted.body).body);
  const d = http.file('héllo text');
  out('defaults', { filename: d.filename, content_type: d.content_type });
  const up = REQ('POST', B + '/upload', { field: 'plain value', doc: f, note: d, n: 42, list: ['a', 'b'] });
  out('upload', JSON.parse(up.body));
  const again = REQ('POST', B + '/upload', { doc: http.file([1, 2, 3], 'three.bin') });
  out('again', JSON.parse(again.body));
  const form = REQ('POST', B + '/echo', { b: ['x y', 'z~*!'], a: 1, c: 'é&=' });
  out('form', JSON.parse(form.body));
  try { http.file({ not: 'bytes' }); out('badfile', 'no error'); } catch (e) { out('badfile', String(e)); }
}
`;

function script(mode: 'async' | 'sync'): string {
  const a = mode === 'async';
  return SCRIPT.replaceAll('ASYNC', a ? 'async' : '').replaceAll(
    'REQ(',
    a ? 'await http.asyncRequest(' : 'http.request(',
  );
}

function lines(r: Ran): Map<string, unknown> {
  return new Map(
    [...r.stderr.matchAll(/R (\{.*\})/g)].map((m) => {
      const l = JSON.parse(m[1]!) as { name: string; value: unknown };
      return [l.name, l.value];
    }),
  );
}

const fx = modeScripts(
  'multipart',
  (req, res) =>
    void handler(req, res).catch((err: Error) => {
      res.statusCode = 500;
      res.end(String(err));
    }),
  script,
  (dir) => writeFileSync(join(dir, 'pic.bin'), BYTES),
);

for (const mode of ['async', 'sync'] as const) {
  describe(`object bodies (${mode} mode)`, () => {
    let out: Map<string, unknown>;
    before(async () => {
      const r = await run(fx.files[mode], { baseUrl: fx.base, mode, env: { BIN: join(fx.dir, 'pic.bin') } });
      assert.equal(r.exitCode, 0, r.stderr);
      out = lines(r);
    });

    it('http.file() keeps its data, filename and content type, with k6 defaults', () => {
      assert.deepEqual(out.get('filedata'), { filename: 'pic.bin', content_type: 'image/png', isBuffer: true });
      const d = out.get('defaults') as { filename: string; content_type: string };
      assert.equal(d.content_type, 'application/octet-stream');
      const ns = BigInt(d.filename); // the time in nanoseconds, as k6
      const now = BigInt(Date.now()) * 1_000_000n;
      assert.ok(ns > now - 600_000_000_000n && ns <= now, `default filename ${d.filename} is not a recent time in ns`);
    });

    it('sends a body with a file as multipart/form-data that a real parser reads back intact', () => {
      const up = out.get('upload') as { contentType: string; parts: Array<Record<string, string>> };
      assert.match(up.contentType, /^multipart\/form-data; boundary=[0-9a-f]{60}$/);
      const byName = new Map(up.parts.map((p) => [p.name, p]));
      assert.deepEqual(byName.get('field'), { name: 'field', value: 'plain value' });
      assert.deepEqual(byName.get('n'), { name: 'n', value: '42' });
      assert.deepEqual(
        byName.get('list'),
        { name: 'list', value: '[a b]' },
        'a non-file array is one field, as Go prints it',
      );
      assert.deepEqual(byName.get('doc'), {
        name: 'doc',
        filename: 'pic.bin',
        type: 'image/png',
        sha256: sha256(BYTES),
      });
      const note = byName.get('note')!;
      assert.equal(note.type, 'application/octet-stream');
      assert.equal(note.sha256, sha256(Buffer.from('héllo text', 'utf8')));
      assert.equal(up.parts.length, 5);
    });

    it('escapes quotes and backslashes in a filename as k6 does', () => {
      assert.ok(
        String(out.get('quoted')).includes('Content-Disposition: form-data; name="q"; filename="a\\"b\\\\c.txt"\r\n'),
        String(out.get('quoted')),
      );
    });

    it('uses a new boundary for each request and takes an array of byte values as file data', () => {
      const up = out.get('upload') as { contentType: string };
      const again = out.get('again') as { contentType: string; parts: Array<Record<string, string>> };
      assert.notEqual(again.contentType, up.contentType);
      assert.deepEqual(again.parts, [
        {
          name: 'doc',
          filename: 'three.bin',
          type: 'application/octet-stream',
          sha256: sha256(Buffer.from([1, 2, 3])),
        },
      ]);
    });

    it('sends a body without a file as a urlencoded form: keys sorted, arrays repeated, Go escaping', () => {
      assert.deepEqual(out.get('form'), {
        contentType: 'application/x-www-form-urlencoded',
        body: 'a=1&b=x+y&b=z~%2A%21&c=%C3%A9%26%3D',
      });
    });

    it('rejects file data that is not bytes, naming what it expects', () => {
      assert.match(
        String(out.get('badfile')),
        /http\.file\(\): data: expected a string, an ArrayBuffer, a typed array or an array of byte values/,
      );
    });
  });
}
