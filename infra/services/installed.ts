/**
 * The versions of the servers the local provider would run, read from the binaries themselves
 * (`redis-server --version`, `postgres --version`) or from the pinned Kafka jars; and the check
 * of a requested version against them. A version matches when it is the installed one or a
 * prefix of it on a dot boundary: "7" and "7.0" match 7.0.15, "7.2" does not.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceOptions } from './options.ts';
import type { ServiceName } from './types.ts';
import { KAFKA_VERSION } from './versions.ts';
import { postgresBinDir, redisServerBinary } from '../setup/detect.ts';

export interface Installed {
  /** Dotted version, e.g. 7.0.15; null when it could not be read. */
  version: string | null;
  /** What it was read from: a binary path, or the Kafka jars. */
  from: string;
}

function firstVersion(binary: string, args: string[], pattern: RegExp): string | null {
  const out = spawnSync(binary, args, { encoding: 'utf8', timeout: 10_000 });
  return pattern.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1] ?? null;
}

/** The installed version of a service the local provider runs; `binaries` override where they are (tests). */
export function installedVersion(
  service: ServiceName,
  binaries: { redis?: string; postgresBinDir?: string } = {},
): Installed {
  switch (service) {
    case 'redis': {
      const binary = binaries.redis ?? redisServerBinary();
      if (!binary) return { version: null, from: 'redis-server (not found)' };
      return { version: firstVersion(binary, ['--version'], /\bv=(\d+(?:\.\d+)*)/), from: binary };
    }
    case 'postgres': {
      const dir = binaries.postgresBinDir ?? postgresBinDir();
      if (!dir) return { version: null, from: 'postgres (not found)' };
      const binary = join(dir, 'postgres');
      return { version: firstVersion(binary, ['--version'], /\(PostgreSQL\)\s+(\d+(?:\.\d+)*)/), from: binary };
    }
    case 'kafka':
      return { version: KAFKA_VERSION, from: `the Apache Kafka ${KAFKA_VERSION} jars of \`npm run setup\`` };
  }
}

export function versionMatches(wanted: string, installed: string): boolean {
  return installed === wanted || installed.startsWith(`${wanted}.`);
}

export interface VersionMismatch {
  service: ServiceName;
  wanted: string;
  installed: Installed;
}

/** The services whose requested version is not the one the local provider would run. */
export function localVersionMismatches(
  services: readonly ServiceName[],
  options: ServiceOptions,
  binaries: { redis?: string; postgresBinDir?: string } = {},
): VersionMismatch[] {
  const out: VersionMismatch[] = [];
  for (const service of services) {
    const wanted = options[service]?.version;
    if (wanted === undefined) continue;
    const installed = installedVersion(service, binaries);
    if (installed.version === null || !versionMatches(wanted, installed.version))
      out.push({ service, wanted, installed });
  }
  return out;
}
