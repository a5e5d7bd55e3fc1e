/**
 * The E2E row against a real inference server: `run llm-stream --llm-provider llama-server`,
 * llama.cpp's llama-server started by the kit on CPU with the tiny random-weight GGUF
 * (infra/llama). Skipped where `npm run setup:llama` has not run (CI: the build takes minutes).
 * Pipeline facts only, none a loaded machine can break: the run passes, the server was
 * started, answered every request with exactly MAX_TOKENS tokens (ignore_eos), one content
 * chunk each, and its own timings of every measured request are in requests.jsonl, compared
 * with the kit's TTFT; the server is stopped at the end. The figures are printed
 * (bench/llm-e2e.ts measures them).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { llamaMissing } from '../../infra/llama/index.ts';
import { isListening } from '../../infra/lifecycle/ports.ts';
import type { ServerTimingComparison } from '../../run/server-timings.ts';
import type { RequestRecord } from '../../scripts/lib/llm-window.ts';
import { readJson, resultsDirOf, runCli } from '../run/helpers.ts';

const TOKENS = 32;
const VUS = 4;
const missing = llamaMissing();
const skip = missing.length ? `${missing.join(' and ')} not installed (npm run setup:llama; CI does not build it)` : false; // prettier-ignore

describe('llm-stream against llama-server started by the kit', { skip, timeout: 300_000 }, () => {
  let root: string;
  let dir: string;
  let code: number | null;
  let stderr: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'llm-e2e-'));
    const results = join(root, 'results');
    const env = [`VUS=${VUS}`, `MAX_TOKENS=${TOKENS}`, 'WARMUP=2s', 'DURATION=6s'];
    const r = await runCli([
      'run',
      'llm-stream',
      '--engine',
      'node',
      '--llm-provider',
      'llama-server',
      '--quiet',
      '--results',
      results,
      ...env.flatMap((e) => ['-e', e]),
    ]);
    code = r.code;
    stderr = r.stderr;
    dir = resultsDirOf(results, 'llm-stream');
  });
  after(() => {
    if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
    else console.log(root);
  });

  const records = (): RequestRecord[] =>
    readFileSync(join(dir, 'requests.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestRecord);

  it('passes its thresholds', () => {
    assert.equal(code, 0, stderr.slice(-3000));
  });

  it('started llama-server, logged it, and stopped it', async () => {
    const llm = readJson<{ llm: { kind: string; url: string; parallel: number } }>(join(dir, 'meta.json')).llm;
    assert.equal(llm.kind, 'llama-server');
    assert.ok(llm.parallel >= VUS);
    const log = readFileSync(join(dir, 'logs', 'llama-server.log'), 'utf8');
    assert.ok(log.includes(`listening on ${llm.url}`), 'llama-server.log has no listening line');
    assert.equal(await isListening(Number(new URL(llm.url).port)), false, 'llama-server still listens after the run');
  });

  it('got exactly MAX_TOKENS tokens per request (ignore_eos), one chunk each, counted alike by client and server', () => {
    const rs = records();
    assert.ok(rs.length >= VUS, `${rs.length} records`);
    for (const r of rs) {
      assert.equal(r.status, 200, JSON.stringify(r));
      assert.equal(r.error, null);
      assert.deepEqual(r.output_tokens, { client: TOKENS, server: TOKENS });
      assert.equal(r.token_offsets_ms.length, TOKENS);
    }
  });

  it("records the server's own timings of every request and compares them with the kit's TTFT", () => {
    const rs = records();
    for (const r of rs) {
      const t = r.server_timings;
      assert.ok(t, `no server timings: ${JSON.stringify(r)}`);
      assert.equal(t.predicted_n, TOKENS);
      assert.ok(t.prompt_n > 0 && t.prompt_ms > 0 && t.predicted_ms > 0, JSON.stringify(t));
    }
    const c = readJson<ServerTimingComparison>(join(dir, 'server-timings.json'));
    assert.equal(c.requests, rs.filter((r) => r.measured).length);
    assert.ok(c.requests > 0);
    // The client's TTFT includes the server's prompt processing: it cannot be shorter.
    assert.ok(c.ttftMinusPromptMs.p50 > 0, JSON.stringify(c));
    assert.match(stderr, /server timings \(\d+ measured requests\)/);
    console.log(JSON.stringify(c));
  });

  it('leaves no results of a mock: the run never started one', () => {
    assert.equal(existsSync(join(dir, 'logs', 'mock-llm.log')), false);
  });
});
