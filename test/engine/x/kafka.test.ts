/**
 * k6/x/kafka against a real single-node KRaft broker (local provider, started once for
 * the file). Each test uses its own topic.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startInfra, type InfraHandle } from '../../../infra/index.ts';
import { createModule } from '../../../engine/modules/x/kafka.ts';
import { fakeVu, type FakeVu } from './fake-vu.ts';

interface Message {
  topic: string;
  partition: number;
  offset: number;
  time: string;
  headers: Record<string, Uint8Array>;
  key?: Uint8Array;
  value?: Uint8Array;
}
interface Kafka {
  Writer: new (c: unknown) => { produce(c: unknown): Promise<void>; close(): Promise<void> };
  Reader: new (c: unknown) => { consume(c: unknown): Promise<Message[]>; close(): Promise<void> };
  Connection: new (c: unknown) => {
    createTopic(c: unknown): Promise<void>;
    deleteTopic(t: string): Promise<void>;
    listTopics(): Promise<string[]>;
    close(): Promise<void>;
  };
  SchemaRegistry: new (c?: unknown) => { serialize(c: unknown): Uint8Array; deserialize(c: unknown): unknown };
  SCHEMA_TYPE_STRING: string;
  SCHEMA_TYPE_JSON: string;
}

describe('k6/x/kafka', () => {
  let infra: InfraHandle;
  let brokers: string[];
  let vu: FakeVu;
  let k: Kafka;
  let conn: InstanceType<Kafka['Connection']>;
  let serdes: InstanceType<Kafka['SchemaRegistry']>;
  const topic = () => `t-${randomUUID().slice(0, 8)}`;
  const str = (data: string) => serdes.serialize({ data, schemaType: k.SCHEMA_TYPE_STRING });

  before(async () => {
    infra = await startInfra({ provider: 'local', services: ['kafka'], progress: 'silent' });
    brokers = infra.endpoints.kafka!.brokers;
    vu = fakeVu();
    k = createModule(vu) as unknown as Kafka;
    conn = new k.Connection({ address: brokers[0] });
    serdes = new k.SchemaRegistry();
  });

  after(async () => {
    await vu?.close();
    await infra?.down();
  });

  it('creates, lists and deletes topics through Connection', async () => {
    const t = topic();
    await conn.createTopic({ topic: t, numPartitions: 2 });
    assert.ok((await conn.listTopics()).includes(t));
    await conn.deleteTopic(t);
    // Deletion is asynchronous in the broker's metadata: poll until the topic is gone (bounded).
    let listed = true;
    for (let i = 0; i < 50 && listed; i++) {
      listed = (await conn.listTopics()).includes(t);
      if (listed) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(listed, false);
  });

  it('delivers produced messages to a consumer-group Reader with their key, value and headers as bytes', async () => {
    const t = topic();
    await conn.createTopic({ topic: t, numPartitions: 3 });
    const writer = new k.Writer({ brokers, topic: t });
    const messages = Array.from({ length: 6 }, (_, i) => ({
      key: str(`key-${i}`),
      value: serdes.serialize({ data: { i }, schemaType: k.SCHEMA_TYPE_JSON }),
      headers: { source: 'test' },
    }));
    await writer.produce({ messages });
    const reader = new k.Reader({ brokers, groupID: `g-${t}`, groupTopics: [t], maxWait: '20s' });
    const got = await reader.consume({ limit: 6 });
    assert.equal(got.length, 6);
    const values = got
      .map((m) => (serdes.deserialize({ data: m.value, schemaType: k.SCHEMA_TYPE_JSON }) as { i: number }).i)
      .sort();
    assert.deepEqual(values, [0, 1, 2, 3, 4, 5]);
    assert.ok(got.every((m) => m.key instanceof Uint8Array && m.topic === t));
    assert.equal(new TextDecoder().decode(got[0]!.headers.source), 'test');
  });

  it('renders the record time as RFC 3339 whole seconds, with the fraction when nanoPrecision is set', async () => {
    const t = topic();
    await conn.createTopic({ topic: t });
    await new k.Writer({ brokers, topic: t }).produce({
      messages: [
        { value: str('a'), time: 1_700_000_000_123 },
        { value: str('b'), time: 1_700_000_000_000 },
      ],
    });
    const reader = new k.Reader({ brokers, topic: t, maxWait: '20s' });
    const [first] = await reader.consume({ limit: 1 });
    assert.equal(first!.time, '2023-11-14T22:13:20Z');
    const nano = new k.Reader({ brokers, topic: t, maxWait: '20s' });
    const both = await nano.consume({ limit: 2, nanoPrecision: true });
    assert.deepEqual(
      both.map((m) => m.time),
      ['2023-11-14T22:13:20.123Z', '2023-11-14T22:13:20Z'],
    );
  });

  it('reads one partition from an offset when the Reader has no group', async () => {
    const t = topic();
    await conn.createTopic({ topic: t, numPartitions: 2 });
    const writer = new k.Writer({ brokers, topic: t });
    await writer.produce({ messages: [0, 1, 2, 3].map((i) => ({ value: str(`p1-${i}`), partition: 1 })) });
    await writer.produce({ messages: [{ value: str('p0'), partition: 0 }] });
    const reader = new k.Reader({ brokers, topic: t, partition: 1, offset: 2, maxWait: '20s' });
    const got = await reader.consume({ limit: 2 });
    assert.deepEqual(
      got.map((m) => [m.partition, m.offset]),
      [
        [1, 2],
        [1, 3],
      ],
    );
  });

  it('hands over every message in order through a buffer smaller than the backlog (pause and resume)', async () => {
    const t = topic();
    await conn.createTopic({ topic: t });
    await new k.Writer({ brokers, topic: t }).produce({
      messages: Array.from({ length: 12 }, (_, i) => ({ value: str(String(i)) })),
    });
    const reader = new k.Reader({ brokers, topic: t, queueCapacity: 2, maxWait: '20s' });
    const got: Message[] = [];
    while (got.length < 12) got.push(...(await reader.consume({ limit: 3 })));
    assert.deepEqual(
      got.map((m) => m.offset),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
  });

  it('throws when fewer messages than asked arrive within maxWait, and returns them with expectTimeout', async () => {
    const t = topic();
    await conn.createTopic({ topic: t });
    await new k.Writer({ brokers, topic: t }).produce({ messages: [{ value: str('only') }] });
    const patient = new k.Reader({ brokers, topic: t, maxWait: '20s' });
    assert.equal((await patient.consume({ limit: 1 })).length, 1);
    const reader = new k.Reader({ brokers, topic: t, maxWait: '3s' });
    await assert.rejects(
      reader.consume({ limit: 5 }),
      (e: Error & { code?: string }) => e.code === 'X_KAFKA_TIMEOUT' && /1 of 5/.test(e.message),
    );
    const tolerant = new k.Reader({ brokers, topic: t, maxWait: '3s' });
    assert.equal((await tolerant.consume({ limit: 5, expectTimeout: true })).length, 1);
  });

  it('counts written and read messages in kafka_writer_message_count and kafka_reader_message_count, tagged with the topic', async () => {
    const own = fakeVu();
    const mod = createModule(own) as unknown as Kafka;
    const t = topic();
    await conn.createTopic({ topic: t });
    await new mod.Writer({ brokers, topic: t }).produce({
      messages: [{ value: str('1') }, { value: str('2') }, { value: str('3') }],
    });
    await new mod.Reader({ brokers, topic: t, maxWait: '20s' }).consume({ limit: 3 });
    assert.equal(own.sum('kafka_writer_message_count'), 3);
    assert.equal(own.sum('kafka_reader_message_count'), 3);
    assert.ok(
      own.samples
        .filter((s) => s.name.startsWith('kafka_'))
        .every((s) => s.tags.topic === t && s.tags.scenario === 'default'),
    );
    assert.equal(own.defined.get('kafka_writer_message_count')?.type, 'counter');
    await own.close();
  });

  it('serializes strings and JSON, and refuses schema types it cannot handle without a registry', () => {
    const bytes = serdes.serialize({ data: { a: [1, 2] }, schemaType: k.SCHEMA_TYPE_JSON });
    assert.deepEqual(serdes.deserialize({ data: bytes, schemaType: k.SCHEMA_TYPE_JSON }), { a: [1, 2] });
    assert.equal(serdes.deserialize({ data: str('héllo'), schemaType: k.SCHEMA_TYPE_STRING }), 'héllo');
    assert.throws(() => serdes.serialize({ data: {}, schemaType: 'AVRO' }), /schemaType "AVRO" is not supported/);
  });

  it('rejects a Writer config without brokers, naming the field', () => {
    assert.throws(
      () => new k.Writer({ topic: 'x' }),
      /Writer config\.brokers must be a non-empty array of "host:port" strings/,
    );
  });

  it('refuses to produce or consume in the init context, as the extension does', async () => {
    const init = createModule(fakeVu('async', {}, 'init')) as unknown as Kafka;
    await assert.rejects(
      new init.Writer({ brokers, topic: 'x' }).produce({ messages: [] }),
      (e: Error & { code?: string }) => e.code === 'X_MODULE_IN_INIT',
    );
    await assert.rejects(
      new init.Reader({ brokers, topic: 'x' }).consume({ limit: 1 }),
      /not allowed in the init context/,
    );
  });

  it('throws in a sync-mode VU, naming the module and asking for async functions', () => {
    const sync = createModule(fakeVu('sync')) as unknown as Kafka;
    assert.throws(
      () => new sync.Writer({ brokers, topic: 'x' }),
      (e: Error & { code?: string }) => e.code === 'X_MODULE_NEEDS_ASYNC' && /k6\/x\/kafka/.test(e.message),
    );
  });
});
