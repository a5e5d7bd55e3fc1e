import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { configToEnv, loadConfigFromEnv, TargetConfigError } from '../../service/index.ts';

const BASE = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9093',
  LLM_URL: 'http://127.0.0.1:8080',
};

function errorOf(env: NodeJS.ProcessEnv): TargetConfigError {
  try {
    loadConfigFromEnv(env);
  } catch (err) {
    assert.ok(err instanceof TargetConfigError, `not a TargetConfigError: ${String(err)}`);
    return err;
  }
  assert.fail('no error thrown');
}

describe('loadConfigFromEnv', () => {
  it('reads the required variables and applies the defaults', () => {
    const c = loadConfigFromEnv(BASE);
    assert.deepEqual(c.kafkaBrokers, ['127.0.0.1:9092', '127.0.0.2:9093']);
    assert.equal(c.port, 0);
    assert.equal(c.batchMax, 100);
    assert.equal(c.kafkaTopic, 'llm.requests.events');
    assert.deepEqual(c.roles, ['api', 'worker', 'relay']);
  });

  it('reads the numeric knobs', () => {
    const c = loadConfigFromEnv({
      ...BASE,
      PORT: '8081',
      WORKER_CONCURRENCY: '4',
      BATCH_MAX: '10',
      LLM_TIMEOUT_MS: '500',
      LLM_MAX_RETRIES: '0',
    });
    assert.deepEqual([c.port, c.workerConcurrency, c.batchMax, c.llmTimeoutMs, c.llmMaxRetries], [8081, 4, 10, 500, 0]);
  });

  const bad: Array<[string, NodeJS.ProcessEnv]> = [
    ['REDIS_URL', { ...BASE, REDIS_URL: undefined }],
    ['REDIS_URL', { ...BASE, REDIS_URL: 'http://x' }],
    ['DATABASE_URL', { ...BASE, DATABASE_URL: 'not a url' }],
    ['LLM_URL', { ...BASE, LLM_URL: undefined }],
    ['KAFKA_BROKERS', { ...BASE, KAFKA_BROKERS: undefined }],
    ['KAFKA_BROKERS', { ...BASE, KAFKA_BROKERS: 'nohostport' }],
    ['PORT', { ...BASE, PORT: 'eighty' }],
    ['PORT', { ...BASE, PORT: '70000' }],
    ['WORKER_CONCURRENCY', { ...BASE, WORKER_CONCURRENCY: '0' }],
    ['BATCH_MAX', { ...BASE, BATCH_MAX: '-1' }],
    ['TARGET_ROLES', { ...BASE, TARGET_ROLES: 'api,cron' }],
    ['RELAY_CRASH_AFTER_PUBLISH', { ...BASE, RELAY_CRASH_AFTER_PUBLISH: 'maybe' }],
  ];
  for (const [variable, env] of bad) {
    it(`names ${variable} when it is ${env[variable] === undefined ? 'missing' : JSON.stringify(env[variable])}`, () => {
      const err = errorOf(env);
      assert.equal(err.variable, variable);
      assert.match(err.message, new RegExp(`^${variable}: `));
      assert.equal(err.exitCode, 104);
    });
  }

  it('does not require KAFKA_BROKERS when the relay role is off', () => {
    const c = loadConfigFromEnv({ ...BASE, KAFKA_BROKERS: undefined, TARGET_ROLES: 'api,worker' });
    assert.deepEqual(c.kafkaBrokers, []);
  });

  it('round-trips through configToEnv', () => {
    const c = loadConfigFromEnv({ ...BASE, TARGET_ROLES: 'worker', RELAY_CRASH_AFTER_PUBLISH: '1', LLM_MODEL: 'm' });
    assert.deepEqual(loadConfigFromEnv(configToEnv(c)), c);
  });
});

describe('k6-llm-perf target', () => {
  const bin = fileURLToPath(new URL('../../bin/k6-llm-perf.js', import.meta.url));
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'target', ...args], {
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stderr }));
    });

  it('exits 104 naming --port for a bad flag', async () => {
    const r = await run(['--port', 'abc'], BASE);
    assert.equal(r.code, 104);
    assert.match(r.stderr, /--port: expected a non-negative integer/);
  });

  it('exits 104 naming the missing variable', async () => {
    const r = await run([], { ...BASE, DATABASE_URL: undefined });
    assert.equal(r.code, 104);
    assert.match(r.stderr, /DATABASE_URL: is required/);
  });

  it('exits 112 naming the unreachable dependency', async () => {
    const r = await run([], { ...BASE, DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', TARGET_ROLES: 'api' });
    assert.equal(r.code, 112);
    assert.match(r.stderr, /DATABASE_URL: PostgreSQL unreachable/);
  });
});
