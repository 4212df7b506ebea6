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
 * Work is cut into tasks (task.ts). Role `sellers` in transactional mode runs one task per input
 * partition p, each with its own engine, watermark, changelog partition and transactional producer
 * `brushwatch-<groupId>-<p>`: whoever owns p fences p's previous owner, restores p's changelog and
 * resumes at the offsets stored with it, so N instances of one group share the input and a
 * rebalance hands tasks over through Kafka (docs/scale-out.md). Otherwise one task covers every
 * assigned partition (roles `all`, `rings`; at-least-once), one instance per group.
 *
 * Wall time is used here and only here (idle partitions, checkpoint cadence); the engine sees
 * event time only. See docs/service.md for why the alerts equal a file replay of the same events.
 */
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import { Engine } from '../engine/index.js';
import type { Alert, EngineConfig, EngineOptions, EventKind } from '../engine/index.js';
import { BrushwatchError } from '../errors.js';
import type { BatchControl, GroupConsumer, InBatch, InRecord, KafkaAdmin, KafkaClient, OutProducer, OutRecord, TopicMessages } from '../io/kafka/client.js';
import { DECODE_FAILED, DEAD_LETTER_REASONS, createAlertEncoder, createEventDecoder } from '../io/kafka/codec.js';
import type { DeadLetterReason, EventDecoder, SchemaCache, ValueEncoder, WatchedSchemaSource } from '../io/kafka/codec.js';
import { futureHorizon, partitionedEngineConfig } from '../io/kafka/partitioned-engine.js';
import { isFenced } from '../io/kafka/transactions.js';
import { StateStore } from './state-store.js';
import { changelogRecords, restoreChangelog } from './changelog.js';
import type { TaskMeta } from './changelog.js';
import { Task } from './task.js';
import { splitKey } from './partitions.js';
import type { ServiceMetrics } from './metrics.js';
import { boundedStop } from './bounded.js';
import { LateLines } from './late-lines.js';

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
/** Pause before a batch whose schemas could not be fetched is fetched again. */
const REGISTRY_RETRY_MS = 1_000;
/** At most one warn line about late events per input partition per this much wall time. */
const LATE_LINE_INTERVAL_MS = 60_000;


export interface RunnerDeps {
  readonly config: Readonly<ServiceConfig>;
  readonly engineConfig: EngineConfig;
  readonly kafka: KafkaClient;
  readonly schemas: { readonly source: WatchedSchemaSource; readonly cache: SchemaCache } | null;
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
  /** At-least-once producer, or the whole task's transactional one. */
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
  /** One task per input partition (role `sellers`, transactional), else one whole task. */
  private readonly perPartition: boolean;
  private readonly inputTopics: readonly string[];
  private readonly engineConfig: EngineConfig;
  private alertEncoder: ValueEncoder<Alert> | null = null;

  /** The task over all assigned partitions, when tasks are not per partition. */
  private whole: Task | null = null;
  /** Per-partition tasks by input partition, and their transactional producers. */
  private readonly tasks = new Map<number, Task>();
  private readonly taskProducers = new Map<Task, OutProducer>();
  /** Tasks being created (producer fencing + changelog restore), by partition. */
  private readonly creating = new Map<number, Promise<Task | null>>();
  /** Input partitions of the last assignment (per-partition mode); a fenced one leaves it. */
  private readonly assigned = new Set<number>();

