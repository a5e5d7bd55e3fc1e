/**
 * Maps the frames of a script error's stack from the bundle's positions to the user's original
 * files and lines, through the bundle's inline source map (esbuild's, composed with the
 * blocking-call rewrite's). Node applies no source map to code compiled with `vm`, so the engine
 * does it when it prints a script error. One parsed map per bundle text, kept per thread.
 */
import { SourceMap } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
const maps = new Map<string, SourceMap | null>();

function mapOf(code: string): SourceMap | null {
  let map = maps.get(code);
  if (map !== undefined) return map;
  const m = INLINE_MAP.exec(code);
  try {
    map = m ? new SourceMap(JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8'))) : null;
  } catch {
    map = null; // a map we cannot read leaves the stack as it is
  }
  if (maps.size >= 8) maps.clear();
  maps.set(code, map);
  return map;
}

function sourcePath(source: string): string {
  const remote = /^(?:remote:)?(https?:\/\/.*)$/.exec(source); // a remote module (remote-modules.ts)
  if (remote) return remote[1]!;
  if (source.startsWith('file:')) return fileURLToPath(source);
  return isAbsolute(source) ? source : resolve(source);
}

/**
 * Rewrites `path:line:column` of the compiled bundle in `stack` to the original position, and
 * drops the engine's own frames below the script's last one (k6 shows only the script's frames).
 * `firstLineShift`: characters the engine put before the bundle on its first line (the prelude).
 */
export function mapStack(stack: string, path: string, code: string, firstLineShift: number): string {
  const map = mapOf(code);
  if (!map) return stack;
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const position = new RegExp(`${escaped}:(\\d+):(\\d+)`, 'g');
  const lines = stack.split('\n');
  let lastScriptFrame = -1;
  const mapped = lines.map((text, i) =>
    text.replace(position, (whole, l: string, c: string) => {
      const line = Number(l) - 1;
      const column = Number(c) - 1 - (line === 0 ? firstLineShift : 0);
      const e = map.findEntry(line, Math.max(0, column)) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (e.originalSource === undefined || e.originalLine === undefined) return whole;
      lastScriptFrame = i;
      return `${sourcePath(e.originalSource)}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}`;
    }),
  );
  const kept = lastScriptFrame >= 0 ? mapped.slice(0, lastScriptFrame + 1) : mapped;
  // esbuild names an entry's `export default function` `<file>_default`; k6 shows it as `default`.
  return kept.join('\n').replace(/^(\s+at )[\w$]+_default \(/gm, '$1default (');
}
