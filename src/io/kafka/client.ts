/**
 * What the service needs from Kafka, as a small interface, and its implementation on kafkajs
 * 2.2.4. This is the only module that imports kafkajs: kafkajs is unmaintained, and another
 * client (librdkafka-based or pure TS) can be put behind the same interface.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, Partitioners, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Admin, Consumer, ITopicConfig, KafkaConfig, LogEntry, Producer, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../config.js';
import { BrushwatchError } from '../../errors.js';
import { commitTransaction } from './transactions.js';

/** A fetched record. Buffers are handed through as the client gives them (no copy). */
export interface InRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  readonly timestamp: string;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

export interface InBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: readonly InRecord[];
}

export interface BatchControl {
  /** Marks records up to `offset` as processed, so the next fetch starts after it (not a commit). */
  resolve(offset: string): void;
  isRunning(): boolean;
  isStale(): boolean;
  heartbeat(): Promise<void>;
}

export interface OutRecord {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
  readonly partition?: number;
  readonly timestamp?: string;
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: readonly OutRecord[];
}

/** The next offset to read, per partition: what a consumer group commits. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface GroupConsumer {
  connect(): Promise<void>;
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  /** Starts fetching; `handle` is called once per fetched partition batch, never concurrently. */
  run(handle: (batch: InBatch, control: BatchControl) => Promise<void>): Promise<void>;
  /** Only valid after run(): the next fetch of this partition starts at `offset`. */
  seek(position: PartitionOffset): void;
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** Stops fetching after the batch in progress; resolves when it is done. */
  stop(): Promise<void>;
  disconnect(): Promise<void>;
  onGroupJoin(listener: (assignment: Readonly<Record<string, readonly number[]>>) => void): void;
  onRebalancing(listener: () => void): void;
  onCrash(listener: (error: Error, willRestart: boolean) => void): void;
}

export interface OutProducer {
  connect(): Promise<void>;
  /** Resolves when every record is acknowledged by all in-sync replicas. */
  send(batches: readonly TopicMessages[]): Promise<void>;
  /**
   * One Kafka transaction: the batches and the group's offsets become visible together or not at
   * all. Only for producers created with a transactionalId.
   */
  commitTransaction(batches: readonly TopicMessages[], groupId: string, offsets: readonly PartitionOffset[], onRetry?: (attempt: number, error: unknown) => void): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config?: Readonly<Record<string, string>>;
}

export interface PartitionRange {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics that do not exist yet; returns the names it created. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<string[]>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  partitionRanges(topic: string): Promise<PartitionRange[]>;
  /** Per partition, the first offset whose timestamp is >= ts (the high watermark when none). */
  offsetsByTimestamp(topic: string, ts: number): Promise<{ partition: number; offset: string }[]>;
  /** Sets a group's committed offsets; fails while the group has live members. */
  setCommittedOffsets(groupId: string, offsets: readonly PartitionOffset[]): Promise<void>;
  /** Committed offsets of a group; "-1" where nothing is committed. */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<PartitionOffset[]>;
}

export interface ConsumerOptions {
  readonly groupId: string;
  readonly readCommitted?: boolean;
  readonly sessionTimeoutMs?: number;
  readonly maxBytesPerPartition?: number;
  readonly maxWaitTimeMs?: number;
}

export interface ProducerOptions {
  readonly transactionalId?: string;
}

export interface KafkaClient {
  consumer(options: ConsumerOptions): GroupConsumer;
  producer(options?: ProducerOptions): OutProducer;
  admin(): KafkaAdmin;
}

type KafkaSettings = ServiceConfig['kafka'];

function saslOptions(sasl: KafkaSettings['sasl']): SASLOptions | undefined {
  if (sasl.mechanism === 'none') return undefined;
  // The config schema guarantees both are set when a mechanism is chosen.
  return { mechanism: sasl.mechanism, username: sasl.username ?? '', password: sasl.password ?? '' };
}

function sslOptions(ssl: KafkaSettings['ssl']): ConnectionOptions | undefined {
  if (!ssl.enabled) return undefined;
  const read = (path: string | null, what: string): Buffer | undefined => {
    if (path === null) return undefined;
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new BrushwatchError('CONFIG_INVALID', `kafka.ssl.${what} = ${path} cannot be read; point it at a readable PEM file`, { cause });
    }
  };
  const ca = read(ssl.caFile, 'caFile');
  const cert = read(ssl.certFile, 'certFile');
  const key = read(ssl.keyFile, 'keyFile');
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ca ? { ca: [ca] } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
}

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

