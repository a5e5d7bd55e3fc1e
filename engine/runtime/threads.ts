/**
 * Where the engine's threads come from. Worker threads cannot run TypeScript by themselves, and
 * registering tsx in each costs about a second of CPU per thread (one thread per VU in sync mode),
 * so the parent bundles the three thread entries once per process with esbuild into
 * self-contained .mjs files in a temp dir (removed at exit, or by the next run when this process
 * was killed) and threads start from those.
 * If bundling fails, threads boot through boot.mjs + tsx from the sources instead.
 *
 * Every thread entry calls `adoptPaths(workerData.paths)` first, so threads they start
 * themselves (VU threads, I/O threads) use the same files.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { makeOwnedDir, sweepStaleDirs } from './stale-dirs.ts';

export type ThreadName = 'worker' | 'sync-vu' | 'io';

export interface ThreadPaths {
  /** file: URL of the engine/ directory (with a trailing slash). */
  engineDir: string;
  /** Bundled entries (file paths), or null to boot from sources through tsx. */
  files: Record<ThreadName, string> | null;
  /** file: URL of tsx's ESM API, to load TypeScript extension modules in a bundled thread. */
  tsxApi: string;
}

const SOURCES: Record<ThreadName, string> = {
  worker: 'scheduler/worker.ts',
  'sync-vu': 'scheduler/sync-vu.ts',
  io: 'runtime/io-thread.ts',
};

const DIR_PREFIX = 'k6-llm-perf-engine-';

let current: ThreadPaths | null = null;
let preparing: Promise<void> | null = null;

export function threadPaths(): ThreadPaths {
  current ??= {
    engineDir: new URL('../', import.meta.url).href,
    files: null,
    tsxApi: import.meta.resolve('tsx/esm/api'),
  };
  return current;
}

export function adoptPaths(p: ThreadPaths | undefined): void {
  if (p) current = p;
}

/**
 * The parent's Node flags minus loader hooks: threads inherit execArgv, and a `--import tsx`
 * there would register tsx in every thread (about a second of CPU each) for nothing.
 */
function threadExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--import' || a === '--require' || a === '-r' || a === '--loader' || a === '--experimental-loader') i++;
    else if (!/^--(import|require|loader|experimental-loader)=/.test(a)) out.push(a);
  }
  return out;
}

let steadyGc = false;

/**
 * Turns V8's memory reducer off for the threads started from now on (V8 reads the flag when it
 * sets up an isolate's heap). The reducer starts full mark-compact collections when an isolate
 * looks idle, to give memory back: a VU thread waiting on a 200 ms first token looks idle, and
 * in a 20-second one-stream llm-stream run it paused the thread for 3–43 ms at random points of
 * the measured window (seen as TTFT and inter-token outliers that were the client's, not the
 * server's); without it that run had no collection at all after the warm-up. Memory is still
 * collected when the heap grows; it is only not shrunk back while the test runs.
 */
function keepGcSteady(): void {
  if (steadyGc) return;
  steadyGc = true;
  setFlagsFromString('--no-memory-reducer');
}

/** Starts a thread of the given kind with `data` as its workerData (plus the paths). */
export function startThread(name: ThreadName, data: object, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  keepGcSteady();
  const p = threadPaths();
  const execArgv = threadExecArgv();
  if (p.files) return new Worker(p.files[name], { execArgv, ...options, workerData: { ...data, paths: p } });
  const boot = new URL('runtime/boot.mjs', p.engineDir);
  return new Worker(boot, {
    execArgv,
    ...options,
    workerData: { ...data, paths: p, entry: new URL(SOURCES[name], p.engineDir).href },
  });
}

/** Bundles the thread entries (once per process). */
export function prepareThreads(): Promise<void> {
  preparing ??= bundleThreads().catch((err: unknown) => {
    process.stderr.write(
      `engine: could not bundle the thread entries, booting threads from sources (${(err as Error).message})\n`,
    );
  });
  return preparing;
}

async function bundleThreads(): Promise<void> {
  const p = threadPaths();
  // Named after this pid: a run killed with SIGKILL cannot remove its dir, the next run does.
  sweepStaleDirs(tmpdir(), DIR_PREFIX);
  const dir = makeOwnedDir(tmpdir(), DIR_PREFIX);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const engineDir = fileURLToPath(p.engineDir);
  const entryPoints = Object.fromEntries(Object.entries(SOURCES).map(([name, src]) => [name, join(engineDir, src)]));
  await build({
    entryPoints,
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
    // CommonJS dependencies bundled into ESM need a `require`.
    banner: {
      js: "import { createRequire as __k6lpCreateRequire } from 'node:module'; const require = __k6lpCreateRequire(import.meta.url);",
    },
  });
  const files = Object.fromEntries(Object.keys(SOURCES).map((name) => [name, join(dir, `${name}.mjs`)])) as Record<
    ThreadName,
    string
  >;
  current = { ...p, files };
}

/** file: URL of a file under engine/. */
export function engineFile(rel: string): string {
  return new URL(rel, threadPaths().engineDir).href;
}

export { pathToFileURL };
