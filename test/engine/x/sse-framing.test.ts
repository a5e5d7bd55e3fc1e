/**
 * k6/x/sse framing: the event-stream parser against the WHATWG grammar for any chunking
 * (a recorded stream split at every byte position, CR / LF / CRLF line ends, comments,
 * id / retry, events without data), and once end to end over real HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createModule, SseParser, type SseEvent, type SseResponse } from '../../../engine/modules/x/sse.ts';
import { fakeVu } from './fake-vu.ts';

/** An OpenAI-style stream as recorded, with a keep-alive comment, ids, a retry, a named event and multi-byte text. */
const RECORDED = [
  ': keep-alive',
  'retry: 3000',
  '',
  'id: 1',
  'data: {"choices":[{"delta":{"content":"Héllo"}}]}',
  '',
  ': token 2',
  'id: 2',
  'data: {"choices":[{"delta":{"content":" wörld 🌍"}}]}',
  '',
  'event: usage',
  'data: {"prompt_tokens":5,',
  'data: "completion_tokens":2}',
  '',
  'event: ping',
  '',
  'data: [DONE]',
  '',
  '',
];
const EXPECTED: SseEvent[] = [
  { id: '1', name: '', data: '{"choices":[{"delta":{"content":"Héllo"}}]}', comment: '' },
  { id: '2', name: '', data: '{"choices":[{"delta":{"content":" wörld 🌍"}}]}', comment: 'token 2' },
  { id: '', name: 'usage', data: '{"prompt_tokens":5,\n"completion_tokens":2}', comment: '' },
  { id: '', name: '', data: '[DONE]', comment: '' },
];

/** Feeds byte chunks as the module does: a streaming UTF-8 decoder, then the parser. */
function parseBytes(chunks: Uint8Array[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.push(decoder.decode(chunk, { stream: true }));
  return { events, parser };
}
const parse = (...chunks: string[]): SseEvent[] => {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  return events;
};

describe('SseParser framing', () => {
  for (const [label, eol] of [
    ['LF', '\n'],
    ['CR', '\r'],
    ['CRLF', '\r\n'],
  ] as const) {
    const bytes = new TextEncoder().encode(RECORDED.join(eol));

    it(`gives the same events for a ${label} stream split in two at every byte position`, () => {
      for (let k = 0; k <= bytes.length; k++) {
        const { events } = parseBytes([bytes.subarray(0, k), bytes.subarray(k)]);
        assert.deepEqual(events, EXPECTED, `split at byte ${k}`);
      }
    });

    it(`gives the same events for a ${label} stream fed one byte at a time`, () => {
      const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      const { events, parser } = parseBytes(chunks);
      assert.deepEqual(events, EXPECTED);
      assert.equal(parser.retry, 3000);
      assert.equal(parser.lastEventId, '2');
    });
  }

  it('reads a CRLF split across two reads as one line end, so the event stays whole', () => {
    assert.deepEqual(
      parse('data: a\r', '\ndata: b\r\n\r\n').map((e) => e.data),
      ['a\nb'],
    );
  });

  it('ends a line at a CR that closes a read even when the next read starts with another line', () => {
    assert.deepEqual(
      parse('data: a\r', 'data: b\r', '\r').map((e) => e.data),
      ['a\nb'],
    );
  });

  it('reads CR CR as two line ends and CR LF CR LF as two, in any mix', () => {
    assert.deepEqual(
      parse('data: x\r\rdata: y\n\ndata: z\r\n\r\n').map((e) => e.data),
      ['x', 'y', 'z'],
    );
  });

  it('drops an empty read without losing a pending CR', () => {
    assert.deepEqual(
      parse('data: a\r', '', '\n\n').map((e) => e.data),
      ['a'],
    );
  });

  it('drops a leading byte order mark, once', () => {
    assert.deepEqual(
      parse('\uFEFFdata: a\n\n', '\uFEFFdata: b\n\n').map((e) => e.data),
      ['a'],
    );
  });

  it('drops an unfinished event at the end of the stream', () => {
    assert.deepEqual(parse('data: a\n\ndata: b\n'), [{ id: '', name: '', data: 'a', comment: '' }]);
  });
});

describe('SseParser fields', () => {
  it('strips one space after the colon, no more, and none when absent', () => {
    assert.deepEqual(
      parse('data:x\n\ndata:  y\n\n').map((e) => e.data),
      ['x', ' y'],
    );
  });

  it('reads a line without a colon as a field with an empty value', () => {
    assert.deepEqual(
      parse('data\n\ndata\ndata\n\n').map((e) => e.data),
      ['', '\n'],
    );
  });

  it('ignores unknown fields and field names that differ in case or spacing', () => {
    assert.deepEqual(
      parse('Data: no\ndata : no\nfoo: bar\ndata: yes\n\n').map((e) => e.data),
      ['yes'],
    );
  });

  it('reports the comment of the event’s own block, and none from an earlier block', () => {
    assert.deepEqual(
      parse(':first\n\n: second\ndata: a\n\ndata: b\n\n').map((e) => e.comment),
      ['second', ''],
    );
  });

  it('does not dispatch a comment, an id, an event name or a retry alone', () => {
    assert.deepEqual(parse(': keep-alive\n\nid: 9\n\nevent: ping\n\nretry: 10\n\n\n\n'), []);
  });

  it('reports the id of the event’s block and keeps the last id across events', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((e) => events.push(e));
    parser.push('id: 7\ndata: a\n\ndata: b\n\nid: 8\n\n');
    assert.deepEqual(
      events.map((e) => e.id),
      ['7', ''],
    );
    assert.equal(parser.lastEventId, '8');
  });

  it('ignores an id holding NUL and a retry that is not all digits', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((e) => events.push(e));
    parser.push('retry: 500\nretry: 1e3\nretry: -1\nid: a\0b\ndata: x\n\n');
    assert.equal(parser.retry, 500);
    assert.equal(parser.lastEventId, '');
    assert.equal(events[0]!.id, '');
  });

  it('an empty id resets the last id', () => {
    const parser = new SseParser(() => {});
    parser.push('id: 3\ndata: a\n\nid\ndata: b\n\n');
    assert.equal(parser.lastEventId, '');
  });
});

describe('k6/x/sse framing over HTTP', () => {
  let server: Server;
  let url = '';

  before(async () => {
    // Each write is flushed before the next, so a CRLF falls across two network reads.
    const stream = async (res: ServerResponse): Promise<void> => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.socket?.setNoDelay(true);
      for (const part of [
        ': hi\r\n\r\ndata: a\r',
        '\ndata: b\r\n\r',
        '\nevent: ping\r\n\r\n',
        'data: [DONE]\r\n\r\n',
      ]) {
        await new Promise<void>((resolve) => res.write(part, () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      res.end();
    };
    server = createServer((_req, res) => {
      stream(res).catch((err: unknown) => res.destroy(err as Error));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('hands the script whole events and counts one sse_event per event', async () => {
    const vu = fakeVu();
    try {
      const open = (
        createModule(vu) as {
          open: (u: string, fn: (c: { on(t: string, f: (e: unknown) => void): void }) => void) => Promise<SseResponse>;
        }
      ).open;
      const data: string[] = [];
      const res = await open(url, (c) => c.on('event', (e) => data.push((e as SseEvent).data)));
      assert.equal(res.status, 200);
      assert.deepEqual(data, ['a\nb', '[DONE]']);
      assert.equal(vu.sum('sse_event'), 2);
    } finally {
      await vu.close();
    }
  });
});
