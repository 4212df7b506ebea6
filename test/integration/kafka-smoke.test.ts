/**
 * Proves kafkajs 2.2.4 (whose own CI stopped at Kafka 2.4) against the project's broker, Kafka
 * 4.1.2, for every feature the service relies on, and @kafkajs/confluent-schema-registry against
 * the real registry (Apicurio's Confluent-compatible API).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { commitTransaction, isConcurrentTransactions, sendOffsetsWithRetry } from '../../src/io/kafka/transactions.js';
import {
  createTopics,
  deleteTopics,
  disconnectAll,
  kafka,
  newConsumer,
  newProducer,
  readTopic,
  registryUrl,
  uniqueName,
} from './helpers/kafka.js';
import { waitUntil, withTimeout } from './helpers/timeout.js';

const values = (messages: readonly { value: Buffer | null }[]): string[] => messages.map((m) => m.value?.toString() ?? '');

describe('kafkajs 2.2.4 against the local Kafka broker', () => {
  let client: Kafka;
  let admin: Admin;
  const topics: string[] = [];

  async function topic(prefix: string, numPartitions = 1): Promise<string> {
    const name = uniqueName(prefix);
    topics.push(name);
    await createTopics(admin, [{ topic: name, numPartitions }]);
    return name;
  }

  before(async () => {
    client = kafka();
    admin = client.admin();
    await withTimeout(admin.connect(), 20_000, 'admin connect');
  });

  after(async () => {
    try {
      await deleteTopics(admin, topics);
    } finally {
      await disconnectAll(admin);
    }
  });

  it('creates topics with leaders for every partition', async () => {
    const name = await topic('smoke-create', 3);
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: [name] });
    const partitions = meta[0]?.partitions ?? [];
    assert.equal(partitions.length, 3);
    for (const p of partitions) assert.equal(p.leader, 1, `partition ${p.partitionId} has a leader`);
    assert.ok((await admin.listTopics()).includes(name));
  });

  it('produces keyed messages and consumes all of them back through a group', async () => {
    const name = await topic('smoke-pc', 3);
    const producer = newProducer(client);
    let consumer: Consumer | undefined;
    try {
      await producer.connect();
      const sent = Array.from({ length: 30 }, (_, i) => ({ key: `seller-${i % 7}`, value: `event-${i}` }));
      const meta = await producer.send({ topic: name, messages: sent });
      assert.ok(meta.every((m) => m.errorCode === 0));

      const received: { key: string; value: string; partition: number }[] = [];
      consumer = newConsumer(client, uniqueName('smoke-pc'));
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', partition });
        },
      });
      await waitUntil(() => received.length >= sent.length, 30_000, 'consuming 30 messages');

      assert.deepEqual(received.map((r) => r.value).sort(), sent.map((s) => s.value).sort());
      // Keyed partitioning: one key, one partition; and the keys spread over more than one.
      const partitionOfKey = new Map<string, Set<number>>();
      for (const r of received) partitionOfKey.set(r.key, (partitionOfKey.get(r.key) ?? new Set()).add(r.partition));
      for (const [key, parts] of partitionOfKey) assert.equal(parts.size, 1, `${key} went to one partition`);
      assert.ok(new Set(received.map((r) => r.partition)).size > 1);
    } finally {
      await disconnectAll(consumer, producer);
    }
  });

  it('rebalances a 2-member group: the partitions are split, then all go back to the survivor', async () => {
    const name = await topic('smoke-rebalance', 4);
    const groupId = uniqueName('smoke-rebalance');
    const assigned = new Map<string, number[]>();
    const member = (id: string): Consumer => {
      const c = newConsumer(client, groupId, { sessionTimeout: 10_000, heartbeatInterval: 500 });
      c.on(c.events.GROUP_JOIN, ({ payload }) => assigned.set(id, [...(payload.memberAssignment[name] ?? [])].sort()));
      return c;
    };
    const a = member('a');
    const b = member('b');
    try {
      await a.connect();
      await a.subscribe({ topic: name, fromBeginning: true });
      await a.run({ eachMessage: async () => undefined });
      await waitUntil(() => assigned.get('a')?.length === 4, 30_000, 'a alone owns the 4 partitions');

      await b.connect();
      await b.subscribe({ topic: name, fromBeginning: true });
      await b.run({ eachMessage: async () => undefined });
      await waitUntil(
        () => (assigned.get('a')?.length ?? 0) + (assigned.get('b')?.length ?? 0) === 4 && (assigned.get('b')?.length ?? 0) > 0,
        30_000,
        'a and b share the partitions',
      );
      assert.deepEqual([...(assigned.get('a') ?? []), ...(assigned.get('b') ?? [])].sort(), [0, 1, 2, 3]);
      assert.equal(assigned.get('a')?.length, 2);

      await withTimeout(b.disconnect(), 10_000, 'b leaves');
      await waitUntil(() => assigned.get('a')?.length === 4, 30_000, 'a owns all 4 again after b left');
    } finally {
      await disconnectAll(a, b);
    }
  });

  it('sends with an idempotent producer, each message once and in order', async () => {
    const name = await topic('smoke-idem');
    const producer = newProducer(client, { idempotent: true, maxInFlightRequests: 1 });
    try {
      await producer.connect();
      assert.equal(producer.isIdempotent(), true);
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic: name, messages: [{ value: `a${i}` }, { value: `b${i}` }] });
      }
    } finally {
      await disconnectAll(producer);
    }
    const read = await readTopic(client, name);
    assert.deepEqual(values(read), Array.from({ length: 5 }, (_, i) => [`a${i}`, `b${i}`]).flat());
    assert.deepEqual(read.map((m) => Number(m.offset)), [...Array(10).keys()]);
  });

  it('commits a transaction with sends and consumer offsets, aborts another; read_committed sees only the first', async () => {
    const input = await topic('smoke-tx-in');
    const output = await topic('smoke-tx-out');
    const groupId = uniqueName('smoke-tx');
    let producer: Producer | undefined;
    try {
      producer = newProducer(client, {
        transactionalId: uniqueName('smoke-tx'),
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();

      // The first transaction on a fresh broker may meet a coordinator still loading.
      await commitTransaction(
        producer,
        {
          messages: [{ topic: output, messages: [{ key: 's1', value: 'committed-1' }, { key: 's2', value: 'committed-2' }] }],
          offsets: { consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }] },
        },
        { transactionAttempts: 3 },
      );

      const aborted = await producer.transaction();
      await aborted.send({ topic: output, messages: [{ key: 's3', value: 'aborted-1' }] });
      await sendOffsetsWithRetry(aborted, {
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '9' }] }],
      });
      await aborted.abort();
    } finally {
      await disconnectAll(producer);
    }

    assert.deepEqual(values(await readTopic(client, output)), ['committed-1', 'committed-2']);
    assert.deepEqual(values(await readTopic(client, output, { readCommitted: false })), [
      'committed-1',
      'committed-2',
      'aborted-1',
    ]);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
    assert.deepEqual(committed?.partitions, [{ partition: 0, offset: '3', metadata: null }]);
  });

  it('survives sendOffsets right after a commit (kafkajs #430) through sendOffsetsWithRetry', async (t) => {
    const input = await topic('smoke-txq-in');
    const output = await topic('smoke-txq-out');
    const groupId = uniqueName('smoke-txq');
    let producer: Producer | undefined;
    let retries = 0;
    const rounds = 20;
    try {
      producer = newProducer(client, { transactionalId: uniqueName('smoke-txq'), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (let i = 1; i <= rounds; i++) {
        // Offsets only, with nothing sent first: the worst case for the quirk. Every other
        // round sends first, as the service does.
        await commitTransaction(
          producer,
          {
            messages: i % 2 === 0 ? [{ topic: output, messages: [{ value: `round-${i}` }] }] : [],
            offsets: { consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i) }] }] },
          },
          {
            onRetry: (_attempt, err) => {
              if (isConcurrentTransactions(err)) retries++;
            },
          },
        );
      }
    } finally {
      await disconnectAll(producer);
    }
    t.diagnostic(`${rounds} back-to-back transactions, sendOffsets retried ${retries} times on CONCURRENT_TRANSACTIONS`);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
    assert.equal(committed?.partitions[0]?.offset, String(rounds));
    assert.deepEqual(values(await readTopic(client, output)), Array.from({ length: rounds / 2 }, (_, i) => `round-${2 * (i + 1)}`));
  });
});

const registry = registryUrl();

describe('@kafkajs/confluent-schema-registry 3.9 against the local schema registry', { skip: registry === undefined && 'no schema registry: SCHEMA_REGISTRY_URL unset (see scripts/kafka-local.sh)' }, () => {
  const schema = {
    type: 'record',
    name: 'SmokeOrder',
    namespace: 'brushwatch.smoke',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'amountCents', type: 'long' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  };

  it('registers an Avro schema, encodes, decodes and fetches it by id', async () => {
    const url = registry ?? '';
    const sr = new SchemaRegistry({ host: url });
    const subject = `${uniqueName('smoke-order')}-value`;
    const { id } = await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
    assert.ok(Number.isInteger(id) && id > 0);
    assert.equal(await sr.getLatestSchemaId(subject), id);

    const order = { orderId: 'o-1', amountCents: 1999, note: 'gift' };
    const encoded = await sr.encode(id, order);
    // Confluent framing: magic byte 0, then the schema id as a big-endian int32.
    assert.equal(encoded[0], 0);
    assert.equal(encoded.readInt32BE(1), id);
    assert.deepEqual({ ...(await sr.decode(encoded)) }, order);

    // A fresh client has nothing cached: this goes to the registry's /schemas/ids/{id}.
    const fetched = await new SchemaRegistry({ host: url }).getSchema(id);
    assert.equal((fetched as { name?: string }).name, 'brushwatch.smoke.SmokeOrder');
    const res = await fetch(`${url}/schemas/ids/${id}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { schema: string };
    assert.deepEqual(JSON.parse(body.schema).fields.map((f: { name: string }) => f.name), ['orderId', 'amountCents', 'note']);

    // Registering the same schema again gives the same id (what a restarting service relies on).
    assert.equal((await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })).id, id);
  });
});
