/**
 * The engine snapshot saved on graceful shutdown, so that a restart continues with the same
 * state instead of an empty engine: one gzip'd JSON record per consumer group on a compacted
 * topic, keyed by the group id, written after the final checkpoint (its offsets are the ones just
 * committed). On start the newest record of the group is restored, and it is then replaced by a
 * tombstone: a crash after that restarts from the committed offsets with an empty engine rather
 * than from a snapshot older than those offsets.
 *
 * This is the at-least-once mode's state; transactional mode keeps a per-seller changelog on the
 * same topic instead (changelog.ts), consistent with the committed offsets after a crash too.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EngineSnapshot } from '../engine/index.js';
import { BrushwatchError } from '../errors.js';
import type { KafkaClient, TopicMessages, TopicSpec } from '../io/kafka/client.js';
import { readRanges } from '../io/kafka/reader.js';

/** Snapshots can be large: the topic allows records up to this size. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class StateStore {
  constructor(
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /** Partitioned like the input: the transactional mode's per-seller changelog shares the topic. */
  static topicSpec(topic: string, replicationFactor: number, partitions = 1): TopicSpec {
    return {
      topic,
      partitions,
      replicationFactor,
      // Short segments and a low dirty ratio let compaction drop superseded records soon: in
      // transactional mode a new meta record is written at every checkpoint, and a restore reads
      // every version not compacted away yet.
      config: { 'cleanup.policy': 'compact', 'max.message.bytes': String(MAX_RECORD_BYTES), 'segment.ms': '60000', 'min.cleanable.dirty.ratio': '0.1' },
    };
  }

  /** `write` is a plain (non-transactional) send: the topic must stay free of transaction markers. */
  async save(write: (batches: readonly TopicMessages[]) => Promise<void>, snapshot: EngineSnapshot): Promise<void> {
    const value = gzipSync(JSON.stringify(snapshot));
    await write([{ topic: this.topic, messages: [{ key: this.groupId, value }] }]);
  }

  /** Clears the saved snapshot once it has been restored (see the module doc). */
  async clear(write: (batches: readonly TopicMessages[]) => Promise<void>): Promise<void> {
    await write([{ topic: this.topic, messages: [{ key: this.groupId, value: null }] }]);
  }

  /** The newest snapshot of this group, or null. */
  async load(kafka: KafkaClient): Promise<EngineSnapshot | null> {
    const admin = kafka.admin();
    await admin.connect();
    let ranges;
    try {
      ranges = (await admin.partitionRanges(this.topic)).map((r) => ({ topic: this.topic, partition: r.partition, start: r.low, end: r.high }));
    } finally {
      await admin.disconnect();
    }
    let latest: Buffer | null = null;
    await readRanges(kafka, {
      ranges,
      onBatch: (_topic, _partition, records) => {
        for (const r of records) if (r.key !== null && r.key.toString() === this.groupId) latest = r.value;
      },
    });
    if (latest === null) return null;
    try {
      return JSON.parse(gunzipSync(latest).toString('utf8')) as EngineSnapshot;
    } catch (cause) {
      throw new BrushwatchError('STATE_CORRUPT', `the engine snapshot of group ${this.groupId} on topic ${this.topic} cannot be read; delete it (produce a tombstone for key ${this.groupId}) to start empty`, { cause });
    }
  }
}
