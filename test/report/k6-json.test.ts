import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { k6JsonToTimeseries } from '../../report/index.ts';
import { ReportError } from '../../report/errors.ts';
import type { Timeseries } from '../../report/types.ts';
import { fixtures, tempDir } from './helpers.ts';

const points = join(fixtures, 'k6-points.ndjson');

describe('k6JsonToTimeseries', () => {
  let ts: Timeseries;
  let tmp: ReturnType<typeof tempDir>;
  before(async () => {
    tmp = tempDir();
    ts = await k6JsonToTimeseries(points);
  });
  after(() => tmp.remove());

  it('starts at the first sample second, in UTC, with one-second buckets', () => {
    assert.equal(ts.version, 1);
    assert.equal(ts.bucketSeconds, 1);
    assert.equal(ts.startTime, '2026-11-25T12:00:00.000Z');
    assert.deepEqual(
      ts.buckets.map((b) => b.t),
      [0, 1, 2],
    );
  });

  it('keeps the last vus value of each second', () => {
    assert.deepEqual(
      ts.buckets.map((b) => b.vus),
      [6, 7, 8],
    );
  });

  it('sums requests and iterations and counts failed requests and checks', () => {
    assert.deepEqual(
      ts.buckets.map((b) => [b.http_reqs, b.iterations, b.http_req_failed ?? 0, b.checks_passed, b.checks_failed ?? 0]),
      [
        [10, 10, 0, 10, 0],
        [10, 10, 1, 9, 1],
        [10, 10, 0, 10, 0],
      ],
    );
  });

  it("computes each second's latency stats with k6's percentile interpolation", () => {
    assert.deepEqual(ts.buckets[0]!.trends!.http_req_duration, {
      count: 10,
      avg: 55,
      p50: 55,
      p95: 95.5,
      p99: 99.1,
      max: 100,
    });
    assert.equal(ts.buckets[2]!.trends!.http_req_duration!.max, 300);
  });

  it('includes every Trend metric that had samples', () => {
    assert.deepEqual(
      ts.buckets.map((b) => b.trends!.e2e_duration!.max),
      [800, 801, 802],
    );
  });

  it('splits requests, iterations, failures and latency by the scenario tag', () => {
    const s = ts.buckets[1]!.scenarios!;
    assert.deepEqual(Object.keys(s).sort(), ['chat', 'submit']);
    assert.equal(s.chat!.http_reqs, 7);
    assert.equal(s.chat!.iterations, 7);
    assert.equal(s.submit!.http_req_failed, 1);
    assert.deepEqual(s.submit!.http_req_duration, { count: 3, avg: 180, p50: 180, p95: 198, p99: 199.6, max: 200 });
  });

  it('reads a gzipped file the same way', async () => {
    const gz = join(tmp.dir, 'points.json.gz');
    writeFileSync(gz, gzipSync(readFileSync(points)));
    assert.deepEqual((await k6JsonToTimeseries(gz)).buckets, ts.buckets);
  });

  it('rejects a line that is not JSON, naming the file and the line number', async () => {
    const bad = join(tmp.dir, 'bad.ndjson');
    writeFileSync(bad, `${readFileSync(points, 'utf8').split('\n')[0]}\n{"type":"Point",\n`);
    await assert.rejects(
      k6JsonToTimeseries(bad),
      (e: unknown) => e instanceof ReportError && e.exitCode === 104 && e.message.includes('bad.ndjson:2:'),
    );
  });

  it('rejects a Point without a numeric value, naming the field', async () => {
    const bad = join(tmp.dir, 'bad-value.ndjson');
    writeFileSync(
      bad,
      '{"type":"Point","metric":"vus","data":{"time":"2026-11-25T12:00:00Z","value":"x","tags":null}}\n',
    );
    await assert.rejects(k6JsonToTimeseries(bad), /bad-value\.ndjson:1: field "data\.value" must be a number/);
  });

  it('rejects a missing file, naming it', async () => {
    await assert.rejects(
      k6JsonToTimeseries(join(tmp.dir, 'absent.json')),
      (e: unknown) => e instanceof ReportError && e.code === 'REPORT_FILE_MISSING' && e.message.includes('absent.json'),
    );
  });

  it('counts Trend samples arriving after their second was closed instead of mixing them in', async () => {
    const late = join(tmp.dir, 'late.ndjson');
    const p = (sec: number, v: number) =>
      JSON.stringify({
        type: 'Point',
        metric: 'http_req_duration',
        data: { time: new Date(Date.UTC(2026, 10, 25, 12, 0, sec)).toISOString(), value: v, tags: null },
      });
    writeFileSync(late, [p(0, 1), p(30, 2), p(0, 99)].join('\n'));
    const out = await k6JsonToTimeseries(late);
    assert.equal(out.lateSamples, 1);
    assert.equal(out.buckets[0]!.trends!.http_req_duration!.max, 1);
  });

  it('still adds up counter samples arriving after their second was closed', async () => {
    const late = join(tmp.dir, 'late-counter.ndjson');
    const p = (metric: string, sec: number, v: number) =>
      JSON.stringify({
        type: 'Point',
        metric,
        data: {
          time: new Date(Date.UTC(2026, 10, 25, 12, 0, sec)).toISOString(),
          value: v,
          tags: { scenario: 'chat' },
        },
      });
    writeFileSync(
      late,
      [p('http_reqs', 0, 1), p('http_req_duration', 0, 5), p('http_req_duration', 30, 2), p('http_reqs', 0, 1)].join(
        '\n',
      ),
    );
    const out = await k6JsonToTimeseries(late);
    assert.equal(out.buckets[0]!.http_reqs, 2);
    assert.equal(out.buckets[0]!.scenarios!.chat!.http_reqs, 2);
    assert.equal(out.buckets[0]!.scenarios!.chat!.http_req_duration!.max, 5);
  });
});
