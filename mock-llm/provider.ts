/**
 * What differs between the Anthropic and OpenAI wire formats, behind one interface
 * the server and the generator drive. Everything here builds strings; nothing
 * writes to sockets.
 */
import type { Plan, ParsedRequest } from './plan.ts';

export type FaultStatusKind = 'rateLimit' | 'serverError' | 'overloaded';

export interface ErrorReply {
  status: number;
  /** Flat header list: name, value, name, value... */
  headers: string[];
  body: string;
}

export interface Provider {
  readonly name: 'anthropic' | 'openai';
  /** A validated request, or a message naming the offending field. */
  parse(body: unknown, defaultMaxTokens: number): ParsedRequest | { error: string; param: string };
  /** The request-id header name and value for a plan. */
  requestIdHeader: string;
  requestId(idHex: string): string;
  /** A 400/404/405/413 (or a 500 for a request the stub failed to handle) in this provider's error shape. */
  invalid(status: number, message: string, param: string | null, requestId: string): ErrorReply;
  /** An injected 429/500/529(503) in this provider's error shape. */
  fault(kind: FaultStatusKind, retryAfterSeconds: number, requestId: string): ErrorReply;
  /** The whole non-streaming response body. */
  complete(plan: Plan): Buffer;
  /** Stream: the opening events, written together with the first token. */
  streamOpen(plan: Plan): string;
  /** Stream: the event carrying token i (i = 0 may prepend a role chunk). */
  streamToken(plan: Plan, i: number): string;
  /** Stream: the events after the last token. */
  streamClose(plan: Plan): string;
  /** Stream: an error event in the middle of a stream. */
  streamError(plan: Plan): string;
}
