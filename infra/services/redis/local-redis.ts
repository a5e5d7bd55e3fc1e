import { connect } from 'node:net';
import { join } from 'node:path';
import { InfraError } from '../../errors.ts';
import { ensureDir, logTail, makeTempDir } from '../../lifecycle/files.ts';
import { freePort } from '../../lifecycle/ports.ts';
import { ManagedProcess } from '../../lifecycle/process.ts';
import { describeWait, waitUntil } from '../../lifecycle/wait.ts';
import type { StartContext } from '../types.ts';
import { StartedLocalService } from '../started-local.ts';

/**
 * A throwaway `redis-server`: no persistence, 127.0.0.1 on an ephemeral port, its
 * working dir a temp dir. Config setters only assign; `start()` does the I/O.
 */
export class LocalRedis {
  private binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  private port: number | undefined;
  private timeoutMs = 30_000;

  withBinary(path: string): this {
    this.binary = path;
    return this;
  }
  withPort(port: number): this {
    this.port = port;
    return this;
  }
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }

  async start(ctx: StartContext = {}): Promise<StartedLocalService> {
    const dir = makeTempDir('redis');
    const logFile = join(ctx.logDir ? ensureDir(ctx.logDir) : dir, 'redis.log');
    const port = this.port ?? (await freePort());
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--dir', dir, '--daemonize', 'no', '--protected-mode', 'no', '--logfile', '');
    const proc = ManagedProcess.start({ name: 'redis', command: this.binary, args, logFile, cwd: dir });
    const started = new StartedLocalService({
      name: 'redis',
      port,
      proc,
      tempDir: dir,
      logFile,
      stopSignal: 'SIGTERM',
      endpoints: { redis: { url: `redis://127.0.0.1:${port}` } },
    });
    const result = await waitUntil(() => ping(port), { timeoutMs: this.timeoutMs, signal: ctx.signal, process: proc });
    if (!result.ok) {
      const error = new InfraError(
        'INFRA_START_FAILED',
        `redis (${this.binary}, port ${port}) ${describeWait(result, this.timeoutMs)}`,
        {
          service: 'redis',
          logFile,
          logTail: logTail(logFile),
        },
      );
      await started.stop();
      throw error;
    }
    return started;
  }
}

/** Raw RESP `PING` → `+PONG` over TCP (no client library needed for a health check). */
export function ping(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error('PING timed out')));
    socket.once('error', fail);
    socket.once('close', () =>
      reject(new Error(`connection closed before PONG (got ${JSON.stringify(reply.trim())})`)),
    );
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      if (reply.startsWith('+PONG')) resolve();
      else reject(new Error(`PING answered ${JSON.stringify(reply.trim())}`));
    });
  });
}
