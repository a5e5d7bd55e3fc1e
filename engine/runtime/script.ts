/**
 * What a loaded script is, as every part of the engine sees it: its code and imports, the
 * factory that runs it inside a VU, and the hooks the blocking-call rewrite calls (types only,
 * so that bundle.ts, host.ts and the VU import them without a circle).
 */
import type { RewriteFallback, TransformStats } from '../transform/index.ts';

export interface BundledScript {
  /** Absolute path of the script. */
  readonly path: string;
  /** The code a VU on the async path runs: the whole-script rewrite, or `threadCode` when it fell back. */
  readonly code: string;
  /** The code a VU on a thread of its own runs (blocking calls awaited only inside async functions). */
  readonly threadCode: string;
  /** The `k6...` specifiers the script imports. */
  readonly k6Imports: string[];
  /** Why the whole-script rewrite did not apply (then `code` is `threadCode`), or null. */
  readonly fallback: RewriteFallback | null;
  /** Whether the script awaits at its top level (its init context is then an async function). */
  readonly topLevelAwait: boolean;
  /** What the blocking-call rewrite did (printed under verbose). */
  readonly rewrite: TransformStats;
}

/** The VU's hook object, `__k6` in the script: `hold` and `twin` serve the blocking-call rewrite (transform/). */
export interface ScriptHooks {
  setIter(n: number): void;
  hold<T>(p: T): T;
  twin(fn: unknown): unknown;
  /** An Array method with a callback made async, run one callback after another (runtime/sequential.ts). */
  seq(target: unknown, method: string, cb: (...args: unknown[]) => unknown, ...rest: unknown[]): Promise<unknown>;
}

export type ScriptFactory = (
  require: (specifier: string) => unknown,
  module: { exports: Record<string, unknown> },
  exports: Record<string, unknown>,
  vuId: number,
  env: Record<string, string>,
  open: (path: string, mode?: string) => unknown,
  console: Console,
  hooks: ScriptHooks,
  ...globals: unknown[]
) => unknown;
