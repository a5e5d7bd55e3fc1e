/**
 * Servers of a benchmark, each in its own process so that the client and the server
 * under test do not share an event loop. Each server prints one JSON line
 * `{"url": ...}` once it listens (other lines before it are skipped); `stopAll` ends them and removes the scratch dir,
 * also on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class ServerProcesses {
  readonly children: ChildProcess[] = [];
  readonly tmp: string;

  constructor(
    private readonly cwd: string,
    tmpPrefix: string,
  ) {
    this.tmp = mkdtempSync(join(tmpdir(), tmpPrefix));
    process.on('SIGINT', () => {
      this.stopAll();
      process.exit(130);
    });
  }

  /** Starts `node <args>` and resolves with the URL of its first stdout line. */
  start(args: string[], env: Record<string, string> = {}): Promise<string> {
    const child = spawn(process.execPath, args, {
      cwd: this.cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    this.children.push(child);
    return new Promise((res, rej) => {
      const lines = createInterface({ input: child.stdout! });
      // The first line starting with `{"url"`; lines before it (node's --trace-gc, say) are skipped.
      const onLine = (line: string): void => {
        if (!line.startsWith('{"url"')) return;
        lines.off('line', onLine);
        res((JSON.parse(line) as { url: string }).url);
      };
      lines.on('line', onLine);
      child.once('exit', (code) => rej(new Error(`server exited with ${code}`)));
    });
  }

  stopAll(): void {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGTERM');
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
