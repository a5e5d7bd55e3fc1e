/**
 * Runs the `k6/x/sse` module's own `open()` through the JIT before a test measures with it.
 *
 * A stream's time to first token includes the client's own work between the script's clock
 * read and the request on the wire, and between the first chunk on the wire and the script's
 * event handler. Run cold (in V8's interpreter), that work — undici's dispatch and parser, the
 * body's reading, the SSE parser — took about 0.7 ms before the body was written and
 * about 1 ms in all, measured on this project's 2-core VM against the stub at one stream; after
 * 2,000 streams through the same code it took 0.2–0.3 ms and the TTFT p50 read 1 ms closer to
 * the stub's (201.3 against 202.3–202.7 ms for a 200 ms TTFT). At one stream a test sends one
 * request every 1.5 s: its code would stay cold for the whole run. k6's client is compiled Go
 * and has no such phase.
 *
 * So, during a worker thread's init (makeHost with runsIterations, async mode, scripts that
 * import k6/x/sse), one throwaway instance
 * of the module, on a VU context of its own whose samples go nowhere, opens WARM_STREAMS
 * streams (or as many as fit in WARM_BUDGET_MS) against an HTTP server of its own on 127.0.0.1,
 * each a few OpenAI-shaped events, read by an event handler. No host of the test is contacted,
 * no sample reaches the test's metrics. A failure only leaves the code cold.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModuleFactory, VuContext } from '../api.ts';

export const WARM_STREAMS = 400;
export const WARM_BUDGET_MS = 400;

const CHUNK = 'data: {"choices":[{"index":0,"delta":{"content":"warm"},"finish_reason":null}]}\n\n';
const BODY = CHUNK.repeat(6) + 'data: [DONE]\n\n';
const REQUEST = JSON.stringify({ model: 'warm-up', stream: true, messages: [{ role: 'user', content: 'warm' }] });

type Open = (
  url: string,
  params: unknown,
  setup: (client: { on(type: string, fn: (e: unknown) => void): void }) => void,
) => Promise<unknown>;

/** Opens the streams; resolves to how many went through with their events (0: nothing was warmed). */
export async function warmSse(
  factory: ModuleFactory,
  streams = WARM_STREAMS,
  budgetMs = WARM_BUDGET_MS,
): Promise<number> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(BODY);
    });
  });
  const closers: Array<() => void | Promise<void>> = [];
  const vu: VuContext = {
    idInTest: 0,
    env: {},
    mode: 'async',
    metrics: { define: () => undefined, add: () => undefined },
    phase: () => 'iteration',
    currentTags: () => ({}),
    onClose: (fn) => void closers.push(fn),
    iterationSignal: () => null,
  };
  const start = performance.now();
  let opened = 0;
  try {
    const port = await new Promise<number>((res, rej) => {
      server.once('error', rej);
      server.listen(0, '127.0.0.1', () => res((server.address() as AddressInfo).port));
    });
    const open = (factory(vu) as { open: Open }).open;
    const url = `http://127.0.0.1:${port}/v1/chat/completions`;
    const params = { method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST };
    let events = 0;
    while (opened < streams && performance.now() - start < budgetMs) {
      await open(url, params, (client) =>
        client.on('event', (e) => void (events += (e as { data: string }).data.length > 0 ? 1 : 0)),
      );
      opened++;
    }
    if (events === 0) opened = 0; // the server's events never came through: nothing was warmed
  } catch {
    // the code stays cold: the test still runs
  } finally {
    for (const fn of closers) await fn();
    const closed = new Promise<void>((res) => server.close(() => res()));
    server.closeAllConnections();
    await closed;
  }
  return opened;
}
