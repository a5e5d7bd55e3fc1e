/**
 * Prometheus metrics of one target instance, on its own registry (several instances may
 * live in one process in tests). Gauges that need I/O (queue depth, outbox backlog) are
 * read at scrape time through the `probes` given by the service.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Probes {
  queueDepth?: () => Promise<{ waiting: number; pending: number }>;
  outboxBacklog?: () => Promise<number>;
}

export interface TargetMetrics {
  registry: Registry;
  inFlight: Gauge;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method'>;
  llmCall: Histogram<'outcome'>;
  llmRetries: Counter;
  jobs: Counter<'outcome'>;
  relayLag: Histogram;
  relayPublished: Counter;
  relayErrors: Counter;
  enqueueFailures: Counter;
}

export function createMetrics(probes: Probes): TargetMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'target_' });
  const queueDepth = new Gauge({
    name: 'target_queue_depth',
    help: 'Queue entries by state: waiting (not yet delivered) and pending (delivered, not acknowledged)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!probes.queueDepth) return;
      const d = await probes.queueDepth().catch(() => null);
      if (!d) return;
      this.set({ state: 'waiting' }, d.waiting);
      this.set({ state: 'pending' }, d.pending);
    },
  });
  void queueDepth;
  new Gauge({
    name: 'target_outbox_backlog',
    help: 'Outbox events not yet published',
    registers: [registry],
    async collect() {
      if (!probes.outboxBacklog) return;
      const n = await probes.outboxBacklog().catch(() => null);
      if (n !== null) this.set(n);
    },
  });
  return {
    registry,
    inFlight: new Gauge({
      name: 'target_jobs_in_flight',
      help: 'Jobs being processed by this worker',
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'target_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'target_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    llmCall: new Histogram({
      name: 'target_llm_call_duration_seconds',
      help: 'Duration of each LLM HTTP attempt, by outcome (ok, an HTTP status, network)',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    llmRetries: new Counter({
      name: 'target_llm_retries_total',
      help: 'LLM attempts that were retried',
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'target_jobs_total',
      help: 'Jobs finished, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    relayLag: new Histogram({
      name: 'target_relay_publish_lag_seconds',
      help: 'Broker acknowledgement time minus the outbox event creation time',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    relayPublished: new Counter({
      name: 'target_relay_published_total',
      help: 'Outbox events published',
      registers: [registry],
    }),
    relayErrors: new Counter({
      name: 'target_relay_errors_total',
      help: 'Relay publish or mark failures',
      registers: [registry],
    }),
    enqueueFailures: new Counter({
      name: 'target_enqueue_failures_total',
      help: 'Committed requests whose XADD failed (the requeue sweeper enqueues them later)',
      registers: [registry],
    }),
  };
}
