/**
 * Shared helpers for tests against the real broker started by `scripts/kafka-local.sh` (through
 * `npm test`, which sets KAFKA_BROKERS and SCHEMA_REGISTRY_URL) or any broker named in
 * KAFKA_BROKERS. Every test uses its own topics and groups (`uniqueName`), so tests never see
 * each other's data and need no cleanup to stay correct; they still delete their topics.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Admin, Consumer, ConsumerConfig, KafkaMessage, Producer, ProducerConfig } from 'kafkajs';
import { withTimeout } from './timeout.js';
import { createTopicsAndWait } from '../../../src/io/kafka/client.js';

/** Broker list from KAFKA_BROKERS, else from a broker started by hand with kafka-local.sh. */
export function brokers(): string[] {
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  const fromFile = existsSync('.kafka/brokers') ? readFileSync('.kafka/brokers', 'utf8').trim() : '';
  const list = (fromEnv || fromFile).split(',').filter((b) => b.length > 0);
  if (list.length === 0) {
    throw new Error(
      'No Kafka broker: KAFKA_BROKERS is unset and .kafka/brokers is missing. ' +
        'Run the tests with `npm test` (it starts one) or start one with `scripts/kafka-local.sh start`.',
    );
  }
  return list;
}

/** Schema registry URL (ccompat API) from SCHEMA_REGISTRY_URL or .kafka/registry-url, if any. */
export function registryUrl(): string | undefined {
  const fromEnv = process.env.SCHEMA_REGISTRY_URL?.trim();
  if (fromEnv) return fromEnv;
  return existsSync('.kafka/registry-url') ? readFileSync('.kafka/registry-url', 'utf8').trim() : undefined;
}

/** The local broker's SASL_SSL listener (scripts/kafka-local.sh writes secure.json), if any. */
export interface SecureListener {
  readonly brokers: string;
  readonly caFile: string;
  readonly username: string;
  readonly password: string;
}

export function secureListener(): SecureListener | undefined {
  const file = process.env.KAFKA_SECURE_JSON?.trim() || (process.env.KAFKA_BROKERS ? '' : '.kafka/secure.json');
  return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SecureListener) : undefined;
}

/**
 * The state dir of a broker this run started with `scripts/kafka-local.sh` (set by npm test), or
 * undefined when the tests use a broker of their own (KAFKA_BROKERS set by hand): only the
 * former can be restarted by a test.
 */
export function localBrokerDir(): string | undefined {
  return process.env.KAFKA_LOCAL_DIR || (process.env.KAFKA_BROKERS ? undefined : existsSync('.kafka/brokers') ? '.kafka' : undefined);
}

/**
 * Stops the local broker (SIGTERM, or SIGKILL with `kill`) and starts it again on the same port
 * with the same data; resolves once it is ready again. Clients stay connected and must reconnect.
 */
export function restartBroker(options: { kill?: boolean } = {}): void {
  const dir = localBrokerDir();
  if (dir === undefined) throw new Error('restartBroker: no broker started by scripts/kafka-local.sh in this run (KAFKA_LOCAL_DIR unset)');
  const r = spawnSync('bash', ['scripts/kafka-local.sh', 'restart-broker', ...(options.kill ? ['--kill'] : [])], {
    env: { ...process.env, KAFKA_LOCAL_DIR: dir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`restart-broker failed (${r.status ?? r.signal}): ${r.stderr}`);
}

/** A name no other test or run uses: `<prefix>-<pid>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A kafkajs client with its logging off (KAFKAJS_LOG_LEVEL=debug|info|warn|error turns it on). */
export function kafka(clientId: string = uniqueName('test')): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
}

/** A producer with kafkajs's current default partitioner (murmur2, as the Java client). */
export function newProducer(client: Kafka, config: ProducerConfig = {}): Producer {
  return client.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
}

/**
 * A consumer that reacts quickly. kafkajs heartbeats, notices rebalances and finishes
 * `disconnect()` only between fetches, and an idle fetch long-polls for `maxWaitTimeInMs`
 * (default 5 s): measured here, a rebalance and a disconnect each took ~5 s with the default,
 * well under 1 s with 500 ms.
 */
export function newConsumer(client: Kafka, groupId: string, config: Partial<ConsumerConfig> = {}): Consumer {
  return client.consumer({ groupId, maxWaitTimeInMs: 500, ...config });
}

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions?: number;
  readonly configEntries?: { name: string; value: string }[];
}

/**
 * Creates topics and waits until each partition has a leader: the broker does not auto-create
 * topics, and kafkajs cannot subscribe to a topic whose metadata is not there yet.
 */
export async function createTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  await createTopicsAndWait(
    admin,
    specs.map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions ?? 1,
      replicationFactor: 1,
      ...(s.configEntries ? { configEntries: s.configEntries } : {}),
    })),
  );
}

