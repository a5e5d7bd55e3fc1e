import { join } from 'node:path';
import pg from 'pg';
import { InfraError } from '../../errors.ts';
import { ensureDir, logTail, makeTempDir, removeTempDir } from '../../lifecycle/files.ts';
import { freePort } from '../../lifecycle/ports.ts';
import { ManagedProcess } from '../../lifecycle/process.ts';
import { describeWait, waitUntil } from '../../lifecycle/wait.ts';
import { isRoot, postgresBinDir, systemUser } from '../../setup/detect.ts';
import { StartedLocalService } from '../started-local.ts';
import type { StartContext } from '../types.ts';
import { POSTGRES_CREDENTIALS } from '../versions.ts';
import { preparePgData } from './template.ts';
import { withSslModeDisable } from './url.ts';

/**
 * A throwaway PostgreSQL cluster: a copy of the initdb'd template in a temp dir, then `postgres` on
 * 127.0.0.1 at an ephemeral port, its unix socket in the temp dir, fsync off.
 * Run as the `postgres` user when we are root (the server refuses root).
 */
export class LocalPostgres {
  private binDir: string | undefined;
  private port: number | undefined;
  private timeoutMs = 60_000;
  private settings: Record<string, string> = {};

  withBinDir(dir: string): this {
    this.binDir = dir;
    return this;
  }
  withPort(port: number): this {
    this.port = port;
    return this;
  }
  /** Server settings (`-c name=value`), after the kit's own so that they win. */
  withSettings(settings: Record<string, string>): this {
    this.settings = settings;
    return this;
  }
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }

  async start(ctx: StartContext = {}): Promise<StartedLocalService> {
    const binDir = this.binDir ?? postgresBinDir();
    if (!binDir)
      throw new InfraError(
        'INFRA_MISSING',
        'postgres: PostgreSQL binaries (initdb, postgres) not found; run `npm run setup` or set PG_BIN_DIR',
        { service: 'postgres' },
      );
    const user = isRoot() ? systemUser('postgres') : undefined;
    if (isRoot() && !user)
      throw new InfraError(
        'INFRA_MISSING',
        'postgres: running as root needs the `postgres` system user (Debian package postgresql); run `npm run setup`',
        { service: 'postgres' },
      );
    const dir = makeTempDir('postgres', user);
    const logFile = join(ctx.logDir ? ensureDir(ctx.logDir) : dir, 'postgres.log');
    const fail = (message: string): InfraError =>
      new InfraError('INFRA_START_FAILED', `postgres ${message}`, {
        service: 'postgres',
        logFile,
        logTail: logTail(logFile),
      });
    const { user: dbUser, password, database } = POSTGRES_CREDENTIALS;
    const dataDir = join(dir, 'data');
    ctx.onStep?.('data dir');
    try {
      await preparePgData(binDir, user, dataDir, logFile);
    } catch (err) {
      removeTempDir(dir);
      throw err;
    }
    const port = this.port ?? (await freePort());
    ctx.onStep?.('start server');
    const args = ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dir];
    for (const setting of [
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'max_connections=200',
      'shared_buffers=128MB',
      ...Object.entries(this.settings).map(([k, v]) => `${k}=${v}`),
    ])
      args.push('-c', setting);
    const proc = ManagedProcess.start({
      name: 'postgres',
      command: join(binDir, 'postgres'),
      args,
      logFile,
      cwd: dir,
      user,
      env: { ...process.env, LC_ALL: 'C' },
    });
    const url = withSslModeDisable(`postgres://${dbUser}:${password}@127.0.0.1:${port}/${database}`);
    const started = new StartedLocalService({
      name: 'postgres',
      port,
      proc,
      tempDir: dir,
      logFile,
      stopSignal: 'SIGINT',
      endpoints: { postgres: { url } },
    });
    const result = await waitUntil(() => query(url, 'SELECT 1'), {
      timeoutMs: this.timeoutMs,
      signal: ctx.signal,
      process: proc,
      intervalMs: 150,
    });
    if (!result.ok) {
      const error = fail(`(port ${port}) ${describeWait(result, this.timeoutMs)}`);
      await started.stop();
      throw error;
    }
    return started;
  }
}

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
