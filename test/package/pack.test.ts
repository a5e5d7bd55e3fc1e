/**
 * The kit as a package used from another repository (issue 19): `npm pack`, the tarball installed
 * into a fresh project outside the repository (`npm install --prefer-offline`: the npm cache
 * first, the registry for what it lacks), `npx k6-llm-perf init`, `npm run perf:smoke` on real
 * local infrastructure, the mock LLM and the kit's reference service started from the config's
 * command. Then, in that project, a user service of its own (node:http, PostgreSQL, the OpenAI SDK)
 * and a user scenario against it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const USER = join(ROOT, 'test/run/fixtures/user');
let dir: string;
let project: string;
let tarball: string;
let packed: { size: number; unpackedSize: number; entryCount: number };

function sh(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', npm_config_audit: 'false', npm_config_fund: 'false' },
    timeout: 600_000,
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k6-llm-perf-pack-'));
  project = join(dir, 'project');
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  [packed] = JSON.parse(pack.stdout) as [typeof packed];
  tarball = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
  );
});

/** The versions of every installed copy of a package under `dir` (nested node_modules included). */
function installedVersions(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const at = join(dir, entry.name);
    if (entry.name.startsWith('@')) out.push(...installedVersions(at, name));
    else {
      if (entry.name === name && existsSync(join(at, 'package.json')))
        out.push((JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')) as { version: string }).version);
      if (existsSync(join(at, 'node_modules'))) out.push(...installedVersions(join(at, 'node_modules'), name));
    }
  }
  return out;
}

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed kit', () => {
  it('should hold what init and run need and no tests, benches or results', () => {
    const list = sh('tar', ['tzf', tarball], dir).out.split('\n').filter(Boolean);
    for (const f of [
      'package/bin/k6-llm-perf.js',
      'package/run/init-template/k6-llm-perf.config.ts',
      'package/k6-llm-perf.config.ts', // the kit's own scenarios
    ])
      assert.ok(list.includes(f), f);
    assert.ok(list.includes('package/run/config.schema.json'));
    assert.deepEqual(
      list.filter((f) => /^package\/(test|bench|results|dist|node_modules)\//.test(f) || f.endsWith('.test.ts')),
      [],
    );
  });

  it('should stay a small download (its size is printed)', () => {
    console.log(
      `# tarball: ${(packed.size / 1024).toFixed(1)} kB, unpacked ${(packed.unpackedSize / 1024).toFixed(1)} kB, ${packed.entryCount} files`,
    );
    assert.ok(packed.size < 2 * 1024 * 1024, `${packed.size} bytes`);
  });

  it('should install into a fresh project, scaffold it with init, and pass npm run perf:smoke', () => {
    sh('mkdir', ['-p', project], dir);
    writeFileSync(join(project, 'package.json'), '{ "name": "user-project", "version": "1.0.0", "private": true }\n');
    const install = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project);
    assert.equal(install.code, 0, `npm install of the tarball failed:\n${install.out}`);
    // No engine warning on Node 20: fastify's light-my-request resolves to the kit's ~6.6 and its cookie 1.x.
    assert.doesNotMatch(install.out, /EBADENGINE/);
    const cookies = installedVersions(join(project, 'node_modules'), 'cookie');
    assert.ok(cookies.length > 0 && cookies.every((v) => v.startsWith('1.')), `cookie versions: ${cookies.join(', ')}`);
    const init = sh('npx', ['k6-llm-perf', 'init'], project);
    assert.equal(init.code, 0, init.out);
    for (const f of ['k6-llm-perf.config.ts', 'perf/smoke.ts', 'perf/smoke.thresholds.json', 'perf/tsconfig.json'])
      assert.ok(existsSync(join(project, f)), f);
    const smoke = sh('npm', ['run', 'perf:smoke', '--', '-q'], project);
    assert.equal(smoke.code, 0, smoke.out);
    const runs = readdirSync(join(project, 'results')).filter((d) => d.endsWith('-smoke'));
    assert.equal(runs.length, 1);
    const results = join(project, 'results', runs[0]!);
    for (const f of [
      'summary.json',
      'verdict.json',
      'meta.json',
      'junit.xml',
      'summary.md',
      'report.html',
      'logs/service.log',
    ])
      assert.ok(existsSync(join(results, f)), f);
    assert.match(readFileSync(join(results, 'logs/service.log'), 'utf8'), /target listening on/);
  });

  it("should run the user's own service and scenario from the project's config", () => {
    for (const f of ['service.mjs', 'notes.ts', 'notes.json', 'mock-llm.json'])
      copyFileSync(join(USER, f), join(project, 'perf', f));
    const openai = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', 'openai@6', 'pg@8'], project);
    assert.equal(openai.code, 0, openai.out);
    const config = readFileSync(join(USER, 'k6-llm-perf.config.ts'), 'utf8')
      .replace("'../../../../run/config-types.ts'", "'k6-llm-perf'")
      .replace("command: 'node service.mjs'", "command: 'node perf/service.mjs'")
      .replaceAll("script: 'notes.ts'", "script: 'perf/notes.ts'")
      .replace("thresholds: 'notes.json'", "thresholds: 'perf/notes.json'")
      .replace("'../impossible.json'", "'perf/impossible.json'")
      .replace("config: 'mock-llm.json'", "config: 'perf/mock-llm.json'");
    writeFileSync(join(project, 'notes.config.ts'), config);
    copyFileSync(join(ROOT, 'test/run/fixtures/impossible.json'), join(project, 'perf/impossible.json'));
    const pass = sh('npx', ['k6-llm-perf', 'run', 'notes', '--config', 'notes.config.ts', '-q'], project);
    assert.equal(pass.code, 0, pass.out);
    const breach = sh('npx', ['k6-llm-perf', 'run', 'notes-impossible', '--config', 'notes.config.ts', '-q'], project);
    assert.equal(breach.code, 99, breach.out);
  });
});
