// xk6-kafka's Writer.produce / Reader.consume / Connection.* are synchronous in k6: inside async
// functions they are unawaited here too, and each call is done before the next statement.
import { check } from 'k6';
import { Connection, Reader, Writer } from 'k6/x/kafka';

const brokers = __ENV.KAFKA_BROKERS.split(',');
const topic = __ENV.TOPIC;
const writer = new Writer({ brokers, topic });
const reader = new Reader({ brokers, topic, maxWait: '20s' });
const conn = new Connection({ address: brokers[0] });

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3 } } };

export async function setup() {
  conn.createTopic({ topic, numPartitions: 1 });
  check(conn.listTopics(), { 'the topic exists after createTopic': (topics) => topics.includes(topic) });
}

export default async function () {
  writer.produce({ messages: [{ value: `message ${__ITER}` }] });
  const got = reader.consume({ limit: 1 });
  check(got, { 'the message produced just before is consumed': (m) => m.length === 1 && m[0].offset === __ITER });
}

export async function teardown() {
  conn.deleteTopic(topic);
}
