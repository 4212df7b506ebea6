/**
 * The live run loop: one consumer group over the orders and reviews topics, feeding the engine
 * in `eachBatch` with manual offsets, and publishing what it decides.
 *
 * Per fetched partition batch: decode → engine.ingest → per-partition watermark → advance →
 * drain alerts. Alerts, dead letters and the offsets of the processed records are collected into
 * one pending *checkpoint* that is written as a unit — every `checkpoint.intervalMs` or
 * `checkpoint.maxEvents` records, on shutdown, and before state is snapshotted. In
 * `at-least-once` mode the unit is "produce, then commit offsets"; in `transactional` mode it is
 * one Kafka transaction (outputs + sendOffsets + the changelog records of the sellers changed since
 * the last one, changelog.ts), so a crash anywhere resumes with the engine of the committed offsets.
 *
 * Wall time is used here and only here (idle partitions, checkpoint cadence); the engine sees
 * event time only. See docs/service.md for why the alerts equal a file replay of the same events.
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import { Engine } from '../engine/index.js';
import type { Alert, EngineConfig, EventKind } from '../engine/index.js';
import { BrushwatchError } from '../errors.js';
import type { BatchControl, GroupConsumer, InBatch, InRecord, KafkaAdmin, KafkaClient, OutProducer, OutRecord, TopicMessages } from '../io/kafka/client.js';
import { DECODE_FAILED, DEAD_LETTER_REASONS, createAlertEncoder, createEventDecoder } from '../io/kafka/codec.js';
import type { DeadLetterReason, EventDecoder, SchemaCache, SchemaSource, ValueEncoder } from '../io/kafka/codec.js';
import { futureHorizon, partitionedEngineConfig } from '../io/kafka/partitioned-engine.js';
import { isFenced } from '../io/kafka/transactions.js';
import { PartitionTracker } from './partitions.js';
import { StateStore } from './state-store.js';
import { changelogRecords, restoreChangelog } from './changelog.js';
import type { ServiceMetrics } from './metrics.js';
import { boundedStop } from './bounded.js';

/** Dead-letter headers: what went wrong and where the record came from. */
export const DLQ_HEADERS = {
  reason: 'brushwatch-reason',
  topic: 'brushwatch-source-topic',
  partition: 'brushwatch-source-partition',
  offset: 'brushwatch-source-offset',
  error: 'brushwatch-error',
} as const;

const MAX_ERROR_HEADER = 1_000;
/** The timer that looks up partition positions, releases idle partitions and flushes checkpoints. */
const MAX_TICK_MS = 1_000;
const PUBLISH_ATTEMPTS = 5;


