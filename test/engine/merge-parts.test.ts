/**
 * Conformance: a test split over engine processes with --execution-segment, merged with
 * `engine merge`, gives the summary and verdict of the whole test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { KitError, mergeParts } from '../../engine/index.ts';
import { run } from './helpers/run.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let dir: string;
const SEQ = '0,1/3,1';

class Capture extends Writable {
  text = '';
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += c.toString();
    cb();
  }
}

/** Runs the two segments 0:1/3 and 1/3:1 as separate runs, each writing its part file. */
async function runParts(env: Record<string, string> = {}): Promise<{ files: string[]; exitCodes: number[] }> {
  const files: string[] = [];
  const exitCodes: number[] = [];
  for (const seg of ['0:1/3', '1/3:1']) {
    const file = join(dir, `part-${seg.replace(/[:/]/g, '_')}-${files.length}-${Date.now()}.json`);
    const r = await run('segmented.js', {
      baseUrl: server.url,
      env,
      executionSegment: seg,
      executionSegmentSequence: SEQ,
      partExport: file,
      noSummary: true,
    });
    files.push(file);
    exitCodes.push(r.exitCode);
  }
  return { files, exitCodes };
}

function merge(parts: string[], more: { summaryExport?: string } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const exitCode = mergeParts({ parts, stdout, stderr, ...more });
  return { exitCode, stdout: stdout.text, stderr: stderr.text };
}

before(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'engine-merge-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('engine merge', () => {
  let parts: { files: string[]; exitCodes: number[] };

  it('runs each segment with its own verdict on its own share', async () => {
    parts = await runParts();
    // count>=60 cannot hold on a share of the 60 iterations: each part alone breaches it.
    assert.deepEqual(parts.exitCodes, [99, 99]);
  });

  it('merges the parts into the whole test: every iteration, every request, thresholds held', () => {
    const summary = join(dir, 'summary.json');
    const m = merge(parts.files, { summaryExport: summary });
    assert.equal(m.exitCode, 0, m.stderr);
    const metrics = JSON.parse(readFileSync(summary, 'utf8')).metrics as Record<string, Record<string, number>>;
    assert.equal(metrics.iterations!.count, 60);
    assert.equal(metrics.http_reqs!.count, 60);
    assert.match(m.stdout, /http_reqs/);
  });

  it('counts the tagged requests of every part in the submetric', () => {
    // Which iterations a segment owns is striped, so the parts' shares of the tag differ; the sum does not.
    const counts = parts.files.map(
      (f) =>
        (JSON.parse(readFileSync(f, 'utf8')).snapshot.submetrics['http_req_duration{kind:fast}']?.data.count as
          number | undefined) ?? 0,
    );
    assert.equal(counts[0]! + counts[1]!, 40);
  });

  it('exits 99 when the whole test breaches a threshold', async () => {
    const strict = await runParts({ MIN_REQS: '61' });
    const m = merge(strict.files);
    assert.equal(m.exitCode, 99);
    assert.match(m.stderr, /thresholds on metrics 'http_reqs' have been crossed/);
  });

  it('says which share a merge of some of the segments covers', () => {
    const m = merge([parts.files[1]!]);
    assert.match(m.stderr, /cover 66\.7% of the test/);
  });

  it('refuses overlapping segments with exit 104, naming the files', () => {
    assert.throws(
      () => merge([parts.files[0]!, parts.files[0]!]),
      (err: unknown) =>
        err instanceof KitError && err.exitCode === 104 && /segment: 0:0\.333333 overlaps/.test(err.message),
    );
  });

  it('refuses a file that is not a part file with exit 104, naming the file and field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ kind: 'k6-llm-perf/engine-part', version: 1, script: 'x', segment: { from: 0.5, to: 0.2 } }),
    );
    assert.throws(
      () => merge([bad]),
      (err: unknown) =>
        err instanceof KitError &&
        err.exitCode === 104 &&
        err.message.includes(`${bad}: segment: expected`) &&
        err.message.includes(`${bad}: snapshot:`),
    );
  });
});
