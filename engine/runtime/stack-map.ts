/**
 * Prints a script error's stack as k6 (v2.2) prints it, through the bundle's inline source map
 * (esbuild's, composed with the blocking-call rewrite's): Node applies no source map to code
 * compiled with `vm`, so the engine does it when it prints a script error. One parsed map per
 * bundle text, kept per thread.
 *
 * k6's frames, one per line after the message:
 *
 *     \tat <function> (file:///<original file>:<line>:<column>(<pc>))   a named function
 *     \tat file:///<original file>:<line>:<column>(<pc>)                anonymous (also the top level, constructors)
 *     \tat <function> (native)                                         a function k6 implements (check, forEach)
 *
 * The engine prints the same without `(<pc>)`: that is goja's bytecode offset, which V8 has no
 * equivalent of. The column of a call is that of its `(` as in goja (V8 points at the callee's
 * name; the original source in the map gives the `(`). Names are the function's own, as goja
 * shows them: no receiver (`Thing.run` → `run`), no `async`, `default` for the entry's default
 * export (esbuild names it `<file>_default`), the name in the file where esbuild renamed it to
 * keep two files' names apart (`helper2` → `helper`, from the map's names). The engine's own frames between two of the script's
 * are one `at <the function the script called> (native)`; those after the script's last frame go.
 */
import { SourceMap } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { preludeLength } from './bundle.ts';
import type { BundledScript } from './script.ts';

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

interface Bundle {
  map: SourceMap;
  /** The original sources' lines, by source name as the map gives it (for the `(` of a call). */
  lines: Map<string, string[]>;
  /** Lines of the compiled bundle: a frame past them is the engine's wrapper. */
  codeLines: number;
  code: string;
  /** Bundle names esbuild gave functions whose names clashed across files, to the original names. */
  renamed: Map<string, string>;
}
const bundles = new Map<string, Bundle | null>();

function bundleOf(code: string): Bundle | null {
  let b = bundles.get(code);
  if (b !== undefined) return b;
  const m = INLINE_MAP.exec(code);
  try {
    if (!m) b = null;
    else {
      const payload = JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as {
        sources?: string[];
        sourcesContent?: Array<string | null>;
      };
      const map = new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]);
      const lines = new Map<string, string[]>();
      // SourceMap resolves `sources` against the map's URL as findEntry reports them; keep both spellings.
      const reported = map.payload.sources;
      (payload.sources ?? []).forEach((s, i) => {
        const text = payload.sourcesContent?.[i];
        if (typeof text !== 'string') return;
        const split = text.split('\n');
        lines.set(s, split);
        if (reported[i]) lines.set(reported[i]!, split);
      });
      b = { map, lines, codeLines: code.split('\n').length, code, renamed: new Map() };
    }
  } catch {
    b = null; // a map we cannot read leaves the stack as it is
  }
  if (bundles.size >= 8) bundles.clear();
  bundles.set(code, b);
  return b;
}

/** The original file as k6 names it: a file:// URL, or a remote module's own URL (remote-modules.ts). */
function sourceUrl(source: string): string {
  const remote = /^(?:remote:)?(https?:\/\/.*)$/.exec(source);
  if (remote) return remote[1]!;
  const path = source.startsWith('file:') ? fileURLToPath(source) : isAbsolute(source) ? source : resolve(source);
  return pathToFileURL(path).href;
}

/** A V8 frame: `at name (location)` or `at location`. */
const FRAME = /^\s+at (?:(.+?) \((.+)\)|(.+))$/;

/** The function's name as goja shows it ('' for anonymous functions and constructors). */
function shortName(v8: string | undefined): string {
  if (!v8) return '';
  const name = v8
    .replace(/^async /, '')
    .replace(/ \[as [^\]]+\]$/, '')
    .trim();
  if (name.startsWith('new ') || name.endsWith('<anonymous>')) return '';
  const last = name.slice(name.lastIndexOf('.') + 1);
  return /^[\w$]+_default$/.test(last) ? 'default' : last;
}

/**
 * The name a function has in its own file: esbuild renames a top-level function whose name another
 * file uses too (`helper` → `helper2`); the map's entry at its declaration holds the original name.
 */
