/**
 * The engine state as a per-seller changelog on a compacted topic, for `checkpoint.mode:
 * transactional`: each checkpoint's transaction carries, beside the alerts and the offsets, one
 * record per seller changed since the previous checkpoint (keyed by sellerId; a tombstone when the
 * seller was evicted) and one *meta* record holding the engine-global rest (watermark, reorder
 * buffer, dedup ids, ring state, ring incidents, counters) and the task's input offsets. The topic
 * therefore always equals the engine as of the committed offsets: a crash anywhere restarts from
 * both and continues as if it never stopped.
 *
 * A task (runner.ts) owns either one input partition p (role `sellers`: its sellers' records and
 * its meta record all go to changelog partition p, and restoring it reads partition p only) or all
 * of them (roles `all`, `rings`: sellers by the default partitioner, the meta record on partition 0,
 * restore reads every partition).
 *
 * The meta record is written whole at every checkpoint: it changes at every checkpoint anyway
 * (watermark, buffer). It is gzip'd; its size is bounded by the engine's dedup and buffer caps,
 * and per-partition tasks split it P ways.
 *
 * Restore reads read_committed to the end. Transaction markers take offsets that are never
 * delivered, so "the end" is made a delivered record: after the transactional producer fenced its
 * predecessor (its open transaction is aborted then), a plain tombstone under END_KEY is written
 * to every partition read and each partition is read up to and including it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Engine } from '../engine/index.js';
import type { EngineConfig, EngineOptions, EngineSnapshot, SellerSnapshot } from '../engine/index.js';
import { BrushwatchError } from '../errors.js';
import type { KafkaAdmin, KafkaClient, OutRecord, TopicMessages } from '../io/kafka/client.js';
import type { ServiceRole } from '../config.js';
import { readRanges } from './../io/kafka/reader.js';

/** Keys no sellerId takes: the contract's ids are printable. */
export const META_KEY = '\u0000meta';
export const END_KEY = '\u0000end';

/** Who wrote a changelog, and the input position its state is as of. */
export interface TaskMeta {
  readonly role: ServiceRole;
  /** The input partition of a per-partition task; null for one task over all partitions. */
  readonly partition: number | null;
  /** Next offset to read per input `topic/partition`, committed in the same transaction. */
  readonly offsets: Readonly<Record<string, number>>;
}

/** The one task of a single instance (the default of tests and benches). */
export const WHOLE_TASK: TaskMeta = { role: 'all', partition: null, offsets: {} };

interface MetaRecord {
  readonly task: TaskMeta;
  readonly engine: EngineSnapshot;
}

export interface RestoreResult {
  readonly engine: Engine;
  /** The offsets of the meta record (empty for one written before tasks had them). */
  readonly offsets: Readonly<Record<string, number>>;
  readonly sellers: number;
  readonly records: number;
  readonly metaBytes: number;
}

/** The records of one checkpoint: changed sellers (tombstones for evicted ones) and the meta record. */
export function changelogRecords(engine: Engine, changed: Iterable<string>, task: TaskMeta = WHOLE_TASK): OutRecord[] {
  const out: OutRecord[] = [];
  const partition = task.partition ?? undefined;
  for (const id of changed) {
    const s = engine.sellerSnapshot(id);
    out.push({ key: id, value: s === null ? null : Buffer.from(JSON.stringify(s)), partition });
  }
  const meta: MetaRecord = { task, engine: engine.snapshot({ sellers: false }) };
  out.push({ key: META_KEY, value: gzipSync(JSON.stringify(meta)), partition: task.partition ?? 0 });
  return out;
}

/**
 * Folds changelog records (in offset order per partition) into the latest value per key; null
 * values delete. Kept apart from I/O so that the rebuild is testable without a broker.
 */
export class ChangelogFold {
  private readonly sellers = new Map<string, Buffer>();
  private meta: Buffer | null = null;
  records = 0;

