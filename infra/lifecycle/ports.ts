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
