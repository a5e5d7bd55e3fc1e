/**
 * GET /metrics: Prometheus text exposition (prom-client) under vLLM's metric names, so a
 * dashboard or scraper written for a vLLM server reads the stub unchanged:
 *   vllm:num_requests_running            Gauge, requests generating now
 *   vllm:num_requests_waiting            Gauge, requests queued under latency.maxConcurrency
 *   vllm:request_success_total           Counter, label finished_reason (stop | length | abort)
 *   vllm:prompt_tokens_total             Counter
 *   vllm:generation_tokens_total         Counter
 *   vllm:time_to_first_token_seconds     Histogram, arrival (or leaving the queue) to first token written
 *   vllm:inter_token_latency_seconds     Histogram, gap between two tokens written
 *   vllm:e2e_request_latency_seconds     Histogram, start to last token written
 * Every series carries `model_name`, as vLLM's do. Times are the stub's own (written, not
 * received): the client's figures add the network.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** vLLM's bucket bounds (vllm/engine/metrics.py), in seconds. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
const E2E_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60];

export class LlmMetrics {
  readonly registry = new Registry();
  private readonly success: Counter<'model_name' | 'finished_reason'>;
  private readonly prompt: Counter<'model_name'>;
  private readonly generation: Counter<'model_name'>;
  private readonly ttft: Histogram<'model_name'>;
  private readonly itl: Histogram<'model_name'>;
  private readonly e2e: Histogram<'model_name'>;

  constructor(running: () => number, waiting: () => number) {
    const registers = [this.registry];
    const labelNames = ['model_name'] as const;
    new Gauge({ name: 'vllm:num_requests_running', help: 'Requests generating now', registers, collect() { this.set(running()); } }); // prettier-ignore
    new Gauge({ name: 'vllm:num_requests_waiting', help: 'Requests waiting for a slot', registers, collect() { this.set(waiting()); } }); // prettier-ignore
    this.success = new Counter({
      name: 'vllm:request_success_total',
      help: 'Finished requests',
      labelNames: ['model_name', 'finished_reason'],
      registers,
    });
    this.prompt = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Prompt tokens', labelNames, registers });
    this.generation = new Counter({ name: 'vllm:generation_tokens_total', help: 'Generated tokens', labelNames, registers }); // prettier-ignore
    this.ttft = new Histogram({ name: 'vllm:time_to_first_token_seconds', help: 'Time to first token', labelNames, buckets: TTFT_BUCKETS, registers }); // prettier-ignore
    this.itl = new Histogram({ name: 'vllm:inter_token_latency_seconds', help: 'Inter-token latency', labelNames, buckets: ITL_BUCKETS, registers }); // prettier-ignore
    this.e2e = new Histogram({ name: 'vllm:e2e_request_latency_seconds', help: 'End-to-end request latency', labelNames, buckets: E2E_BUCKETS, registers }); // prettier-ignore
  }

  firstToken(model: string, ms: number): void {
    this.ttft.observe({ model_name: model }, ms / 1000);
  }

  laterToken(model: string, gapMs: number): void {
    this.itl.observe({ model_name: model }, gapMs / 1000);
  }

  finished(model: string, reason: 'stop' | 'length' | 'abort', ms: number, input: number, output: number): void {
    const labels = { model_name: model };
    this.success.inc({ ...labels, finished_reason: reason });
    this.prompt.inc(labels, input);
    this.generation.inc(labels, output);
    if (reason !== 'abort') this.e2e.observe(labels, ms / 1000);
  }

  reset(): void {
    this.registry.resetMetrics();
  }
}

/**
 * The probes real servers answer: `GET /health` (vLLM's liveness path: 200, empty body) and
 * `GET /metrics` (above). Returns false for any other request.
 */
export function handleProbes(
  metrics: LlmMetrics | undefined,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || (path !== '/health' && path !== '/metrics')) return false;
  if (path === '/health' || metrics === undefined) {
    if (path === '/health') res.writeHead(200, { 'content-length': '0' }).end();
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"metrics are off"}');
    return true;
  }
  metrics.registry.metrics().then(
    (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
    (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${err.message}`),
  );
  return true;
}
