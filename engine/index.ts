/**
 * The k6-compatible Node engine, as a library.
 *
 *   import { runTest } from './engine/index.ts';
 *   const { exitCode } = await runTest({ script: 'dist/scripts/load.js', flags: { vus: 10, duration: '30s' } });
 *
 * `runTest` resolves with k6's exit code for outcomes k6 reports with a code (thresholds 99,
 * aborts 105/108, worker script errors 107) and rejects with a KitError (its `exitCode` set) for
 * bad configuration (104) or a script that cannot load or whose setup/teardown throws (107).
 */
export { runTest } from './run/run-test.ts';
export type { RunTestOptions, RunTestResult } from './run/types.ts';
export { ExitCode, KitError } from './exit-codes.ts';
export { mergeParts, type MergeOptions } from './run/merge.ts';
