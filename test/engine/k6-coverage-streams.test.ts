/**
 * k6/experimental/streams (issue 17), from k6's docs (javascript-api/k6-experimental/streams:
 * ReadableStream, its default reader, CountQueuingStrategy, WritableStream): a push stream fed by
 * k6/timers, a pull stream with a queuing strategy, a writable stream, and what k6 refuses. It runs
 * under the engine's CLI and, with K6_BIN set, under a real k6 (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logMessages, runBoth, SUMMARY_TO_FILE } from './helpers/k6-parity.ts';

const SCRIPT = `import { check } from 'k6';
import { ReadableStream, WritableStream, CountQueuingStrategy } from 'k6/experimental/streams';
import { setTimeout } from 'k6/timers';

export const options = { vus: 1, iterations: 2 };

function numbersStream() {
  let current = 0;
  return new ReadableStream({
    start(controller) {
      const fn = () => {
        if (current < 5) {
          controller.enqueue(++current);
          setTimeout(fn, 10);
          return;
        }
        controller.close();
      };
      setTimeout(fn, 10);
    },
  });
}

export default async function () {
  const reader = numbersStream().getReader();
  const got = [];
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    got.push(value);
  }
  let pulls = 0;
  const pulled = new ReadableStream(
    {
      pull(controller) {
        pulls++;
        if (pulls > 3) controller.close();
        else controller.enqueue('chunk ' + pulls);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 2 }),
  );
  const written = [];
  const writer = new WritableStream({
    write(chunk) {
      written.push(chunk);
    },
  }).getWriter();
  const pulledReader = pulled.getReader();
  for (let c = await pulledReader.read(); !c.done; c = await pulledReader.read()) await writer.write(c.value);
  await writer.close();
  let teeError = 'none';
  try {
    numbersStream().tee();
  } catch (e) {
    teeError = 'throws';
  }
  check(got, { 'the push stream gives 1 to 5 in order': (g) => g.join(',') === '1,2,3,4,5' });
  check(written, { 'the pull stream is written to a writable stream': (w) => w.join('|') === 'chunk 1|chunk 2|chunk 3' });
  console.log('tee: ' + teeError + ', pipeTo: ' + typeof pulled.pipeTo + ', reader released: ' + (reader.releaseLock() === undefined));
}
${SUMMARY_TO_FILE}`;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k6-streams-'));
  writeFileSync(join(dir, 'streams.js'), SCRIPT);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('k6/experimental/streams', () => {
  it('reads a push stream fed by timers, writes a pull stream to a writable one, and has no tee() or pipeTo() (as k6)', async () => {
    const r = await runBoth('streams.js', [], dir);
    for (const [who, o] of r.k6
      ? ([
          ['engine', r.engine],
          ['k6', r.k6],
        ] as const)
      : ([['engine', r.engine]] as const)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks?.values.passes, 4, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks?.values.fails, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(
        logMessages(o.stderr).filter((l) => l.startsWith('tee: ')),
        Array(2).fill('tee: throws, pipeTo: undefined, reader released: true'),
        `${who}: ${o.stderr}`,
      );
    }
  });
});
