/**
 * The scenario bundles: built by build.mjs, each keeps k6 imports external (so the same
 * file runs under the k6 binary and the kit's engine), imports nothing else, type-checks
 * against @types/k6 and the kit's extension declarations, and has a threshold file whose
 * metrics the script actually feeds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { BUILTIN_METRICS } from '../../engine/metrics/api.ts';
import { loadThresholdFile } from '../../run/thresholds-file.ts';

const root = resolve(import.meta.dirname, '../..');
const scenarios = readdirSync(join(root, 'scripts'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3));

/** Every module specifier a bundle imports: static `import ... from 'x'`, bare `import 'x'`, dynamic `import('x')`. */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) specs.push(m[1]!);
  return specs;
}

/** Metric names a script creates: new Trend('x'), new Counter("x"), ... */
function metricsOf(source: string): Set<string> {
  return new Set(
    [...source.matchAll(/new (?:Trend|Counter|Rate|Gauge)\d*\(\s*["']([A-Za-z0-9_]+)["']/g)].map((m) => m[1]!),
  );
}

const EXTENSION_METRICS = new Set(['sse_event', 'kafka_writer_message_count', 'kafka_reader_message_count']);

describe('scenario bundles', () => {
  before(() => {
    const build = spawnSync(process.execPath, [join(root, 'build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, `build failed:\n${build.stdout}\n${build.stderr}`);
  });

  it('covers the ten methodology scenarios', () => {
    const expected = [
      'batch',
      'bulk',
      'endurance',
      'llm-stream',
      'load',
      'outbox',
      'queue',
      'redis',
      'spike',
      'stress',
    ];
    assert.deepEqual([...scenarios].sort(), expected);
  });

  for (const name of scenarios) {
    it(`${name}: bundle imports only k6 and k6/* modules`, () => {
      const bundle = readFileSync(join(root, 'dist/scripts', `${name}.js`), 'utf8');
      const specs = importsOf(bundle);
      assert.ok(specs.includes('k6') || specs.some((s) => s.startsWith('k6/')), 'imports no k6 module at all');
      const foreign = specs.filter((s) => s !== 'k6' && !s.startsWith('k6/'));
      assert.deepEqual(foreign, [], `non-k6 imports left in the bundle: ${foreign.join(', ')}`);
      assert.doesNotMatch(bundle, /\brequire\(/, 'a CommonJS require() in the bundle');
    });

    it(`${name}: exports only async functions (async first: every I/O awaited)`, () => {
      const source = readFileSync(join(root, 'scripts', `${name}.ts`), 'utf8');
      const exported = [...source.matchAll(/^export\s+(?:default\s+)?(async\s+)?function\s*(\w*)/gm)];
      assert.ok(exported.length > 0, 'exports no function');
      const sync = exported.filter((m) => !m[1]).map((m) => m[2] || 'default');
      assert.deepEqual(sync, [], `not async: ${sync.join(', ')}`);
    });

    it(`${name}: has a valid threshold file naming only metrics the script feeds`, () => {
      const file = loadThresholdFile(join(root, 'thresholds', `${name}.json`));
      const source = readFileSync(join(root, 'dist/scripts', `${name}.js`), 'utf8');
      const known = new Set<string>([...BUILTIN_METRICS, ...metricsOf(source), ...EXTENSION_METRICS]);
      const keys = [...Object.keys(file.thresholds), ...(file.regression ?? []).map((r) => r.metric)];
      const unknown = keys.map((k) => k.replace(/\{.*\}$/, '')).filter((m) => !known.has(m));
      assert.deepEqual(unknown, [], `thresholds/${name}.json names metrics ${name}.ts never creates`);
    });
  }

  it('type-checks every scenario against @types/k6 and the extension declarations in types/', () => {
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(root, 'scripts/tsconfig.json')],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, `tsc -p scripts/tsconfig.json failed:\n${tsc.stdout}${tsc.stderr}`);
  });
});
