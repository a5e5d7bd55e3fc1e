import { spawn } from 'node:child_process';
import { chownSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InfraError } from '../../errors.ts';
import { logTail, makeTempDir, removeTempDir } from '../../lifecycle/files.ts';
import { runToCompletion } from '../../lifecycle/process.ts';
import { copyTemplate, ensureTemplate } from '../../lifecycle/template.ts';
import { POSTGRES_CREDENTIALS } from '../versions.ts';

export type User = { uid: number; gid: number } | undefined;

/**
 * The cluster every local PostgreSQL starts from: `initdb` (user and password from
 * POSTGRES_CREDENTIALS, scram on TCP, trust on the socket) plus the kit's database,
 * created in single-user mode. Built once per PostgreSQL version, then `cp -a`'d into
 * each server's temp dir: a copy is much cheaper than an initdb on a loaded machine.
 */
export async function preparePgData(binDir: string, user: User, dataDir: string, logFile: string): Promise<void> {
  const { user: dbUser, database } = POSTGRES_CREDENTIALS;
  const key = `postgres-${basename(binDir.replace(/\/bin\/?$/, '')) || 'pg'}-${dbUser}-${database}-${user?.uid ?? 'self'}`;
  const template = await ensureTemplate(key, (staging) => buildTemplate(binDir, user, staging, logFile));
  await copyTemplate(template, 'data', dataDir, logFile, 'postgres');
}

async function buildTemplate(binDir: string, user: User, staging: string, logFile: string): Promise<void> {
  const { user: dbUser, password, database } = POSTGRES_CREDENTIALS;
  const work = makeTempDir('postgres-initdb', user);
  try {
    const pwFile = join(work, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwFile, user.uid, user.gid);
    const dataDir = join(work, 'data');
    const env = { ...process.env, LC_ALL: 'C' };
    const args = [
      '-D',
      dataDir,
      '-U',
      dbUser,
      `--pwfile=${pwFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '-N',
    ];
    const init = await runToCompletion(
      { name: 'postgres', command: join(binDir, 'initdb'), args, logFile, cwd: work, user, env },
      180_000,
    );
    if (init.error || init.code !== 0) {
      throw new InfraError(
        'INFRA_START_FAILED',
        `postgres initdb (${join(binDir, 'initdb')}) failed: ${init.error?.message ?? `exit code ${init.code}`}`,
        {
          service: 'postgres',
          logFile,
          logTail: logTail(logFile),
        },
      );
    }
    await singleUser(join(binDir, 'postgres'), dataDir, `CREATE DATABASE ${database};\n`, user, logFile);
    await copyTemplate(work, 'data', join(staging, 'data'), logFile, 'postgres');
  } finally {
    removeTempDir(work);
  }
}

/** Runs SQL through `postgres --single` (no server, no port) with fsync off. */
function singleUser(postgres: string, dataDir: string, sql: string, user: User, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, ['--single', '-D', dataDir, '-c', 'fsync=off', 'postgres'], {
      uid: user?.uid,
      gid: user?.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && !/ERROR/.test(output)) return resolve();
      reject(
        new InfraError('INFRA_START_FAILED', `postgres single-user setup failed (exit code ${code})`, {
          service: 'postgres',
          logFile,
          logTail: output.trim().split('\n').slice(-15).join('\n'),
        }),
      );
    });
    child.stdin.end(sql);
  });
}
