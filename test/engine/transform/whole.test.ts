/**
 * Issue 16: the whole-script rewrite, construct by construct. Each supported construct produces
 * the expected awaited code and runs in async mode with its statements in k6's order; each
 * unsupported one falls back (its construct, file:line and why), runs on threads under
 * --mode auto, and fails with exit 107 under --mode async.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'acorn';
import { rewriteBlockingCalls } from '../../../engine/transform/rewrite.ts';
import { run } from '../helpers/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6lp-whole-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `import { sleep, check, group } from 'k6';\nconst log = [];\n`;
/** A script whose default function runs `body` and checks that `log` ends as `want`. */
const script = (decls: string, body: string, want: string) =>
  `${HEAD}${decls}\nexport const options = { iterations: 1, vus: 1 };\nexport default function () {\n${body}\n  check(log, { order: (l) => (l.join(',') === '${want}' ? true : (console.log(l.join(',')), false)) });\n}\n`;

function whole(src: string) {
  const out = rewriteBlockingCalls(src, 'test.js', 'module', 'whole');
  parse(out.code, { ecmaVersion: 'latest', sourceType: 'module' });
  return out;
}

let n = 0;
async function runIt(src: string, mode: 'async' | 'sync' | 'auto') {
  const file = join(dir, `s${n++}.js`);
  writeFileSync(file, src);
  return run(file, { mode, noSummary: true, workers: 1 });
}

const SUPPORTED: Array<[string, string, string, string, string[]]> = [
  [
    'a helper function declaration',
    `function pause() { sleep(0); log.push('b'); }`,
    `log.push('a'); pause(); log.push('c');`,
    'a,b,c',
    ['async function pause() { (await __k6.hold(sleep(0)));', '(await pause());'],
  ],
  [
    'an arrow helper and a chain of helpers',
    `const one = () => { sleep(0); log.push('b'); };\nfunction two() { one(); log.push('c'); }`,
    `log.push('a'); two(); log.push('d');`,
    'a,b,c,d',
    ['const one = async () =>', 'async function two() { (await one());', '(await two());'],
  ],
  [
    'a recursive helper',
    `function down(i) { if (i === 0) return; sleep(0); log.push(String(i)); down(i - 1); }`,
    `down(3);`,
    '3,2,1',
    ['async function down(i)', '(await down(i - 1));'],
  ],
  [
    'an immediately invoked function',
    ``,
    `(() => { sleep(0); log.push('a'); })(); log.push('b');`,
    'a,b',
    ['(await (async () => { (await __k6.hold(sleep(0)));'],
  ],
  [
    'group() with a named callback',
    `function browse() { sleep(0); log.push('g'); }`,
    `group('g', browse); log.push('after');`,
    'g,after',
    ["(await group('g', browse));", 'async function browse()'],
  ],
  [
    'check() with a method that blocks',
    ``,
    `check(1, { slow(v) { sleep(0); log.push('c'); return v === 1; } }); log.push('after');`,
    'c,after',
    ['(await check(1, { async slow(v)'],
  ],
  [
    'forEach, map, filter, reduce, some, every, find, findIndex and flatMap callbacks that block, in order',
    `const at = (x) => { sleep(0); log.push(String(x)); return x; };`,
    [
      `[1, 2].forEach((x) => at(x));`,
      `const m = [3, 4].map((x) => at(x) * 10); log.push(String(m));`,
      `const f = [5, 6].filter((x) => at(x) === 6); log.push(String(f));`,
      `log.push(String([7, 8].reduce((a, x) => a + at(x), 0)));`,
      `log.push(String([9, 10].some((x) => at(x) === 9)));`,
      `log.push(String([11].every((x) => at(x) === 11)));`,
      `log.push(String([12, 13].find((x) => at(x) === 13)));`,
      `log.push(String([14].findIndex((x) => at(x) === 0)));`,
      `log.push(String([15].flatMap((x) => [at(x), x])));`,
    ].join('\n'),
    '1,2,3,4,30,40,5,6,6,7,8,15,9,true,11,true,12,13,13,14,-1,15,15,15',
    ['(await __k6.seq([1, 2], "forEach", async (x) => (await at(x))))', '(await __k6.seq([3, 4], "map"'],
  ],
  [
    "a blocking callback passed to a script function that awaits its parameter (helper('x', () => ...))",
    `async function safely(what, run) { try { await run(); } finally { log.push(what); } }`,
    // safely() is async and not awaited: its callback, made async, runs after the check (see the docs)
    `safely('closed', () => { sleep(0); log.push('ran'); });`,
    '',
    ["safely('closed', async () =>"],
  ],
  [
    'a sort comparator that does not block (left alone)',
    `function slow() { sleep(0); log.push('s'); }`,
    `const xs = [2, 1].sort((a, b) => a - b); slow(); log.push(String(xs));`,
    's,1,2',
    ['[2, 1].sort((a, b) => a - b)'],
  ],
];