function kafkaLogLevel(logger: Logger): KafkaLogLevel {
  switch (logger.level) {
    case 'trace':
    case 'debug':
      return KafkaLogLevel.DEBUG;
    case 'info':
      return KafkaLogLevel.INFO;
    case 'warn':
      return KafkaLogLevel.WARN;
    case 'silent':
      return KafkaLogLevel.NOTHING;
    default:
      return KafkaLogLevel.ERROR;
  }
}

/** The kafkajs options this config maps to (exported for tests of the mapping). */
export function kafkajsConfig(settings: KafkaSettings, logger: Logger): KafkaConfig {
  const log = logger.child({ component: 'kafkajs' });
  const ssl = sslOptions(settings.ssl);
  const sasl = saslOptions(settings.sasl);
  return {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    logLevel: kafkaLogLevel(logger),
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, timestamp: _ignored, logger: _name, ...extra } = entry as LogEntry['log'] & { logger?: string };
        log[PINO_LEVEL[level] ?? 'info']({ namespace, ...extra }, message);
      },
  };
}

/** Node's codes for a broker certificate that cannot be verified (tls.checkServerIdentity and OpenSSL). */
const TLS_TRUST_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^ERR_TLS|^ERR_SSL/;

/**
 * kafkajs reports a refused login or an untrusted certificate as a connection failure after its
 * retries. Neither heals by retrying: they become coded errors that name the setting to fix.
 */
export function connectError(err: unknown, settings: KafkaSettings): BrushwatchError {
  const where = settings.brokers.join(',');
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (e.name === 'KafkaJSSASLAuthenticationError') {
      return new BrushwatchError(
        'KAFKA_AUTH',
        `Kafka at ${where} refused the ${settings.sasl.mechanism.toUpperCase()} login of user ${settings.sasl.username ?? '(none)'}: ${e.message}; ` +
          'check kafka.sasl.mechanism, username and password (BRUSHWATCH_KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD)',
        { cause: err },
      );
    }
    if (typeof code === 'string' && TLS_TRUST_CODE.test(code)) {
      return new BrushwatchError(
        'KAFKA_TLS',
        `the TLS handshake with Kafka at ${where} failed (${code}: ${e.message}); ` +
          `set kafka.ssl.caFile (BRUSHWATCH_KAFKA_SSL_CA_FILE) to the PEM of the CA that signed the broker's certificate${settings.ssl.caFile !== null ? `, not ${settings.ssl.caFile}` : ''}`,
        { cause: err },
      );
    }
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  if (err instanceof BrushwatchError) return err;
  return new BrushwatchError('KAFKA_CONNECT', `cannot connect to Kafka at ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Metadata errors of a topic that exists but whose creation has not reached every broker's metadata yet. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * Creates topics and waits until every partition has a leader. kafkajs' own `waitForLeaders`
 * tolerates only LEADER_NOT_AVAILABLE while it waits, but a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION until the new topic reaches its metadata cache, and kafkajs then
 * fails the creation of a topic that was created (tulios/kafkajs#1563; seen in CI).
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, timeout: timeoutMs, topics });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      if (found.length === names.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (!SETTLING.has((err as { type?: string }).type ?? '')) throw err;
    }
    if (Date.now() > deadline) throw new BrushwatchError('KAFKA_CONNECT', `topics ${names.join(', ')} were created but have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function connecting(connect: () => Promise<void>, settings: KafkaSettings): () => Promise<void> {
  return () =>
    connect().catch((err: unknown) => {
      throw connectError(err, settings);
    });
}

function wrapConsumer(consumer: Consumer, settings: KafkaSettings): GroupConsumer {
  return {
    connect: connecting(() => consumer.connect(), settings),
    subscribe: (topics, fromBeginning) => consumer.subscribe({ topics: [...topics], fromBeginning }),
    run: (handle) =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset, isRunning, isStale, heartbeat }) => {
          await handle(batch, { resolve: resolveOffset, isRunning, isStale, heartbeat });
        },
      }),
    seek: (p) => consumer.seek({ topic: p.topic, partition: p.partition, offset: p.offset }),
    commit: (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))),
    stop: () => consumer.stop(),
    disconnect: () => consumer.disconnect(),
    onGroupJoin: (listener) => {
      consumer.on(consumer.events.GROUP_JOIN, (e) => listener(e.payload.memberAssignment));
    },
    onRebalancing: (listener) => {
      consumer.on(consumer.events.REBALANCING, () => listener());
    },
    onCrash: (listener) => {
      consumer.on(consumer.events.CRASH, (e) => listener(e.payload.error, e.payload.restart));
    },
  };
}

