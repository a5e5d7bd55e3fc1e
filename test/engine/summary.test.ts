/** Conformance: checks, groups, tags, setup data, teardown, custom metrics and handleSummary reach the summary. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { loadSchema } from '../../engine/summary/index.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { run, type Ran } from './helpers/run.ts';

interface Group {
  name: string;
  path: string;
  groups: Group[];
  checks: Array<{ name: string; passes: number; fails: number }>;
}

let server: TestServer;
let dir: string;
let r: Ran;

before(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'engine-summary-'));
  r = await run('summary.js', { baseUrl: server.url, env: { OUT_DIR: dir }, summaryExport: join(dir, 'export.json') });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('summary', () => {
  it('writes the files handleSummary returns and its stdout', () => {
    assert.equal(readFileSync(join(dir, 'report.txt'), 'utf8'), 'checks: 6');
    assert.equal(r.stdout, 'handled\n');
  });

  it('nests groups and their checks in root_group', () => {
    const root = (r.summary as { root_group: Group }).root_group;
    const outer = root.groups.find((g) => g.name === 'outer')!;
    const inner = outer.groups.find((g) => g.name === 'inner')!;
    assert.equal(inner.path, '::outer::inner');
    assert.deepEqual(
      inner.checks.map((c) => [c.name, c.passes, c.fails]),
      [['status is 200', 6, 0]],
    );
  });

  it('keeps tagged submetrics with their thresholds', () => {
    const metrics = (r.summary as { metrics: Record<string, { thresholds?: Record<string, { ok: boolean }> }> })
      .metrics;
    assert.deepEqual(metrics['http_req_duration{name:named}']!.thresholds, { 'p(99)<10000': { ok: true } });
    assert.deepEqual(metrics['checks{check:status is 200}']!.thresholds, { 'rate==1': { ok: true } });
  });

  it('copies the setup data to every iteration and to teardown', () => {
    assert.equal(r.values('setup_value_seen').count, 6 * 42);
    assert.equal(r.values('teardown_value_seen').count, 42);
    assert.deepEqual((r.summary as { setup_data: unknown }).setup_data, { answer: 42 });
  });

  it('reports a custom time trend', () => {
    assert.equal(r.values('work_time').avg, 12.5);
    assert.equal((r.summary as { metrics: Record<string, { contains: string }> }).metrics.work_time!.contains, 'time');
  });

  it('validates against the summary data schema', () => {
    const validate = new Ajv({ allErrors: true }).compile(loadSchema('data'));
    const saved = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as unknown;
    assert.ok(validate(saved), JSON.stringify(validate.errors));
  });

  it('writes --summary-export in the export shape, valid against its schema', () => {
    const validate = new Ajv({ allErrors: true }).compile(loadSchema('export'));
    const exported = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as {
      metrics: Record<string, Record<string, number>>;
    };
    assert.ok(validate(exported), JSON.stringify(validate.errors));
    assert.equal(exported.metrics.iterations!.count, 6);
  });

  it('prints the text summary when the script has no handleSummary', async () => {
    const plain = await run('hello-async.js', { baseUrl: server.url, flags: { iterations: 2 } });
    assert.match(plain.stdout, /✓ status is 200/);
    assert.match(plain.stdout, /http_reqs/);
  });
});