  private pendingRecords = 0;
  private lastCheckpointAt = 0;
  private readonly lateLines = new LateLines(LATE_LINE_INTERVAL_MS);

  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private joined = false;
  /** A batch waits for the registry: logged once per outage. */
  private registryDown = false;
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
    this.perPartition = this.transactional && this.cfg.role === 'sellers';
    // The ring detector sees PLACED orders only: the ring instance reads no reviews, so its
    // watermark and its bucket closes follow the orders alone (the same ring alerts).
    this.inputTopics = this.cfg.role === 'rings' ? [this.cfg.topics.orders] : [this.cfg.topics.orders, this.cfg.topics.reviews];
    this.consumer = deps.kafka.consumer({
      groupId: this.cfg.groupId,
      readCommitted: true,
      maxWaitTimeMs: 500,
    });
    this.producer = deps.kafka.producer(this.transactional && !this.perPartition ? { transactionalId: this.transactionalId(null) } : {});
    this.stateProducer = this.transactional ? deps.kafka.producer() : this.producer;
    this.admin = deps.kafka.admin();
    this.state = new StateStore(this.cfg.topics.state, this.cfg.groupId);
    this.engineConfig = partitionedEngineConfig(deps.engineConfig);
    if (!this.perPartition) this.whole = this.newTask(null, new Engine(this.engineConfig, this.engineOptions()));
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
        // The instance's watermark is its slowest task's: alerts up to it are all decided.
        let wm = Infinity;
        for (const t of this.allTasks()) wm = Math.min(wm, t.engine.watermark);
        return Number.isFinite(wm) ? wm : null;
      },
      sellersTracked: () => {
        let n = 0;
        for (const t of this.allTasks()) n += t.engine.stats().sellersTracked;
        return n;
      },
      consumerLag: () => this.lag(),
      ready: () => this.isReady(),
    });
  }

  /**
   * Change tracking feeds the per-seller changelog of transactional mode only. Role `sellers`
   * leaves out the ring detector and role `rings` the seller signals: the ring instance sees
   * every seller, a seller task only its partition's (docs/rings.md).
   */
  private engineOptions(): EngineOptions {
    const base = { watermark: 'external', trackChanges: this.transactional } as const;
    switch (this.cfg.role) {
      case 'sellers':
        return { ...base, ring: null };
      case 'rings':
        return { ...base, signals: [] };
      default:
        return base;
    }
  }

  private transactionalId(partition: number | null): string {
    return partition === null ? `brushwatch-${this.cfg.groupId}` : `brushwatch-${this.cfg.groupId}-${partition}`;
  }

  private newTask(partition: number | null, engine: Engine): Task {
    const task = new Task({ role: this.cfg.role, partition }, engine, this.deps.engineConfig.allowedDisorderMs, this.cfg.idlePartitionMs);
    if (partition !== null) task.partitions.assign({ [this.cfg.topics.orders]: [partition], [this.cfg.topics.reviews]: [partition] }, this.now());
    return task;
  }

  private *allTasks(): Iterable<Task> {
    if (this.whole !== null) yield this.whole;
    yield* this.tasks.values();
  }

  private *lag(): Iterable<{ topic: string; partition: number; lag: number }> {
    for (const t of this.allTasks()) yield* t.partitions.lag();
  }

  isReady(): boolean {
    return this.readiness().length === 0;
  }

  /** What keeps this instance from being ready (the body of a 503 /readyz); empty when ready. */
  readiness(): string[] {
    const missing: string[] = [];
    if (this.stopping) missing.push('shutting down');
    if (!this.joined) missing.push('not in the consumer group yet (starting, restoring state or joining)');
    const registry = this.deps.schemas?.source.problem() ?? null;
    if (registry !== null) missing.push(`schema registry: ${registry}`);
    return missing;
  }

  /** The engines of the current tasks (read-only use: stats in benches and logs). */
  get engines(): Engine[] {
    return [...this.allTasks()].map((t) => t.engine);
  }

  /** The engine of the whole task (read-only use: stats in tests and logs); none with per-partition tasks. */
  get currentEngine(): Engine {
    if (this.whole === null) throw new BrushwatchError('INTERNAL', 'role sellers in transactional mode has one engine per partition task, no single engine');
    return this.whole.engine;
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
    if (this.perPartition) {
      // Task p writes changelog partition p: fewer partitions would leave tasks without one.
      const [input, state] = await Promise.all([this.admin.partitionRanges(topics.orders), this.admin.partitionRanges(topics.state)]);
      if (state.length < input.length) {
        throw new BrushwatchError('CONFIG_INVALID', `role sellers needs state topic ${topics.state} to have at least the ${input.length} partitions of ${topics.orders}, it has ${state.length}`);
      }
    }
    await this.deps.schemas?.source.ping();
    this.alertEncoder = await createAlertEncoder(this.cfg.codecs.alerts, topics.alerts, this.deps.schemas?.source ?? null);

    await this.producer.connect();
    if (this.stateProducer !== this.producer) await this.stateProducer.connect();
    if (this.whole !== null) {
      const t0 = performance.now();
      if (this.transactional) {
        const restored = await this.restoreTask(this.producer, null);
        if (restored !== null) this.whole = restored;
      } else {
        const snap = await this.state.load(this.deps.kafka);
        this.stateLoaded = true;
        if (snap !== null) {
          this.whole.engine = Engine.restore(this.engineConfig, snap, this.engineOptions());
          await this.state.clear((b) => this.stateProducer.send(b));
          this.log.info({ sellers: this.whole.engine.stats().sellersTracked, watermark: snap.watermark }, 'restored engine state');
        }
      }
      this.metrics.stateRestoreDuration.observe((performance.now() - t0) / 1000);
    }

    this.consumer.onGroupJoin((assignment) => this.onAssignment(assignment));
    this.consumer.onRebalancing(() => this.metrics.rebalances.inc());
    this.consumer.onCrash((error, willRestart) => {
      this.log.error({ err: error, willRestart }, 'consumer crashed');
      if (!willRestart && !this.stopping) this.fatal?.(error);
    });
    await this.consumer.connect();
    await this.consumer.subscribe(this.inputTopics, true);
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
   * Transactional mode: fences the task's previous owner and restores its state from the
   * changelog, with the input offsets it is as of; null when nothing was ever committed.
   */
  private async restoreTask(producer: OutProducer, partition: number | null): Promise<Task | null> {
    const t0 = performance.now();
    // An empty transaction initialises the producer id: that fences a predecessor with the same
    // transactional id and aborts its open transaction, so the changelog read next ends at the
    // state of the committed offsets.
    await producer.commitTransaction([], this.cfg.groupId, []);
    const meta = { role: this.cfg.role, partition };
    const restored = await restoreChangelog(this.deps.kafka, this.admin, this.cfg.topics.state, (b) => this.stateProducer.send(b), this.engineConfig, this.engineOptions(), meta);
    if (restored === null) return null;
    const task = this.newTask(partition, restored.engine);
    // The consumer may have fetched the group's offsets before the previous owner's last commit:
    // the offsets stored with the state are the ones it is as of (onBatch skips records below).
    task.partitions.resumeFrom(restored.offsets, this.now());
    this.log.info({ partition, sellers: restored.sellers, records: restored.records, metaBytes: restored.metaBytes, watermark: restored.engine.watermark, offsets: restored.offsets, ms: Math.round(performance.now() - t0) }, 'restored task state from the changelog');
    return task;
  }

  /**
   * The task of input partition p, created on first need: its producer fences p's previous owner,
   * then p's changelog is restored. Null once p is no longer assigned (revoked, or fenced).
   */
  private taskFor(partition: number): Task | null | Promise<Task | null> {
    const existing = this.tasks.get(partition);
    if (existing !== undefined) return existing;
    if (!this.assigned.has(partition)) return null;
    let pending = this.creating.get(partition);
    if (pending === undefined) {
      pending = this.createTask(partition).finally(() => this.creating.delete(partition));
      this.creating.set(partition, pending);
    }
    return pending;
  }

  private async createTask(partition: number): Promise<Task | null> {
    const t0 = performance.now();
    const producer = this.deps.kafka.producer({ transactionalId: this.transactionalId(partition) });
    try {
      await producer.connect();
      const task = (await this.restoreTask(producer, partition)) ?? this.newTask(partition, new Engine(this.engineConfig, this.engineOptions()));
      await this.resumeAt(task, partition);
      this.metrics.stateRestoreDuration.observe((performance.now() - t0) / 1000);
      if (!this.assigned.has(partition) || this.closed) {
        await producer.disconnect().catch(() => undefined);
        return null;
      }
      this.tasks.set(partition, task);
      this.taskProducers.set(task, producer);
      return task;
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Points the consumer at the offsets the task's state is as of: the ones stored with it, else
   * the group's committed ones, else the start. The consumer may be ahead (a task re-created after
   * a failed commit, whose records were read but not committed) or behind (offsets fetched before
   * the previous owner's last commit).
   */
  private async resumeAt(task: Task, partition: number): Promise<void> {
    const topics = [this.cfg.topics.orders, this.cfg.topics.reviews];
    const stored = task.partitions.positions();
    const missing = topics.filter((t) => stored[`${t}/${partition}`] === undefined);
    if (missing.length > 0) {
      const committed = await this.admin.committedOffsets(this.cfg.groupId, missing);
      for (const topic of missing) {
        const c = Number(committed.find((o) => o.topic === topic && o.partition === partition)?.offset ?? '-1');
        const low = c >= 0 ? 0 : Number((await this.admin.partitionRanges(topic)).find((r) => r.partition === partition)?.low ?? '0');
        task.partitions.setCommitted(topic, partition, c, low);
      }
    }
    for (const [key, offset] of Object.entries(task.partitions.positions())) this.consumer.seek({ ...splitKey(key), offset: String(offset) });
  }

  /**
   * Forgets a task: its uncommitted work is discarded (the next owner's producer aborts it). A task
   * whose partition is still assigned is created again, from the changelog.
   */
  private dropTask(partition: number, why: string, stillAssigned: boolean): void {
    const task = this.tasks.get(partition);
    if (!stillAssigned) this.assigned.delete(partition);
    if (task !== undefined) {
      this.tasks.delete(partition);
      const producer = this.taskProducers.get(task);
      this.taskProducers.delete(task);
      void producer?.disconnect().catch(() => undefined);
      this.log.info({ partition, why }, 'dropped task');
    }
    if (stillAssigned) this.recreate(partition);
  }

  /** Creates the task of an assigned partition now, not at its next batch (none may come). */
  private recreate(partition: number): void {
    if (this.closed || this.tasks.has(partition) || this.creating.has(partition)) return;
    const t = this.taskFor(partition);
    if (t instanceof Promise) t.catch((err: unknown) => this.log.warn({ err, partition }, 'creating the task failed; retried on the next tick'));
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
        if (this.stateLoaded && this.whole !== null) await this.state.save((b) => this.stateProducer.send(b), this.whole.engine.snapshot());
        for (const t of this.allTasks()) {
          const st = t.engine.stats();
          const invalid = Object.fromEntries(Object.entries(st.invalid).filter(([, n]) => n > 0));
          this.log.info({ partition: t.meta.partition, eventsIn: st.eventsIn, accepted: st.accepted, late: st.late, duplicates: st.duplicates, invalid, alerts: st.alerts, watermark: st.watermark, sellers: st.sellersTracked }, 'final checkpoint written');
        }
      });
      await this.consumer.stop();
      await Promise.allSettled([
        this.consumer.disconnect(),
        this.producer.disconnect(),
        this.stateProducer.disconnect(),
        this.admin.disconnect(),
        ...[...this.taskProducers.values()].map((p) => p.disconnect()),
      ]);
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

  /**
   * kafkajs has no revoke hook: the assignment of each join says what this instance owns now.
   * Tasks of partitions no longer assigned are dropped; new ones are created (fenced + restored)
   * right away, and their batches wait for that.
   */
  private onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.joined = true;
    if (this.whole !== null) {
      const keep = this.whole.partitions.assign(assignment, this.now());
      this.log.info({ partitions: keep }, 'joined the consumer group');
      return;
    }
    const now = new Set<number>();
    for (const parts of Object.values(assignment)) for (const p of parts) now.add(p);
    for (const p of [...this.assigned]) if (!now.has(p)) this.dropTask(p, 'revoked by a rebalance', false);
    for (const p of now) this.assigned.add(p);
    this.log.info({ partitions: [...now].sort((a, b) => a - b) }, 'joined the consumer group');
    for (const p of now) this.recreate(p);
  }

  /**
   * Fresh high watermarks of the input partitions (and the committed offsets of partitions not
   * fetched from yet), so that idle partitions are told from ones whose records merely wait.
   * Outside the lock: I/O must not stall batch processing.
   */
  private async lookUpPositions(): Promise<Map<string, number>> {
    const topics = this.inputTopics;
    const highs = new Map<string, number>();
    const ranges = await Promise.all(topics.map(async (topic) => ({ topic, parts: await this.admin.partitionRanges(topic) })));
    const tasks = [...this.allTasks()];
    const unknown = tasks.some((t) => t.partitions.unknown().length > 0);
    const committed = unknown ? await this.admin.committedOffsets(this.cfg.groupId, topics) : [];
    for (const { topic, parts } of ranges) {
      for (const r of parts) {
        highs.set(`${topic}/${r.partition}`, Number(r.high));
        if (!unknown) continue;
        const c = committed.find((o) => o.topic === topic && o.partition === r.partition)?.offset ?? '-1';
        for (const t of tasks) t.partitions.setCommitted(topic, r.partition, Number(c), Number(r.low));
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
      let task = this.whole ?? this.taskFor(batch.partition);
      if (task instanceof Promise) {
        try {
          task = await task;
        } catch (err) {
          // The batch is not resolved: it is fetched again, after a pause (broker away?).
          this.log.warn({ err, partition: batch.partition }, 'creating the task failed; retrying');
          await new Promise((r) => setTimeout(r, 1_000));
          return;
        }
      }
      // A partition that is not (or no longer) this instance's: left to its owner.
      if (task === null) return;
      const { kind, decoder } = entry;
      // A batch can come before GROUP_JOIN is seen on a restart of the consumer: get() creates it.
      const part = task.partitions.get(batch.topic, batch.partition, this.now());
      const n = batch.messages.length;
      const last = batch.messages[n - 1] as InRecord;
      // Records below the task's known position are already in its state (restored, or read
      // before the group's offset was looked up): decided once, never again.
      let from = 0;
      if (part.known) while (from < n && Number((batch.messages[from] as InRecord).offset) < part.next) from++;
      if (from === n) {
        control.resolve(last.offset);
        return;
      }
      const messages = from === 0 ? batch.messages : batch.messages.slice(from);

      try {
        await decoder.prefetch(messages.map(valueOf));
      } catch (err) {
        if (!(err instanceof BrushwatchError) || err.code !== 'BRUSH_REGISTRY_UNREACHABLE') throw err;
        // Not resolved: the batch is fetched again after the pause, until the registry answers;
        // meanwhile /readyz says why (watchSchemaSource). Records are never dead-lettered for this.
        if (!this.registryDown) this.log.warn({ err, topic: batch.topic, partition: batch.partition }, 'schema registry unreachable; retrying until it answers');
        this.registryDown = true;
        await new Promise((r) => setTimeout(r, REGISTRY_RETRY_MS));
        return;
      }
      if (this.registryDown && this.deps.schemas?.source.problem() === null) {
        this.registryDown = false;
        this.log.info('schema registry reachable again');
      }
      const engine = task.engine;
      const metrics = this.metrics;
      let maxTime = -Infinity;
      let late = 0;
      let firstLate: { offset: string; eventTime: number; sellerId: string } | null = null;
      let duplicates = 0;
      const horizon = futureHorizon(this.deps.engineConfig, this.now());
      for (const m of messages) {
        const raw = decoder.decode(m.value);
        if (raw === DECODE_FAILED) {
          this.deadLetter(task, batch, m, decoder.failure.reason, decoder.failure.detail);
          continue;
        }
        const time = (raw as { eventTime?: unknown }).eventTime;
        if (typeof time === 'number' && time > horizon) {
          this.deadLetter(task, batch, m, DEAD_LETTER_REASONS.FUTURE_TIME, `eventTime ${time} is more than futureToleranceMs ${this.deps.engineConfig.futureToleranceMs} after the wall clock`);
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
            if (late++ === 0) firstLate = { offset: m.offset, eventTime: r.eventTime ?? Number.NaN, sellerId: r.sellerId ?? '' };
            break;
          case 'duplicate':
            duplicates++;
            break;
          case 'invalid':
            this.deadLetter(task, batch, m, r.reason ?? DEAD_LETTER_REASONS.NOT_AN_OBJECT, r.detail ?? '');
            break;
        }
      }
      metrics.consumed(batch.topic, kind).inc(messages.length);
      if (late > 0) {
        metrics.late.inc(late);
        // Late events are evidence counted at a shifted time: worth a line with what decided the
        // released point, so that a cause can be told from the log alone.
        const count = this.lateLines.add(part.key, late, this.now());
        if (count > 0) {
          this.log.warn(
            { topic: batch.topic, partition: batch.partition, late: count, firstLate, watermark: engine.watermark, partitions: task.partitions.describe() },
            'late events: behind the point the engine has released',
          );
        }
      }
      if (duplicates > 0) metrics.duplicate.inc(duplicates);

      task.partitions.processed(part, Number(last.offset) + 1, Number(batch.highWatermark), maxTime, this.now());
      task.dirty = true;
      this.pendingRecords += messages.length;
      control.resolve(last.offset);

      task.advance();
      if (this.checkpointDue()) await this.checkpoint(control);
      metrics.batchDuration.observe((performance.now() - t0) / 1000);
      this.log.debug({ topic: batch.topic, partition: batch.partition, records: messages.length, late, duplicates, watermark: engine.watermark }, 'batch');
    });
  }

  private deadLetter(task: Task, batch: InBatch, m: InRecord, reason: DeadLetterReason, detail: string): void {
    if (reason in this.metrics.invalid) this.metrics.invalid[reason as keyof ServiceMetrics['invalid']].inc();
    else this.metrics.invalid.BAD_ENCODING.inc();
    // The seller instances dead-letter every input record already; the ring instance only counts.
    if (this.cfg.role === 'rings') return;
    task.pendingDeadLetters.push({
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
    task.dirty = true;
  }

  private checkpointDue(): boolean {
    return this.pendingRecords >= this.cfg.checkpoint.maxEvents || this.now() - this.lastCheckpointAt >= this.cfg.checkpoint.intervalMs;
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    let highs: Map<string, number> | null = null;
    // What each task had processed before the lookup: the next lookup's idle verdicts hold up to it (`refresh`).
    const latestBefore = new Map<Task, number>();
    for (const t of this.allTasks()) latestBefore.set(t, t.engine.stats().maxEventTime ?? -Infinity);
    try {
      highs = await this.lookUpPositions();
    } catch (err) {
      this.log.warn({ err }, 'looking up partition positions failed; no partition counts as idle until it works');
    }
    await this.locked(async () => {
      if (this.closed) return;
      for (const p of this.assigned) this.recreate(p);
      let dirty = false;
      for (const t of this.allTasks()) {
        const latest = latestBefore.get(t);
        if (highs !== null && latest !== undefined) t.partitions.refresh(highs, this.now(), latest);
        t.advance();
        dirty ||= t.dirty;
      }
      if (dirty && this.checkpointDue()) await this.checkpoint(null);
    });
  }

  /**
   * Writes each task's pending unit: alerts + dead letters + offsets (+ its changelog delta in
   * transactional mode). Pending data is cleared only after the write succeeded, so a failed
   * checkpoint is retried whole by the next one. A failing task does not hold back the others.
   */
  private async checkpoint(control: BatchControl | null): Promise<void> {
    this.lastCheckpointAt = this.now();
    let failure: unknown = null;
    for (const [partition, task] of this.whole !== null ? [[null, this.whole] as const] : [...this.tasks]) {
      if (!task.dirty) continue;
      try {
        if (this.transactional) await this.commitTask(task, partition);
        else await this.publishTask(task, control);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
    this.pendingRecords = 0;
  }

  private outputs(task: Task): TopicMessages[] {
    const encoder = this.alertEncoder as ValueEncoder<Alert>;
    return [
      { topic: this.cfg.topics.alerts, messages: task.pendingAlerts.map((a) => ({ key: a.sellerId, value: encoder.encode(a) })) },
      { topic: this.cfg.topics.deadLetters, messages: task.pendingDeadLetters },
    ];
  }

  /** One transaction: the task's outputs, its changelog delta and meta, its offsets. */
  private async commitTask(task: Task, partition: number | null): Promise<void> {
    const producer = partition === null ? this.producer : this.taskProducers.get(task);
    if (producer === undefined) return;
    const out = this.outputs(task);
    const offsets = task.partitions.uncommitted();
    // The engine's state now is the state as of `offsets`: it goes into the same transaction.
    for (const id of task.engine.takeDirtySellers()) task.changedSellers.add(id);
    const meta: TaskMeta = task.checkpointMeta();
    out.push({ topic: this.cfg.topics.state, messages: changelogRecords(task.engine, task.changedSellers, meta) });
    try {
      await producer.commitTransaction(out, this.cfg.groupId, offsets, () => this.metrics.alertPublishFailures.inc());
      this.metrics.transactions.committed.inc();
    } catch (err) {
      this.metrics.transactions.aborted.inc();
      // kafkajs throws its own state errors (e.g. a transaction begun while ABORTING) unwrapped.
      const fenced = err instanceof BrushwatchError ? !err.retriable : isFenced(err);
      if (partition !== null) {
        // Fenced: another instance owns p now (or a zombie of this one's took it: then the rejoin
        // hands it back). Failed otherwise: the broker aborts the open transaction. Either way the
        // task starts again from what was committed, never from this unconfirmed state.
        this.log.warn({ err, partition, fenced }, 'task transaction failed: the task restarts from its changelog if still assigned');
        this.dropTask(partition, fenced ? 'fenced' : 'transaction failed', this.assigned.has(partition));
        return;
      }
      if (fenced) throw err;
      await this.replaceProducer(err as Error);
      throw err instanceof BrushwatchError ? err : new BrushwatchError('KAFKA_TRANSACTION', `Kafka transaction failed: ${(err as Error).message}`, { cause: err, retriable: true });
    }
    this.countPublished(task.pendingAlerts, task.pendingDeadLetters);
    task.partitions.committed(offsets);
    this.log.debug({ partition, alerts: task.pendingAlerts.length, deadLetters: task.pendingDeadLetters.length, offsets: offsets.length }, 'checkpoint (transaction)');
    task.cleared();
  }

  /** At-least-once: produce the outputs, then commit the offsets. */
  private async publishTask(task: Task, control: BatchControl | null): Promise<void> {
    const alerts = task.pendingAlerts;
    const deadLetters = task.pendingDeadLetters;
    const offsets = task.partitions.uncommitted();
    await this.publish(this.outputs(task), control);
    // Outputs are durable now; clear them before the commit so a failed commit (a rebalance
    // took the partition) does not publish them twice.
    this.countPublished(alerts, deadLetters);
    task.cleared();
    if (offsets.length > 0) {
      try {
        await this.consumer.commit(offsets);
      } catch (err) {
        this.log.warn({ err, offsets: offsets.length }, 'offset commit failed (rebalance?); the records will be read again and deduplicated');
        return;
      }
    }
    task.partitions.committed(offsets);
    this.log.debug({ alerts: alerts.length, deadLetters: deadLetters.length, offsets: offsets.length }, 'checkpoint');
  }

  /**
   * The whole task, after a failed transaction whose abort failed too (a broker down): kafkajs's
   * producer stays in state ABORTING and refuses every later transaction. A new producer with the
   * same transactional id fences it and aborts the open transaction on its first use; the pending
   * checkpoint (alerts, changed sellers, offsets) is kept and written whole by the next one.
   */
  private async replaceProducer(cause: Error): Promise<void> {
    const old = this.producer;
    this.producer = this.deps.kafka.producer({ transactionalId: this.transactionalId(null) });
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
