/**
 * The conformance server (server.ts) on a worker thread of its own: for runs whose main thread
 * blocks on a synchronous request (a sync-mode setup() calling http.get), which an in-thread
 * server could not answer. `close()` stops the server and the thread.
 */
import { Worker } from 'node:worker_threads';

export interface ThreadServer {
  url: string;
  close(): Promise<void>;
}

const BODY = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import(workerData.tsx);
  register();
  const { startServer } = await import(workerData.server);
  const srv = await startServer();
  parentPort.postMessage(srv.url);
})();
`;

export function startServerThread(): Promise<ThreadServer> {
  const worker = new Worker(BODY, {
    eval: true,
    workerData: { tsx: import.meta.resolve('tsx/esm/api'), server: new URL('./server.ts', import.meta.url).href },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (url: string) =>
      resolve({
        url,
        close: async () => {
          await worker.terminate();
        },
      }),
    );
  });
}
