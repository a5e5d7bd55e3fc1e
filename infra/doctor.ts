/**
 * `k6-llm-perf doctor`: what this machine offers the kit, and what `--infra auto` and
 * `--engine auto` will therefore pick. It also cleans what dead runs left (leftovers.ts), as
 * every run does at its start, and lists what it cleaned.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chooseProvider, probeContainerRuntime } from './providers/select.ts';
import { CHROMIUM_PATH } from './setup/index.ts';
import { javaBinary, kafkaJarsPresent, kafkaLibDir, postgresBinDir, redisServerBinary, which } from './setup/detect.ts';
import { KAFKA_VERSION } from './services/versions.ts';
import { cleanLeftovers } from './lifecycle/leftovers.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  infraAuto: { provider: string; reason: string };
  engineAuto: { engine: 'k6' | 'node'; reason: string };
  /** What dead runs had left and doctor stopped or removed, one line per item. */
  cleaned: string[];
}

export async function doctor(env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const [runtime, leftovers] = await Promise.all([probeContainerRuntime(), cleanLeftovers()]);
  const k6 = findK6(env);
  const redis = redisServerBinary();
  const pgBin = postgresBinDir();
  const java = javaBinary();
  const mvn = which('mvn');
  const checks: DoctorCheck[] = [
    { name: 'container runtime', ok: runtime.available, detail: runtime.detail },
    { name: 'k6 binary', ok: !!k6, detail: k6 ? `${k6.path} (${k6.from})` : 'none on PATH, K6_BIN not set' },
    {
      name: 'redis-server',
      ok: !!redis,
      detail: redis ? `${redis} (${version(redis, ['--version'])})` : 'missing: npm run setup',
    },
    {
      name: 'PostgreSQL',
      ok: !!pgBin,
      detail: pgBin ? `${pgBin} (${version(join(pgBin, 'postgres'), ['--version'])})` : 'missing: npm run setup',
    },
    { name: 'java', ok: !!java, detail: java ? `${java} (${version(java, ['-version'])})` : 'missing: npm run setup' },
    { name: 'mvn', ok: !!mvn, detail: mvn ?? 'missing (needed once, to fetch the Kafka jars)' },
    {
      name: `Kafka ${KAFKA_VERSION} jars`,
      ok: kafkaJarsPresent(),
      detail: kafkaJarsPresent() ? kafkaLibDir() : `not in ${kafkaLibDir()}: npm run setup`,
    },
    {
      name: 'chromium',
      ok: existsSync(CHROMIUM_PATH),
      detail: existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : 'missing (reports browser test): npm run setup',
    },
    {
      name: 'leftovers of dead runs',
      ok: true,
      detail: leftovers.lines.length ? `cleaned now (${leftovers.lines.length} item(s), listed below)` : 'none',
    },
  ];
  const choice = await chooseProvider('auto', async () => runtime);
  const engineAuto = k6
    ? { engine: 'k6' as const, reason: `k6 binary found (${k6.from}: ${k6.path})` }
    : { engine: 'node' as const, reason: "no k6 binary on PATH or K6_BIN, the kit's Node engine runs the scripts" };
  return {
    checks,
    infraAuto: { provider: choice.provider, reason: choice.reason },
    engineAuto,
    cleaned: leftovers.lines,
  };
}

export function formatDoctor(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(width)}  ${c.detail}`);
  lines.push('', `--infra auto  → ${report.infraAuto.provider}: ${report.infraAuto.reason}`);
  lines.push(`--engine auto → ${report.engineAuto.engine}: ${report.engineAuto.reason}`);
  if (report.cleaned.length) lines.push('', ...report.cleaned);
  const localReady = report.checks
    .filter((c) => ['redis-server', 'PostgreSQL', 'java'].includes(c.name) || c.name.startsWith('Kafka'))
    .every((c) => c.ok);
  if (report.infraAuto.provider === 'local' && !localReady)
    lines.push('the local provider lacks something: run `npm run setup`');
  return lines.join('\n');
}

/** K6_BIN when set (and executable), else `k6` on PATH. */
function findK6(env: NodeJS.ProcessEnv): { path: string; from: string } | undefined {
  if (env.K6_BIN) {
    const path = which(env.K6_BIN);
    return path ? { path, from: 'K6_BIN' } : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const path = dir ? which(join(dir, 'k6')) : undefined;
    if (path) return { path, from: 'PATH' };
  }
  return undefined;
}

/** First line of `<binary> <args>` output (stdout, else stderr: java prints there), or '?'. */
function version(binary: string, args: string[]): string {
  const out = spawnSync(binary, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${out.stdout ?? ''}`.trim() || `${out.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || '?';
}
