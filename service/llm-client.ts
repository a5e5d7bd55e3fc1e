/**
 * Calls an Anthropic-compatible `POST /v1/messages` with undici: a timeout per attempt,
 * retries on 429, 5xx (529 included) and network errors with exponential backoff and
 * full jitter, honouring `retry-after` (seconds or an HTTP date) and `retry-after-ms`.
 * The clock, sleep and randomness are injectable so the retry policy is unit-testable.
 */
import { request, type Dispatcher } from 'undici';
import type { ChatMessage } from './validation.ts';

export interface LlmRequest {
  model: string;
  maxTokens: number;
  messages: ChatMessage[];
}

export interface LlmResult {
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** HTTP attempts made (1 = no retry). */
  attempts: number;
  /** Time spent in the successful call and the failed ones, waits excluded. */
  llmMs: number;
}

export interface LlmClientOptions {
  url: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  dispatcher?: Dispatcher;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Called after each attempt with its duration and outcome (for the latency histogram). */
  onAttempt?: (seconds: number, outcome: string) => void;
}

/** The call failed for good: a non-retryable status, or retries exhausted. */
export class LlmCallError extends Error {
  constructor(
    readonly code: 'LLM_HTTP_ERROR' | 'LLM_RETRIES_EXHAUSTED' | 'LLM_BAD_RESPONSE',
    message: string,
    readonly attempts: number,
    readonly llmMs: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmCallError';
  }
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 529]);

/** The endpoint for a base URL: `/v1/messages` appended unless already there. */
export function messagesEndpoint(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  if (trimmed.endsWith('/v1/messages')) return trimmed;
  if (trimmed.endsWith('/v1')) return `${trimmed}/messages`;
  return `${trimmed}/v1/messages`;
}

/** Milliseconds asked by the response headers, or undefined. */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
): number | undefined {
  const ms = one(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const ra = one(headers['retry-after']);
  if (ra === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra.trim()) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Wait before retry number `retry` (0-based): the server's ask, else full-jitter exponential; capped. */
export function backoffMs(
  retry: number,
  serverAskMs: number | undefined,
  o: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number,
): number {
  if (serverAskMs !== undefined) return Math.min(serverAskMs, o.backoffMaxMs);
  const ceiling = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Attempt =
  | { ok: true; result: Omit<LlmResult, 'attempts' | 'llmMs'> }
  | { ok: false; retryable: boolean; status?: number; waitMs?: number; message: string };

export class LlmClient {
  private readonly endpoint: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly o: LlmClientOptions) {
    this.endpoint = messagesEndpoint(o.url);
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? defaultSleep;
    this.random = o.random ?? Math.random;
  }

  /** Calls the model; retries per policy; throws LlmCallError on a final failure. `signal` aborts everything. */
  async complete(req: LlmRequest, signal?: AbortSignal): Promise<LlmResult> {
    let llmMs = 0;
    for (let attempt = 1; ; attempt++) {
      const started = this.now();
      const r = await this.attempt(req, signal);
      const took = this.now() - started;
      llmMs += took;
      this.o.onAttempt?.(took / 1000, r.ok ? 'ok' : String(r.status ?? 'network'));
      if (r.ok) return { ...r.result, attempts: attempt, llmMs };
      if (!r.retryable)
        throw new LlmCallError(
          r.status === undefined ? 'LLM_BAD_RESPONSE' : 'LLM_HTTP_ERROR',
          r.message,
          attempt,
          llmMs,
          r.status,
        );
      if (attempt > this.o.maxRetries) {
        throw new LlmCallError(
          'LLM_RETRIES_EXHAUSTED',
          `gave up after ${attempt} attempts: ${r.message}`,
          attempt,
          llmMs,
          r.status,
        );
      }
      await this.sleep(backoffMs(attempt - 1, r.waitMs, this.o, this.random), signal);
    }
  }

  private async attempt(req: LlmRequest, signal?: AbortSignal): Promise<Attempt> {
    if (signal?.aborted) throw signal.reason;
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    if (this.o.apiKey) headers['x-api-key'] = this.o.apiKey;
    try {
      const res = await request(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: req.model, max_tokens: req.maxTokens, messages: req.messages }),
        signal: combined,
        dispatcher: this.o.dispatcher,
      });
      const text = await res.body.text();
      if (res.statusCode === 200) return parseMessage(text);
      const waitMs = retryAfterMs(res.headers, this.now());
      return {
        ok: false,
        retryable: RETRYABLE.has(res.statusCode),
        status: res.statusCode,
        waitMs,
        message: `HTTP ${res.statusCode}: ${text.slice(0, 200)}`,
      };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const what = timeout.aborted ? `timed out after ${this.o.timeoutMs} ms` : (err as Error).message;
      return { ok: false, retryable: true, message: `request to ${this.endpoint} failed: ${what}` };
    }
  }
}

function parseMessage(body: string): Attempt {
  try {
    const m = JSON.parse(body) as {
      content?: Array<{ type?: string; text?: string }>;
      usage?: { input_tokens?: number; output_tokens?: number };
    };
    if (!Array.isArray(m.content)) throw new Error('no content array');
    const text = m.content
      .filter((b) => b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text)
      .join('');
    return {
      ok: true,
      result: { text, inputTokens: m.usage?.input_tokens ?? 0, outputTokens: m.usage?.output_tokens ?? 0 },
    };
  } catch (err) {
    return {
      ok: false,
      retryable: false,
      message: `unexpected response body (${(err as Error).message}): ${body.slice(0, 200)}`,
    };
  }
}
