/**
 * `npm run setup` / ensureSetup(): installs what the local provider needs, idempotently.
 * Debian packages through apt-get (as root; otherwise the exact command is printed in
 * the error), the Kafka jars through Maven into ~/.cache/k6-llm-perf/. When everything
 * is present it returns after a few file checks.
 */
import { existsSync } from 'node:fs';
import { InfraError } from '../errors.ts';
import { type ProgressMode, runSteps, say, type Step } from '../progress.ts';
import type { ServiceName } from '../services/types.ts';
import { SERVICE_NAMES } from '../services/types.ts';
import { DEBIAN_PACKAGES, KAFKA_VERSION } from '../services/versions.ts';
import { aptInstall } from './apt.ts';
import {
  isRoot,
  javaBinary,
  kafkaJarsPresent,
  kafkaLibDir,
  postgresBinDir,
  redisServerBinary,
  systemUser,
  which,
} from './detect.ts';
import { fetchKafkaJars } from './maven.ts';

export interface Missing {
  /** What is missing, for people ("redis-server"). */
  what: string;
  /** Debian packages that provide it, or 'maven' for the Kafka jars. */
  fix: readonly string[] | 'maven';
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** What the given services (and the report browser, if asked) lack on this machine. */
export function missingFor(services: readonly ServiceName[], browser = false): Missing[] {
  const missing: Missing[] = [];
  if (services.includes('redis') && !redisServerBinary())
    missing.push({ what: 'redis-server', fix: DEBIAN_PACKAGES.redis });
  if (services.includes('postgres') && (!postgresBinDir() || (isRoot() && !systemUser('postgres')))) {
    missing.push({ what: 'PostgreSQL (initdb, postgres)', fix: DEBIAN_PACKAGES.postgres });
  }
  if (services.includes('kafka')) {
    if (!javaBinary()) missing.push({ what: 'java', fix: ['default-jre-headless'] });
    if (!kafkaJarsPresent()) {
      if (!which('mvn')) missing.push({ what: 'mvn (Maven)', fix: ['maven'] });
      missing.push({ what: `Kafka ${KAFKA_VERSION} jars`, fix: 'maven' });
    }
  }
  if (browser && !existsSync(CHROMIUM_PATH))
    missing.push({ what: 'chromium (report browser test)', fix: DEBIAN_PACKAGES.browser });
  return missing;
}

export interface SetupOptions {
  progress?: ProgressMode;
  /** Default: all three. */
  services?: ServiceName[];
  /** Also install chromium (the reports' browser test); `npm run setup` does. */
  browser?: boolean;
}

/** Installs whatever is missing; a fast no-op when nothing is. Throws InfraError when it cannot. */
export async function ensureSetup(opts: SetupOptions = {}): Promise<void> {
  const services = opts.services ?? [...SERVICE_NAMES];
  const progress = opts.progress ?? 'auto';
  const missing = missingFor(services, opts.browser);
  if (missing.length === 0) {
    say(progress, `setup: nothing to do, ${services.join(', ')}${opts.browser ? ' and chromium' : ''} are ready`);
    return;
  }
  say(progress, `setup: missing ${missing.map((m) => m.what).join(', ')}`);
  const packages = [...new Set(missing.flatMap((m) => (m.fix === 'maven' ? [] : [...m.fix])))];
  const steps: Step<void>[] = [];
  if (packages.length) {
    if (!isRoot()) {
      throw new InfraError(
        'INFRA_SETUP_FAILED',
        `setup needs Debian packages ${packages.join(' ')}; run as root:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
      );
    }
    steps.push({ title: `apt-get install ${packages.join(' ')}`, run: (update) => aptInstall(packages, update) });
  }
  if (missing.some((m) => m.fix === 'maven')) {
    steps.push({
      title: `Kafka ${KAFKA_VERSION} jars (Maven) → ${kafkaLibDir()}`,
      run: (update) => fetchKafkaJars(update),
    });
  }
  for (const step of steps) {
    const [outcome] = await runSteps([step], progress);
    if (outcome?.status === 'rejected') throw outcome.reason;
  }
  const still = missingFor(services, opts.browser);
  if (still.length)
    throw new InfraError('INFRA_SETUP_FAILED', `setup ran but ${still.map((m) => m.what).join(', ')} still missing`);
}
