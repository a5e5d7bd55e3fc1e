import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { engineArgs, selectEngine, trendStats } from '../../run/engine-select.ts';
import { createResultsDir, redactEnv, stamp } from '../../run/results-dir.ts';
import { validateRunOptions, type RunOptions } from '../../run/options.ts';
import { scriptEnv } from '../../run/execute-scenario.ts';
import { kitCatalog, servicesFor } from '../../run/catalog.ts';
import { RunConfigError } from '../../run/errors.ts';
import { FIXTURES } from './helpers.ts';

const FAKE_K6 = join(FIXTURES, 'fake-k6.mjs');

function baseOptions(patch: Partial<RunOptions> = {}): RunOptions {
  return {
    scenario: 'load',
    engine: 'auto',
    infra: 'auto',
    overrides: {},
    env: {},
    resultsRoot: 'results',
    quiet: false,
    progress: 'silent',
    build: true,
    ...patch,
  };
}

describe('engine selection', () => {
  it('picks the Node engine when no k6 binary is found', () => {
    const spec = selectEngine('auto', { PATH: '/nonexistent' });
    assert.equal(spec.kind, 'node');
    assert.deepEqual(spec.prefix.slice(1), ['engine', 'run']);
  });

  it('picks K6_BIN when it is executable', () => {
    const spec = selectEngine('auto', { PATH: '/nonexistent', K6_BIN: FAKE_K6 });
    assert.deepEqual([spec.kind, spec.command], ['k6', FAKE_K6]);
  });

  it('picks a k6 on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-path-'));
    try {
      symlinkSync(FAKE_K6, join(dir, 'k6'));
      const spec = selectEngine('auto', { PATH: `/nonexistent:${dir}` });
      assert.deepEqual([spec.kind, spec.command], ['k6', join(dir, 'k6')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the Node engine when asked for it even with a k6 binary around', () => {
    assert.equal(selectEngine('node', { K6_BIN: FAKE_K6 }).kind, 'node');
  });

  it('refuses --engine k6 without a binary, with exit 104', () => {
    assert.throws(
      () => selectEngine('k6', { PATH: '/nonexistent' }),
      (e: unknown) => e instanceof RunConfigError && e.exitCode === 104 && /no k6 on PATH/.test(e.message),
    );
  });

  it('asks for every percentile the verdict needs, after k6 defaults', () => {
    assert.deepEqual(trendStats(['p(95)', 'p(99.9)', 'avg', 'rate', 'count']), [
      'avg',
      'min',
      'med',
      'max',
      'p(90)',
      'p(95)',
      'p(99)',
      'p(99.9)',
    ]);
  });

  it('gives the Node engine histogram and sample-count exports and k6 a JSON output', () => {
    const common = {
      bundle: 'b.js',
      configFile: 'c.json',
      summaryFile: 's.json',
      stats: ['avg'],
      env: { A: '1' },
      timeseriesFile: 't.json',
      histogramsFile: 'h.json',
      samplesFile: 'n.json',
      k6PointsFile: 'p.json',
      quiet: true,
    };
    const node = engineArgs({ ...common, spec: selectEngine('node', {}) });
    assert.deepEqual(node.slice(3), [
      '--config',
      'c.json',
      '--summary-export',
      's.json',
      '--summary-trend-stats',
      'avg',
      '-e',
      'A=1',
      '--timeseries-export',
      't.json',
      '--hdr-export',
      'h.json',
      '--samples-export',
      'n.json',
      '--quiet',
      'b.js',
    ]);
    const k6 = engineArgs({ ...common, spec: selectEngine('k6', { K6_BIN: FAKE_K6 }) });
    assert.deepEqual(k6, [
      'run',
      '--config',
      'c.json',
      '--summary-export',
      's.json',
      '--summary-trend-stats',
      'avg',
      '-e',
      'A=1',
      '--out',
      'json=p.json',
      '--quiet',
      'b.js',
    ]);
  });
});