function toKafkajs(batches: readonly TopicMessages[]) {
  return batches
    .filter((b) => b.messages.length > 0)
    .map((b) => ({ topic: b.topic, messages: b.messages as OutRecord[] as never[] }));
}

function wrapProducer(producer: Producer, settings: KafkaSettings): OutProducer {
  return {
    connect: connecting(() => producer.connect(), settings),
    send: async (batches) => {
      const topicMessages = toKafkajs(batches);
      if (topicMessages.length > 0) await producer.sendBatch({ topicMessages, acks: -1 });
    },
    commitTransaction: (batches, groupId, offsets, onRetry) => {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const o of offsets) {
        const list = byTopic.get(o.topic) ?? [];
        list.push({ partition: o.partition, offset: o.offset });
        byTopic.set(o.topic, list);
      }
      return commitTransaction(
        producer,
        { messages: toKafkajs(batches), offsets: { consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) } },
        onRetry ? { onRetry } : {},
      );
    },
    disconnect: () => producer.disconnect(),
  };
}

export function createKafkaClient(settings: KafkaSettings, logger: Logger): KafkaClient {
  const kafka = new Kafka(kafkajsConfig(settings, logger));
  return {
    consumer: (o) =>
      wrapConsumer(
        kafka.consumer({
          groupId: o.groupId,
          readUncommitted: !(o.readCommitted ?? true),
          sessionTimeout: o.sessionTimeoutMs ?? settings.sessionTimeoutMs,
          // A rebalance must wait for the batch in progress; 3 heartbeats per session.
          heartbeatInterval: Math.floor((o.sessionTimeoutMs ?? settings.sessionTimeoutMs) / 3),
          ...(o.maxBytesPerPartition ? { maxBytesPerPartition: o.maxBytesPerPartition } : {}),
          ...(o.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: o.maxWaitTimeMs } : {}),
        }),
        settings,
      ),
    producer: (o = {}) =>
      wrapProducer(
        kafka.producer({
          createPartitioner: Partitioners.DefaultPartitioner,
          idempotent: true,
          maxInFlightRequests: 1,
          ...(o.transactionalId ? { transactionalId: o.transactionalId } : {}),
        }),
        settings,
      ),
    admin: () => {
      const admin = kafka.admin();
      return {
        connect: connecting(() => admin.connect(), settings),
        disconnect: () => admin.disconnect(),
        listTopics: () => admin.listTopics(),
        ensureTopics: async (specs) => {
          const existing = new Set(await admin.listTopics());
          const missing = specs.filter((s) => !existing.has(s.topic));
          if (missing.length === 0) return [];
          await createTopicsAndWait(
            admin,
            missing.map((s) => ({
              topic: s.topic,
              numPartitions: s.partitions,
              replicationFactor: s.replicationFactor,
              configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
            })),
          );
          return missing.map((s) => s.topic);
        },
        deleteTopics: (topics) => admin.deleteTopics({ topics: [...topics] }),
        partitionRanges: async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: p.low, high: p.high })),
        offsetsByTimestamp: async (topic, ts) =>
          (await admin.fetchTopicOffsetsByTimestamp(topic, ts)).map((p) => ({ partition: p.partition, offset: p.offset })),
        setCommittedOffsets: async (groupId, offsets) => {
          for (const topic of new Set(offsets.map((o) => o.topic))) {
            const partitions = offsets.filter((o) => o.topic === topic).map((o) => ({ partition: o.partition, offset: o.offset }));
            await admin.setOffsets({ groupId, topic, partitions });
          }
        },
        committedOffsets: async (groupId, topics) =>
          (await admin.fetchOffsets({ groupId, topics: [...topics] })).flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
          ),
      };
    },
  };
}
