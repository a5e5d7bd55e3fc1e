/** requests.jsonl from the engine log's request records, in either engine's log format, and the echo without them. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exportRequests, withoutRecords } from '../../run/requests-export.ts';
import { recordLine, requestRecord } from '../../scripts/lib/llm-window.ts';
import { newState } from '../../scripts/lib/llm-stream.ts';

const dir = mkdtempSync(join(tmpdir(), 'requests-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const record = (vu: number, error: string | null) =>
  requestRecord(
    { scenario: 'openai', step: null, vu, iteration: 0, measured: true, status: 200, good: false },
    newState(5),
    null,
    3,
    error,
  );

describe('requests.jsonl', () => {
  it("copies every record of the Node engine's and k6's log lines, one JSON line each", async () => {
    const log = join(dir, 'engine.log');
    const a = recordLine(record(1, 'said "no"'));
    const b = recordLine(record(2, null));
    writeFileSync(
      log,
      [
        '$ engine run ...',
        `INFO[0001] ${a} source=console`,
        'WARN[0002] something else',
        `time="2026-01-01T00:00:00Z" level=info msg="${b}" source=console`,
        'INFO[0003] k6lp_request=%7Bbroken',
      ].join('\n') + '\n',
    );
    const out = join(dir, 'requests.jsonl');
    assert.deepEqual(await exportRequests(log, out), { written: 2, bad: 1 });
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.vu, l.error]),
      [
        [1, 'said "no"'],
        [2, null],
      ],
    );
  });

  it('writes nothing for a log without records', async () => {
    const log = join(dir, 'plain.log');
    writeFileSync(log, 'INFO[0001] hello\n');
    assert.equal(await exportRequests(log, join(dir, 'none.jsonl')), null);
    assert.equal(existsSync(join(dir, 'none.jsonl')), false);
  });

  it('echoes the engine output without the records, however the chunks cut the lines', () => {
    let shown = '';
    const echo = withoutRecords((t) => (shown += t));
    const text = `INFO[0001] start\nINFO[0001] ${recordLine(record(1, null))} source=console\nrunning 1s\r`;
    for (let i = 0; i < text.length; i += 7) echo.push(Buffer.from(text.slice(i, i + 7)));
    echo.push(Buffer.from('\ndone'));
    echo.end();
    assert.equal(shown, 'INFO[0001] start\nrunning 1s\r\ndone');
  });
});
