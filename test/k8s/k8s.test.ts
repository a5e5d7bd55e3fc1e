/** `k8s`: k6-operator manifests for a scenario (no cluster here: the YAML is parsed and checked). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { KitError } from '../../engine/exit-codes.ts';
import { buildManifests, extensionsOf } from '../../k8s/manifest.ts';
import { prepareK8s, type K8sFlags } from '../../k8s/write.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8s-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const flags = (more: Partial<K8sFlags> = {}): K8sFlags => ({
  parallelism: '4',
  env: [],
  arg: [],
  build: true,
  ...more,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read field by field by the assertions below
type Doc = Record<string, any>;

describe('k8s manifests', () => {
  it('writes a TestRun with the parallelism, the script from the ConfigMap and the env of every pod', async () => {
    const { input } = await prepareK8s('load', flags({ target: 'http://svc.perf:8080', env: ['PROFILE=short'] }));
    const m = buildManifests(input);
    const run = m.testRun as Doc;
    assert.equal(run.apiVersion, 'k6.io/v1alpha1');
    assert.equal(run.kind, 'TestRun');
    assert.equal(run.spec.parallelism, 4);
    assert.deepEqual(run.spec.script, { configMap: { name: 'k6-llm-perf-load-script', file: 'load.js' } });
    assert.deepEqual(run.spec.runner.env, [
      { name: 'PROFILE', value: 'short' },
      { name: 'BASE_URL', value: 'http://svc.perf:8080' },
    ]);
    assert.match(run.spec.arguments, /^--config \/test\/config\.json --tag testid=k6-llm-perf-load$/);
  });

  it("puts the built bundle and the scenario's thresholds in the ConfigMap", async () => {
    const { input } = await prepareK8s('load', flags({ target: 'http://svc:8080' }));
    const cm = buildManifests(input).configMap as Doc;
    assert.equal(cm.data['load.js'], readFileSync(join(ROOT, 'dist/scripts/load.js'), 'utf8'));
    const thresholds = JSON.parse(readFileSync(join(ROOT, 'thresholds/load.json'), 'utf8')).thresholds;
    assert.deepEqual(JSON.parse(cm.data['config.json']).thresholds, thresholds);
  });

  it('lists every problem at once with exit 104, naming the flag or variable', async () => {
    await assert.rejects(prepareK8s('outbox', flags({ parallelism: '0', name: 'Not_A_Name' })), (err: unknown) => {
      assert.ok(err instanceof KitError);
      assert.equal(err.exitCode, 104);
      for (const part of [
        '--parallelism',
        '--name',
        'BASE_URL',
        'DATABASE_URL',
        'KAFKA_BROKERS',
        '--image: scenario outbox imports k6/x/kafka, k6/x/sql',
      ]) {
        assert.ok(err.message.includes(part), `${part} in ${err.message}`);
      }
      return true;
    });
  });

  it('sets the runner image for scenarios with extensions', async () => {
    const { input } = await prepareK8s(
      'redis',
      flags({ image: 'registry.local/k6-xk6:1', env: ['REDIS_URL=redis://redis:6379'] }),
    );
    const m = buildManifests(input);
    assert.equal((m.testRun as Doc).spec.runner.image, 'registry.local/k6-xk6:1');
    assert.deepEqual(m.extensions, ['k6/x/redis']);
  });

  it('finds extension imports in a bundle', () => {
    assert.deepEqual(
      extensionsOf('import redis from "k6/x/redis";\nimport sql from "k6/x/sql";\nimport http from "k6/http";'),
      ['k6/x/redis', 'k6/x/sql'],
    );
  });

  it('writes both YAML files from the CLI and exits 0; a bad scenario exits 104 and writes nothing', () => {
    const out = join(dir, 'load');
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/k6-llm-perf.js'), 'k8s', ...args], { encoding: 'utf8', cwd: dir });
    const ok = cli([
      'load',
      '--no-build',
      '--parallelism',
      '2',
      '--target',
      'http://svc:8080',
      '--namespace',
      'perf',
      '--out',
      out,
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    const run = parse(readFileSync(join(out, 'testrun.yaml'), 'utf8')) as Doc;
    const cm = parse(readFileSync(join(out, 'configmap.yaml'), 'utf8')) as Doc;
    assert.equal(run.metadata.namespace, 'perf');
    assert.equal(run.spec.parallelism, 2);
    assert.equal(cm.metadata.name, run.spec.script.configMap.name);
    const bad = cli(['nope', '--out', join(dir, 'nope')]);
    assert.equal(bad.status, 104);
    assert.match(bad.stderr, /scenario: expected one of load, stress/);
    assert.equal(existsSync(join(dir, 'nope')), false);
  });

  it('refuses a bad threshold file with 104 naming the file', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "thresholds": { "http_req_duration": ["p(95)<<5"] } }');
    await assert.rejects(
      prepareK8s('load', flags({ target: 'http://svc:8080', thresholds: file })),
      (err: unknown) => err instanceof KitError && err.exitCode === 104 && err.message.includes('bad.json'),
    );
  });
});