  add(key: Buffer | string | null, value: Buffer | null): void {
    if (key === null) return;
    const k = typeof key === 'string' ? key : key.toString('utf8');
    this.records++;
    if (k === END_KEY) return;
    if (k === META_KEY) {
      this.meta = value;
      return;
    }
    if (value === null) this.sellers.delete(k);
    else this.sellers.set(k, value);
  }

  /**
   * The engine the records describe; null when there is no meta record (nothing was ever
   * committed). `expect` is the reading task: a changelog written by another role, or by tasks
   * cut differently, is refused rather than mixed into this one's state.
   */
  build(config: EngineConfig, opts: EngineOptions, topic: string, expect: Pick<TaskMeta, 'role' | 'partition'> = WHOLE_TASK): RestoreResult | null {
    if (this.meta === null) return null;
    let parsed: MetaRecord | EngineSnapshot;
    try {
      parsed = JSON.parse(gunzipSync(this.meta).toString('utf8')) as MetaRecord | EngineSnapshot;
    } catch (cause) {
      throw new BrushwatchError('STATE_CORRUPT', `the meta record (key \\u0000meta) on changelog topic ${topic} cannot be read; delete the topic's records to start empty`, { cause });
    }
    // A meta record without `task` predates tasks: it is the one task of role `all`.
    const { task, engine: snap } = 'task' in parsed ? parsed : { task: WHOLE_TASK, engine: parsed };
    if (task.role !== expect.role || task.partition !== expect.partition) {
      const who = (t: Pick<TaskMeta, 'role' | 'partition'>) => `role ${t.role}${t.partition === null ? '' : ` partition ${t.partition}`}`;
      throw new BrushwatchError('CONFIG_INVALID', `changelog topic ${topic} holds the state of ${who(task)}, not of ${who(expect)}; give each role its own topics.state (--state-topic)`);
    }
    const engine = Engine.restore(config, snap, opts);
    for (const [id, raw] of this.sellers) {
      let s: SellerSnapshot;
      try {
        s = JSON.parse(raw.toString('utf8')) as SellerSnapshot;
      } catch (cause) {
        throw new BrushwatchError('STATE_CORRUPT', `the changelog record of seller ${id} on topic ${topic} cannot be read; produce a tombstone for that key to drop the seller's state`, { cause });
      }
      engine.restoreSeller(id, s);
    }
    // Restoring marks nothing dirty in the engine, but be sure the first checkpoint writes only
    // what changes after the restore.
    if (opts.trackChanges === true) engine.takeDirtySellers();
    return { engine, offsets: task.offsets, sellers: this.sellers.size, records: this.records, metaBytes: this.meta.length };
  }
}

/**
 * Reads the changelog of one task to its end: partition `task.partition`, or every partition when
 * it is null. `writePlain` must be a non-transactional send, and the task's transactional producer
 * must already have fenced its predecessor (see the module doc).
 */
export async function restoreChangelog(
  kafka: KafkaClient,
  admin: KafkaAdmin,
  topic: string,
  writePlain: (batches: readonly TopicMessages[]) => Promise<void>,
  config: EngineConfig,
  opts: EngineOptions,
  task: Pick<TaskMeta, 'role' | 'partition'> = WHOLE_TASK,
): Promise<RestoreResult | null> {
  const mine = (p: { partition: number }) => task.partition === null || p.partition === task.partition;
  const parts = (await admin.partitionRanges(topic)).filter(mine);
  if (parts.length === 0) throw new BrushwatchError('CONFIG_INVALID', `changelog topic ${topic} has no partition ${task.partition}; it needs as many partitions as the input topics`);
  await writePlain([{ topic, messages: parts.map((p) => ({ key: END_KEY, value: null, partition: p.partition })) }]);
  const ranges = (await admin.partitionRanges(topic)).filter(mine).map((r) => ({ topic, partition: r.partition, start: r.low, end: r.high }));
  const fold = new ChangelogFold();
  await readRanges(kafka, {
    ranges,
    readCommitted: true,
    onBatch: (_t, _p, records) => {
      for (const r of records) fold.add(r.key, r.value);
    },
  });
  return fold.build(config, opts, topic, task);
}
