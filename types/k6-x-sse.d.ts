/**
 * `k6/x/sse` — phymbert/xk6-sse, Server-Sent Events (k6 ≥ 1.2 resolves it by itself).
 *
 * `open` blocks until the stream ends under the k6 binary; under the kit's Node engine it
 * returns a promise of the same response. Scripts `await` it, right in both.
 */
declare module 'k6/x/sse' {
  export interface Params {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    tags?: Record<string, string>;
  }

  /** One event: `name` is the `event:` field, `data` the joined `data:` lines. */
  export interface Event {
    id: string;
    name: string;
    data: string;
    comment: string;
  }

  export interface Error {
    error(): string;
  }

  export interface Client {
    on(event: 'open', handler: () => void): void;
    on(event: 'event', handler: (event: Event) => void): void;
    on(event: 'error', handler: (error: Error) => void): void;
    /** Ends the stream; `open` then returns. */
    close(): void;
  }

  export interface Response {
    url: string;
    status: number;
    headers: Record<string, string>;
    /** Empty unless the connection failed. */
    error: string;
  }

  export function open(url: string, params: Params, setup: (client: Client) => void): Response | Promise<Response>;
  export function open(url: string, setup: (client: Client) => void): Response | Promise<Response>;

  const sse: { open: typeof open };
  export default sse;
}
