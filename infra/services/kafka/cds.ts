import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir } from '../../lifecycle/files.ts';
import { cacheDir } from '../../setup/detect.ts';
import { KAFKA_VERSION } from '../versions.ts';

/**
 * Application class-data sharing for the broker JVM: the first broker run with
 * `-XX:ArchiveClassesAtExit` writes the classes it loaded into an archive at exit; later
 * runs map it with `-XX:SharedArchiveFile` and start about twice as fast (measured by
 * bench/infra-up.ts). An archive fits one JVM build, hence the key on java's real path.
 * A missing or stale archive only costs speed: the JVM then runs without it.
 */
export function classArchive(java: string, tempDir: string): { flags: string[]; keep: () => void } {
  let real = java;
  try {
    real = realpathSync(java);
  } catch {
    // keep the given path
  }
  const key = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const archive = join(cacheDir(), `kafka-${KAFKA_VERSION}`, `broker-${key}.jsa`);
  if (existsSync(archive)) return { flags: [`-XX:SharedArchiveFile=${archive}`], keep: () => undefined };
  const fresh = join(tempDir, 'broker.jsa');
  return {
    flags: [`-XX:ArchiveClassesAtExit=${fresh}`],
    keep: () => {
      if (!existsSync(fresh) || existsSync(archive)) return;
      ensureDir(join(cacheDir(), `kafka-${KAFKA_VERSION}`));
      const staging = `${archive}.tmp-${process.pid}`;
      copyFileSync(fresh, staging);
      renameSync(staging, archive);
      rmSync(fresh, { force: true });
    },
  };
}
