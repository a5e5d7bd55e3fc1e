import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../errors.ts';
import { ensureDir, logTail } from '../lifecycle/files.ts';
import { runToCompletion } from '../lifecycle/process.ts';
import { cacheDir } from './detect.ts';

const POLICY = '/usr/sbin/policy-rc.d';
const CREATECLUSTER = '/etc/postgresql-common/createcluster.conf';

/**
 * apt-get update + install, non-interactive, without letting the packages start their
 * own daemons (a temporary policy-rc.d answers 101) and without Debian creating and
 * starting its "main" PostgreSQL cluster (create_main_cluster = false): the kit runs
 * its own throwaway servers and must leave none behind.
 */
export async function aptInstall(packages: string[], update: (detail: string) => void): Promise<void> {
  const logFile = join(ensureDir(cacheDir()), 'setup-apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ownPolicy = !existsSync(POLICY);
  if (ownPolicy)
    writeFileSync(POLICY, '#!/bin/sh\n# written by k6-llm-perf setup for the length of an install\nexit 101\n', {
      mode: 0o755,
    });
  try {
    if (packages.includes('postgresql')) noMainCluster();
    update('apt-get update');
    await run('apt-get', ['update'], logFile, env);
    update(`apt-get install ${packages.join(' ')}`);
    await run(
      'apt-get',
      ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', ...packages],
      logFile,
      env,
    );
    if (packages.includes('postgresql')) await stopDebianClusters(logFile);
  } finally {
    if (ownPolicy) rmSync(POLICY, { force: true });
  }
}

async function run(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await runToCompletion({ name: 'setup', command, args, logFile, env }, 30 * 60_000);
  if (result.error || result.code !== 0) {
    throw new InfraError(
      'INFRA_SETUP_FAILED',
      `setup: \`${command} ${args.join(' ')}\` failed: ${result.error?.message ?? `exit code ${result.code}`}`,
      {
        logFile,
        logTail: logTail(logFile, 15),
      },
    );
  }
}

/** Stops any cluster Debian's install left running (`pg_lsclusters`: "15 main 5432 online ..."). */
async function stopDebianClusters(logFile: string): Promise<void> {
  const list = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  for (const line of (list.stdout ?? '').split('\n')) {
    const [version, name, , status] = line.trim().split(/\s+/);
    if (version && name && status === 'online') {
      await runToCompletion(
        { name: 'setup', command: 'pg_ctlcluster', args: [version, name, 'stop'], logFile },
        60_000,
      );
    }
  }
}

/** Sets create_main_cluster = false before postgresql-common is configured (kept on install by --force-confold). */
function noMainCluster(): void {
  let text = existsSync(CREATECLUSTER) ? readFileSync(CREATECLUSTER, 'utf8') : '';
  if (/^\s*create_main_cluster\s*=\s*false/m.test(text)) return;
  text = text.replace(/^\s*#?\s*create_main_cluster\s*=.*$/m, '');
  mkdirSync('/etc/postgresql-common', { recursive: true });
  writeFileSync(
    CREATECLUSTER,
    `${text.trimEnd()}\n# k6-llm-perf runs its own throwaway clusters\ncreate_main_cluster = false\n`,
  );
}
