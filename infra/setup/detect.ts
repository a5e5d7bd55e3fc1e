/**
 * What the local provider needs, and where it is on this machine. Used by the local
 * services (to find binaries), by `setup` (to install what is missing) and by `doctor`.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KAFKA_VERSION } from '../services/versions.ts';

/** The first executable called `name` on PATH, or undefined. Absolute paths are checked as they are. */
export function which(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

export function redisServerBinary(): string | undefined {
  return which(process.env.REDIS_SERVER_BIN ?? 'redis-server');
}

/** PostgreSQL's bin dir: PG_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin with initdb. */
export function postgresBinDir(): string | undefined {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) if (which(join(root, major, 'bin', 'initdb'))) return join(root, major, 'bin');
  }
  const initdb = which('initdb');
  return initdb ? initdb.slice(0, -'/initdb'.length) : undefined;
}

export function javaBinary(): string | undefined {
  if (process.env.JAVA_HOME && which(join(process.env.JAVA_HOME, 'bin', 'java')))
    return join(process.env.JAVA_HOME, 'bin', 'java');
  return which('java');
}

/** ~/.cache/k6-llm-perf (K6_LLM_PERF_CACHE overrides it). */
export function cacheDir(): string {
  return process.env.K6_LLM_PERF_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k6-llm-perf');
}

/** Where the Kafka broker's jars live; complete once `.complete` is written by setup. */
export function kafkaLibDir(): string {
  return join(cacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
}

export function kafkaJarsPresent(): boolean {
  return existsSync(join(kafkaLibDir(), '.complete'));
}

/** uid/gid of a system user from /etc/passwd (PostgreSQL's server must not run as root). */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // no /etc/passwd
  }
  return undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