export interface RunnerDeps {
  readonly config: Readonly<ServiceConfig>;
  readonly engineConfig: EngineConfig;
  readonly kafka: KafkaClient;
  readonly schemas: { readonly source: SchemaSource; readonly cache: SchemaCache } | null;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class Runner {
  private readonly cfg: Readonly<ServiceConfig>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly metrics: ServiceMetrics;
  private readonly consumer: GroupConsumer;
  private producer: OutProducer;
  /**
   * Plain producer for the state record, also in transactional mode: a state topic without
   * transaction markers can be read to its exact end on start (reader.ts).
   */
  private readonly stateProducer: OutProducer;
  private readonly admin: KafkaAdmin;
  private readonly state: StateStore;
  private readonly decoders: ReadonlyMap<string, { readonly kind: EventKind; readonly decoder: EventDecoder }>;
  private readonly transactional: boolean;
  private engine: Engine;
  private readonly engineConfig: EngineConfig;
  private alertEncoder: ValueEncoder<Alert> | null = null;
  private readonly partitions: PartitionTracker;

  private pendingAlerts: Alert[] = [];
  private pendingDeadLetters: OutRecord[] = [];
  private pendingRecords = 0;
  /** Sellers changed since the last committed transaction (transactional mode): kept until it commits. */
  private readonly changedSellers = new Set<string>();
  private dirty = false;
  private lastCheckpointAt = 0;

  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private joined = false;
  private registryReachable: boolean;
  private stopping = false;
  private closed = false;
  /** The saved state was loaded: only then may a stop overwrite it (a failed start must not). */
  private stateLoaded = false;
  private stopPromise: Promise<void> | null = null;
  private fatal: ((err: Error) => void) | null = null;
  /** Resolves when the service has stopped; rejects if it died. */
  readonly done: Promise<void>;
  private resolveDone: () => void = () => {};

  constructor(private readonly deps: RunnerDeps) {
    this.cfg = deps.config;
    this.log = deps.logger.child({ component: 'runner' });
    this.now = deps.now ?? Date.now;
    this.metrics = deps.metrics;
    this.transactional = this.cfg.checkpoint.mode === 'transactional';
    this.consumer = deps.kafka.consumer({
      groupId: this.cfg.groupId,
      readCommitted: true,
      maxWaitTimeMs: 500,
    });
    this.producer = deps.kafka.producer(this.transactional ? { transactionalId: `brushwatch-${this.cfg.groupId}` } : {});
    this.stateProducer = this.transactional ? deps.kafka.producer() : this.producer;
    this.admin = deps.kafka.admin();
    this.state = new StateStore(this.cfg.topics.state, this.cfg.groupId);
    this.engineConfig = partitionedEngineConfig(deps.engineConfig);
    this.engine = new Engine(this.engineConfig, this.engineOptions());
    this.partitions = new PartitionTracker(deps.engineConfig.allowedDisorderMs, this.cfg.idlePartitionMs);
    this.registryReachable = deps.schemas === null;
    const cache = deps.schemas?.cache ?? null;
    this.decoders = new Map([
      [this.cfg.topics.orders, { kind: 'order' as const, decoder: createEventDecoder('order', this.cfg.codecs.orders, cache) }],
      [this.cfg.topics.reviews, { kind: 'review' as const, decoder: createEventDecoder('review', this.cfg.codecs.reviews, cache) }],
    ]);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.fatal = reject;
    });
    deps.metrics.attach({
      watermark: () => {
        const wm = this.engine.watermark;
        return Number.isFinite(wm) ? wm : null;
      },
      sellersTracked: () => this.engine.stats().sellersTracked,
      consumerLag: () => this.partitions.lag(),
      ready: () => this.isReady(),
    });
  }

  /** Change tracking feeds the per-seller changelog of transactional mode only. */
  private engineOptions(): { watermark: 'external'; trackChanges: boolean } {
    return { watermark: 'external', trackChanges: this.transactional };
  }

  isReady(): boolean {
    return this.joined && this.registryReachable && !this.stopping;
  }

  /** The engine in use (read-only use: stats in tests and logs). */
  get currentEngine(): Engine {
    return this.engine;
  }

  /** Connects, prepares topics and schemas, restores state, joins the group and starts consuming. */
  async start(): Promise<void> {
    const { topics } = this.cfg;
    await this.admin.connect();
    if (topics.create) {
      const spec = { partitions: topics.partitions, replicationFactor: topics.replicationFactor };
      const created = await this.admin.ensureTopics([
        { topic: topics.orders, ...spec },
        { topic: topics.reviews, ...spec },
        { topic: topics.alerts, ...spec },
        { topic: topics.deadLetters, ...spec },
        StateStore.topicSpec(topics.state, topics.replicationFactor, topics.partitions),
      ]);
      if (created.length > 0) this.log.info({ created }, 'created missing topics');
    } else {
      const existing = new Set(await this.admin.listTopics());
      const missing = [topics.orders, topics.reviews, topics.alerts, topics.deadLetters, topics.state].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        throw new BrushwatchError('KAFKA_TOPIC_MISSING', `topics ${missing.join(', ')} do not exist; create them or set BRUSHWATCH_TOPICS_CREATE=true (--create-topics)`);
      }
    }
    if (this.deps.schemas !== null) {
      await this.deps.schemas.source.ping();
      this.registryReachable = true;
    }
    this.alertEncoder = await createAlertEncoder(this.cfg.codecs.alerts, topics.alerts, this.deps.schemas?.source ?? null);

    await this.producer.connect();
    if (this.stateProducer !== this.producer) await this.stateProducer.connect();
    const t0 = performance.now();
    if (this.transactional) {
      // An empty transaction initialises the producer id: that fences a predecessor with the same
      // transactional id and aborts its open transaction, so the changelog read next ends at the
      // state of the committed offsets.
      await this.producer.commitTransaction([], this.cfg.groupId, []);
      const restored = await restoreChangelog(this.deps.kafka, this.admin, topics.state, (b) => this.stateProducer.send(b), this.engineConfig, this.engineOptions());
      if (restored !== null) {
        this.engine = restored.engine;
        this.log.info({ sellers: restored.sellers, records: restored.records, metaBytes: restored.metaBytes, watermark: this.engine.watermark, ms: Math.round(performance.now() - t0) }, 'restored engine state from the changelog');
      }
    } else {
      const snap = await this.state.load(this.deps.kafka);
      this.stateLoaded = true;
      if (snap !== null) {
        this.engine = Engine.restore(this.engineConfig, snap, this.engineOptions());
        await this.state.clear((b) => this.stateProducer.send(b));
        this.log.info({ sellers: this.engine.stats().sellersTracked, watermark: snap.watermark }, 'restored engine state');
      }
    }
    this.metrics.stateRestoreDuration.observe((performance.now() - t0) / 1000);

    this.consumer.onGroupJoin((assignment) => this.onAssignment(assignment));
    this.consumer.onRebalancing(() => this.metrics.rebalances.inc());
    this.consumer.onCrash((error, willRestart) => {
      this.log.error({ err: error, willRestart }, 'consumer crashed');
      if (!willRestart && !this.stopping) this.fatal?.(error);
    });
    await this.consumer.connect();
    await this.consumer.subscribe([topics.orders, topics.reviews], true);
    this.lastCheckpointAt = this.now();
    // run() resolves only after the first group join, which can take a session timeout when a
    // previous member died: start() returns before that so signals are handled meanwhile.
    this.consumer.run((batch, control) => this.onBatch(batch, control)).catch((err: unknown) => {
      if (!this.stopping) this.fatal?.(err as Error);
    });
    this.timer = setInterval(() => {
      // One tick at a time: a slow lookup must not pile up.
      if (this.ticking) return;
      this.ticking = true;
      this.tick()
        .catch((err: unknown) => this.log.warn({ err }, 'checkpoint on timer failed; retried next tick'))
        .finally(() => (this.ticking = false));
    }, Math.min(MAX_TICK_MS, this.cfg.checkpoint.intervalMs || MAX_TICK_MS));
    this.timer.unref();
  }

  /**
   * Graceful stop: no new batch is processed, the one in progress finishes, its alerts and
   * offsets are checkpointed, the engine state is saved, then everything disconnects — all within
   * `shutdownTimeoutMs`.
   */
  stop(): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.stopping = true;
    const work = (async () => {
      await this.locked(async () => {
        this.closed = true;
        if (this.timer !== null) clearInterval(this.timer);
        await this.checkpoint(null);
        if (this.stateLoaded) await this.state.save((b) => this.stateProducer.send(b), this.engine.snapshot());
        const st = this.engine.stats();
        const invalid = Object.fromEntries(Object.entries(st.invalid).filter(([, n]) => n > 0));
        this.log.info({ eventsIn: st.eventsIn, accepted: st.accepted, late: st.late, duplicates: st.duplicates, invalid, alerts: st.alerts, watermark: st.watermark, sellers: st.sellersTracked }, 'final checkpoint written');
      });
      await this.consumer.stop();
      await Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect(), this.stateProducer.disconnect(), this.admin.disconnect()]);
    })();
    this.stopPromise = boundedStop(work, this.cfg.shutdownTimeoutMs, 'graceful shutdown');
    this.stopPromise.then(
      () => this.resolveDone(),
      () => this.resolveDone(),
    );
    return this.stopPromise;
  }

  /** Serialises batches, timer ticks and the final checkpoint. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void {
    const keep = this.partitions.assign(assignment, this.now());
    this.joined = true;
    this.log.info({ partitions: keep }, 'joined the consumer group');
  }

  /**
   * Fresh high watermarks of the input partitions (and the committed offsets of partitions not
   * fetched from yet), so that idle partitions are told from ones whose records merely wait.
   * Outside the lock: I/O must not stall batch processing.
   */
  private async lookUpPositions(): Promise<Map<string, number>> {
    const topics = [this.cfg.topics.orders, this.cfg.topics.reviews];
    const highs = new Map<string, number>();
    const ranges = await Promise.all(topics.map(async (topic) => ({ topic, parts: await this.admin.partitionRanges(topic) })));
    const unknown = this.partitions.unknown();
    const committed = unknown.length > 0 ? await this.admin.committedOffsets(this.cfg.groupId, topics) : [];
    for (const { topic, parts } of ranges) {
      for (const r of parts) {
        highs.set(`${topic}/${r.partition}`, Number(r.high));
        if (unknown.length === 0) continue;
        const c = committed.find((o) => o.topic === topic && o.partition === r.partition)?.offset ?? '-1';
        this.partitions.setCommitted(topic, r.partition, Number(c), Number(r.low));
      }
    }
    return highs;
  }

  private async onBatch(batch: InBatch, control: BatchControl): Promise<void> {
    await this.locked(async () => {
      if (this.closed || batch.messages.length === 0) return;
      const t0 = performance.now();
      const entry = this.decoders.get(batch.topic);
      if (entry === undefined) return;
      const { kind, decoder } = entry;
      // A batch can come before GROUP_JOIN is seen on a restart of the consumer: get() creates it.
      const part = this.partitions.get(batch.topic, batch.partition, this.now());

      await decoder.prefetch(batch.messages.map(valueOf));
      const engine = this.engine;
      const metrics = this.metrics;
      let maxTime = -Infinity;
      let late = 0;
      let duplicates = 0;
      const horizon = futureHorizon(this.deps.engineConfig, this.now());
      for (const m of batch.messages) {
        const raw = decoder.decode(m.value);
        if (raw === DECODE_FAILED) {
          this.deadLetter(batch, m, decoder.failure.reason, decoder.failure.detail);
          continue;
        }
        const time = (raw as { eventTime?: unknown }).eventTime;
        if (typeof time === 'number' && time > horizon) {
          this.deadLetter(batch, m, DEAD_LETTER_REASONS.FUTURE_TIME, `eventTime ${time} is more than futureToleranceMs ${this.deps.engineConfig.futureToleranceMs} after the wall clock`);
          continue;
        }
        const r = engine.ingest(raw);
        switch (r.outcome) {
          case 'accepted': {
            const t = (raw as { eventTime: number }).eventTime;
            if (t > maxTime) maxTime = t;
            break;
          }
          case 'late':
            late++;
            break;
          case 'duplicate':
            duplicates++;
            break;
          case 'invalid':
            this.deadLetter(batch, m, r.reason ?? DEAD_LETTER_REASONS.NOT_AN_OBJECT, r.detail ?? '');
            break;
        }
      }
      const n = batch.messages.length;
      metrics.consumed(batch.topic, kind).inc(n);
      if (late > 0) metrics.late.inc(late);
      if (duplicates > 0) metrics.duplicate.inc(duplicates);

      const last = batch.messages[n - 1] as InRecord;
      this.partitions.processed(part, Number(last.offset) + 1, Number(batch.highWatermark), maxTime, this.now());
      this.dirty = true;
      this.pendingRecords += n;
      control.resolve(last.offset);

      this.advance();
      if (this.checkpointDue()) await this.checkpoint(control);
      metrics.batchDuration.observe((performance.now() - t0) / 1000);
      this.log.debug({ topic: batch.topic, partition: batch.partition, records: n, late, duplicates, watermark: engine.watermark }, 'batch');
    });
  }

  private deadLetter(batch: InBatch, m: InRecord, reason: DeadLetterReason, detail: string): void {
    if (reason in this.metrics.invalid) this.metrics.invalid[reason as keyof ServiceMetrics['invalid']].inc();
    else this.metrics.invalid.BAD_ENCODING.inc();
    this.pendingDeadLetters.push({
      key: m.key,
      value: m.value,
      headers: {
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.topic]: batch.topic,
        [DLQ_HEADERS.partition]: String(batch.partition),
        [DLQ_HEADERS.offset]: m.offset,
        [DLQ_HEADERS.error]: detail.length > MAX_ERROR_HEADER ? detail.slice(0, MAX_ERROR_HEADER) : detail,
      },
    });
  }

  private readonly maxEventTime = (): number | null => this.engine.stats().maxEventTime;

  /** Moves the engine to the partitions' watermark and collects what it decided. */
  private advance(): void {
    const wm = this.partitions.watermark(this.maxEventTime);
    if (wm !== undefined && wm > this.engine.watermark) this.engine.advanceWatermark(wm);
    const alerts = this.engine.drainAlerts();
    if (alerts.length > 0) {
      for (const a of alerts) this.pendingAlerts.push(a);
      this.dirty = true;
    }
  }

  private checkpointDue(): boolean {
    return this.pendingRecords >= this.cfg.checkpoint.maxEvents || this.now() - this.lastCheckpointAt >= this.cfg.checkpoint.intervalMs;
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    let highs: Map<string, number> | null = null;
    try {
      highs = await this.lookUpPositions();
    } catch (err) {
      this.log.warn({ err }, 'looking up partition positions failed; no partition counts as idle until it works');
    }
    await this.locked(async () => {
      if (this.closed) return;
      if (highs !== null) this.partitions.refresh(highs, this.now());
      this.advance();
      if (this.dirty && this.checkpointDue()) await this.checkpoint(null);
    });
  }

  /**
   * Writes the pending unit: alerts + dead letters + offsets. Pending data is cleared only after
   * the write succeeded, so a failed checkpoint is retried whole by the next one.
   */
  private async checkpoint(control: BatchControl | null): Promise<void> {
    this.lastCheckpointAt = this.now();
    if (!this.dirty) return;
    const encoder = this.alertEncoder as ValueEncoder<Alert>;
    const alerts = this.pendingAlerts;
    const deadLetters = this.pendingDeadLetters;
    const out: TopicMessages[] = [
      { topic: this.cfg.topics.alerts, messages: alerts.map((a) => ({ key: a.sellerId, value: encoder.encode(a) })) },
      { topic: this.cfg.topics.deadLetters, messages: deadLetters },
    ];
    const offsets = this.partitions.uncommitted();

    if (this.transactional) {
      // The engine's state now is the state as of `offsets`: it goes into the same transaction.
      for (const id of this.engine.takeDirtySellers()) this.changedSellers.add(id);
      out.push({ topic: this.cfg.topics.state, messages: changelogRecords(this.engine, this.changedSellers) });
      try {
        await this.producer.commitTransaction(out, this.cfg.groupId, offsets, () => this.metrics.alertPublishFailures.inc());
        this.changedSellers.clear();
        this.metrics.transactions.committed.inc();
      } catch (err) {
        this.metrics.transactions.aborted.inc();
        // kafkajs throws its own state errors (e.g. a transaction begun while ABORTING) unwrapped.
        const fenced = err instanceof BrushwatchError ? !err.retriable : isFenced(err);
        if (fenced) throw err;
        await this.replaceProducer(err as Error);
        throw err instanceof BrushwatchError ? err : new BrushwatchError('KAFKA_TRANSACTION', `Kafka transaction failed: ${(err as Error).message}`, { cause: err, retriable: true });
      }
    } else {
      await this.publish(out, control);
      // Outputs are durable now; clear them before the commit so a failed commit (a rebalance
      // took the partition) does not publish them twice.
      this.countPublished(alerts, deadLetters);
      this.pendingAlerts = [];
      this.pendingDeadLetters = [];
      if (offsets.length > 0) {
        try {
          await this.consumer.commit(offsets);
        } catch (err) {
          this.log.warn({ err, offsets: offsets.length }, 'offset commit failed (rebalance?); the records will be read again and deduplicated');
          this.pendingRecords = 0;
          this.dirty = false;
          return;
        }
      }
      this.partitions.committed(offsets);
      this.pendingRecords = 0;
      this.dirty = false;
      this.log.debug({ alerts: alerts.length, deadLetters: deadLetters.length, offsets: offsets.length }, 'checkpoint');
      return;
    }
    this.countPublished(alerts, deadLetters);
    this.partitions.committed(offsets);
    this.pendingAlerts = [];
    this.pendingDeadLetters = [];
    this.pendingRecords = 0;
    this.dirty = false;
    this.log.debug({ alerts: alerts.length, deadLetters: deadLetters.length, offsets: offsets.length }, 'checkpoint (transaction)');
  }

  /**
   * After a failed transaction whose abort failed too (a broker down), kafkajs's producer stays
   * in state ABORTING and refuses every later transaction. A new producer with the same
   * transactional id fences it and aborts the open transaction on its first use; the pending
   * checkpoint (alerts, changed sellers, offsets) is kept and written whole by the next one.
   */
  private async replaceProducer(cause: Error): Promise<void> {
    const old = this.producer;
    this.producer = this.deps.kafka.producer({ transactionalId: `brushwatch-${this.cfg.groupId}` });
    await old.disconnect().catch(() => undefined);
    // Broker still down: the next checkpoint fails and replaces this one again.
    await this.producer.connect().catch((err: unknown) => this.log.warn({ err }, 'connecting the new transactional producer failed'));
    this.log.warn({ err: cause }, 'transaction failed: replaced the transactional producer; the checkpoint is retried whole');
  }

  private async publish(out: readonly TopicMessages[], control: BatchControl | null): Promise<void> {
    if (out.every((b) => b.messages.length === 0)) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.producer.send(out);
        return;
      } catch (err) {
        this.metrics.alertPublishFailures.inc();
        if (attempt >= PUBLISH_ATTEMPTS) {
          throw new BrushwatchError('KAFKA_PRODUCE', `publishing ${out[0]?.messages.length ?? 0} alerts failed ${attempt} times: ${(err as Error).message}`, { cause: err });
        }
        this.log.warn({ err, attempt }, 'publishing alerts failed; retrying');
        await control?.heartbeat().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  private countPublished(alerts: readonly Alert[], deadLetters: readonly OutRecord[]): void {
    for (const a of alerts) {
      this.metrics.alert(a.severity, a.action).inc();
      for (const s of a.signals) this.metrics.alertSignal(s.name).inc();
    }
    for (const d of deadLetters) {
      const reason = (d.headers?.[DLQ_HEADERS.reason] as DeadLetterReason | undefined) ?? DEAD_LETTER_REASONS.BAD_ENCODING;
      this.metrics.deadLetters[reason].inc();
    }
  }
}

function valueOf(m: InRecord): Buffer | null {
  return m.value;
}
