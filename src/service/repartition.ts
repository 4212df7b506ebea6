/**
 * The repartition stage: input topics that are not keyed by sellerId (keyed by orderId, or not
 * at all) are copied to internal topics keyed by sellerId, so that each seller's events meet in
 * one partition of the service's input (docs/scale-out.md).
 *
 * Each record is re-produced byte for byte: same value, same headers; only the key changes (and
 * with it the partition, by the default murmur2 partitioner, as the platform's keyed producers
 * place it). The internal topics stamp records with the broker's append time, so their retention
 * runs from the copy (the service takes event time from the value). Exactly-once: per fetched
 * partition batch, one Kafka transaction holds the copies, the dead letters and the stage's
 * consumer offsets (`transactions.ts`); the service reads the internal topics read_committed, so
 * it sees every copy once or not at all.
 *
 * The seller id is all the stage needs from a value: JSON is parsed, Avro is decoded through the
 * codec's cached schema per id (one registry call per new id, per batch). What cannot be decoded,
 * or has no usable sellerId, goes to the dead-letter topic with the run loop's headers and reasons.
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { EventKind } from '../engine/index.js';
import { BrushwatchError } from '../errors.js';
import type { BatchControl, GroupConsumer, InBatch, InRecord, KafkaAdmin, KafkaClient, OutProducer, OutRecord, PartitionOffset, TopicMessages, TopicSpec } from '../io/kafka/client.js';
import { DEAD_LETTER_REASONS, DECODE_FAILED, SchemaCache, createEventDecoder, createRegistrySource } from '../io/kafka/codec.js';
import type { CodecName, DecodeFailure, EventDecoder } from '../io/kafka/codec.js';
import { DLQ_HEADERS } from './runner.js';
import { boundedStop } from './bounded.js';

const MAX_ERROR_HEADER = 1_000;
/** Attempts at one batch's transaction: the first after a broker restart fails once (transactions.ts). */
const TRANSACTION_ATTEMPTS = 3;
/** Pause after a held batch (see `yieldHeld`). */
const HELD_PAUSE_MS = 10;

/** The internal topics of a consumer group: where the stage writes and the service reads. */
export function internalTopics(groupId: string): { readonly orders: string; readonly reviews: string } {
  return { orders: `${groupId}-orders-by-seller`, reviews: `${groupId}-reviews-by-seller` };
}

/** The stage's own consumer group, and the stem of its transactional id. */
export function repartitionGroupId(groupId: string): string {
  return `${groupId}-repartition`;
}

/** The service's config pointed at the internal topics (what `run` reads behind the stage). */
export function repartitionedConfig(config: Readonly<ServiceConfig>): Readonly<ServiceConfig> {
  const internal = internalTopics(config.groupId);
  return { ...config, input: { ...config.input, keyedBySeller: true }, topics: { ...config.topics, orders: internal.orders, reviews: internal.reviews } };
}

/** Extracts the seller id of one topic's raw values. */
export interface SellerKeyReader {
  /** Resolves the Avro schema ids of these values not cached yet; no-op for JSON. */
  prefetch(values: Iterable<Buffer | null>): Promise<void>;
  /** The value's sellerId, or DECODE_FAILED with `failure` filled in. */
  sellerId(value: Buffer | null): string | typeof DECODE_FAILED;
  readonly failure: DecodeFailure;
  /** The eventTime of the value `sellerId` last returned a seller for; NaN when it is not a number. */
  readonly eventTime: number;
}

export function createSellerKeyReader(kind: EventKind, codec: CodecName, schemas: SchemaCache | null): SellerKeyReader {
  const decoder: EventDecoder = createEventDecoder(kind, codec, schemas);
  // The decoder's failure object, extended to the stage's own reasons: no allocation per record.
  const failure = decoder.failure;
  const reader: Omit<SellerKeyReader, 'eventTime'> & { eventTime: number } = {
    failure,
    eventTime: Number.NaN,
    prefetch: (values) => decoder.prefetch(values),
    sellerId(value) {
      const record = decoder.decode(value);
      if (record === DECODE_FAILED) return DECODE_FAILED;
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        failure.reason = DEAD_LETTER_REASONS.NOT_AN_OBJECT;
        failure.detail = `a ${kind} value must be an object to carry a sellerId`;
        return DECODE_FAILED;
      }
      const seller = (record as { sellerId?: unknown }).sellerId;
      if (typeof seller === 'string' && seller.length > 0) {
        const time = (record as { eventTime?: unknown }).eventTime;
        reader.eventTime = typeof time === 'number' ? time : Number.NaN;
        return seller;
      }
      failure.reason = seller === undefined || seller === null || seller === '' ? DEAD_LETTER_REASONS.MISSING_FIELD : DEAD_LETTER_REASONS.WRONG_TYPE;
      failure.detail = `sellerId is ${JSON.stringify(seller) ?? 'absent'}; a non-empty string is needed to key the ${kind} by seller`;
      return DECODE_FAILED;
    },
  };
  return reader;
}

