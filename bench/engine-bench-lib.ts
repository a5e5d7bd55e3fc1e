/**
 * Shared by the engine benchmarks: a node:http server in its own process (so it does not share
 * the engine's CPU time), scripts written to a temp dir, and runTest with captured output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runTest, type RunTestOptions } from '../engine/index.ts';

const SERVER_CODE = `
const http = require('node:http');
const body = Buffer.from('hello world');
const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length }); res.end(body); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface BenchServer {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

export async function startServerProcess(): Promise<BenchServer> {
  const child = spawn(process.execPath, ['-e', SERVER_CODE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export class Scripts {
  readonly dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  write(name: string, code: string): string {
    const file = join(this.dir, name);
    writeFileSync(file, code);
    return file;
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += c.toString();
    cb();
  }
}

export async function runQuiet(o: RunTestOptions) {
  const stdout = new Sink();
  const stderr = new Sink();
  const res = await runTest({ quiet: true, noSummary: true, ...o, stdout, stderr });
  const metrics = (res.summary?.metrics ?? {}) as Record<string, { values: Record<string, number> }>;
  return { ...res, stderr: stderr.text, values: (m: string) => metrics[m]?.values ?? {} };
}

/** Stops child processes on SIGINT/SIGTERM too. */
export function onExit(fn: () => Promise<void> | void): void {
  const handler = () => {
    void Promise.resolve(fn()).finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
