/** Shared bits of the mock-llm tests. */
import type { MockLlmConfigPatch } from '../../mock-llm/index.ts';

/** Every error rate at 0 and no latency: a quiet stub that the tests turn knobs on. */
export const QUIET: MockLlmConfigPatch = {
  latency: { ttftMs: 0, itlMs: 0, prefillMsPerInputToken: 0, maxConcurrency: 0 },
  errors: { rateLimit: 0, serverError: 0, overloaded: 0, hang: 0, midStreamError: 0, disconnect: 0 },
};

/** QUIET with one error kind always on. */
export function always(
  kind: 'rateLimit' | 'serverError' | 'overloaded' | 'hang' | 'midStreamError' | 'disconnect',
): MockLlmConfigPatch {
  return { errors: { ...QUIET.errors, [kind]: 1 } };
}

export async function put(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

export async function post(url: string, path: string, body: unknown): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(url + path, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
}

/** A small Anthropic request whose text makes it unique. */
export function anthropicRequest(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude-mock', max_tokens: 64, messages: [{ role: 'user', content: text }], ...extra };
}

export function openaiRequest(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-mock', messages: [{ role: 'user', content: text }], ...extra };
}

/** Parses an SSE body into events ({event, data}); `data` is JSON when it parses. */
export function parseSse(text: string): Array<{ event: string | null; data: unknown }> {
  const out: Array<{ event: string | null; data: unknown }> = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    let event: string | null = null;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    let parsed: unknown = data;
    try {
      parsed = JSON.parse(data);
    } catch {
      // `[DONE]` and other non-JSON data stay strings
    }
    out.push({ event, data: parsed });
  }
  return out;
}

/** Polls `cond` every 10 ms until it holds; fails after `ms` (a state to reach, not a speed to meet). */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
