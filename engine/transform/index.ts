/**
 * The engine's load-time rewrite of a bundle (see rewrite.ts and widen.ts for what it does): one
 * entry, cached per script content, its source maps composed with esbuild's so that positions in
 * the rewritten code map back to the user's original files.
 *
 * Two codes come out: `code` for VUs on the async path (the whole-script rewrite: every function
 * that can reach a blocking call made async), and `threadCode` for VUs on threads of their own
 * (blocking calls awaited inside async functions only). When the whole-script rewrite cannot prove
 * the script behaves the same, `fallback` says why and `code` is `threadCode`.
 */
import { createHash } from 'node:crypto';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import remapping from '@jridgewell/remapping';
import { rewriteBlockingCalls, type RewriteResult } from './rewrite.ts';

export { RewriteParseError } from './rewrite.ts';

export interface TransformStats {
  /** Milliseconds the rewrite took (0 when cached). */
  readonly ms: number;
  /** Calls awaited by the whole-script rewrite (blocking calls and calls of functions made async). */
  readonly calls: number;
  /** Functions made async. */
  readonly callbacks: number;
  /** Array higher-order calls run one callback after another. */
  readonly loops: number;
  readonly cached: boolean;
}

/** Why the whole-script rewrite did not apply: the construct, where (original file:line), and why. */
export interface RewriteFallback {
  readonly construct: string;
  readonly where: string;
  readonly why: string;
}

export interface TransformedBundle {
  readonly code: string;
  readonly threadCode: string;
  readonly fallback: RewriteFallback | null;
  readonly stats: TransformStats;
}

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
const CACHE_LIMIT = 32;
const cache = new Map<string, Omit<TransformedBundle, 'stats'> & { stats: Omit<TransformStats, 'ms' | 'cached'> }>();

function withMap(out: RewriteResult, esbuildMap: string | null): string {
  const inner = out.map.toString();
  const map = esbuildMap ? remapping([inner, esbuildMap], () => null).toString() : inner;
  return `${out.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
}

function originalPlace(esbuildMap: string | null, file: string, line: number, column: number): string {
  if (esbuildMap) {
    const entry = new SourceMap(JSON.parse(esbuildMap)).findEntry(line - 1, column) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
      const src = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
      return `${relative(process.cwd(), src) || src}:${entry.originalLine + 1}`;
    }
  }
  return `${relative(process.cwd(), file) || file}:${line}`;
}

/** Rewrites an esbuild CommonJS bundle (with its inline source map, if any). */
export function transformBundle(code: string, file: string): TransformedBundle {
  const key = createHash('sha256').update(file).update('\0').update(code).digest('hex');
  const hit = cache.get(key);
  if (hit) return { ...hit, stats: { ...hit.stats, ms: 0, cached: true } };
  const t0 = performance.now();
  const m = INLINE_MAP.exec(code);
  const body = m ? code.slice(0, m.index) : code;
  const esbuildMap = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : null;
  const threads = rewriteBlockingCalls(body, file, 'commonjs', 'async');
  const threadCode = threads.calls > 0 || threads.callbacks > 0 ? withMap(threads, esbuildMap) : code;
  const whole = rewriteBlockingCalls(body, file, 'commonjs', 'whole');
  const f = whole.fallback;
  const fallback = f
    ? { construct: f.construct, where: originalPlace(esbuildMap, file, f.line, f.column), why: f.why }
    : null;
  const asyncCode = fallback
    ? threadCode
    : whole.calls > 0 || whole.callbacks > 0 || whole.loops > 0
      ? withMap(whole, esbuildMap)
      : code;
  const counts = fallback
    ? { calls: threads.calls, callbacks: threads.callbacks, loops: 0 }
    : { calls: whole.calls, callbacks: whole.callbacks, loops: whole.loops };
  const entry = { code: asyncCode, threadCode, fallback, stats: counts };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, entry);
  return { ...entry, stats: { ...counts, ms: performance.now() - t0, cached: false } };
}

/** The one line printed when a script runs on threads because the rewrite fell back. */
export function describeFallback(f: RewriteFallback): string {
  return `blocking-call rewrite: ${f.construct} at ${f.where}: ${f.why}; running on threads (sync mode)`;
}

/** One line for --verbose. */
export function describeStats(file: string, s: TransformStats): string {
  const what = `${s.calls} call(s) awaited, ${s.callbacks} function(s) made async, ${s.loops} array callback loop(s) made sequential`;
  return s.cached
    ? `blocking-call rewrite of ${file}: cached (${what})`
    : `blocking-call rewrite of ${file}: ${s.ms.toFixed(1)} ms (${what})`;
}
