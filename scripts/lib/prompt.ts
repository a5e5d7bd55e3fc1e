/**
 * The user prompts of the scenarios, by mode and number; no k6 import, so a bench under Node
 * (bench/llm-e2e.ts) sends the very prompts the scripts send.
 */
export type Mode = 'quick' | 'detailed';

const TOPICS = [
  'a retry policy',
  'an outbox relay',
  'a queue backlog',
  'a cache stampede',
  'a p95 regression',
  'an idempotency key',
];

/** A short user prompt; the mode decides how long an answer it asks for. */
export function prompt(mode: Mode, n: number): string {
  const topic = TOPICS[n % TOPICS.length]!;
  return mode === 'quick'
    ? `In one sentence: what is ${topic}?`
    : `Explain ${topic} in detail, with an example and its trade-offs.`;
}
