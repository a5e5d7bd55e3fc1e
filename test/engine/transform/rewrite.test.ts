/** The blocking-call rewrite, construct by construct (engine/transform/). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'acorn';
import { rewriteBlockingCalls, RewriteParseError } from '../../../engine/transform/rewrite.ts';
import { transformBundle } from '../../../engine/transform/index.ts';
import { bundleScript } from '../../../engine/runtime/load-script.ts';

const HOLD = (call: string) => `(await __k6.hold(${call}))`;
const TWIN = (callee: string, args: string) => `(await __k6.hold(__k6.twin(${callee})(${args})))`;

function esm(src: string): string {
  const out = rewriteBlockingCalls(src, 'test.js', 'module').code;
  parse(out, { ecmaVersion: 'latest', sourceType: 'module' }); // the result is valid JavaScript
  return out;
}

function cjs(src: string): string {
  const out = rewriteBlockingCalls(src, 'bundle.js', 'commonjs').code;
  parse(out, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true });
  return out;
}

describe('the rewrite of ES module sources', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'a named import of sleep in an async function',
      `import { sleep } from 'k6';\nexport default async function () { sleep(1); }`,
      [HOLD('sleep(1)')],
    ],
    ['a renamed import', `import { sleep as pause } from 'k6';\nasync function f() { pause(1); }`, [HOLD('pause(1)')]],
    ['a namespace import', `import * as k6 from 'k6';\nconst f = async () => { k6.sleep(1); };`, [HOLD('k6.sleep(1)')]],
    [
      'a concise arrow body',
      `import { sleep } from 'k6';\nconst f = async () => sleep(1);`,
      [`async () => ${HOLD('sleep(1)')}`],
    ],
    [
      'the default export of k6/http',
      `import http from 'k6/http';\nasync function f(u) { return http.get(u).json(); }`,
      [`${TWIN('http.get', 'u')}.json()`],
    ],
    [
      'a named sync http call',
      `import { post } from 'k6/http';\nasync function f() { post('u', 'b'); }`,
      [TWIN('post', "'u', 'b'")],
    ],
    [
      'an awaited sync http call (it still needs its async twin)',
      `import http from 'k6/http';\nasync function f() { await http.batch([]); }`,
      [`await ${TWIN('http.batch', '[]')}`],
    ],
    [
      'a kafka Writer.produce',
      `import { Writer } from 'k6/x/kafka';\nconst w = new Writer({});\nasync function f() { w.produce({ messages: [] }); }`,
      [HOLD('w.produce({ messages: [] })')],
    ],
    [
      'a kafka Reader.consume',
      `import * as kafka from 'k6/x/kafka';\nconst r = new kafka.Reader({});\nasync function f() { return r.consume({ limit: 1 }); }`,
      [HOLD('r.consume({ limit: 1 })')],
    ],
    [
      'a sql db.exec and db.query',
      `import sql from 'k6/x/sql';\nconst db = sql.open(d, u);\nasync function f() { db.exec('x'); db.query('y'); }`,
      [HOLD("db.exec('x')"), HOLD("db.query('y')")],
    ],
    [
      'a group callback that sleeps',
      `import { group, sleep } from 'k6';\nasync function f() { group('g', () => { sleep(1); }); }`,
      [`(await group('g', async () => { ${HOLD('sleep(1)')}; }))`],
    ],
    [
      'a nested group',
      `import { group, sleep } from 'k6';\nasync function f() { group('a', function () { group('b', () => sleep(1)); }); }`,
      [`(await group('a', async function () { (await group('b', async () => ${HOLD('sleep(1)')})); }))`],
    ],
    [
      'a check condition that blocks (method shorthand)',
      `import { check } from 'k6';\nimport http from 'k6/http';\nasync function f(r) { check(r, { 'again'(x) { return http.get('u').status === x.status; } }); }`,
      [`(await check(r, { async 'again'(x)`],
    ],
  ];
  for (const [name, src, want] of cases) {
    it(`awaits ${name}`, () => {
      const out = esm(src);
      for (const w of want) assert.ok(out.includes(w), `expected ${w} in:\n${out}`);
    });
  }

  const unchanged: Array<[string, string]> = [
    [
      'a sleep in a function that is not async',
      `import { sleep } from 'k6';\nexport default function () { sleep(1); }`,
    ],
    ['a sleep at the top level', `import { sleep } from 'k6';\nsleep(1);`],
    ['a sleep already awaited', `import { sleep } from 'k6';\nasync function f() { await sleep(1); }`],
    ['a parameter that shadows the import', `import { sleep } from 'k6';\nasync function f(sleep) { sleep(1); }`],
    [
      'a local that shadows the import',
      `import { sleep } from 'k6';\nasync function f() { const sleep = () => 1; sleep(1); }`,
    ],
    ['a sleep imported from elsewhere', `import { sleep } from './lib.js';\nasync function f() { sleep(1); }`],
    [
      'a non-blocking k6/http call',
      `import http from 'k6/http';\nasync function f() { http.setResponseCallback(null); await http.asyncRequest('GET', 'u'); }`,
    ],
    [
      'a method no table entry names',
      `import { Writer } from 'k6/x/kafka';\nconst w = new Writer({});\nasync function f() { w.stats(); }`,
    ],
    [
      'a group callback that does not block',
      `import { group } from 'k6';\nasync function f() { group('g', () => 1); }`,
    ],
    [
      'a blocking call in a plain callback of an async function (issue 16 goes further)',
      `import { sleep } from 'k6';\nasync function f() { [1].forEach((s) => sleep(s)); }`,
    ],
  ];
  for (const [name, src] of unchanged) {
    it(`leaves ${name} alone`, () => assert.equal(esm(src), src));
  }
});

describe('the rewrite of esbuild bundles (CommonJS)', () => {
  it('resolves import_k6.sleep, (0, import_k6.sleep) and __toESM(require(...)).default', () => {
    const out = cjs(
      `var import_k6 = require("k6");\nvar import_http = __toESM(require("k6/http"));\nasync function f() {\n  (0, import_k6.sleep)(1);\n  import_k6.sleep(2);\n  import_http.default.get("u");\n}`,
    );
    assert.ok(out.includes(HOLD('(0, import_k6.sleep)(1)')), out);
    assert.ok(out.includes(HOLD('import_k6.sleep(2)')), out);
    assert.ok(out.includes(TWIN('import_http.default.get', '"u"')), out);
  });

  it('resolves a destructured require', () => {
    assert.ok(cjs(`const { sleep } = require('k6');\nasync function f() { sleep(1); }`).includes(HOLD('sleep(1)')));
  });

  it('leaves a variable that is assigned again alone', () => {
    const src = `let k = require('k6');\nk = other;\nasync function f() { k.sleep(1); }`;
    assert.equal(cjs(src), src);
  });

  it('leaves a require the script declares itself alone', () => {
    const src = `function require(x) { return x; }\nvar import_k6 = require("k6");\nasync function f() { import_k6.sleep(1); }`;
    assert.equal(cjs(src), src);
  });
});

describe('rewrite errors, caching and source maps', () => {
  it('fails on a syntax error with a coded error naming the file', () => {
    assert.throws(
      () => rewriteBlockingCalls('async function (', 'bad.js'),
      (e: unknown) =>
        e instanceof RewriteParseError && e.code === 'E_ENGINE_REWRITE_PARSE' && /bad\.js/.test(e.message),
    );
  });

  it('caches per content: the second rewrite of the same bundle is a hit', () => {
    const src = `var import_k6 = require("k6");\nasync function f() { import_k6.sleep(1); }\n`;
    assert.equal(transformBundle(src, '/x/cache.js').stats.cached, false);
    assert.equal(transformBundle(src, '/x/cache.js').stats.cached, true);
    assert.equal(transformBundle(src + ' ', '/x/cache.js').stats.cached, false);
  });

  it('maps the rewritten bundle back to the original lines of the script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-rewrite-map-'));
    try {
      const file = join(dir, 'mapped.js');
      writeFileSync(
        file,
        `import { sleep } from 'k6';\n\n// line 3\nexport default async function () {\n  const x = 1;\n  sleep(x);\n  throw new Error('line 7');\n}\n`,
      );
      const bundle = await bundleScript(file);
      const m = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(bundle.code);
      assert.ok(m, 'the rewritten bundle carries an inline source map');
      const map = new SourceMap(JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')));
      const lines = bundle.code.split('\n');
      const at = (needle: string) => {
        const line = lines.findIndex((l) => l.includes(needle));
        return map.findEntry(line, lines[line]!.indexOf(needle));
      };
      const sleepEntry = at('sleep)(x)') as { originalLine: number; originalSource: string };
      assert.equal(sleepEntry.originalLine + 1, 6);
      assert.match(sleepEntry.originalSource, /mapped\.js$/);
      assert.equal((at('new Error("line 7")') as { originalLine: number }).originalLine + 1, 7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
