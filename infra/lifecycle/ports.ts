import { createServer } from 'node:net';

/**
 * An ephemeral TCP port on 127.0.0.1 that was free a moment ago: the OS picks it
 * (port 0), we read it and release it for the server about to start. Another process
 * may grab it in between; a server that then fails to bind is reported by its health
 * wait with its log tail ("Address already in use").
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Distinct free ports (a Kafka broker needs two: clients and controller). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    import('node:net').then(
      ({ connect }) => {
        const socket = connect({ host, port });
        const done = (ok: boolean): void => {
          socket.destroy();
          resolve(ok);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      },
      () => resolve(false),
    );
  });
}

/** How many times a server on a port we picked is started before a lost port race is final. */
export const PORT_RACE_ATTEMPTS = 3;
const PORT_TAKEN = /address already in use|EADDRINUSE|could not bind|failed to bind/i;

/**
 * Starts a server on ports `start` picks itself (freePort), again on new ports when another
 * process took one between the pick and the bind: `lost(err)` says whether a failure was that
 * race (the server's log names the taken address). Any other failure, or the last attempt's,
 * is thrown as it came.
 */
export async function retryPortRace<T>(
  start: () => Promise<T>,
  lost: (err: unknown) => boolean,
  attempts = PORT_RACE_ATTEMPTS,
  onRetry?: (attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !lost(err)) throw err;
      onRetry?.(attempt + 1);
    }
  }
}

/** True when a failure's text (message and log tail) says the port was taken. */
export function saysPortTaken(...texts: Array<string | undefined>): boolean {
  return texts.some((t) => t !== undefined && PORT_TAKEN.test(t));
}
