#!/usr/bin/env node
// Runs the test suites with node's test runner, TypeScript through tsx.
// Usage: npm test [-- <folder or file> ...] [--test-name-pattern <re> ...]   (default: everything under test/)
// Arguments starting with -- (and the value after them) go to node's test runner.
// Files run one at a time: integration suites bring real servers up once per file.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const args = process.argv.slice(2);
const testFlags = [];
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (!args[i].startsWith('--')) targets.push(args[i]);
  else if (args[i].includes('=') || i + 1 >= args.length) testFlags.push(args[i]);
  else testFlags.push(args[i], args[++i]);
}
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${targets.join(', ') || 'test/'}`);
  process.exit(2);
}
// What the suites need (redis-server, PostgreSQL, Java and the Kafka jars, Chromium for the report
// test): the same idempotent setup the main job runs, a fast no-op once done. Skipped with
// K6LP_SKIP_SETUP=1 (for a machine where it cannot run and the suites that need it are not run).
if (process.env.K6LP_SKIP_SETUP !== '1') {
  const setup = spawnSync(process.execPath, [join(root, 'bin/k6-llm-perf.js'), 'setup', '--progress', 'plain'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (setup.status !== 0) {
    console.error(`run-tests: setup failed (exit ${setup.status ?? setup.signal}); see its output above`);
    process.exit(setup.status || 1);
  }
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...testFlags, ...files],
  { cwd: root, stdio: 'inherit' },
);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
