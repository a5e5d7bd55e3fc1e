/** Small helpers for node:http on the stub's request path. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: true; size: number };

/**
 * Reads a request body up to `limit` bytes. Past the limit, calls back at once with
 * tooLarge and discards the rest. (Headers are not read: node builds `req.headers`
 * lazily, and the bytes received are what counts.)
 */
export function readBody(req: IncomingMessage, limit: number, done: (r: BodyResult) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      done({ ok: false, tooLarge: true, size });
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (over) return;
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
    done({ ok: true, text });
  });
}

/** Sends a complete JSON response. */
export function sendJson(res: ServerResponse, status: number, body: string, headers: string[] = []): void {
  res.writeHead(status, [
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(body)),
    ...headers,
  ]);
  res.end(body);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** True when the request comes from this machine's loopback interface. */
export function fromLoopback(req: IncomingMessage): boolean {
  const addr = req.socket.remoteAddress ?? '';
  return LOOPBACK.has(addr) || addr.startsWith('127.');
}
