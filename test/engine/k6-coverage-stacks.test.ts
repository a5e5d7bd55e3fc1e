/**
 * Issue 17: a script exception's stack as k6 v2.2.0 prints it, frame by frame: `\tat <function>
 * (file:///<original file>:<line>:<column>)`, anonymous functions as `\tat file:///...`, the
 * functions k6 implements (Array.prototype.forEach here) as `\tat forEach (native)`, a call's
 * column at its `(`. k6 adds goja's bytecode offset, `(N)`, after the column: V8 has none, so the
 * engine prints the frame without it and the comparison drops it. The scripts throw from an
 * imported file inside an iteration, setup() and an awaited async function; with K6_BIN set, a
 * real k6 runs them too and must print the same frames.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logMessages, runBoth, runEngine, type Outcome } from './helpers/k6-parity.ts';

const DIR = fileURLToPath(new URL('./scripts/runtime/stack/', import.meta.url));
const url = (file: string): string => pathToFileURL(DIR + file).href;

/** The frames of the script exception in `o`'s stderr, without k6's `(N)` bytecode offsets. */
function frames(o: Outcome, who: string): string[] {
  // k6 logs the stack inside msg="...", the engine writes it as it is.
  const text = who === 'k6' ? logMessages(o.stderr).join('\n') : o.stderr;
  return [...text.matchAll(/^\tat (.*)$/gm)].map((m) =>
    m[1]!.replace(/ {2}\S+=.*$/, '').replace(/\(\d+\)(\)?)$/, '$1'),
  );
}

function each(r: { engine: Outcome; k6: Outcome | null }, fn: (o: Outcome, who: string) => void): void {
  fn(r.engine, 'engine');
  if (r.k6) fn(r.k6, 'k6');
}

describe("k6 coverage: script exceptions' stack frames in k6's format", () => {
  it('prints an iteration error thrown in an imported file through forEach and a method, frame by frame', async () => {
    const want = [
      `fail (${url('lib.js')}:3:9)`,
      `${url('lib.js')}:8:31`,
      'forEach (native)',
      `run (${url('lib.js')}:8:19)`,
      `default (${url('iteration.js')}:6:19)`,
    ];
    const r = await runBoth('iteration.js', [], DIR);
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.match(o.stderr, /Error: failed: iteration/, who);
      assert.deepEqual(frames(o, who), want, `${who}: ${o.stderr}`);
      assert.match(o.stderr, /executor=shared-iterations/, who);
      assert.match(o.stderr, /scenario=default/, who);
    });
    const sync = await runEngine('iteration.js', ['--mode', 'sync'], DIR);
    assert.deepEqual(frames(sync, 'engine sync'), want, sync.stderr);
  });

  it('names a function by its name in its own file when another file has one of the same name', async () => {
    const r = await runBoth('clash.js', [], DIR);
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(
        frames(o, who),
        [`fail (${url('lib.js')}:3:9)`, `fail (${url('clash.js')}:7:12)`, `default (${url('clash.js')}:11:7)`],
        o.stderr,
      );
    });
  });

  it('prints an error thrown in setup() with its frames and exits 107', async () => {
    const r = await runBoth('setup.js', [], DIR);
    each(r, (o, who) => {
      assert.equal(o.exitCode, 107, `${who}: ${o.stderr}`);
      assert.match(o.stderr, /Error: failed: setup/, who);
      assert.deepEqual(frames(o, who), [`fail (${url('lib.js')}:3:9)`, `setup (${url('setup.js')}:6:7)`], o.stderr);
    });
  });

  it('names an awaited async function by its own name and its call by the ( after await', async () => {
    const r = await runBoth('async.js', [], DIR);
    each(r, (o, who) => {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.match(o.stderr, /Error: failed: async/, who);
      assert.deepEqual(
        frames(o, who),
        [`fail (${url('lib.js')}:3:9)`, `later (${url('async.js')}:7:7)`, `default (${url('async.js')}:11:14)`],
        o.stderr,
      );
    });
  });
});
