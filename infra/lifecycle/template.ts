import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../errors.ts';
import { cacheDir } from '../setup/detect.ts';
import { ensureDir, logTail } from './files.ts';
import { runToCompletion } from './process.ts';

/**
 * A directory built once and copied for every server start: an initdb'd PostgreSQL
 * cluster, a formatted Kafka storage dir. Built in a staging dir and renamed into
 * `<cache>/templates/<key>` only when complete, so a half-built one is never used; two
 * processes building at once both succeed (the loser's copy is dropped).
 */
export async function ensureTemplate(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const root = ensureDir(join(cacheDir(), 'templates'));
  const dir = join(root, key);
  if (existsSync(join(dir, '.complete'))) return dir;
  const staging = join(root, `${key}.tmp-${process.pid}-${Date.now()}`);
  ensureDir(staging);
  try {
    await build(staging);
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(staging, dir);
    } catch (err) {
      if (!existsSync(join(dir, '.complete'))) throw err;
    }
    return dir;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `cp -a template/<sub> target` (keeps owner and modes: PostgreSQL wants its data dir 0700, owned by postgres). */
export async function copyTemplate(template: string, sub: string, target: string, logFile: string, service: string): Promise<void> {
  const result = await runToCompletion({ name: service, command: 'cp', args: ['-a', join(template, sub), target], logFile }, 120_000);
  if (result.error || result.code !== 0) {
    throw new InfraError('INFRA_START_FAILED', `${service}: could not copy ${join(template, sub)} to ${target}: ${result.error?.message ?? `exit code ${result.code}`}`, {
      service, logFile, logTail: logTail(logFile, 10),
    });
  }
}
