/**
 * The engine's load-time rewrite of a bundle (see rewrite.ts for what it does): one entry,
 * cached per script content, its source map composed with esbuild's so that positions in the
 * rewritten code map back to the user's original files.
 */
import { createHash } from 'node:crypto';
import remapping from '@jridgewell/remapping';
import { rewriteBlockingCalls } from './rewrite.ts';

export { RewriteParseError } from './rewrite.ts';

export interface TransformStats {
  /** Milliseconds the rewrite took (0 when cached). */
  readonly ms: number;
  readonly calls: number;
  readonly callbacks: number;
  readonly cached: boolean;
}

export interface TransformedBundle {
  readonly code: string;
  readonly stats: TransformStats;
}

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
const CACHE_LIMIT = 32;
const cache = new Map<string, { code: string; calls: number; callbacks: number }>();

/** Rewrites an esbuild CommonJS bundle (with its inline source map, if any). */
export function transformBundle(code: string, file: string): TransformedBundle {
  const key = createHash('sha256').update(file).update('\0').update(code).digest('hex');
  const hit = cache.get(key);
  if (hit) return { code: hit.code, stats: { ms: 0, calls: hit.calls, callbacks: hit.callbacks, cached: true } };
  const t0 = performance.now();
  const m = INLINE_MAP.exec(code);
  const body = m ? code.slice(0, m.index) : code;
  const out = rewriteBlockingCalls(body, file, 'commonjs');
  let result = code;
  if (out.calls > 0 || out.callbacks > 0) {
    const inner = out.map.toString();
    const map = m ? remapping([inner, Buffer.from(m[1]!, 'base64').toString('utf8')], () => null).toString() : inner;
    result = `${out.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
  }
  const entry = { code: result, calls: out.calls, callbacks: out.callbacks };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, entry);
  return {
    code: result,
    stats: { ms: performance.now() - t0, calls: out.calls, callbacks: out.callbacks, cached: false },
  };
}

/** One line for --verbose. */
export function describeStats(file: string, s: TransformStats): string {
  const what = `${s.calls} blocking call(s) awaited, ${s.callbacks} group/check callback(s) made async`;
  return s.cached
    ? `blocking-call rewrite of ${file}: cached (${what})`
    : `blocking-call rewrite of ${file}: ${s.ms.toFixed(1)} ms (${what})`;
}
