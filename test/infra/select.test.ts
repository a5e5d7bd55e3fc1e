import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode } from '../../infra/exit-codes.ts';
import {
  chooseProvider,
  InfraError,
  KAFKA_VERSION,
  missingFor,
  normalizeServices,
  startInfra,
} from '../../infra/index.ts';
import { runSteps } from '../../infra/progress.ts';
import { ExternalProvider } from '../../infra/providers/external.ts';

const runtime = (available: boolean, detail: string) => async () => ({ available, detail });
const neverProbed = async (): Promise<never> => assert.fail('the runtime probe must not run');

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<InfraError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof InfraError, String(err));
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('chooseProvider', () => {
  it('picks testcontainers under auto when a container runtime answers, saying which', async () => {
    const choice = await chooseProvider('auto', runtime(true, 'unix:///var/run/docker.sock'));
    assert.equal(choice.provider, 'testcontainers');
    assert.match(choice.reason, /docker\.sock/);
  });

  it('falls back to local under auto when no runtime answers, saying why', async () => {
    const choice = await chooseProvider('auto', runtime(false, 'no socket found'));
    assert.equal(choice.provider, 'local');
    assert.match(choice.reason, /no socket found/);
  });

  it('takes local and external as asked without probing', async () => {
    assert.equal((await chooseProvider('local', neverProbed)).provider, 'local');
    assert.equal((await chooseProvider('external', neverProbed)).provider, 'external');
  });

  it('refuses testcontainers when no runtime answers', async () => {
    const err = await rejectsWith(
      chooseProvider('testcontainers', runtime(false, 'nothing there')),
      'INFRA_NO_RUNTIME',
    );
    assert.match(err.message, /nothing there/);
    assert.equal(err.exitCode, ExitCode.INFRA_FAILED);
  });

  it('rejects an unknown provider as bad configuration (104)', async () => {
    const err = await rejectsWith(chooseProvider('docker' as never, neverProbed), 'INFRA_BAD_OPTION');
    assert.equal(err.exitCode, 104);
    assert.match(err.message, /--infra.*"docker"/);
  });
});

describe('normalizeServices', () => {
  it('orders redis, postgres, kafka and drops duplicates', () => {
    assert.deepEqual(normalizeServices(['kafka', 'redis', 'kafka']), ['redis', 'kafka']);
  });

  it('names every unknown service', () => {
    assert.throws(() => normalizeServices(['redis', 'mysql', 'mongo']), /unknown "mysql", "mongo"/);
  });
});

describe('external provider', () => {
  it('names each missing variable, and only those the run needs', async () => {
    const err = await rejectsWith(
      new ExternalProvider({ REDIS_URL: 'redis://h:1' }).preflight(['redis', 'postgres', 'kafka']),
      'INFRA_ENV_MISSING',
    );
    assert.match(err.message, /DATABASE_URL is not set/);
    assert.match(err.message, /KAFKA_BROKERS is not set/);
    assert.doesNotMatch(err.message, /REDIS_URL/);
    await new ExternalProvider({ REDIS_URL: 'redis://h:1' }).preflight(['redis']);
  });

  it('rejects values of the wrong shape, naming the variable', async () => {
    const err = await rejectsWith(
      new ExternalProvider({ DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'a:1,b' }).preflight(['postgres', 'kafka']),
      'INFRA_ENV_MISSING',
    );
    assert.match(err.message, /DATABASE_URL="mysql:\/\/x": expected a postgres:/);
    assert.match(err.message, /KAFKA_BROKERS="a:1,b": expected host:port/);
  });

  it('hands the variables back as endpoints through startInfra, starting nothing', async () => {
    const env = {
      REDIS_URL: 'redis://10.0.0.1:6380',
      DATABASE_URL: 'postgres://u:p@db:5433/app',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
    };
    const infra = await startInfra({
      provider: 'external',
      services: ['redis', 'postgres', 'kafka'],
      env,
      progress: 'silent',
    });
    assert.deepEqual(infra.endpoints, {
      redis: { url: env.REDIS_URL },
      postgres: { url: `${env.DATABASE_URL}?sslmode=disable` },
      kafka: { brokers: ['k1:9092', 'k2:9092'] },
    });
    assert.equal(infra.provider, 'external');
    await infra.down();
  });
});

describe('setup checks', () => {
  it('reports a missing redis-server and missing Kafka jars', () => {
    const saved = { bin: process.env.REDIS_SERVER_BIN, cache: process.env.K6_LLM_PERF_CACHE };
    const empty = mkdtempSync(join(tmpdir(), 'k6-llm-perf-test-cache-'));
    try {
      process.env.REDIS_SERVER_BIN = join(empty, 'no-redis-server');
      process.env.K6_LLM_PERF_CACHE = empty;
      const missing = missingFor(['redis', 'kafka']).map((m) => m.what);
      assert.ok(missing.includes('redis-server'), missing.join());
      assert.ok(missing.includes(`Kafka ${KAFKA_VERSION} jars`), missing.join());
    } finally {
      for (const [key, value] of [
        ['REDIS_SERVER_BIN', saved.bin],
        ['K6_LLM_PERF_CACHE', saved.cache],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('pins the same Kafka version in the Maven pom as in versions.ts', () => {
    const pom = readFileSync(resolve(import.meta.dirname, '../../infra/kafka/pom.xml'), 'utf8');
    assert.equal(/<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1], KAFKA_VERSION);
  });
});

describe('exit codes and progress', () => {
  it('keeps k6 codes and adds 111 for infrastructure and 112 for the target', () => {
    assert.equal(ExitCode.THRESHOLDS_FAILED, 99);
    assert.equal(ExitCode.EXTERNAL_ABORT, 105);
    assert.equal(ExitCode.INFRA_FAILED, 111);
    assert.equal(ExitCode.TARGET_FAILED, 112);
  });

  it('returns every step outcome in order, a failure not stopping the others', async () => {
    const outcomes = await runSteps(
      [
        { title: 'slow', run: async () => new Promise<string>((r) => setTimeout(() => r('a'), 20)) },
        { title: 'broken', run: async () => Promise.reject(new Error('boom')) },
        { title: 'fast', run: async (update) => (update('detail'), 'c') },
      ],
      'silent',
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((outcomes[0] as PromiseFulfilledResult<string>).value, 'a');
  });
});
