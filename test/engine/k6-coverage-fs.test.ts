/**
 * k6/experimental/fs (issue 17), from k6's docs (javascript-api/k6-experimental/fs: open, File.read,
 * File.seek, File.stat, SeekMode): a script reads a file in chunks, seeks in every mode, and checks
 * k6's errors. It runs under the engine's CLI and, with K6_BIN set, under a real k6 (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logMessages, runBoth, SUMMARY_TO_FILE } from './helpers/k6-parity.ts';

const SCRIPT = `import { check } from 'k6';
import { open, SeekMode } from 'k6/experimental/fs';

export const options = { vus: 2, iterations: 4 };

let file;
(async function () {
  file = await open('data/bonjour.txt');
})();

async function failure(p) {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return e.name + ': ' + e.message;
  }
}

export default async function () {
  await file.seek(0, SeekMode.Start);
  const info = await file.stat();
  const buffer = new Uint8Array(4);
  const chunks = [];
  let total = 0;
  while (true) {
    const n = await file.read(buffer);
    if (n == null) break;
    total += n;
    chunks.push(n);
  }
  const afterEnd = await file.read(buffer);
  const fromStart = await file.seek(6, SeekMode.Start);
  const fromCurrent = await file.seek(2, SeekMode.Current);
  const fromEnd = await file.seek(-2, SeekMode.End);
  check(info, {
    'stat gives the base name': (i) => i.name === 'bonjour.txt',
    'stat gives the size': (i) => i.size === 14,
  });
  check(total, { 'read gives every byte, 4 at a time': (t) => t === 14 && chunks.join(',') === '4,4,4,2' });
  check(afterEnd, { 'read at the end gives null': (v) => v === null });
  check([fromStart, fromCurrent, fromEnd], { 'seek gives the new offset in each mode': (o) => o.join(',') === '6,8,11' });
  check(SeekMode, { 'SeekMode is Start 0, Current 1, End 2': (m) => m.Start === 0 && m.Current === 1 && m.End === 2 });
  if (__ITER === 0) {
    console.log('negative start: ' + (await failure(file.seek(-1, SeekMode.Start))));
    console.log('beyond end: ' + (await failure(file.seek(100, SeekMode.Start))));
    console.log('not a Uint8Array: ' + (await failure(file.read([1, 2]))));
    console.log('open in a VU: ' + (await failure(open('data/bonjour.txt'))));
  }
}
${SUMMARY_TO_FILE}`;

const MISSING = `import { open } from 'k6/experimental/fs';
let error = 'none';
(async function () {
  try {
    await open('data/nope.txt');
  } catch (e) {
    error = e.name;
  }
  try {
    await open('data');
  } catch (e) {
    error += ' ' + e.name;
  }
})();
export default function () {
  console.log('open errors: ' + error);
}
`;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k6-fs-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'bonjour.txt'), 'Bonjour, monde');
  writeFileSync(join(dir, 'fs.js'), SCRIPT);
  writeFileSync(join(dir, 'missing.js'), MISSING);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('k6/experimental/fs', () => {
  it('opens in the init context and reads, seeks and stats per VU as k6 documents', async () => {
    const r = await runBoth('fs.js', [], dir);
    for (const [who, o] of [
      ['engine', r.engine],
      ['k6', r.k6],
    ] as const) {
      if (!o) continue;
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      const checks = o.metrics.checks!.values;
      assert.equal(checks.passes, 4 * 6, `${who}: ${o.stderr}`);
      assert.equal(checks.fails, 0, `${who}: ${o.stderr}`);
      const logs = logMessages(o.stderr);
      assert.ok(
        logs.includes('negative start: TypeError: offset cannot be negative when using SeekModeStart'),
        `${who}: ${logs.join(' | ')}`,
      );
      assert.ok(logs.includes('beyond end: TypeError: seeking beyond end of file'), who);
      assert.ok(
        logs.includes('not a Uint8Array: TypeError: read() failed; reason: into argument must be a Uint8Array'),
        who,
      );
      assert.ok(
        logs.includes(
          'open in a VU: ForbiddenError: open() failed; reason: opening a file is allowed only in the Init context',
        ),
        `${who}: ${logs.join(' | ')}`,
      );
    }
  });

  it('rejects open() of a missing file with NotFoundError and of a directory with InvalidResourceError', async () => {
    const r = await runBoth('missing.js', ['--iterations', '1'], dir);
    for (const [who, o] of [
      ['engine', r.engine],
      ['k6', r.k6],
    ] as const) {
      if (!o) continue;
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.ok(
        logMessages(o.stderr).includes('open errors: NotFoundError InvalidResourceError'),
        `${who}: ${o.stderr}`,
      );
    }
  });
});