describe('the script environment', () => {
  const endpoints = {
    redis: { url: 'redis://h:1' },
    postgres: { url: 'postgres://u:p@h:2/d' },
    kafka: { brokers: ['h:3', 'h:4'] },
  };

  it('hands over every endpoint, the overrides, and lets -e win', () => {
    const env = scriptEnv(
      endpoints,
      'http://t',
      'http://llm',
      baseOptions({ overrides: { RATE: '5', PROFILE: 'short' }, env: { RATE: '7', X: 'y' } }),
    );
    assert.deepEqual(env, {
      BASE_URL: 'http://t',
      LLM_URL: 'http://llm',
      REDIS_URL: 'redis://h:1',
      DATABASE_URL: 'postgres://u:p@h:2/d',
      KAFKA_BROKERS: 'h:3,h:4',
      KAFKA_TOPIC: 'llm.requests.events',
      RATE: '7',
      PROFILE: 'short',
      X: 'y',
    });
  });

  it('redacts credential-like variables and URL passwords for the results', () => {
    assert.deepEqual(redactEnv({ DATABASE_URL: 'postgres://u:secret@h:2/d', ANTHROPIC_API_KEY: 'sk-1', RATE: '2' }), {
      DATABASE_URL: 'postgres://u:***@h:2/d',
      ANTHROPIC_API_KEY: '***',
      RATE: '2',
    });
  });
});

describe('catalog', () => {
  const SCENARIOS = kitCatalog().entries;
  it('starts only what the script uses when the target is the user’s own', () => {
    assert.deepEqual(servicesFor(SCENARIOS.get('load')!, true), []);
    assert.deepEqual(servicesFor(SCENARIOS.get('outbox')!, true), ['postgres', 'kafka']);
    assert.deepEqual(servicesFor(SCENARIOS.get('load')!, false), ['redis', 'postgres', 'kafka']);
    assert.deepEqual(servicesFor(SCENARIOS.get('redis')!, false), ['redis']);
    assert.deepEqual(servicesFor(SCENARIOS.get('llm-stream')!, false), []);
  });
});

describe('results folder', () => {
  it('is named <YYYYMMDD-HHMMSS>-<scenario> in UTC, with a suffix when taken', () => {
    const root = mkdtempSync(join(tmpdir(), 'k6-results-'));
    try {
      const now = new Date('2026-11-25T12:03:04.500Z');
      assert.equal(stamp(now), '20261125-120304');
      const a = createResultsDir(root, 'load', now);
      const b = createResultsDir(root, 'load', now);
      assert.equal(basename(a.dir), '20261125-120304-load');
      assert.equal(basename(b.dir), '20261125-120304-load-2');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('run options', () => {
  it('accepts the defaults', () => {
    validateRunOptions(baseOptions());
  });

  it('lists every bad option at once', () => {
    assert.throws(
      () =>
        validateRunOptions(
          baseOptions({
            scenario: 'nope',
            infra: 'docker' as RunOptions['infra'],
            targetUrl: 'ftp://x',
            overrides: { VUS: '0', DURATION: '10 minutes' },
          }),
        ),
      (e: unknown) => e instanceof RunConfigError && e.problems.length === 5,
    );
  });

  it('names --llm-provider when it is unknown, given with --llm-url, or not installed', () => {
    const problems = (patch: Partial<RunOptions>): string[] => {
      try {
        validateRunOptions(baseOptions(patch));
        return [];
      } catch (e) {
        assert.ok(e instanceof RunConfigError);
        return e.problems;
      }
    };
    assert.deepEqual(problems({ llmProvider: 'vllm' as RunOptions['llmProvider'] }), [
      '--llm-provider vllm: expected one of mock, llama-server',
    ]);
    assert.deepEqual(problems({ llmProvider: 'mock' }), []);
    const empty = mkdtempSync(join(tmpdir(), 'k6lp-cache-'));
    const saved = process.env.K6_LLM_PERF_CACHE;
    process.env.K6_LLM_PERF_CACHE = empty;
    try {
      const p = problems({ llmProvider: 'llama-server', llmUrl: 'http://127.0.0.1:1' });
      assert.equal(p[0], '--llm-provider llama-server: not with --llm-url (one LLM per run)');
      assert.match(p[1]!, /^--llm-provider llama-server: llama-server \(.*\) and the tiny GGUF model not installed; run npm run setup:llama$/); // prettier-ignore
    } finally {
      if (saved === undefined) delete process.env.K6_LLM_PERF_CACHE;
      else process.env.K6_LLM_PERF_CACHE = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
