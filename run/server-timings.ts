/**
 * The kit's TTFT against the server's own per-request timings (llama-server's `timings`, kept in
 * requests.jsonl as `server_timings`). For each measured request that has both:
 *
 *   client overhead = TTFT (client) - prompt_ms (server)
 *
 * TTFT as the client sees it covers the request's way in (connection, HTTP, the server's queue
 * when every slot is busy, its parse and template), the prompt's processing (prompt_ms), the
 * first token's sampling and its way back; the difference is everything the server's prompt
 * timer does not see. A difference that stays small and flat at low load says the client's
 * timings are the server's; growth with concurrency is queueing, which a client must count.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface ServerTimingComparison {
  /** Measured requests with a client TTFT and server timings. */
  requests: number;
  ttftMs: Percentiles;
  promptMs: Percentiles;
  /** TTFT - prompt_ms, per request. */
  ttftMinusPromptMs: Percentiles;
  /** Generation as the server timed it, predicted_ms / predicted_n. */
  serverMsPerToken: Percentiles;
}

/** Nearest-rank percentile of sorted values (`p` in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.slice().sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

interface Row {
  measured?: unknown;
  ttft_ms?: unknown;
  server_timings?: { prompt_ms?: unknown; predicted_ms?: unknown; predicted_n?: unknown } | null;
}

/** The comparison over `rows` (requests.jsonl's records), or null when none has server timings. */
export function compareServerTimings(rows: Iterable<Row>): ServerTimingComparison | null {
  const ttft: number[] = [];
  const prompt: number[] = [];
  const diff: number[] = [];
  const perToken: number[] = [];
  for (const r of rows) {
    const t = r.server_timings;
    if (r.measured !== true || typeof r.ttft_ms !== 'number' || !t || typeof t.prompt_ms !== 'number') continue;
    ttft.push(r.ttft_ms);
    prompt.push(t.prompt_ms);
    diff.push(r.ttft_ms - t.prompt_ms);
    if (typeof t.predicted_ms === 'number' && typeof t.predicted_n === 'number' && t.predicted_n > 0)
      perToken.push(t.predicted_ms / t.predicted_n);
  }
  if (ttft.length === 0) return null;
  return {
    requests: ttft.length,
    ttftMs: percentiles(ttft),
    promptMs: percentiles(prompt),
    ttftMinusPromptMs: percentiles(diff),
    serverMsPerToken: perToken.length ? percentiles(perToken) : { p50: NaN, p99: NaN },
  };
}

/** Reads requests.jsonl (a line that does not parse is skipped) and compares. */
export async function compareRequestsFile(path: string): Promise<ServerTimingComparison | null> {
  if (!existsSync(path)) return null;
  const rows: Row[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    try {
      rows.push(JSON.parse(line) as Row);
    } catch {
      // a broken line is reported by the export, not here
    }
  }
  return compareServerTimings(rows);
}

const ms = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(2));

/** Two lines for the terminal. */
export function formatServerTimings(c: ServerTimingComparison): string {
  const pair = (p: Percentiles): string => `p50 ${ms(p.p50)} / p99 ${ms(p.p99)} ms`;
  return (
    `server timings (${c.requests} measured requests): TTFT ${pair(c.ttftMs)}; server prompt_ms ${pair(c.promptMs)}\n` +
    `  TTFT - prompt_ms ${pair(c.ttftMinusPromptMs)}; server generation ${pair(c.serverMsPerToken)} per token`
  );
}
