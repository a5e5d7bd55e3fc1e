/** `k6-llm-perf mock-llm` as a process: the first line, serving, graceful stop, bad config. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { anthropicRequest, post } from './helpers.ts';

const CLI = resolve(import.meta.dirname, '../../cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'mock-llm-cli-'));

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, 'mock-llm', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      rl.close();
      res(line);
    });
    child.once('exit', (code) => rej(new Error(`exited ${code} before printing`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    if (child.exitCode !== null) return res(child.exitCode);
    child.once('exit', (code) => res(code));
  });
}

describe('mock-llm CLI', () => {
  let child: ChildProcess;
  let url: string;

  before(async () => {
    const cfg = join(dir, 'ok.json');
    writeFileSync(cfg, JSON.stringify({ latency: { ttftMs: 0, itlMs: 0 } }));
    child = cli(['--port', '0', '--seed', '7', '--performance-mode', '--config', cfg, '--json']);
    url = (JSON.parse(await firstLine(child)) as { url: string }).url;
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints {"url": ...} as its first line with --json', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves requests with the given seed and performance mode', async () => {
    const res = await post(url, '/v1/messages', anthropicRequest('cli'));
    assert.equal(res.status, 200);
    const stats = (await (await fetch(`${url}/__admin/stats`)).json()) as { seed: number; performanceMode: boolean };
    assert.deepEqual([stats.seed, stats.performanceMode], [7, true]);
  });

  it('closes gracefully with exit code 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    assert.equal(await exitOf(child), 0);
  });

  it('prints "mock-llm listening on URL" without --json and exits 0 on SIGINT', async () => {
    const plain = cli([]);
    const line = await firstLine(plain);
    assert.match(line, /^mock-llm listening on http:\/\/127\.0\.0\.1:\d+$/);
    plain.kill('SIGINT');
    assert.equal(await exitOf(plain), 0);
  });

  it('exits 104 naming the file and JSON path of a bad config', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ latency: { itlMs: { type: 'uniform', min: 3 } } }));
    const failing = cli(['--config', bad]);
    let stderr = '';
    failing.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    assert.equal(await exitOf(failing), 104);
    assert.ok(stderr.includes(bad) && stderr.includes('latency.itlMs.max'), stderr);
  });

  it('exits 104 on a port that is not a number', async () => {
    assert.equal(await exitOf(cli(['--port', 'eighty'])), 104);
  });

  it('exits 104 naming --timers and its choices on an unknown timer kind', async () => {
    const failing = cli(['--timers', 'fast']);
    let stderr = '';
    failing.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    assert.equal(await exitOf(failing), 104);
    assert.ok(stderr.includes('--timers: expected auto, precise or node, got "fast"'), stderr);
  });

  it('with --timers precise writes no token of a lone stream before its due time', async () => {
    const cfg = join(dir, 'timed.json');
    writeFileSync(cfg, JSON.stringify({ latency: { ttftMs: 30, itlMs: 5 }, output: { tokens: 12 } }));
    const timed = cli(['--timers', 'precise', '--performance-mode', '--config', cfg, '--json']);
    try {
      const base = (JSON.parse(await firstLine(timed)) as { url: string }).url;
      for (let i = 0; i < 3; i++) {
        const res = await post(base, '/v1/messages', anthropicRequest(`t${i}`, { stream: true }));
        assert.equal(res.status, 200);
        await res.text();
      }
      type Late = { tokens: number; mean: number };
      const { scheduleLatenessMs: late } = (await (await fetch(`${base}/__admin/stats`)).json()) as {
        scheduleLatenessMs: { firstToken: Late; laterTokens: Late };
      };
      assert.deepEqual([late.firstToken.tokens, late.laterTokens.tokens], [3, 33]);
      // setTimeout fires up to ~1 ms early (node's scheduler then serves it 0.5 ms ahead); this clock never does.
      assert.ok(late.firstToken.mean >= 0 && late.laterTokens.mean >= 0, JSON.stringify(late));
    } finally {
      timed.kill('SIGTERM');
      assert.equal(await exitOf(timed), 0);
    }
  });
});