describe('the whole-script rewrite of supported constructs', () => {
  for (const [name, decls, body, want, expected] of SUPPORTED) {
    it(`rewrites ${name} into awaits`, () => {
      const out = whole(script(decls, body, want));
      assert.equal(out.fallback, null);
      for (const e of expected) assert.ok(out.code.includes(e), `expected ${e} in:\n${out.code}`);
    });
    it(`runs ${name} in async mode in k6's order`, async () => {
      const r = await runIt(script(decls, body, want), 'async');
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.values('checks').fails, 0, r.stderr);
      assert.ok(r.values('checks').passes! >= 1, r.stderr);
    });
  }
});

const UNSUPPORTED: Array<[string, string, string, RegExp]> = [
  [
    'a callback handed to setTimeout',
    `function later() { sleep(0); }`,
    `setTimeout(later, 0);`,
    /a blocking callback passed to setTimeout\(\)/,
  ],
  [
    'a blocking callback passed to a script function that calls it without await',
    `function twice(run) { run(); run(); }`,
    `twice(() => sleep(0));`,
    /a blocking callback passed to twice\(\)/,
  ],
  ['a getter', `const o = { get v() { sleep(0); return 1; } };`, `log.push(String(o.v));`, /a getter/],
  ['a setter', `class C { set v(x) { sleep(0); } }`, `new C().v = 1;`, /a setter/],
  ['a constructor', `class C { constructor() { sleep(0); } }`, `new C();`, /a constructor/],
  ['a function called with new', `function F() { sleep(0); }`, `new F();`, /a constructor \(new\)/],
  ['a class method', `class C { m() { sleep(0); } }`, `new C().m();`, /a class method/],
  ['an object method', `const api = { m() { sleep(0); } };`, `api.m();`, /an object method/],
  ['a generator', `function* g() { sleep(0); yield 1; }`, `[...g()];`, /generator function g/],
  ['eval', ``, `eval('1');`, /eval\(\)/],
  ['new Function', ``, `new Function('return 1')();`, /Function\(\)/],
  ['a sort comparator that blocks', ``, `[2, 1].sort((a, b) => { sleep(0); return a - b; });`, /a sort comparator/],
  [
    'a blocking function stored as a value',
    `function f() { sleep(0); }\nconst fns = [f];`,
    `fns[0]();`,
    /a blocking function used as a value/,
  ],
  ['a reassigned blocking function', `let f = () => sleep(0);\nf = () => sleep(0);`, `f();`, /reassigned/],
];

describe('constructs the whole-script rewrite does not take', () => {
  for (const [name, decls, body, message] of UNSUPPORTED) {
    const src = script(decls, body, '');
    it(`falls back on ${name}, naming it and its line`, () => {
      const out = whole(src);
      assert.ok(out.fallback, 'expected a fallback');
      assert.match(out.fallback.construct, message);
      assert.ok(out.fallback.line > 2 && out.fallback.why.length > 0);
    });
    it(`runs ${name} on threads under --mode auto and fails under --mode async`, async () => {
      const auto = await runIt(src, 'auto');
      assert.match(auto.stderr, /blocking-call rewrite: .* at .*s\d+\.js:\d+: .*; running on threads \(sync mode\)/);
      assert.equal(auto.stderr.match(/running on threads/g)?.length, 1);
      assert.equal(auto.exitCode, 0, auto.stderr);
      await assert.rejects(runIt(src, 'async'), (err: Error & { exitCode?: number }) => {
        assert.equal(err.exitCode, 107);
        assert.match(err.message, /--mode async: the script cannot run on the async path: .* at .*s\d+\.js:\d+/);
        return true;
      });
    });
  }
});
