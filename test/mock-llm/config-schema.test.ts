/** The mock's config file against config.schema.json: every problem named by file, JSON path and what was expected. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONFIG_SCHEMA_PATH, configSchemaProblems } from '../../mock-llm/config-schema.ts';
import { defaultConfig, MockLlmConfigError, resolveConfig } from '../../mock-llm/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'mock-llm-config-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLE = resolve(import.meta.dirname, '../../mock-llm/config.example.json');

let n = 0;
function fileProblems(content: unknown): { file: string; problems: string[]; message: string } {
  const file = join(dir, `config-${n++}.json`);
  writeFileSync(file, JSON.stringify(content));
  try {
    resolveConfig(file);
    return { file, problems: [], message: '' };
  } catch (err) {
    assert.ok(err instanceof MockLlmConfigError, String(err));
    return { file, problems: err.problems, message: err.message };
  }
}

describe('mock-llm config schema', () => {
  it('accepts the defaults, and names exactly the fields the defaults have', () => {
    assert.deepEqual(configSchemaProblems(defaultConfig()), []);
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as {
      properties: Record<string, { properties?: object }>;
    };
    const defaults = defaultConfig() as unknown as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(schema.properties)
        .filter((k) => k !== '$schema')
        .sort(),
      Object.keys(defaults).sort(),
    );
    for (const [section, value] of Object.entries(defaults)) {
      if (Array.isArray(value) || typeof value !== 'object') continue;
      assert.deepEqual(
        Object.keys(schema.properties[section]!.properties ?? {}).sort(),
        Object.keys(value as object).sort(),
        section,
      );
    }
  });

  it('loads the example config, which names the schema in $schema', () => {
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { $schema: string };
    assert.equal(resolve(dirname(EXAMPLE), example.$schema), CONFIG_SCHEMA_PATH);
    assert.ok(existsSync(CONFIG_SCHEMA_PATH));
    const cfg = resolveConfig(EXAMPLE);
    assert.deepEqual(cfg.latency.ttftMs, { type: 'lognormal', median: 300, p95: 900 });
    assert.equal('$schema' in cfg, false);
  });

  const table: Array<[string, unknown, string]> = [
    [
      'a probability given as a word',
      { errors: { rateLimit: 'often' } },
      'errors.rateLimit: expected a probability in [0, 1], got "often"',
    ],
    ['a probability above 1', { errors: { hang: 1.2 } }, 'errors.hang: expected a probability in [0, 1], got 1.2'],
    [
      'a negative fixed latency',
      { latency: { ttftMs: -1 } },
      'latency.ttftMs: expected a number >= 0 or {type: fixed|uniform|normal|lognormal, ...}, got -1',
    ],
    [
      'a latency given as a string',
      { latency: { ttftMs: 'fast' } },
      'latency.ttftMs: expected a number >= 0 or {type: fixed|uniform|normal|lognormal, ...}, got "fast"',
    ],
    [
      'an unknown distribution type',
      { latency: { itlMs: { type: 'pareto' } } },
      'latency.itlMs.type: expected one of fixed, uniform, normal, lognormal, got "pareto"',
    ],
    [
      'a missing normal stddev',
      { output: { tokens: { type: 'normal', mean: 5 } } },
      'output.tokens.stddev: missing, expected a number >= 0',
    ],
    [
      'a field of another distribution',
      { output: { tokens: { type: 'fixed', value: 3, max: 4 } } },
      'output.tokens.max: unknown field (expected one of type, value)',
    ],
    [
      'a fractional maxConcurrency',
      { latency: { maxConcurrency: 1.5 } },
      'latency.maxConcurrency: expected an integer >= 0 (0 = no cap), got 1.5',
    ],
    ['an empty model list', { models: [] }, 'models: expected a non-empty array of model id strings, got []'],
    ['an empty model id', { models: ['a', ''] }, 'models.1: expected a non-empty model id string, got ""'],
    [
      'a section that is not an object',
      { latency: 5 },
      'latency: expected an object {ttftMs?, itlMs?, prefillMsPerInputToken?, maxConcurrency?}, got 5',
    ],
    [
      'an unknown top-level field',
      { lateny: {} },
      'lateny: unknown field (expected one of latency, output, errors, models, maxBodyBytes)',
    ],
    [
      'a root that is not an object',
      [1],
      '(root): expected an object {latency?, output?, errors?, models?, maxBodyBytes?}, got [1]',
    ],
    ['a $schema that is not a string', { $schema: 1 }, "$schema: expected a string (this schema's path or URL), got 1"],
  ];
  for (const [name, content, expected] of table) {
    it(`rejects ${name} with one problem naming the file and the path`, () => {
      const { file, problems, message } = fileProblems(content);
      assert.deepEqual(problems, [expected]);
      assert.ok(message.startsWith(`${file}: `), message);
    });
  }

  it('reports every schema problem of a file at once', () => {
    const { problems } = fileProblems({ latency: { ttftMs: -1, itlMs: 'x' }, maxBodyBytes: 0, extra: true });
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  it('still checks what spans fields once the file conforms', () => {
    const { problems } = fileProblems({
      latency: { ttftMs: { type: 'uniform', min: 5, max: 1 } },
      errors: { rateLimit: 0.6, serverError: 0.6 },
    });
    assert.ok(problems.includes('latency.ttftMs.max: must be >= min'), problems.join('\n'));
    assert.ok(
      problems.some((p) => p.startsWith('errors: the rates sum to')),
      problems.join('\n'),
    );
  });
});
