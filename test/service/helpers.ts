/** Shared helpers of the target tests: HTTP JSON calls and polling with a bound. */
import { request } from 'undici';

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are asserted field by field
}

export async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await request(url, {
    method: method as 'GET',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON (metrics) */
  }
  return { status: res.statusCode, headers: res.headers, body: parsed };
}

/** Polls `fn` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the request reaches a final status and returns its view. */
export async function waitFinished(baseUrl: string, id: string, timeoutMs = 30_000): Promise<JsonResponse['body']> {
  return waitFor(
    `request ${id} to finish`,
    async () => {
      const r = await call('GET', `${baseUrl}/v1/requests/${id}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
    },
    timeoutMs,
  );
}

/** A mock LLM config with every simulated error off and short latencies. */
export const QUIET_LLM = {
  latency: { ttftMs: 5, itlMs: 0 },
  errors: {
    rateLimit: 0,
    serverError: 0,
    overloaded: 0,
    hang: 0,
    midStreamError: 0,
    disconnect: 0,
    retryAfterSeconds: 0,
  },
};
