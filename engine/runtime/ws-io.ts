/**
 * k6/ws sockets of sync-mode VUs, on the I/O thread (io-thread.ts). A VU thread that calls
 * `ws.connect` blocks in it, as under k6 (modules/ws-blocking.ts); the socket lives here, on this
 * thread's event loop. The VU hands over a MessagePort and a counter (an Int32 in shared memory):
 * each event of the socket is posted on the port, then the counter is bumped and notified, so
 * that the VU, waiting on the counter with Atomics.wait, wakes and reads the event with
 * receiveMessageOnPort. The VU's commands (send, ping, close) come back on the same port.
 */
import type { MessagePort } from 'node:worker_threads';
import WebSocketClient from 'ws';
import { dial, type Params, type WsResponse } from '../modules/ws-dial.ts';

/** A VU's request for a socket, on its channel's port (sync-http.ts openSocket). */
export interface SocketOpen {
  ws: { url: string; params: Params };
  port: MessagePort;
  /** SharedArrayBuffer of one Int32: bumped after every event posted. */
  counter: SharedArrayBuffer;
}

/** Events from this thread to the VU. */
export type SocketEvent =
  | { type: 'dialed'; response: WsResponse; error: string | null; protocol: string }
  | { type: 'message'; data: string | ArrayBuffer; binary: boolean }
  | { type: 'ping' }
  | { type: 'pong'; data: string }
  | { type: 'close'; code: number }
  | { type: 'error'; message: string }
  | { type: 'sent'; error: string };

/** Commands from the VU. */
export type SocketCommand =
  | { type: 'send'; data: string | ArrayBuffer; binary: boolean }
  | { type: 'ping'; data: string }
  | { type: 'close'; code: number }
  | { type: 'terminate' };

export function serveSocket({ ws, port, counter }: SocketOpen): void {
  const bell = new Int32Array(counter);
  const post = (e: SocketEvent): void => {
    port.postMessage(e);
    Atomics.add(bell, 0, 1);
    Atomics.notify(bell, 0);
  };
  void dial(ws.url, ws.params).then(({ client, response, error }) => {
    post({ type: 'dialed', response, error: error ? error.message : null, protocol: client?.protocol ?? '' });
    if (!client) return void port.close();
    client.on('message', (data: Buffer, binary: boolean) =>
      post({
        type: 'message',
        data: binary ? new Uint8Array(data).buffer : data.toString('utf8'),
        binary,
      }),
    );
    client.on('ping', () => post({ type: 'ping' }));
    client.on('pong', (data: Buffer) => post({ type: 'pong', data: data.toString() }));
    client.on('error', (err) => post({ type: 'error', message: err.message }));
    client.on('close', (code: number) => {
      post({ type: 'close', code });
      port.close();
    });
    port.on('message', (c: SocketCommand) => {
      const sent = (err?: Error) => err && post({ type: 'sent', error: err.message });
      if (c.type === 'send')
        client.send(typeof c.data === 'string' ? c.data : Buffer.from(c.data), { binary: c.binary }, sent);
      else if (c.type === 'ping') client.ping(c.data);
      else if (c.type === 'close') {
        if (client.readyState === WebSocketClient.OPEN) client.close(c.code);
      } else {
        client.terminate();
        port.close();
      }
    });
  });
}
