// k6-llm-perf: what `npx k6-llm-perf run <scenario>` brings up for your scenarios.
// Every field: node_modules/k6-llm-perf/docs/use-in-your-repository.md.
import { defineConfig } from 'k6-llm-perf';

export default defineConfig({
  // Real infrastructure the service needs (provider: --infra auto | local | testcontainers | external).
  services: { redis: true, postgres: true },
  // The mock LLM provider (OpenAI and Anthropic wire formats), seed 42, no simulated errors.
  mockLlm: { seed: 42 },
  // The service under test. A stand-in for now: the kit's reference service. Point `command` at
  // yours; placeholders: {{postgres.url}} {{redis.url}} {{kafka.brokers}} {{llm.url}} {{port}}.
  service: {
    command: 'k6-llm-perf target --port {{port}}',
    env: {
      REDIS_URL: '{{redis.url}}',
      DATABASE_URL: '{{postgres.url}}',
      LLM_URL: '{{llm.url}}',
      TARGET_ROLES: 'api,worker',
    },
    readyUrl: 'http://127.0.0.1:{{port}}/healthz',
    timeout: 60_000,
    reuseExisting: false,
  },
  // Isolation between scenarios of `run all`: Redis flushed, these tables truncated, these topics recreated.
  reset: { redis: true, tables: ['outbox_events', 'llm_requests'], topics: [] },
  scenarios: {
    smoke: { script: 'perf/smoke.ts', thresholds: 'perf/smoke.thresholds.json' },
  },
});
