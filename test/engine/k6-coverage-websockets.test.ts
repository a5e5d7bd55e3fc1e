/**
 * k6/websockets and k6/ws (issue 17), from k6's docs (javascript-api/k6-websockets, k6-ws): scripts
 * talk to a WebSocket echo server started here, and the test checks their checks, logs, exit codes
 * and k6's ws metrics (ws_sessions, ws_msgs_sent, ws_msgs_received, ws_connecting,
 * ws_session_duration, ws_ping). Each runs under the engine's CLI and, with K6_BIN set, under a real
 * k6 (helpers/k6-parity.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { K6_BIN, logMessages, runBoth, runEngine, runK6, SUMMARY_TO_FILE, type Outcome } from './helpers/k6-parity.ts';

const WEBSOCKETS = `import { check } from 'k6';
import { WebSocket } from 'k6/websockets';

export const options = { vus: 2, iterations: 4 };

export default function () {
  const ws = new WebSocket(__ENV.WS_URL + '/echo');
  ws.binaryType = 'arraybuffer';
  const got = [];
  let pongs = 0;
  ws.onopen = () => {
    check(ws, { 'open: readyState is OPEN': (w) => w.readyState === 1 });
    ws.send('hello');
    ws.send(new Uint8Array([1, 2, 3]).buffer);
    ws.ping();
  };
  const closeWhenDone = () => {
    if (got.length === 2 && pongs === 1) ws.close();
  };
  ws.addEventListener('pong', () => {
    pongs++;
    closeWhenDone();
  });
  ws.onmessage = (e) => {
    got.push(typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data)).join(','));
    closeWhenDone();
  };
  ws.onclose = (e) => {
    check(got, { 'echoes text and binary': (g) => g.includes('hello') && g.includes('1,2,3') });
    console.log('closed with code ' + e.code + ' after ' + pongs + ' pong(s), readyState ' + ws.readyState);
  };
}
${SUMMARY_TO_FILE}`;

const WEBSOCKETS_REFUSED = `import { WebSocket } from 'k6/websockets';
export const options = { iterations: 1 };
export default function () {
  const ws = new WebSocket(__ENV.WS_URL + '/missing');
  ws.onopen = () => console.log('opened');
  ws.onerror = (e) => console.log('error event, readyState ' + ws.readyState);
  ws.onclose = () => console.log('close event');
}
${SUMMARY_TO_FILE}`;

const WEBSOCKETS_THROWS = `import { WebSocket } from 'k6/websockets';
export const options = { iterations: 1 };
export default function () {
  const ws = new WebSocket(__ENV.WS_URL + '/echo');
  ws.onopen = () => ws.send('x');
  ws.onmessage = () => {
    throw new Error('handler failed');
  };
}
${SUMMARY_TO_FILE}`;

const WS = `import { check } from 'k6';
import ws from 'k6/ws';

export const options = { vus: 2, iterations: 4 };

export default function () {
  let received = 0;
  let pongs = 0;
  let ticks = 0;
  const res = ws.connect(__ENV.WS_URL + '/echo', { tags: { my_tag: 'hello' } }, function (socket) {
    const closeWhenDone = () => {
      if (received === 4 && pongs === 1) socket.close();
    };
    socket.on('open', () => {
      socket.send('text');
      socket.sendBinary(new Uint8Array([9, 8]).buffer);
      socket.ping();
      socket.setInterval(() => {
        if (ticks < 2) socket.send('tick ' + ++ticks);
      }, 20);
    });
    socket.on('message', (m) => {
      received++;
      closeWhenDone();
    });
    socket.on('binaryMessage', (ab) => {
      check(ab, { 'binary echo is the ArrayBuffer sent': (b) => new Uint8Array(b).join(',') === '9,8' });
      received++;
      closeWhenDone();
    });
    socket.on('pong', () => {
      pongs++;
      closeWhenDone();
    });
    socket.setTimeout(() => {
      console.log('gave up waiting');
      socket.close();
    }, 5000);
    socket.on('close', (code) => console.log('closed with ' + code + ' after ' + received + ' message(s)'));
  });
  check(res, { 'status is 101': (r) => r && r.status === 101 });
}
${SUMMARY_TO_FILE}`;

const WS_REFUSED = `import ws from 'k6/ws';
export const options = { iterations: 1 };
export default function () {
  const res = ws.connect(__ENV.WS_URL + '/missing', {}, (socket) => {
    socket.on('open', () => console.log('opened'));
  });
  console.log('status ' + res.status + ', error: ' + (res.error !== ''));
}
${SUMMARY_TO_FILE}`;

let dir = '';
let server: Server;
let wss: WebSocketServer;
let wsUrl = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6-ws-'));
  writeFileSync(join(dir, 'websockets.js'), WEBSOCKETS);
  writeFileSync(join(dir, 'refused.js'), WEBSOCKETS_REFUSED);
  writeFileSync(join(dir, 'throws.js'), WEBSOCKETS_THROWS);
  writeFileSync(join(dir, 'ws.js'), WS);
  writeFileSync(join(dir, 'ws-refused.js'), WS_REFUSED);
  server = createServer((_req, res) => res.writeHead(404).end('not found'));
  wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/echo') return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'bye') return ws.close(1000, 'bye');
        ws.send(data, { binary: isBinary });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function both(r: { engine: Outcome; k6: Outcome | null }): Array<[string, Outcome]> {
  return r.k6
    ? [
        ['engine', r.engine],
        ['k6', r.k6],
      ]
    : [['engine', r.engine]];
}

const count = (o: Outcome, m: string): number | undefined => o.metrics[m]?.values.count;

describe('k6/websockets', () => {
  it('opens, sends text and binary, pings, receives the echoes and closes; one iteration per socket', async () => {
    const r = await runBoth('websockets.js', [], dir, { WS_URL: wsUrl });
    for (const [who, o] of both(r)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks?.values.passes, 8, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks?.values.fails, 0, who);
      assert.equal(count(o, 'iterations'), 4, who);
      assert.equal(count(o, 'ws_sessions'), 4, who);
      // k6 counts every frame it writes: two messages, a ping and the close frame per socket.
      assert.equal(count(o, 'ws_msgs_sent'), 16, who);
      assert.equal(count(o, 'ws_msgs_received'), 8, who);
      for (const trend of ['ws_connecting', 'ws_session_duration', 'ws_ping'])
        assert.ok((o.metrics[trend]?.values.max ?? -1) >= 0, `${who}: ${trend} has samples`);
      assert.equal(o.metrics.ws_ping?.type, 'trend', who);
      const closes = logMessages(o.stderr).filter((l) => l.startsWith('closed '));
      assert.deepEqual(closes, Array(4).fill('closed with code 1000 after 1 pong(s), readyState 3'), who);
    }
  });

  it('gives an error event then a close event when the handshake is refused, and the iteration ends', async () => {
    const r = await runBoth('refused.js', [], dir, { WS_URL: wsUrl });
    for (const [who, o] of both(r)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(
        logMessages(o.stderr).filter((l) => /event|opened/.test(l)),
        ['error event, readyState 3', 'close event'],
        `${who}: ${o.stderr}`,
      );
      assert.equal(count(o, 'iterations'), 1, who);
      assert.equal(count(o, 'ws_sessions'), 1, who);
      assert.equal(count(o, 'ws_msgs_sent'), undefined, who);
    }
  });

  it('fails the iteration when a listener throws, logging the error', async () => {
    const r = await runBoth('throws.js', [], dir, { WS_URL: wsUrl });
    for (const [who, o] of both(r)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.match(o.stderr, /handler failed/, who);
      assert.equal(count(o, 'ws_sessions'), 1, who);
    }
  });
});

describe('k6/ws', () => {
  it('connects, runs the callback, delivers messages, binary messages and pongs, runs socket timers and returns the 101 response', async () => {
    const r = await runBoth('ws.js', [], dir, { WS_URL: wsUrl });
    for (const [who, o] of both(r)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks?.values.passes, 8, `${who}: ${o.stderr}`);
      assert.equal(o.metrics.checks?.values.fails, 0, who);
      assert.equal(count(o, 'iterations'), 4, who);
      assert.equal(count(o, 'ws_sessions'), 4, who);
      // send, sendBinary and two interval sends per socket; pings are not counted by k6/ws.
      assert.equal(count(o, 'ws_msgs_sent'), 16, who);
      assert.equal(count(o, 'ws_msgs_received'), 16, who);
      for (const trend of ['ws_connecting', 'ws_session_duration', 'ws_ping'])
        assert.ok((o.metrics[trend]?.values.max ?? -1) >= 0, `${who}: ${trend} has samples`);
      const closes = logMessages(o.stderr).filter((l) => /^closed|gave up/.test(l));
      assert.deepEqual(closes, Array(4).fill('closed with 1001 after 4 message(s)'), `${who}: ${o.stderr}`);
    }
  });

  it('returns the refused handshake as a response without running the handlers', async () => {
    const r = await runBoth('ws-refused.js', [], dir, { WS_URL: wsUrl });
    for (const [who, o] of both(r)) {
      assert.equal(o.exitCode, 0, `${who}: ${o.stderr}`);
      assert.deepEqual(
        logMessages(o.stderr).filter((l) => /^(status|opened)/.test(l)),
        ['status 404, error: false'],
        `${who}: ${o.stderr}`,
      );
      assert.equal(count(o, 'ws_sessions'), 1, who);
    }
  });
});

const WS_BLOCKS = `import { check } from 'k6';
import ws from 'k6/ws';

export const options = { vus: 1, iterations: 3 }; // one VU: its log lines come in order

export default function () {
  let received = 0;
  let pongs = 0;
  const res = ws.connect(__ENV.WS_URL + '/echo', {}, function (socket) {
    const closeWhenDone = () => {
      if (received === 3 && pongs === 1) socket.close();
    };
    socket.on('open', () => {
      setTimeout(() => console.log('global timer fired'), 1);
      socket.send('text');
      socket.sendBinary(new Uint8Array([9, 8]).buffer);
      socket.ping();
      socket.setTimeout(() => socket.send('from a socket timer'), 20);
    });
    socket.on('message', () => {
      received++;
      closeWhenDone();
    });
    socket.on('binaryMessage', () => {
      received++;
      closeWhenDone();
    });
    socket.on('pong', () => {
      pongs++;
      closeWhenDone();
    });
    socket.on('close', (code) => console.log('closed with ' + code));
  });
  console.log('connect returned ' + res.status + ' after ' + received + ' message(s)');
  check(res, {
    'status is 101': (r) => r.status === 101,
    'connect returned once the socket closed': () => received === 3 && pongs === 1,
  });
}
${SUMMARY_TO_FILE}`;

const WS_INTERRUPTED = `import ws from 'k6/ws';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '0s' } } };
export default function () {
  ws.connect(__ENV.WS_URL + '/echo', {}, (socket) => {
    socket.on('open', () => socket.setInterval(() => socket.send('x'), 100));
    socket.on('close', (code) => console.log('closed with ' + code));
  });
  console.log('connect returned');
}
${SUMMARY_TO_FILE}`;

describe('k6/ws: ws.connect blocks until the socket closes (engine in --mode sync, and real k6 with K6_BIN)', () => {
  const runners: Array<[string, (script: string) => Promise<Outcome>]> = [
    ['engine, sync mode', (s) => runEngine(s, ['--mode', 'sync'], dir, { WS_URL: wsUrl })],
    ['engine, async mode', (s) => runEngine(s, ['--mode', 'async'], dir, { WS_URL: wsUrl })],
  ];
  if (K6_BIN) runners.push(['real k6 (K6_BIN)', (s) => runK6(s, [], dir, { WS_URL: wsUrl })]);
  before(() => {
    writeFileSync(join(dir, 'ws-blocks.js'), WS_BLOCKS);
    writeFileSync(join(dir, 'ws-interrupted.js'), WS_INTERRUPTED);
  });

  for (const [who, runner] of runners) {
    it(`returns the response after the socket closed, its handlers and socket timers run during the call, k6/timers after it (${who})`, async () => {
      const o = await runner('ws-blocks.js');
      assert.equal(o.exitCode, 0, o.stderr);
      assert.deepEqual([o.metrics.checks?.values.passes, o.metrics.checks?.values.fails], [6, 0], o.stderr);
      assert.equal(count(o, 'iterations'), 3);
      assert.equal(count(o, 'ws_msgs_sent'), 9);
      const order = logMessages(o.stderr).filter((l) => /^(closed|connect returned|global timer)/.test(l));
      assert.deepEqual(
        order,
        Array<string[]>(3)
          .fill(['closed with 1001', 'connect returned 101 after 3 message(s)', 'global timer fired'])
          .flat(),
        o.stderr,
      );
    });

    it(`ends an interrupted connect without counting its iteration (${who})`, async () => {
      const o = await runner('ws-interrupted.js');
      assert.equal(o.exitCode, 0, o.stderr);
      assert.equal(count(o, 'ws_sessions'), 1);
      assert.equal(count(o, 'iterations'), undefined);
      // k6 races here: most runs print neither line, some print both; the engine never does.
      if (who.startsWith('engine'))
        assert.deepEqual(
          logMessages(o.stderr).filter((l) => /^(closed|connect returned)/.test(l)),
          [],
          o.stderr,
        );
    });
  }
});
