import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../errors.ts';
import { cacheDir } from '../setup/detect.ts';
import { ensureDir, logTail } from './files.ts';
import { runToCompletion } from './process.ts';

/**
 * A directory built once and copied for every server start: an initdb'd PostgreSQL
 * cluster, a formatted Kafka storage dir. Each run builds in its own staging dir and
 * renames it into `<cache>/templates/<key>` only when complete (`.complete` written
 * first), so a half-built one is never used. Any number of runs may build at once: the
 * first complete template to land wins and is never removed; the others drop their own
 * staging copy and use it.
 */
export async function ensureTemplate(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const root = ensureDir(join(cacheDir(), 'templates'));
  const dir = join(root, key);
  if (isComplete(dir)) return dir;
  const staging = uniqueSibling(root, key, 'tmp');
  ensureDir(staging);
  try {
    await build(staging);
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    install(root, key, staging);
    return dir;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const isComplete = (dir: string): boolean => existsSync(join(dir, '.complete'));

function uniqueSibling(root: string, key: string, kind: string): string {
  return join(root, `${key}.${kind}-${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`);
}

/**
 * Renames `staging` (complete) to `<root>/<key>` unless a complete template is there
 * already. rename(2) never replaces a non-empty directory, so a complete template is
 * never deleted; an incomplete leftover there (a crash during an older removal) is
 * moved aside in one rename and removed, then the rename is tried again. If what was
 * moved aside turns out complete (another run installed it in between), it goes back.
 */
function install(root: string, key: string, staging: string): void {
  const dir = join(root, key);
  for (let attempt = 0; attempt < 20; attempt++) {
    if (isComplete(dir)) return;
    try {
      renameSync(staging, dir);
      return;
    } catch (err) {
      if (!isOccupied(err)) throw err;
    }
    if (isComplete(dir)) return;
    const aside = uniqueSibling(root, key, 'stale');
    try {
      renameSync(dir, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (isComplete(aside)) {
      try {
        renameSync(aside, dir);
        continue;
      } catch (err) {
        if (!isOccupied(err)) throw err; // another complete one took the place: this copy is surplus
      }
    }
    rmSync(aside, { recursive: true, force: true });
  }
  if (!isComplete(dir)) {
    throw new InfraError(
      'INFRA_START_FAILED',
      `template cache: could not install ${dir} (the name stayed taken by an incomplete directory)`,
    );
  }
}

function isOccupied(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

/** `cp -a template/<sub> target` (keeps owner and modes: PostgreSQL wants its data dir 0700, owned by postgres). */
export async function copyTemplate(
  template: string,
  sub: string,
  target: string,
  logFile: string,
  service: string,
): Promise<void> {
  const result = await runToCompletion(
    { name: service, command: 'cp', args: ['-a', join(template, sub), target], logFile },
    120_000,
  );
  if (result.error || result.code !== 0) {
    throw new InfraError(
      'INFRA_START_FAILED',
      `${service}: could not copy ${join(template, sub)} to ${target}: ${result.error?.message ?? `exit code ${result.code}`}`,
      {
        service,
        logFile,
        logTail: logTail(logFile, 10),
      },
    );
  }
}
