/**
 * Bundling a script, in the parent only (threads import bundle.ts, which stays free of esbuild
 * and of the rewrite's parser): esbuild, then the blocking-call rewrite (transform/).
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { ScriptError } from '../errors.ts';
import { RewriteParseError, transformBundle } from '../transform/index.ts';
import type { BundledScript } from './script.ts';

/** Bundles the script (in the parent, once). Syntax and resolution errors become ScriptError (exit 107). */
export async function bundleScript(file: string): Promise<BundledScript> {
  const path = resolve(file);
  try {
    const out = await build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2022',
      sourcemap: 'inline',
      metafile: true,
      logLevel: 'silent',
      external: ['k6', 'k6/*'],
      mainFields: ['module', 'main'],
    });
    const imports = new Set<string>();
    for (const input of Object.values(out.metafile.inputs)) {
      for (const imp of input.imports) if (imp.external) imports.add(imp.path);
    }
    const rewritten = transformBundle(out.outputFiles[0]!.text, path);
    return {
      path,
      code: rewritten.code,
      threadCode: rewritten.threadCode,
      fallback: rewritten.fallback,
      k6Imports: [...imports].sort(),
      rewrite: rewritten.stats,
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
