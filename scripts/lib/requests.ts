/**
 * Request builders for the service under test (the reference target or the user's own):
 *   POST /v1/requests  {client_request_id?, messages | prompt, model?, max_tokens?, mode}
 *        -> 202 {id, status: 'queued', client_request_id}   (200 with the existing one on a repeat)
 *   POST /v1/batch     {requests: [...]} -> 202 {items: [...]} | 409 {error: {code: 'conflict', index}}
 *   GET  /v1/requests/:id -> {id, status, result, usage, timings}
 * Every call is `http.asyncRequest` (awaited) with a `name` tag, so URLs holding ids do
 * not explode the tag set.
 */
import http, { type RefinedResponse } from 'k6/http';
import type { RequestModel } from './data.ts';
import { baseUrl } from './config.ts';

export type Status = 'queued' | 'processing' | 'completed' | 'failed';
export type Tags = Record<string, string>;

export interface Accepted {
  id: string;
  status: Status;
  client_request_id: string | null;
}

export interface RequestView extends Accepted {
  result: string | null;
  usage: { input_tokens: number; output_tokens: number } | null;
  timings: Record<string, number | string | null>;
}

export interface Reply<T> {
  res: RefinedResponse<'text'>;
  /** The parsed body when the status is the expected one, else null. */
  body: T | null;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** The parsed JSON body, or null (empty, not JSON). */
export function parseJson<T>(res: RefinedResponse<'text'>): T | null {
  if (typeof res.body !== 'string' || res.body === '') return null;
  try {
    return JSON.parse(res.body) as T;
  } catch {
    return null;
  }
}

async function send<T>(
  method: string,
  path: string,
  payload: unknown,
  name: string,
  ok: number[],
  tags: Tags,
): Promise<Reply<T>> {
  const res = await http.asyncRequest(
    method,
    `${baseUrl()}${path}`,
    payload === undefined ? null : JSON.stringify(payload),
    {
      headers: JSON_HEADERS,
      tags: { name, ...tags },
      responseType: 'text',
      responseCallback: http.expectedStatuses(...ok),
    },
  );
  return { res, body: ok.includes(res.status) ? parseJson<T>(res) : null };
}

/** Submits one request; 202 (created) or 200 (a repeated client_request_id) count as accepted. */
export function submitRequest(request: RequestModel, tags: Tags = {}): Promise<Reply<Accepted>> {
  return send<Accepted>('POST', '/v1/requests', request, 'POST /v1/requests', [200, 202], tags);
}

/** Submits a batch; 409 (conflict) is an expected answer when `expectConflict` is set. */
export function submitBatch(
  requests: RequestModel[],
  tags: Tags = {},
  expectConflict = false,
): Promise<Reply<{ items: Accepted[] }>> {
  return send<{ items: Accepted[] }>(
    'POST',
    '/v1/batch',
    { requests },
    'POST /v1/batch',
    expectConflict ? [202, 409] : [202],
    tags,
  );
}

export function getRequest(id: string, tags: Tags = {}): Promise<Reply<RequestView>> {
  return send<RequestView>(
    'GET',
    `/v1/requests/${encodeURIComponent(id)}`,
    undefined,
    'GET /v1/requests/:id',
    [200],
    tags,
  );
}
