/**
 * The stub fuzzed from its own OpenAPI document by schemathesis (test/helpers/schemathesis.ts):
 * every check, bounded in examples and time; then no 5xx in its counters and still serving.
 * `PUT /__admin/config` is left out: a random valid config would turn latency and errors on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startMockLlm, type MockLlm } from '../../mock-llm/index.ts';
import { ensureSchemathesis, fuzz, SCHEMATHESIS_VERSION } from '../helpers/schemathesis.ts';
import { QUIET } from './helpers.ts';

describe('the stub under schemathesis', () => {
  let mock: MockLlm;
  before(async () => {
    mock = await startMockLlm({ config: QUIET, performanceMode: true });
  });
  after(async () => {
    await mock.stop();
  });

  it('answers every generated request without a 5xx, a crash, or a response off its document', async (t) => {
    const tool = ensureSchemathesis();
    if ('skip' in tool) return t.skip(tool.skip);
    const r = await fuzz(tool.python, mock.url, {
      maxExamples: 150,
      timeoutMs: 90_000,
      args: ['--exclude-operation-id', 'putConfig'],
    });
    t.diagnostic(`schemathesis ${SCHEMATHESIS_VERSION}: ${r.cases} cases against the stub`);
    console.log(`mock-llm fuzz: ${r.cases} cases (schemathesis ${SCHEMATHESIS_VERSION})`);
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(r.cases > 100, `only ${r.cases} cases:\n${r.output}`);
    const fiveHundreds = Object.entries(mock.stats().requests).filter(([, byStatus]) =>
      Object.keys(byStatus).some((s) => Number(s) >= 500),
    );
    assert.deepEqual(fiveHundreds, []);
    assert.equal((await fetch(`${mock.url}/healthz`)).status, 200);
  });
});
