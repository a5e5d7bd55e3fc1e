/**
 * k6/html's tag-specific Elements (issue 17): k6 gives an `<a>` an AnchorElement with hash(),
 * host(), port(), ..., a `<select>` a SelectElement with options(), selectedIndex(), ..., one kind
 * per tag (js/modules/k6/html/elements.go). scripts/html-elements/script.js calls every method of
 * every kind on the elements of page.html (one or more of each, with the edge cases: default ports,
 * IPv6, bad URLs, form ownership by `form=`, labels by wrapping and by `for`, disabled optgroups,
 * enum attributes out of range) and prints the results.
 *
 * What it printed under a real k6 v2.2.0 is recorded in scripts/html-elements/k6-v2.2.0.json (the
 * server's origin written ORIGIN); the engine must print the same. With K6_BIN set the test also
 * runs that k6 and checks it still prints the recording (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { K6_BIN, runEngine, runK6, type Outcome } from './helpers/k6-parity.ts';

const DIR = fileURLToPath(new URL('./scripts/html-elements/', import.meta.url));
const PAGE = readFileSync(DIR + 'page.html');
type Dump = Record<string, Record<string, unknown>>;
const RECORDED = JSON.parse(readFileSync(DIR + 'k6-v2.2.0.json', 'utf8')) as Record<'response' | 'parsed', Dump>;

let server: Server;
let origin = '';

before(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The script's two dumps, the server's origin, host:port and port written as the recording has them. */
function dumps(o: Outcome): Record<string, Dump> {
  const port = new URL(origin).port;
  const out: Record<string, Dump> = {};
  for (const m of o.stderr.matchAll(/\bR ([A-Za-z0-9+/=]+)/g)) {
    const text = Buffer.from(m[1]!, 'base64')
      .toString('utf8')
      .replaceAll(origin, 'ORIGIN')
      .replaceAll(`127.0.0.1:${port}`, 'HOSTPORT')
      .replaceAll(`"${port}"`, '"PORT"');
    const line = JSON.parse(text) as { name: string; value: Dump };
    out[line.name] = line.value;
  }
  return out;
}

const RUNNERS: Array<[string, () => Promise<Outcome>]> = [
  ['the engine', () => runEngine(DIR + 'script.js', [], DIR, { PAGE_URL: `${origin}/page.html` })],
];
if (K6_BIN)
  RUNNERS.push(['real k6 (K6_BIN)', () => runK6(DIR + 'script.js', [], DIR, { PAGE_URL: `${origin}/page.html` })]);
else
  describe('k6/html tag-specific Elements: real k6', () => {
    it('runs only with K6_BIN set', { skip: 'K6_BIN is not set: the engine is compared with the recording only' });
  });

for (const [who, runner] of RUNNERS) {
  describe(`k6/html tag-specific Elements: ${who}`, () => {
    let o: Outcome;
    let got: Record<string, Dump>;
    before(async () => {
      o = await runner();
      got = dumps(o);
    });

    it('runs the script to the end (exit 0, both documents printed)', () => {
      assert.equal(o.exitCode, 0, o.stderr);
      assert.deepEqual(Object.keys(got).sort(), ['parsed', 'response']);
      assert.equal(Object.keys(got.response!).length, Object.keys(RECORDED.response).length);
    });

    for (const doc of ['response', 'parsed'] as const)
      it(`gives every element of the ${doc === 'response' ? 'Response.html()' : 'parseHTML()'} document the methods and values k6 v2.2.0 gave`, () => {
        for (const [id, want] of Object.entries(RECORDED[doc])) assert.deepEqual(got[doc]![id], want, `#${id}`);
      });

    it('reads the parts of an href as Go does: the default port kept in port() and origin(), dropped by host()', () => {
      const a1 = got.response!.a1!;
      assert.deepEqual(
        [a1.host, a1.hostname, a1.port, a1.origin, a1.pathname, a1.hash, a1.username, a1.password, a1.protocol],
        ['Example.com', 'Example.com', '80', 'http://Example.com:80', '/p a/th', '#fr ag', 'user', 'p@ss', 'http'],
      );
      assert.equal(got.response!.a2!.href, 'ORIGIN/x/z?s#h');
      assert.equal(got.response!.a7!.protocol, ':'); // a port that is not digits: Go's parser fails, every part is empty
    });

    it('finds the form, labels, options and table parts of each field and cell', () => {
      const r = got.response!;
      assert.deepEqual(
        [r.in1!.form, r.in1!.labels, r.in1!.list],
        ['form#f1', ['label#lbl1', 'label#lbl2'], 'datalist#dl1'],
      );
      assert.deepEqual([r.sel2!.form, r.in4!.form, r.btn3!.form], ['form#f1', 'form#f1', '(undefined)']);
      assert.deepEqual(
        [r.sel1!.selectedIndex, r.sel1!.selectedOptions, r.sel1!.value],
        [1, ['option#opt2', 'option#opt3'], 'Two'],
      );
      assert.deepEqual([r.opt1!.disabled, r.opt6!.index, r.opt6!.label], [true, 1, 'D2']);
      assert.deepEqual([r.tr3!.rowIndex, r.tr3!.sectionRowIndex, r.td2!.cellIndex], [2, 1, 1]);
      assert.deepEqual(r.t1!.rows, ['tr#tr1', 'tr#tr2', 'tr#tr3', 'tr#tr4']);
    });

    it('gives a kind only its own methods: no href() on a body, none of k6 on a blockquote', () => {
      assert.equal(got.response!.divHasHref, 'undefined');
      assert.equal(got.response!.bq1!.cite, '(no method)');
    });
  });
}
