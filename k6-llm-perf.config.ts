// The kit's own ten scenarios, declared with the same config a user writes (docs/use-in-your-repository.md):
// `npm run k6:<scenario>` and `run all` run them from here. Paths are relative to this file.
import { defineConfig } from 'k6-llm-perf';
import { KIT_TABLES, KIT_TOPICS } from './service/constants.ts';

export default defineConfig({
  // The reference service (service/): it brings its own Redis, PostgreSQL, Kafka and the mock LLM
  // (seed 42, performance mode); `--target URL` replaces it and none of them is started for it.
  service: 'reference',
  // Isolation between the scenarios of `run all`: Redis flushed, the service's tables truncated, its topic recreated.
  reset: { redis: true, tables: [...KIT_TABLES], topics: [...KIT_TOPICS] },
  scenarios: {
    load: {
      script: 'scripts/load.ts',
      thresholds: 'thresholds/load.json',
      description: 'sustained arrival rate through the end-to-end pipeline (§6.1)',
    },
    stress: {
      script: 'scripts/stress.ts',
      thresholds: 'thresholds/stress.json',
      description: 'concurrent operations, then a ramp to find the knee (§6.2)',
    },
    endurance: {
      script: 'scripts/endurance.ts',
      thresholds: 'thresholds/endurance.json',
      description: 'mixed quick/detailed/batch workloads, degradation over time (§6.3)',
    },
    spike: {
      script: 'scripts/spike.ts',
      thresholds: 'thresholds/spike.json',
      description: 'a sudden jump in arrival rate, and recovery',
    },
    redis: {
      script: 'scripts/redis.ts',
      thresholds: 'thresholds/redis.json',
      services: ['redis'],
      service: false,
      description: 'Redis operations through k6/x/redis (§4.1)',
    },
    queue: {
      script: 'scripts/queue.ts',
      thresholds: 'thresholds/queue.json',
      services: ['redis'],
      description: 'enqueue and retrieve through the queue (§4.1)',
    },
    batch: {
      script: 'scripts/batch.ts',
      thresholds: 'thresholds/batch.json',
      description: 'the batch endpoint, per-request latency (§4.1)',
    },
    bulk: {
      script: 'scripts/bulk.ts',
      thresholds: 'thresholds/bulk.json',
      services: ['postgres'],
      description: 'bulk workflows and database integrity (§7.2)',
    },
    outbox: {
      script: 'scripts/outbox.ts',
      thresholds: 'thresholds/outbox.json',
      services: ['kafka', 'postgres'],
      description: 'business operation + outbox event consumed from Kafka (§8)',
    },
    'llm-stream': {
      script: 'scripts/llm-stream.ts',
      thresholds: 'thresholds/llm-stream.json',
      service: false,
      mockLlm: true,
      description: 'streaming from the LLM: TTFT, ITL, TPOT, tokens/s',
    },
  },
});
