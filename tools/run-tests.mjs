#!/usr/bin/env node
// Runs the test suites with node's test runner, TypeScript through tsx.
// Usage: npm test [-- <folder or file> ...] [--test-name-pattern <re> ...]   (default: everything under test/)
// Arguments starting with -- (and the value after them) go to node's test runner.
// Files run one at a time: integration suites bring real servers up once per file.
import { spawn } from 'node:child_process';
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
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...testFlags, ...files],
  { cwd: root, stdio: 'inherit' },
);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