/** Deletes topics, ignoring ones already gone; bounded so a cleanup never hangs a run. */
export async function deleteTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  await withTimeout(
    admin.deleteTopics({ topics: [...topics], timeout: 5000 }).catch((err: unknown) => {
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
    }),
    10_000,
    `deleting topics ${topics.join(', ')}`,
  );
}

/** Disconnects clients, each bounded, all attempted even if one fails. For `after`/`finally`. */
export async function disconnectAll(...clients: ({ disconnect(): Promise<void> } | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(
    clients.filter((c) => c !== undefined).map((c) => withTimeout(c.disconnect(), 10_000, 'disconnect')),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface ReadOptions {
  /** Only committed transactional records (Kafka's read_committed). Default true. */
  readonly readCommitted?: boolean;
  /** Give up after this long. Default 30 s. */
  readonly timeoutMs?: number;
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

/**
 * First and end offsets of every partition, the end being the high watermark (transaction
 * markers included). kafkajs's `admin.fetchTopicOffsets` lists offsets read_committed, i.e. up
 * to the last stable offset, and that lags a just-committed transaction: `commit()` returns
 * before the broker has written the commit markers. Seen here: a record committed a moment
 * earlier left out of a read that stopped at the stale end. A read_uncommitted ListOffsets is
 * only inside kafkajs (2.2.4, pinned): a cluster of its own with isolation level 0.
 */
export async function partitionBounds(client: Kafka, topic: string): Promise<Map<number, { low: bigint; high: bigint }>> {
  const symbol = Object.getOwnPropertySymbols(client).find((s) => s.description === 'private:Kafka:createCluster');
  if (symbol === undefined) throw new Error('kafkajs internals changed: no private:Kafka:createCluster (see partitionBounds)');
  const create = (client as unknown as Record<symbol, (o: object) => InternalCluster>)[symbol];
  if (create === undefined) throw new Error('kafkajs internals changed: createCluster is not a function');
  const cluster = create({ isolationLevel: 0, allowAutoTopicCreation: false });
  try {
    await cluster.connect();
    await cluster.addTargetTopic(topic);
    const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    const list = async (fromBeginning: boolean) =>
      (await cluster.fetchTopicsOffset([{ topic, fromBeginning, partitions }]))[0]?.partitions ?? [];
    const [lows, highs] = [await list(true), await list(false)];
    const bounds = new Map<number, { low: bigint; high: bigint }>();
    for (const h of highs) {
      const low = lows.find((l) => l.partition === h.partition)?.offset ?? '0';
      bounds.set(h.partition, { low: BigInt(low), high: BigInt(h.offset) });
    }
    return bounds;
  } finally {
    await withTimeout(cluster.disconnect(), 10_000, 'disconnecting the offsets client');
  }
}

/**
 * Reads every record of a topic from the beginning up to its high watermarks at the time of the
 * call into an array, in partition then offset order; later records are left out. With
 * read_committed (the default), aborted records are left out, and the read waits for commit
 * markers still being written; a transaction left open (a writer that died mid-transaction)
 * holds it back until the broker aborts it (transaction timeout) or the read times out. Uses a
 * throwaway group, commits nothing.
 */
export async function readTopic(client: Kafka, topic: string, options: ReadOptions = {}): Promise<KafkaMessage[]> {
  const bounds = await partitionBounds(client, topic);
  const remaining = new Map<number, bigint>();
  for (const [partition, { low, high }] of bounds) if (high > low) remaining.set(partition, high);
  const byPartition = new Map<number, KafkaMessage[]>();
  if (remaining.size === 0) return [];
  const consumer = newConsumer(client, uniqueName('read'), { readUncommitted: options.readCommitted === false });
  try {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    // Progress is taken from the batch events, not from eachBatch: a batch of only transaction
    // markers or aborted records never reaches eachBatch, yet it moves the partition forward.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const end = remaining.get(payload.partition);
      if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) remaining.delete(payload.partition);
      if (remaining.size === 0) done();
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = bounds.get(batch.partition)?.high ?? 0n;
        let list = byPartition.get(batch.partition);
        if (list === undefined) byPartition.set(batch.partition, (list = []));
        for (const m of batch.messages) if (BigInt(m.offset) < end) list.push(m);
      },
    });
    const waiting = () => [...remaining].map(([p, end]) => `partition ${p} to offset ${end}`).join(', ');
    await withTimeout(finished, options.timeoutMs ?? 30_000, `reading ${topic} to its end`).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; still waiting for ${waiting()} (an open transaction?)`);
    });
    return [...byPartition.keys()].sort((a, b) => a - b).flatMap((p) => byPartition.get(p) ?? []);
  } finally {
    await disconnectAll(consumer);
  }
}
