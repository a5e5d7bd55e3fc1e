/** Config validation: every problem named by its JSON path; files named in the message. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultConfig, MockLlmConfigError, resolveConfig, validateConfig } from '../../mock-llm/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'mock-llm-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(patch: unknown): string[] {
  try {
    resolveConfig(patch as object);
    return [];
  } catch (err) {
    assert.ok(err instanceof MockLlmConfigError);
    return err.problems;
  }
}

describe('mock-llm config', () => {
  it('accepts the defaults', () => {
    assert.deepEqual(validateConfig(defaultConfig()), []);
  });

  it('merges a partial config onto the defaults', () => {
    const cfg = resolveConfig({ latency: { ttftMs: { type: 'lognormal', median: 300, p95: 900 } } });
    assert.deepEqual(cfg.latency.ttftMs, { type: 'lognormal', median: 300, p95: 900 });
    assert.equal(cfg.latency.itlMs, defaultConfig().latency.itlMs);
  });

  const table: Array<[string, unknown, string]> = [
    ['a negative fixed latency', { latency: { ttftMs: -1 } }, 'latency.ttftMs:'],
    ['an unknown distribution type', { latency: { itlMs: { type: 'pareto' } } }, 'latency.itlMs.type:'],
    [
      'a uniform with max below min',
      { latency: { ttftMs: { type: 'uniform', min: 5, max: 1 } } },
      'latency.ttftMs.max:',
    ],
    [
      'a lognormal with p95 below the median',
      { latency: { ttftMs: { type: 'lognormal', median: 10, p95: 5 } } },
      'latency.ttftMs.p95:',
    ],
    ['a missing normal stddev', { output: { tokens: { type: 'normal', mean: 5 } } }, 'output.tokens.stddev:'],
    ['a fractional maxConcurrency', { latency: { maxConcurrency: 1.5 } }, 'latency.maxConcurrency:'],
    ['an error rate above 1', { errors: { hang: 1.2 } }, 'errors.hang:'],
    ['error rates summing above 1', { errors: { rateLimit: 0.6, serverError: 0.6 } }, 'errors:'],
    ['an empty model list', { models: [] }, 'models:'],
    ['a zero body limit', { maxBodyBytes: 0 }, 'maxBodyBytes:'],
    ['an unknown top-level field', { lateny: {} }, 'lateny:'],
    ['an unknown nested field', { errors: { timeout: 0.1 } }, 'errors.timeout:'],
  ];
  for (const [name, patch, path] of table) {
    it(`rejects ${name}, naming ${path.replace(/:$/, '')}`, () => {
      const problems = problemsOf(patch);
      assert.ok(
        problems.some((p) => p.startsWith(path)),
        problems.join('\n'),
      );
    });
  }

  it('reports every problem at once', () => {
    assert.equal(problemsOf({ latency: { ttftMs: -1, itlMs: -2 }, maxBodyBytes: 0 }).length, 3);
  });

  it('names the file and the JSON path when a config file is invalid', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ errors: { rateLimit: 'often' } }));
    assert.throws(
      () => resolveConfig(file),
      (err: unknown) => {
        assert.ok(err instanceof MockLlmConfigError);
        assert.equal(err.exitCode, 104);
        assert.ok(err.message.includes(file) && err.message.includes('errors.rateLimit'));
        return true;
      },
    );
  });

  it('names the file when it is not JSON or cannot be read', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ nope');
    assert.throws(() => resolveConfig(file), new RegExp(`${file}: \\(root\\): invalid JSON`));
    assert.throws(() => resolveConfig(join(dir, 'missing.json')), /missing\.json: cannot read the file/);
  });
});