export interface RepartitionDeps {
  readonly config: Readonly<ServiceConfig>;
  readonly kafka: KafkaClient;
  readonly logger: Logger;
}

export interface RepartitionStats {
  /** Records copied to the internal topics, committed. */
  copied: number;
  /** Records sent to the dead-letter topic, committed. */
  deadLetters: number;
  /** Committed transactions. */
  transactions: number;
}

/** Where a raw partition stands, in event time, for keeping the partitions in step. */
interface RawPosition {
  /** Event time of its held batch, or of the last copied record. */
  next: number;
  /** First offset of its held batch, whose head `next` is: fetched again, it needs no decoding to be judged. */
  heldOffset: string | null;
  /** Its last fetch reached the high watermark: it has nothing to hold the others back with. */
  caughtUp: boolean;
}

/**
 * Keeps raw partitions in step by event time, as Kafka Streams picks the partition with the oldest
 * head: a batch whose earliest event is more than `maxSkewMs` ahead of the slowest raw partition
 * that still has records waits (is not resolved, so it is fetched again). The partition with the
 * oldest head is never held, so the stage always progresses. Without this, partitions read in
 * step by bytes drift apart in time, and the service sees the drift as disorder (seen: 3 events
 * later than 12 h of allowed disorder on the tiny scenario keyed by orderId, and reviews, which
 * start days after the first orders, copied days ahead of them).
 */
export class RawPartitionClock {
  private readonly positions = new Map<string, RawPosition>();

  constructor(private readonly maxSkewMs: number) {}

  /** Forgets every partition (after a rebalance, partitions of other instances must not hold). */
  reset(): void {
    this.positions.clear();
  }

  /** True when a batch of this partition starting at `headTime` may be copied now. */
  admit(key: string, headTime: number): boolean {
    let floor = Infinity;
    for (const [k, p] of this.positions) if (k !== key && !p.caughtUp && p.next < floor) floor = p.next;
    const admitted = headTime <= floor + this.maxSkewMs;
    if (!admitted) this.position(key).next = headTime;
    return admitted;
  }

  /** True when the batch starting at `firstOffset` is the one held last time and is still held. */
  stillHeld(key: string, firstOffset: string): boolean {
    const p = this.positions.get(key);
    return p !== undefined && p.heldOffset === firstOffset && !this.admit(key, p.next);
  }

  /** Remembers where the held batch of a partition starts (after `admit` said no). */
  hold(key: string, firstOffset: string): void {
    this.position(key).heldOffset = firstOffset;
  }

  /**
   * Records that a batch was copied: its last event time (not finite when nothing in it could be
   * decoded: the position stays), and whether it reached the end.
   */
  copied(key: string, lastTime: number, caughtUp: boolean): void {
    const p = this.position(key);
    if (Number.isFinite(lastTime)) p.next = lastTime;
    p.caughtUp = caughtUp;
    p.heldOffset = null;
  }

  private position(key: string): RawPosition {
    let p = this.positions.get(key);
    if (p === undefined) this.positions.set(key, (p = { next: -Infinity, caughtUp: false, heldOffset: null }));
    return p;
  }
}

interface Route {
  readonly target: string;
  readonly reader: SellerKeyReader;
}

export class Repartitioner {
  private readonly cfg: Readonly<ServiceConfig>;
  private readonly log: Logger;
  private readonly consumer: GroupConsumer;
  private readonly producer: OutProducer;
  private readonly admin: KafkaAdmin;
  private readonly groupId: string;
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly schemas: SchemaCache | null;
  private readonly clock: RawPartitionClock;
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private fatal: ((err: Error) => void) | null = null;
  private resolveDone: () => void = () => {};
  /** Resolves when the stage has stopped; rejects if it died (fenced, consumer crashed for good). */
  readonly done: Promise<void>;
  readonly stats: RepartitionStats = { copied: 0, deadLetters: 0, transactions: 0 };

