/**
 * Step 1: bundles `scripts/<scenario>.ts` to `dist/scripts/<scenario>.js` with the options of
 * build.mjs (one ES module, `k6` and `k6/*` external), so the run always uses the current source.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { k6BundleOptions } from '../tools/k6-bundle-options.mjs';
import { KitError } from '../engine/exit-codes.ts';
import { RunConfigError, RunExit, messageOf } from './errors.ts';
import { KIT_ROOT } from './results-dir.ts';

export class BuildError extends KitError {
  constructor(message: string) {
    super('RUN_BUILD_FAILED', message, RunExit.SCRIPT_EXCEPTION);
    this.name = 'BuildError';
  }
}

export function scriptPath(scenario: string): string {
  return join(KIT_ROOT, 'scripts', `${scenario}.ts`);
}

export function bundlePath(scenario: string): string {
  return join(KIT_ROOT, 'dist', 'scripts', `${scenario}.js`);
}

/**
 * Builds the bundle (or, with build=false, checks it exists); returns its path. A user script
 * (`src`) is always built, to `out` (the run's results folder).
 */
export async function bundleScenario(
  scenario: string,
  opts: { build: boolean; src?: string; out?: string },
): Promise<string> {
  const out = opts.out ?? bundlePath(scenario);
  const src = opts.src ?? scriptPath(scenario);
  if (!opts.build && opts.src === undefined) {
    if (!existsSync(out))
      throw new RunConfigError([`--no-build: ${relative(process.cwd(), out)} does not exist (run npm run build)`]);
    return out;
  }
  if (!existsSync(src))
    throw new RunConfigError([`scenario ${scenario}: ${relative(process.cwd(), src)} does not exist`]);
  try {
    await build({
      entryPoints: [src],
      outfile: out,
      ...k6BundleOptions,
      external: [...(k6BundleOptions.external ?? [])],
      logLevel: 'silent',
    });
  } catch (err) {
    throw new BuildError(`build of ${relative(process.cwd(), src)} failed: ${messageOf(err)}`);
  }
  return out;
}
