/**
 * Bundling a script, in the parent only (threads import bundle.ts, which stays free of esbuild
 * and of the rewrite's parser): esbuild, then the blocking-call rewrite (transform/).
 */
import { build, type BuildOptions } from 'esbuild';
import { resolve } from 'node:path';
import { ScriptError } from '../errors.ts';
import { RewriteParseError, transformBundle } from '../transform/index.ts';
import { esmToBody } from './esm-body.ts';
import { remoteModules } from './remote-modules.ts';
import type { BundledScript } from './script.ts';

const TLA_REFUSED = /Top-level await is currently not supported with the "cjs" output format/;

export interface BundleOptions {
  /** Where a warning goes (a remote module served from the cache); default stderr with k6's WARN prefix. */
  readonly warn?: (message: string) => void;
  /** The remote modules' cache directory (default remote-modules.ts's). */
  readonly remoteCacheDir?: string;
}

/**
 * esbuild to one CommonJS body; a script with top-level await (which esbuild cannot emit as
 * CommonJS) as one ES module, turned into a body by esm-body.ts.
 */
async function bundleText(
  path: string,
  o: BundleOptions,
): Promise<{ code: string; imports: Set<string>; tla: boolean }> {
  const warn = o.warn ?? ((m: string) => void process.stderr.write(`WARN[0000] ${m}\n`));
  const options = (format: 'cjs' | 'esm'): BuildOptions & { write: false; metafile: true } => ({
    entryPoints: [path],
    bundle: true,
    write: false,
    format,
    platform: 'neutral',
    target: 'es2022',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    external: ['k6', 'k6/*'],
    mainFields: ['module', 'main'],
    plugins: [remoteModules({ warn, cacheDir: o.remoteCacheDir })],
  });
  let tla = false;
  let out;
  try {
    out = await build(options('cjs'));
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string }> }).errors ?? [];
    if (!errors.some((e) => TLA_REFUSED.test(e.text))) throw err;
    tla = true;
    out = await build(options('esm'));
  }
  const imports = new Set<string>();
  for (const input of Object.values(out.metafile.inputs)) {
    for (const imp of input.imports) if (imp.external) imports.add(imp.path);
  }
  const text = out.outputFiles[0]!.text;
  return { code: tla ? esmToBody(text) : text, imports, tla };
}

/** Bundles the script (in the parent, once). Syntax and resolution errors become ScriptError (exit 107). */
export async function bundleScript(file: string, o: BundleOptions = {}): Promise<BundledScript> {
  const path = resolve(file);
  try {
    const { code, imports, tla } = await bundleText(path, o);
    const rewritten = transformBundle(code, path);
    return {
      path,
      code: rewritten.code,
      threadCode: rewritten.threadCode,
      fallback: rewritten.fallback,
      k6Imports: [...imports].sort(),
      rewrite: rewritten.stats,
      topLevelAwait: tla,
    };
  } catch (err) {
    if (err instanceof RewriteParseError)
      throw new ScriptError(`cannot load script ${file}: ${err.message}`, { cause: err });
    const errors = (
      err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }
    ).errors;
    const text = errors?.length
      ? errors
          .map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`)
          .join('\n')
      : (err as Error).message;
    throw new ScriptError(`cannot load script ${file}:\n${text}`, { cause: err });
  }
}