  constructor(deps: RepartitionDeps) {
    this.cfg = deps.config;
    this.log = deps.logger.child({ component: 'repartition' });
    this.groupId = repartitionGroupId(this.cfg.groupId);
    this.consumer = deps.kafka.consumer({
      groupId: this.groupId,
      readCommitted: true,
      maxWaitTimeMs: 500,
      // Small fetches keep the raw partitions advancing together: what the stage interleaves
      // from different raw partitions reaches the service as disorder (docs/scale-out.md).
      maxBytesPerPartition: this.cfg.repartition.maxBytesPerPartition,
    });
    // One stage instance per group: a restarted one fences the previous (zombie) producer.
    this.producer = deps.kafka.producer({ transactionalId: `brushwatch-${this.groupId}` });
    this.admin = deps.kafka.admin();
    const { registry } = this.cfg;
    this.schemas = registry.url === null ? null : new SchemaCache(createRegistrySource({ url: registry.url, username: registry.username, password: registry.password }));
    this.clock = new RawPartitionClock(this.cfg.repartition.maxSkewMs);
    const internal = internalTopics(this.cfg.groupId);
    this.routes = new Map<string, Route>([
      [this.cfg.topics.orders, { target: internal.orders, reader: createSellerKeyReader('order', this.cfg.codecs.orders, this.schemas) }],
      [this.cfg.topics.reviews, { target: internal.reviews, reader: createSellerKeyReader('review', this.cfg.codecs.reviews, this.schemas) }],
    ]);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.fatal = reject;
    });
    this.done.catch(() => undefined);
  }

  /** Creates the internal topics (and, with topics.create, the raw and dead-letter ones), then consumes. */
  async start(): Promise<void> {
    const { topics } = this.cfg;
    const internal = internalTopics(this.cfg.groupId);
    const spec = { partitions: topics.partitions, replicationFactor: topics.replicationFactor };
    await this.admin.connect();
    // Broker time, not the raw timestamps: copies of history keep event-time-like timestamps far in
    // the past, which time retention deletes within minutes (seen: simulated January records gone
    // from a topic of a November broker before they were read).
    const internalSpec = { ...spec, config: { 'message.timestamp.type': 'LogAppendTime' } };
    const wanted: TopicSpec[] = [{ topic: internal.orders, ...internalSpec }, { topic: internal.reviews, ...internalSpec }];
    if (topics.create) wanted.push({ topic: topics.orders, ...spec }, { topic: topics.reviews, ...spec }, { topic: topics.deadLetters, ...spec });
    const created = await this.admin.ensureTopics(wanted);
    if (created.length > 0) this.log.info({ created }, 'created missing topics');
    const existing = new Set(await this.admin.listTopics());
    const missing = [topics.orders, topics.reviews, topics.deadLetters].filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new BrushwatchError('KAFKA_TOPIC_MISSING', `topics ${missing.join(', ')} do not exist; create them or set BRUSHWATCH_TOPICS_CREATE=true (--create-topics)`);
    }
    // Topics created just now have the count by construction (and may not have a leader in every
    // broker's metadata yet, which fails a ListOffsets).
    for (const topic of [internal.orders, internal.reviews].filter((t) => !created.includes(t))) {
      const n = (await this.admin.partitionRanges(topic)).length;
      if (n !== topics.partitions) {
        // A seller's partition is murmur2(sellerId) mod the count: another count moves sellers
        // away from the state the service holds for them.
        throw new BrushwatchError('CONFIG_INVALID', `internal topic ${topic} has ${n} partitions but topics.partitions = ${topics.partitions}; set BRUSHWATCH_TOPICS_PARTITIONS=${n} (--topic-partitions ${n}), or use a new groupId to get new internal topics`);
      }
    }
    await this.producer.connect();
    this.consumer.onCrash((error, willRestart) => {
      this.log.error({ err: error, willRestart }, 'repartition consumer crashed');
      if (!willRestart && !this.stopping) this.fatal?.(error);
    });
    this.consumer.onGroupJoin((assignment) => {
      this.clock.reset();
      this.log.info({ partitions: assignment }, 'repartition joined its consumer group');
    });
    await this.consumer.connect();
    await this.consumer.subscribe([topics.orders, topics.reviews], true);
    this.consumer.run((batch, control) => this.onBatch(batch, control)).catch((err: unknown) => {
      if (!this.stopping) this.fatal?.(err as Error);
    });
    this.log.info({ from: [topics.orders, topics.reviews], to: [internal.orders, internal.reviews], group: this.groupId }, 'repartition stage started');
  }

  private async onBatch(batch: InBatch, control: BatchControl): Promise<void> {
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined || this.stopping || !control.isRunning() || control.isStale()) return;
    const route = this.routes.get(batch.topic);
    if (route === undefined) throw new BrushwatchError('INTERNAL', `repartition: a batch of unsubscribed topic ${batch.topic}`);
    const key = `${batch.topic}:${batch.partition}`;
    const first = batch.messages[0] as InRecord;
    if (this.clock.stillHeld(key, first.offset)) return this.yieldHeld();
    const { reader } = route;
    await reader.prefetch(batch.messages.map((m) => m.value));
    const copies: OutRecord[] = [];
    const dead: OutRecord[] = [];
    // Event time, not record time: it is what the service's watermark is made of, and a record
    // that cannot be decoded (no event time) cannot hold a partition back.
    let minTime = Infinity;
    let lastTime = -Infinity;
    for (const m of batch.messages) {
      const seller = reader.sellerId(m.value);
      if (seller === DECODE_FAILED) {
        dead.push(this.deadLetter(batch, m, reader.failure));
        continue;
      }
      // kafkajs produces repeated headers from arrays as it consumed them: the headers go as they came.
      copies.push({ key: seller, value: m.value, headers: m.headers as OutRecord['headers'], timestamp: m.timestamp });
      const t = reader.eventTime;
      if (t < minTime) minTime = t;
      if (!Number.isNaN(t)) lastTime = t;
    }
    if (minTime !== Infinity && !this.clock.admit(key, minTime)) {
      this.clock.hold(key, first.offset);
      return this.yieldHeld();
    }
    await this.commit(
      [
        { topic: route.target, messages: copies },
        { topic: this.cfg.topics.deadLetters, messages: dead },
      ],
      [{ topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }],
    );
    control.resolve(last.offset);
    this.clock.copied(key, lastTime, Number(last.offset) + 1 >= Number(batch.highWatermark));
    this.stats.copied += copies.length;
    this.stats.deadLetters += dead.length;
    this.stats.transactions++;
    this.log.debug({ topic: batch.topic, partition: batch.partition, copied: copies.length, deadLetters: dead.length }, 'repartitioned batch');
  }

  /**
   * A held batch is fetched again at once (the broker has its records ready): a short pause keeps
   * that loop from taking the CPU from the partitions that can go ahead, and from the run loop.
   */
  private yieldHeld(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, HELD_PAUSE_MS));
  }

  /**
   * One transaction; a retriable failure is retried whole (safe: this instance still owns the
   * partition while it is inside the batch), a fencing stops the stage.
   */
  private async commit(batches: readonly TopicMessages[], offsets: readonly PartitionOffset[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.commitTransaction(batches, this.groupId, offsets);
        return;
      } catch (err) {
        const retriable = err instanceof BrushwatchError && err.retriable;
        if (!retriable) this.fatal?.(err as Error);
        if (!retriable || attempt >= TRANSACTION_ATTEMPTS || this.stopping) throw err;
        this.log.warn({ err, attempt }, 'repartition transaction failed; retrying it');
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private deadLetter(batch: InBatch, m: InRecord, failure: DecodeFailure): OutRecord {
    return {
      key: m.key,
      value: m.value,
      headers: {
        [DLQ_HEADERS.reason]: failure.reason,
        [DLQ_HEADERS.topic]: batch.topic,
        [DLQ_HEADERS.partition]: String(batch.partition),
        [DLQ_HEADERS.offset]: m.offset,
        [DLQ_HEADERS.error]: failure.detail.length > MAX_ERROR_HEADER ? failure.detail.slice(0, MAX_ERROR_HEADER) : failure.detail,
      },
    };
  }

  /** Stops after the batch in progress (its transaction commits or aborts whole); bounded by shutdownTimeoutMs. */
  stop(): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.stopping = true;
    const work = (async () => {
      await this.consumer.stop();
      await Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect(), this.admin.disconnect()]);
      this.log.info({ ...this.stats }, 'repartition stage stopped');
    })();
    this.stopPromise = boundedStop(work, this.cfg.shutdownTimeoutMs, 'the repartition stage');
    this.stopPromise.then(
      () => this.resolveDone(),
      () => this.resolveDone(),
    );
    return this.stopPromise;
  }
}
