/**
 * What the exactly-once tests will lean on when they restart the broker mid-run: after a
 * SIGKILL of the local broker (scripts/kafka-local.sh restart-broker --kill), committed
 * transactions and consumer-group offsets are still there, aborted data stays invisible, and a
 * kafkajs producer that stayed connected through the crash reconnects and goes on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { commitTransaction } from '../../src/io/kafka/transactions.js';
import {
  createTopics,
  deleteTopics,
  disconnectAll,
  kafka,
  localBrokerDir,
  newProducer,
  readTopic,
  restartBroker,
  uniqueName,
} from './helpers/kafka.js';

describe('a SIGKILLed and restarted broker', { skip: localBrokerDir() === undefined && 'needs the broker started by scripts/kafka-local.sh' }, () => {
  let client: Kafka;
  let admin: Admin;
  const input = uniqueName('restart-in');
  const output = uniqueName('restart-out');

  before(async () => {
    client = kafka();
    admin = client.admin();
    await admin.connect();
    await createTopics(admin, [{ topic: input }, { topic: output, numPartitions: 2 }]);
  });

  after(async () => {
    try {
      await deleteTopics(admin, [input, output]);
    } finally {
      await disconnectAll(admin);
    }
  });

  it('keeps committed transactions and offsets, hides aborted ones, and a connected producer goes on', async (t) => {
    const groupId = uniqueName('restart');
    let producer: Producer | undefined;
    try {
      producer = newProducer(client, { transactionalId: uniqueName('restart'), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const msg = (v: string) => ({ key: v, value: v });
      // The first transaction on a fresh broker may meet a coordinator still loading.
      await commitTransaction(
        producer,
        {
          messages: [{ topic: output, messages: ['a', 'b', 'c'].map(msg) }],
          offsets: { consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '7' }] }] },
        },
        { transactionAttempts: 5 },
      );
      const aborted = await producer.transaction();
      await aborted.send({ topic: output, messages: [msg('x')] });
      await aborted.abort();

      restartBroker({ kill: true });

      // The same producer object, connected before the crash. kafkajs does not get through the
      // first coordinator lookup on a dead connection by itself: the transaction is retried.
      const errors: string[] = [];
      await commitTransaction(
        producer,
        {
          messages: [{ topic: output, messages: ['d', 'e'].map(msg) }],
          offsets: { consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '9' }] }] },
        },
        { transactionAttempts: 5, onTransactionRetry: (_attempt, err) => errors.push(err.message) },
      );
      t.diagnostic(`after the restart: ${errors.length} failed attempts first: ${errors.join(' | ')}`);
    } finally {
      await disconnectAll(producer);
    }

    const seen = (await readTopic(client, output)).map((m) => m.value?.toString()).sort();
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
    const all = (await readTopic(client, output, { readCommitted: false })).map((m) => m.value?.toString());
    assert.ok(all.includes('x'), 'the aborted record is in the log, only hidden');
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    assert.equal(offsets?.partitions[0]?.offset, '9');
  });
});
