/**
 * k6 durations. A string is a sequence of `<number><unit>` with units h, m, s, ms, us/µs, ns
 * (Go's time.ParseDuration, which k6 uses), e.g. "1m30s", "500ms", "1.5s"; a bare number is
 * milliseconds, as k6 reads a number in `options`.
 */
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;

/** Parses a k6 duration to milliseconds, or returns an error text naming what was expected. */
export function parseDuration(value: unknown): number | { error: string } {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : { error: `expected a non-negative duration, got ${value}` };
  }
  if (typeof value !== 'string' || value.trim() === '') {
    return { error: `expected a duration like "30s" or "1m30s", got ${JSON.stringify(value)}` };
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000; // k6 reads a bare numeric string as seconds
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = PART.exec(text)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = PART.lastIndex;
  }
  if (consumed !== text.length) {
    return { error: `expected a duration like "30s", "1m30s" or "500ms", got ${JSON.stringify(value)}` };
  }
  return total;
}

/** Formats milliseconds the way k6 prints durations ("1m30s", "500ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 100) / 10;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest = Math.round((rest - m * 60) * 10) / 10;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${rest}s`;
}
