/**
 * k6's built-in metrics (k6 `metrics/builtin.go`): names, types and "contains".
 * Every WorkerMetrics and the Aggregator define them all up front.
 */
import type { MetricDefinition } from './api.ts';

export const BUILTIN_DEFINITIONS: readonly MetricDefinition[] = [
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  { name: 'iterations', type: 'counter', contains: 'default' },
  { name: 'iteration_duration', type: 'trend', contains: 'time' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  { name: 'data_received', type: 'counter', contains: 'data' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'group_duration', type: 'trend', contains: 'time' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_blocked', type: 'trend', contains: 'time' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time' },
  { name: 'http_req_sending', type: 'trend', contains: 'time' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
];

/**
 * k6 always creates this submetric (the `expected_response` system tag is on by default),
 * so it appears in the summary whenever it has samples.
 */
export const EXPECTED_RESPONSE_SUBMETRIC = {
  key: 'http_req_duration{expected_response:true}',
  parent: 'http_req_duration',
  tags: { expected_response: 'true' },
} as const;
