/**
 * k6/experimental/csv (issue 17), from k6's docs (javascript-api/k6-experimental/csv: parse, Parser,
 * options): a script parses a CSV file of k6/experimental/fs whole and record by record, with
 * skipFirstLine, asObjects, fromLine/toLine and a delimiter, and checks what it gets. It runs under the
 * engine's CLI and, with K6_BIN set, under a real k6 (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logMessages, runBoth, SUMMARY_TO_FILE } from './helpers/k6-parity.ts';

const SCRIPT = `import { check } from 'k6';
import { open } from 'k6/experimental/fs';
import csv from 'k6/experimental/csv';
import { scenario } from 'k6/execution';

export const options = { vus: 2, iterations: 4 };

let users;
let objects;
let window;
(async function () {
  users = await csv.parse(await open('users.csv'), { skipFirstLine: true });
  objects = new csv.Parser(await open('users.csv'), { asObjects: true });
  window = new csv.Parser(await open('semi.csv'), { delimiter: ';', fromLine: 1, toLine: 2 });
})();

export default async function () {
  const user = users[scenario.iterationInTest % users.length];
  check(users, {
    'parse gives every record but the header': (u) => u.length === 3,
    'records are arrays of strings': (u) => u[0].join('|') === 'alice|a@example.com|30',
  });
  check(user, { 'a record per iteration': (u) => Array.isArray(u) && u.length === 3 });
  if (__ITER === 0) {
    const got = [];
    let r = await objects.next();
    while (!r.done) {
      got.push(r.value.name + '<' + r.value.email + '>');
      r = await objects.next();
    }
    console.log('objects: ' + got.join(', ') + ' end=' + JSON.stringify(r));
    const rows = [];
    for (let w = await window.next(); !w.done; w = await window.next()) rows.push(w.value.join('|'));
    console.log('window: ' + rows.join(', '));
  }
}
${SUMMARY_TO_FILE}`;

const BAD_OPTIONS = `import { open } from 'k6/experimental/fs';
import csv from 'k6/experimental/csv';
const seen = [];
(async function () {
  for (const o of [{ asObjects: true, skipFirstLine: true }, { fromLine: 3, toLine: 1 }, { delimiter: ';;' }]) {
    try {
      await csv.parse(await open('users.csv'), o);
      seen.push('accepted');
    } catch (e) {
      seen.push('refused');
    }
  }
})();
export default function () {
  console.log('options: ' + seen.join(' '));
}
`;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k6-csv-'));
  writeFileSync(
    join(dir, 'users.csv'),
    'name,email,age\nalice,a@example.com,30\nbob,b@example.com,41\n"carol, jr",c@example.com,52\n',
  );
  writeFileSync(join(dir, 'semi.csv'), 'h1;h2\nr1;x\nr2;y\nr3;z\n');
  writeFileSync(join(dir, 'csv.js'), SCRIPT);
  writeFileSync(join(dir, 'bad.js'), BAD_OPTIONS);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('k6/experimental/csv', () => {
  it('parses a whole file into a shared array and reads one record at a time with a Parser', async () => {
    const r = await runBoth('csv.js', [], dir);
    for (const [who, o] of [
      ['engine', r.engine],
      ['k6', r.k6],
    ] as const) {
      if (!o) continue;
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks!.values.passes, 4 * 3, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks!.values.fails, 0, `${who}: ${o.stderr}`);
      const logs = logMessages(o.stderr);
      // Every VU that ran (k6 may give all four iterations to one) read its own Parser through.
      const objects = logs.filter((l) => l.startsWith('objects: '));
      assert.ok(objects.length >= 1, `${who}: ${logs.join(' | ')}`);
      for (const l of objects)
        assert.equal(
          l,
          'objects: alice<a@example.com>, bob<b@example.com>, carol, jr<c@example.com> end={"done":true,"value":[]}',
          who,
        );
      const window = logs.filter((l) => l.startsWith('window: '));
      assert.equal(window.length, objects.length, who);
      for (const l of window) assert.equal(l, 'window: r1|x, r2|y', who);
    }
  });

  it("refuses k6's conflicting or malformed options", async () => {
    const r = await runBoth('bad.js', ['--iterations', '1'], dir);
    for (const [who, o] of [
      ['engine', r.engine],
      ['k6', r.k6],
    ] as const) {
      if (!o) continue;
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.ok(logMessages(o.stderr).includes('options: refused refused refused'), `${who}: ${o.stderr}`);
    }
  });
});
