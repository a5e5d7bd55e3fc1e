/**
 * `npm run setup:llama`: installs the real-server E2E's llama-server and tiny model, idempotently
 * (a present piece is skipped after a file check). Steps, each timed:
 *   1. sdist   pip download --no-binary :all: --no-deps llama-cpp-python==<v> (the source of
 *              llama.cpp it vendors; the build below uses nothing else from the network)
 *   2. build   cmake, llama-server target only, Release, static, web UI off and no prebuilt UI
 *              download, no OpenSSL; `nice`, -j2. Built in a staging dir, the binary copied to
 *              <v>/bin/ and marked complete last, so a half build is never taken for a whole one
 *   3. venv    a virtualenv with gguf <GGUF_VERSION>
 *   4. model   write_tiny_gguf.py into models/
 * Output of every command goes to ~/.cache/k6-llm-perf/llama/setup.log.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InfraError } from '../errors.ts';
import { ensureDir, logTail } from '../lifecycle/files.ts';
import { runToCompletion } from '../lifecycle/process.ts';
import { which } from '../setup/detect.ts';
import {
  GGUF_VERSION,
  GGUF_WRITER,
  LLAMA_CPP_PYTHON_VERSION,
  llamaBinDir,
  llamaDir,
  llamaModelPath,
  llamaServerBinary,
  llamaServerInstalled,
  llamaVenv,
} from './paths.ts';

export interface SetupStep {
  step: 'sdist' | 'build' | 'venv' | 'model';
  /** False when it was already there. */
  ran: boolean;
  ms: number;
}

/** The cmake options of the build (see the header). */
export const CMAKE_OPTIONS = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DBUILD_SHARED_LIBS=OFF',
  '-DLLAMA_BUILD_UI=OFF',
  '-DLLAMA_USE_PREBUILT_UI=OFF',
  '-DLLAMA_OPENSSL=OFF',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_BUILD_SERVER=ON',
];

const HOUR = 3_600_000;

function setupLog(): string {
  return join(ensureDir(llamaDir()), 'setup.log');
}

async function run(what: string, command: string, args: string[], cwd?: string): Promise<void> {
  const logFile = setupLog();
  const r = await runToCompletion({ name: 'setup:llama', command, args, logFile, ...(cwd ? { cwd } : {}) }, HOUR);
  if (r.error || r.code !== 0)
    throw new InfraError(
      'INFRA_SETUP_FAILED',
      `setup:llama: ${what} failed: ${r.error?.message ?? `exit code ${r.code ?? r.signal}`}`,
      { service: 'llama-server', logFile, logTail: logTail(logFile, 20) },
    );
}

function need(binary: string, why: string): void {
  if (!which(binary))
    throw new InfraError('INFRA_MISSING', `setup:llama: ${binary} is not installed (${why})`, {
      service: 'llama-server',
    });
}

function sdistPath(): string {
  return join(llamaDir(), 'src', `llama_cpp_python-${LLAMA_CPP_PYTHON_VERSION}.tar.gz`);
}

async function fetchSdist(): Promise<void> {
  need('python3', 'pip downloads the llama-cpp-python source');
  const dir = ensureDir(dirname(sdistPath()));
  await run('pip download', 'python3', ['-m', 'pip', 'download', '--no-binary', ':all:', '--no-deps', `llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION}`, '-d', dir]); // prettier-ignore
  if (!existsSync(sdistPath()))
    throw new InfraError('INFRA_SETUP_FAILED', `setup:llama: pip download did not write ${sdistPath()}`);
}

async function build(jobs: number): Promise<void> {
  for (const b of ['cmake', 'c++', 'tar', 'nice']) need(b, 'the llama-server build needs it');
  const versionDir = ensureDir(join(llamaDir(), LLAMA_CPP_PYTHON_VERSION));
  // What a setup killed mid-build left (a few hundred MB each).
  for (const d of readdirSync(versionDir)) if (d.startsWith('build-')) rmSync(join(versionDir, d), { recursive: true, force: true }); // prettier-ignore
  const staging = join(versionDir, `build-${process.pid}`);
  const src = ensureDir(join(staging, 'src'));
  try {
    const inner = `llama_cpp_python-${LLAMA_CPP_PYTHON_VERSION}/vendor/llama.cpp`;
    await run('extracting the sdist', 'tar', ['xzf', sdistPath(), '-C', src, '--strip-components=3', inner]);
    const out = join(staging, 'build');
    await run('cmake configure', 'nice', ['cmake', '-S', src, '-B', out, ...CMAKE_OPTIONS]);
    await run('cmake build', 'nice', ['cmake', '--build', out, '--target', 'llama-server', `-j${jobs}`]);
    const bin = llamaBinDir();
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin, { recursive: true });
    copyFileSync(join(out, 'bin', 'llama-server'), llamaServerBinary());
    writeFileSync(join(bin, '.complete'), `llama-cpp-python ${LLAMA_CPP_PYTHON_VERSION}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function venvPython(): string {
  return join(llamaVenv(), 'bin', 'python');
}

async function venv(): Promise<boolean> {
  const marker = join(llamaVenv(), `.gguf-${GGUF_VERSION}`);
  if (existsSync(marker)) return false;
  need('python3', 'the GGUF writer runs in a virtualenv');
  rmSync(llamaVenv(), { recursive: true, force: true });
  await run('python3 -m venv', 'python3', ['-m', 'venv', llamaVenv()]);
  await run(`pip install gguf==${GGUF_VERSION}`, venvPython(), ['-m', 'pip', 'install', '-q', `gguf==${GGUF_VERSION}`]);
  writeFileSync(marker, '');
  return true;
}

async function model(): Promise<boolean> {
  const path = llamaModelPath();
  if (existsSync(path)) return false;
  ensureDir(dirname(path));
  await run('writing the GGUF model', venvPython(), [GGUF_WRITER, path]);
  return true;
}

async function timed(step: SetupStep['step'], fn: () => Promise<boolean>): Promise<SetupStep> {
  const t0 = performance.now();
  const ran = await fn();
  return { step, ran, ms: performance.now() - t0 };
}

/** Installs what is missing; `say` gets one line per step started. */
export async function setupLlama(opts: { jobs?: number; say?: (line: string) => void } = {}): Promise<SetupStep[]> {
  const say = opts.say ?? (() => undefined);
  const steps: SetupStep[] = [];
  const installed = llamaServerInstalled();
  steps.push(
    await timed('sdist', async () => {
      if (installed || existsSync(sdistPath())) return false;
      say(`setup:llama: pip download llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION} (sdist)`);
      await fetchSdist();
      return true;
    }),
  );
  steps.push(
    await timed('build', async () => {
      if (installed) return false;
      say(`setup:llama: building llama-server (cmake, -j${opts.jobs ?? 2}, nice; several minutes; log: ${setupLog()})`);
      await build(opts.jobs ?? 2);
      return true;
    }),
  );
  steps.push(await timed('venv', () => venv()));
  steps.push(await timed('model', () => model()));
  return steps;
}
