/** The `engine run` command: k6 flags, exit codes, --summary-export, execution segments. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from './helpers/server.ts';
import { SCRIPTS } from './helpers/run.ts';

const BIN = fileURLToPath(new URL('../../bin/k6-llm-perf.js', import.meta.url));
let server: TestServer;
let dir: string;

/** Runs `engine run`; `signalOn` sends SIGINT once stderr matches it. */
function cli(args: string[], signalOn?: RegExp): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'engine', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (signalOn && !signalled && signalOn.test(stderr)) {
        signalled = true;
        setTimeout(() => child.kill('SIGINT'), 1500);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

before(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'engine-cli-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('engine run', () => {
  it('runs with -u, -i and -e and writes --summary-export', async () => {
    const out = join(dir, 'summary.json');
    const r = await cli([
      SCRIPTS + 'hello-async.js',
      '-u',
      '2',
      '-i',
      '4',
      '-e',
      `BASE_URL=${server.url}`,
      '--summary-export',
      out,
      '-q',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    assert.equal(exported.metrics.iterations!.count, 4);
    assert.match(r.stdout, /checks/);
  });

  it('exits 99 when a threshold from -c is breached', async () => {
    const cfg = join(dir, 'k6.json');
    writeFileSync(cfg, JSON.stringify({ thresholds: { http_reqs: ['count<1'] } }));
    const r = await cli([
      SCRIPTS + 'hello-async.js',
      '-i',
      '1',
      '-e',
      `BASE_URL=${server.url}`,
      '-c',
      cfg,
      '-q',
      '--no-summary',
    ]);
    assert.equal(r.code, 99);
  });

  it('exits 104 on a bad flag value, naming the flag', async () => {
    const r = await cli([SCRIPTS + 'hello-async.js', '--vus', 'many', '-q']);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /--vus: expected an integer/);
  });

  it('exits 107 when the script does not exist', async () => {
    const r = await cli([join(dir, 'nope.js'), '-q']);
    assert.equal(r.code, 107);
    assert.match(r.stderr, /nope\.js/);
  });

  it('stops on SIGINT with exit 105 and still writes the summary', async () => {
    const out = join(dir, 'interrupted.json');
    const r = await cli(
      [SCRIPTS + 'constant-vus.js', '-d', '60s', '--summary-export', out, '--no-summary'],
      /execution: local/,
    );
    assert.equal(r.code, 105, r.stderr);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    assert.ok(exported.metrics.iterations!.count! > 0);
  });

  it('runs only its execution segment of the iterations', async () => {
    const out = join(dir, 'half.json');
    const r = await cli([
      SCRIPTS + 'hello-async.js',
      '-u',
      '2',
      '-i',
      '10',
      '--execution-segment',
      '1/2:1',
      '--execution-segment-sequence',
      '0,1/2,1',
      '-e',
      `BASE_URL=${server.url}`,
      '--summary-export',
      out,
      '-q',
      '--no-summary',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    assert.equal(exported.metrics.iterations!.count, 5);
  });
});
