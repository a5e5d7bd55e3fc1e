/**
 * The user's own scripts and services through the real CLI, on real local infrastructure and the
 * real mock LLM: an ad-hoc script (`run ./x.ts --thresholds f.json --services ... --mock-llm`), a
 * config's scenario against a user service (node:http + PostgreSQL + the OpenAI SDK), config
 * errors (exit 104 naming the file and field), a service that exits at once (exit 112), and the
 * services' versions and options (a version the local provider does not have: 104 before any start).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, readJson, resultsDirOf, runCli } from './helpers.ts';
import { installedVersion } from '../../infra/index.ts';

const USER = join(FIXTURES, 'user');
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'k6-llm-perf-user-'));
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Writes a config into its own temp folder (with the ping script beside it) and returns its path. */
function writeConfig(name: string, body: string): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  writeFileSync(join(dir, 'ping.ts'), readFileSync(join(USER, 'ping.ts')));
  writeFileSync(join(dir, 'ping.json'), readFileSync(join(USER, 'ping.json')));
  const file = join(dir, 'k6-llm-perf.config.ts');
  writeFileSync(file, `export default ${body};\n`);
  return file;
}

describe('an ad-hoc script', () => {
  it('should pass through the whole pipeline with the services and the mock LLM it asked for', async () => {
    const results = join(root, 'adhoc');
    const args = ['run', join(USER, 'ping.ts'), '--thresholds', join(USER, 'ping.json')];
    const r = await runCli([...args, '--services', 'redis', '--mock-llm', '--results', results, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const dir = resultsDirOf(results, 'ping');
    for (const f of ['summary.json', 'verdict.json', 'meta.json', 'junit.xml', 'summary.md', 'report.html'])
      assert.ok(existsSync(join(dir, f)), f);
    assert.deepEqual(readJson<{ infra: { services: string[] } }>(join(dir, 'meta.json')).infra.services, ['redis']);
  });

  it('should exit 99 on an impossible threshold', async () => {
    const results = join(root, 'adhoc-99');
    const args = ['run', join(USER, 'ping.ts'), '--thresholds', join(FIXTURES, 'impossible.json'), '--mock-llm'];
    const r = await runCli([...args, '--results', results, '-q']);
    assert.equal(r.code, 99, r.stderr);
  });

  it('should exit 104 without a threshold file', async () => {
    const r = await runCli(['run', join(USER, 'ping.ts')]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /--thresholds FILE is required/);
  });
});

describe('a config', () => {
  it("should run its scenario against the user's service with PostgreSQL and the mock LLM", async () => {
    const results = join(root, 'notes');
    const config = join(USER, 'k6-llm-perf.config.ts');
    const r = await runCli(['run', 'notes', '--config', config, '--results', results, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const dir = resultsDirOf(results, 'notes');
    assert.match(readFileSync(join(dir, 'logs', 'service.log'), 'utf8'), /notes service on \d+/);
    const meta = readJson<{ target: { kind: string }; llm: { seed: number } }>(join(dir, 'meta.json'));
    assert.equal(meta.target.kind, 'service');
    assert.equal(meta.llm.seed, 7);
  });

  it('should run every scenario of the config with run all, reset between them, the worst exit', async () => {
    const results = join(root, 'all');
    const config = join(USER, 'k6-llm-perf.config.ts');
    const r = await runCli(['run', 'all', '--config', config, '--results', results, '-q']);
    assert.equal(r.code, 99, r.stderr);
    const all = readJson<{ scenarios: Array<{ scenario: string; exitCode: number }> }>(
      join(resultsDirOf(results, 'all'), 'all.json'),
    );
    assert.deepEqual(
      all.scenarios.map((s) => [s.scenario, s.exitCode]),
      [
        ['notes-impossible', 99],
        ['notes', 0],
      ],
    );
  });

  it('should use a service already running with reuseExisting, and never start its command', async () => {
    const server = createServer((_req, res) => void res.writeHead(200).end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const body = `{ service: { command: 'exit 7', url: '${url}', reuseExisting: true },
        scenarios: { smoke: { script: 'base.ts', thresholds: 'ping.json' } } }`;
      const file = writeConfig('reuse', body);
      writeFileSync(
        join(file, '..', 'base.ts'),
        "import http from 'k6/http';\nimport { check } from 'k6';\nexport const options = { iterations: 3 };\n" +
          "export default function () { check(http.get(__ENV.BASE_URL), { 'status is 200': (r) => r.status === 200 }); }\n",
      );
      const results = join(root, 'reuse');
      const r = await runCli(['run', 'smoke', '--config', file, '--results', results, '-q']);
      assert.equal(r.code, 0, r.stderr);
      const meta = readJson<{ target: { kind: string; url: string } }>(
        join(resultsDirOf(results, 'smoke'), 'meta.json'),
      );
      assert.deepEqual(meta.target, { kind: 'service', url });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('should exit 104 naming the field of a missing script', async () => {
    const file = writeConfig('missing', `{ scenarios: { smoke: { script: 'nope.ts', thresholds: 'ping.json' } } }`);
    const r = await runCli(['run', 'smoke', '--config', file]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /k6-llm-perf\.config\.ts: \/scenarios\/smoke\/script: .*nope\.ts: no such file/);
  });

  it('should exit 104 naming the field of an unknown service', async () => {
    const body = `{ scenarios: { smoke: { script: 'ping.ts', thresholds: 'ping.json', services: ['mongo'] } } }`;
    const r = await runCli(['run', 'smoke', '--config', writeConfig('service', body)]);
    assert.equal(r.code, 104);
    assert.match(
      r.stderr,
      /k6-llm-perf\.config\.ts: \/scenarios\/smoke\/services\/0: must be redis, postgres or kafka/,
    );
  });

  it('should exit 104 naming the field of a bad placeholder', async () => {
    const body = `{ service: { command: 'true', env: { DB: '{{postgres.uri}}' } },
      scenarios: { smoke: { script: 'ping.ts', thresholds: 'ping.json' } } }`;
    const r = await runCli(['run', 'smoke', '--config', writeConfig('placeholder', body)]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /k6-llm-perf\.config\.ts: \/service\/env\/DB: unknown placeholder \{\{postgres\.uri\}\}/);
  });

  it('should exit 104 naming the mock LLM config file and its bad field', async () => {
    const file = writeConfig(
      'mock',
      `{ mockLlm: { config: 'mock.json' }, scenarios: { smoke: { script: 'ping.ts', thresholds: 'ping.json' } } }`,
    );
    writeFileSync(join(file, '..', 'mock.json'), '{ "errors": { "rateLimit": -1 } }');
    const r = await runCli(['run', 'smoke', '--config', file]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /k6-llm-perf\.config\.ts: \/mockLlm\/config: .*rateLimit/);
  });

  it('should end the run with exit 112 and the log lines of a service that exits at once', async () => {
    const body = `{ mockLlm: true, service: { command: 'echo "cannot bind: port taken" >&2; exit 3', timeout: 10000 },
      scenarios: { smoke: { script: 'ping.ts', thresholds: 'ping.json' } } }`;
    const results = join(root, 'dead');
    const r = await runCli(['run', 'smoke', '--config', writeConfig('dead', body), '--results', results, '-q']);
    assert.equal(r.code, 112, r.stderr);
    assert.match(r.stderr, /service exited \(3\) before it was ready/);
    assert.match(r.stderr, /last lines of .*logs\/service\.log:\n\s+cannot bind: port taken/);
    assert.ok(existsSync(join(resultsDirOf(results, 'smoke'), 'verdict.json')));
  });
});

/** A script that checks PostgreSQL's work_mem (a config's services.postgres.settings) and a Redis round trip. */
const SETTINGS_SCRIPT = `import { check } from 'k6';
import redis from 'k6/x/redis';
import sql from 'k6/x/sql';
import driver from 'k6/x/sql/driver/postgres';
export const options = { vus: 1, iterations: 2 };
const client = new redis.Client(__ENV.REDIS_URL);
export default async function () {
  const db = await sql.open(driver, __ENV.DATABASE_URL);
  const rows = await db.query('SHOW work_mem');
  check(rows[0], { 'work_mem is the config setting': (r) => r?.work_mem === '7MB' });
  await db.close();
  await client.set('k', '1', 0);
  check(await client.get('k'), { 'redis round trip': (v) => v === '1' });
}
`;

/** A named check anywhere in a k6 summary (root_group and its groups). */
function findCheck(node: unknown, name: string): { passes: number; fails: number } | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const o = node as Record<string, unknown>;
  if (o.name === name && typeof o.passes === 'number') return o as unknown as { passes: number; fails: number };
  for (const v of Object.values(o)) {
    const found = findCheck(v, name);
    if (found) return found;
  }
  return undefined;
}

describe("a config's service versions and options", () => {
  it('should exit 104 naming each version the local provider does not have, before any server starts', async () => {
    const body = `{ services: { redis: { version: '1.0' }, postgres: { version: '9.6' }, kafka: { version: '2.8' } },
      mockLlm: true, scenarios: { smoke: { script: 'ping.ts', thresholds: 'ping.json' } } }`;
    const results = join(root, 'versions');
    const r = await runCli([
      'run',
      'smoke',
      '--config',
      writeConfig('versions', body),
      '--infra',
      'local',
      '--results',
      results,
      '-q',
    ]);
    assert.equal(r.code, 104, r.stderr);
    const redis = installedVersion('redis').version!;
    assert.match(
      r.stderr,
      new RegExp(
        `k6-llm-perf\\.config\\.ts: /services/redis/version: wants 1\\.0, but the local provider runs ${redis.replace(/\./g, '\\.')} \\(.*redis-server\\)`,
      ),
    );
    assert.match(
      r.stderr,
      /\/services\/postgres\/version: wants 9\.6, but the local provider runs \d+\.\d+ \(.*\/postgres\)/,
    );
    assert.match(r.stderr, /\/services\/kafka\/version: wants 2\.8, but the local provider runs 3\.9\.1 /);
    const logs = existsSync(results) ? readdirSync(join(resultsDirOf(results, 'smoke'), 'logs')) : [];
    assert.deepEqual(
      logs.filter((f) => /^(redis|postgres|kafka|mock-llm)\.log$/.test(f)),
      [],
      'a server was started',
    );
  });

  it('should run with the installed major versions and apply the PostgreSQL settings', async () => {
    const major = (s: 'redis' | 'postgres'): string => installedVersion(s).version!.split('.')[0]!;
    const dir = mkdtempSync(join(root, 'settings-'));
    writeFileSync(join(dir, 'settings.ts'), SETTINGS_SCRIPT);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ thresholds: { checks: ['rate==1'] } }));
    const file = join(dir, 'k6-llm-perf.config.ts');
    writeFileSync(
      file,
      `export default { services: { redis: { version: '${major('redis')}' },
        postgres: { version: '${major('postgres')}', settings: { work_mem: '7MB' } } },
        scenarios: { settings: { script: 'settings.ts', thresholds: 'settings.json' } } };\n`,
    );
    const results = join(root, 'settings-results');
    const r = await runCli(['run', 'settings', '--config', file, '--infra', 'local', '--results', results, '-q']);
    assert.equal(r.code, 0, r.stderr);
    // Exit 0 under `checks: rate==1` needs every check passed; the summary shows the setting's check ran.
    const summary = readFileSync(join(resultsDirOf(results, 'settings'), 'summary.json'), 'utf8');
    const check = findCheck(JSON.parse(summary), 'work_mem is the config setting');
    assert.ok(check && check.passes === 2 && check.fails === 0, JSON.stringify(check));
  });
});
