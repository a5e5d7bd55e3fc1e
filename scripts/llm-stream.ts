/**
 * LLM streaming, measured the way vLLM's serving benchmark measures it, straight against
 * the LLM endpoint (the mock stub; or a real provider with LLM_URL and LLM_API_KEY, to
 * compare): time to first token, inter-token latency, time per output token, end-to-end
 * latency and output tokens/s, for both wire formats (tag provider:anthropic|openai).
 * Formulas: scripts/lib/llm-stream.ts and docs/scenarios.md.
 *
 * How chunks are timed: k6/http hands a response over only when it is complete, so the
 * stream is read through `k6/x/sse` (phymbert/xk6-sse, resolved by k6 ≥ 1.2 by itself;
 * the kit's engine implements it) and each event is stamped with Date.now() as its
 * handler runs — the client-side arrival time, the same clock vLLM's benchmark uses.
 *
 *   llm_ttft, llm_itl, llm_tpot, llm_e2el   Trends (ms), tag provider
 *   llm_output_tokens_per_s                 Trend, per request
 *   llm_output_tokens                       Counter: its rate is the run's output tokens/s
 *   llm_stream_success                      Rate, the stream finished with content
 *
 * Env: LLM_URL (required), LLM_API_KEY (optional, sent as x-api-key / Bearer, never
 * logged), PROVIDERS (default anthropic,openai), VUS (concurrent streams per provider,
 * default 4), WARMUP (unmeasured start, default 5s; 3s short), DURATION (measured,
 * default 20s; 6s short), MAX_TOKENS (default 128),
 * ANTHROPIC_MODEL, OPENAI_MODEL.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import sse from 'k6/x/sse';
import { durationMs, llmUrl, numberEnv, optionalEnv, phase } from './lib/config.ts';
import { prompt } from './lib/data.ts';
import { buildRequest, measure, newState, onEvent, type Provider } from './lib/llm-stream.ts';

const ttft = new Trend('llm_ttft', true);
const itl = new Trend('llm_itl', true);
const tpot = new Trend('llm_tpot', true);
const e2el = new Trend('llm_e2el', true);
const tokensPerSecond = new Trend('llm_output_tokens_per_s');
const outputTokens = new Counter('llm_output_tokens');
const success = new Rate('llm_stream_success');

const PROVIDERS = optionalEnv('PROVIDERS', 'anthropic,openai')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
for (const p of PROVIDERS)
  if (p !== 'anthropic' && p !== 'openai')
    throw new Error(`PROVIDERS: unknown provider "${p}" (expected anthropic, openai)`);
const MODELS: Record<Provider, string> = {
  anthropic: optionalEnv('ANTHROPIC_MODEL', 'claude-sonnet-4-5'),
  openai: optionalEnv('OPENAI_MODEL', 'gpt-4o-mini'),
};
const MAX_TOKENS = numberEnv('MAX_TOKENS', 128);
const API_KEY = optionalEnv('LLM_API_KEY', '');
/** Streams started in the first WARMUP of each scenario run but are not measured (as vLLM's warm-up request). */
const WARMUP_MS = durationMs(phase('5s', '3s', 'WARMUP'));
const MEASURED_MS = durationMs(phase('20s', '6s'));

export const options = {
  scenarios: Object.fromEntries(
    PROVIDERS.map((provider) => [
      provider,
      {
        executor: 'constant-vus',
        exec: 'stream',
        vus: numberEnv('VUS', 4),
        duration: `${(WARMUP_MS + MEASURED_MS) / 1000}s`,
        gracefulStop: '30s',
        tags: { provider },
      },
    ]),
  ),
};

export async function stream(): Promise<void> {
  const provider = exec.scenario.name as Provider;
  const tags = { provider };
  const measured = Date.now() >= exec.scenario.startTime + WARMUP_MS;
  const request = buildRequest(
    provider,
    MODELS[provider],
    MAX_TOKENS,
    prompt('detailed', exec.vu.iterationInScenario),
    API_KEY,
  );
  const state = newState(Date.now());
  const response = await sse.open(
    `${llmUrl()}${request.path}`,
    { method: 'POST', headers: request.headers, body: request.body, tags },
    (client) => {
      client.on('event', (event) => onEvent(provider, state, event, Date.now()));
      client.on('error', (e) => {
        state.error = e.error();
      });
    },
  );
  const m = measure(state);
  const ok =
    check(response, { 'stream status is 200': (r) => r.status === 200 }) &&
    check(m, { 'stream carried content and finished': (x) => x !== null });
  if (!measured) return;
  success.add(ok, tags);
  if (!m) return;
  ttft.add(m.ttft, tags);
  for (const gap of m.itl) itl.add(gap, tags);
  if (m.tpot !== null) tpot.add(m.tpot, tags);
  e2el.add(m.e2el, tags);
  tokensPerSecond.add(m.tokensPerSecond, tags);
  outputTokens.add(m.outputTokens, tags);
}
