#!/usr/bin/env node
// Bundles every k6 scenario script: scripts/*.ts -> dist/scripts/*.js.
// One ES module per scenario; `k6` and `k6/*` (k6/x/... extensions included) stay
// external, so the same file runs under the k6 binary and under the kit's Node engine.
// Type checking is separate (`npm run typecheck`), esbuild only strips types.
import { build } from 'esbuild';
import { k6BundleOptions } from './tools/k6-bundle-options.mjs';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = import.meta.dirname;
const scriptsDir = join(root, 'scripts');
const entryPoints = readdirSync(scriptsDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(scriptsDir, f));

if (entryPoints.length === 0) {
  console.log('build: no scripts/*.ts to bundle');
  process.exit(0);
}

const result = await build({
  entryPoints,
  outdir: resolve(root, 'dist/scripts'),
  ...k6BundleOptions,
  external: [...k6BundleOptions.external],
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`build: ${outputs.length} bundle(s) -> dist/scripts/`);