function originalName(b: Bundle, name: string): string {
  if (!/\d$/.test(name)) return name;
  let found = b.renamed.get(name);
  if (found !== undefined) return found;
  found = name;
  const decl = new RegExp(`(?:function\\*?\\s+|class\\s+|(?:var|let|const)\\s+)${name.replaceAll('$', '\\$')}\\b`).exec(
    b.code,
  );
  if (decl) {
    const at = decl.index + decl[0].length - name.length;
    const line = b.code.slice(0, at).split('\n').length - 1;
    const column = at - (b.code.lastIndexOf('\n', at - 1) + 1);
    const e = b.map.findEntry(line, column) as { name?: string };
    if (e.name) found = e.name;
  }
  b.renamed.set(name, found);
  return found;
}

/**
 * The column of the `(` when `column` (0-based) starts a call: V8 points at the callee's name (or,
 * in an async frame, at the `await` before it), goja at the `(`.
 */
const CALL = /^(?:await\s+)?[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*\s*\(/;
function callColumn(text: string | undefined, column: number): number {
  if (text === undefined) return column;
  const m = CALL.exec(text.slice(column));
  return m ? column + m[0].length - 1 : column;
}

interface Mapped {
  /** k6's location: `file:///x.js:3:9`. */
  location: string;
}

/** A frame of the stack: the script's (as k6 prints it) or the engine's (by its short name). */
type Frame = { script: true; text: string } | { script: false; name: string };

/** The original position of a bundle position, or null for the engine's wrapper (prelude, epilogue) and unmapped code. */
function original(b: Bundle, line1: number, col1: number, firstLineShift: number): Mapped | null {
  const line = line1 - 1;
  const column = col1 - 1 - (line === 0 ? firstLineShift : 0);
  if (column < 0 || line >= b.codeLines) return null;
  const e = b.map.findEntry(line, column) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (e.originalSource === undefined || e.originalLine === undefined) return null;
  const col = callColumn(b.lines.get(e.originalSource)?.[e.originalLine], e.originalColumn ?? 0);
  return { location: `${sourceUrl(e.originalSource)}:${e.originalLine + 1}:${col + 1}` };
}

/**
 * `stack` (V8's, of an error from the bundle compiled from `path`) in k6's format. `firstLineShift`:
 * characters the engine put before the bundle on its first line (the prelude). A stack with none
 * of the script's frames is returned as it is.
 */
export function mapStack(stack: string, path: string, code: string, firstLineShift: number): string {
  const b = bundleOf(code);
  if (!b) return stack;
  const lines = stack.split('\n');
  const first = lines.findIndex((l) => FRAME.test(l));
  if (first < 0) return stack;
  const at = `${path}:`;
  // Each frame: the script's (k6's text) or the engine's (its short name).
  const frames = lines.slice(first).map((text): Frame => {
    const m = FRAME.exec(text);
    const location = m?.[2] ?? m?.[3] ?? '';
    const pos = location.startsWith(at) ? /^:(\d+):(\d+)$/.exec(location.slice(path.length)) : null;
    const mapped = pos && original(b, Number(pos[1]), Number(pos[2]), firstLineShift);
    const name = shortName(m?.[1]);
    if (!mapped) return { script: false, name };
    const own = name && originalName(b, name);
    return { script: true, text: own ? `\tat ${own} (${mapped.location})` : `\tat ${mapped.location}` };
  });
  const last = frames.findLastIndex((f) => f.script);
  if (last < 0) return stack;
  const out: string[] = [];
  for (let i = 0; i <= last; i++) {
    const f = frames[i]!;
    if (f.script) out.push(f.text);
    else if (frames[i + 1]?.script !== false) {
      // The outermost of a run of engine frames is the function the script called.
      if (f.name) out.push(`\tat ${f.name} (native)`);
    }
  }
  return [...lines.slice(0, first), ...out].join('\n');
}

/** An error thrown by `script` (or anything thrown), described with its stack in k6's format. */
export function scriptStack(err: unknown, script: BundledScript): string {
  const text =
    err instanceof Error
      ? (err.stack ?? `${err.name}: ${err.message}`)
      : typeof err === 'string'
        ? err
        : JSON.stringify(err);
  return mapStack(text, script.path, script.code, preludeLength(script));
}
