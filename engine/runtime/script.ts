/**
 * What a loaded script is, as every part of the engine sees it: its code and imports, the
 * factory that runs it inside a VU, and the hooks the blocking-call rewrite calls (types only,
 * so that bundle.ts, host.ts and the VU import them without a circle).
 */
import type { TransformStats } from '../transform/index.ts';

export interface BundledScript {
  /** Absolute path of the script. */
  readonly path: string;
  readonly code: string;
  /** The `k6...` specifiers the script imports. */
  readonly k6Imports: string[];
  /** What the blocking-call rewrite did (printed under verbose). */
  readonly rewrite: TransformStats;
}

/** The VU's hook object, `__k6` in the script: `hold` and `twin` serve the blocking-call rewrite (transform/). */
export interface ScriptHooks {
  setIter(n: number): void;
  hold<T>(p: T): T;
  twin(fn: unknown): unknown;
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
) => void;
