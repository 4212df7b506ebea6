/**
 * Bounded reads of offset ranges: the engine state on start-up, `replay --kafka`, tests. A
 * throwaway consumer group that never commits, positioned by `seek`, stopped as soon as every
 * partition reached its end offset. Nothing here touches the live group.
 */
import { randomUUID } from 'node:crypto';
import { BrushwatchError } from '../../errors.js';
import type { InRecord, KafkaAdmin, KafkaClient } from './client.js';

/**
 * No record for this long (wall time) after the group join means the remaining ranges hold no
 * deliverable record (only transaction markers / aborted records). Generous: a loaded machine
 * can pause a fetch loop for seconds, and ending early would silently drop records.
 */
const QUIET_MS = 10_000;

export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to read. */
  readonly start: string;
  /** First offset not to read (exclusive), e.g. the high watermark. */
  readonly end: string;
}

export interface ReadOptions {
  readonly ranges: readonly OffsetRange[];
  /** Records of one partition in offset order; partitions are interleaved as fetched. */
  readonly onBatch: (topic: string, partition: number, records: readonly InRecord[]) => void | Promise<void>;
  /** Bound on the whole read. Default 120 s. */
  readonly timeoutMs?: number;
  /** Only committed transactional records (default true). */
  readonly readCommitted?: boolean;
}

/** Offset ranges covering records with timestamps in [from, to) (to = the end when omitted). */
export async function rangesByTime(admin: KafkaAdmin, topic: string, from: number | null, to: number | null): Promise<OffsetRange[]> {
  const bounds = await admin.partitionRanges(topic);
  const starts = from === null ? null : new Map((await admin.offsetsByTimestamp(topic, from)).map((p) => [p.partition, p.offset]));
  const ends = to === null ? null : new Map((await admin.offsetsByTimestamp(topic, to)).map((p) => [p.partition, p.offset]));
  return bounds.map((b) => ({
    topic,
    partition: b.partition,
    start: starts?.get(b.partition) ?? b.low,
    end: ends?.get(b.partition) ?? b.high,
  }));
}

/** Reads every range to its end; resolves when all are read. */
export async function readRanges(kafka: KafkaClient, options: ReadOptions): Promise<void> {
  const pending = new Map<string, OffsetRange>();
  for (const r of options.ranges) if (BigInt(r.start) < BigInt(r.end)) pending.set(`${r.topic}/${r.partition}`, r);
  if (pending.size === 0) return;
  const topics = [...new Set([...pending.values()].map((r) => r.topic))];
  const consumer = kafka.consumer({
    groupId: `brushwatch-reader-${randomUUID()}`,
    readCommitted: options.readCommitted ?? true,
    maxWaitTimeMs: 200,
  });
  let finish: () => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => fail(new BrushwatchError('KAFKA_CONNECT', `reading ${topics.join(', ')} did not finish within ${timeoutMs} ms; ${pending.size} partitions unfinished`)), timeoutMs);
  // Transaction markers and aborted records take offsets but are never delivered, so a range
  // ending in them is never reached record by record: a quiet fetch loop also ends the read.
  let lastBatchAt = Date.now();
  let joined = false;
  consumer.onGroupJoin(() => {
    joined = true;
    lastBatchAt = Date.now();
  });
  const quiet = setInterval(() => {
    if (joined && Date.now() - lastBatchAt >= QUIET_MS) finish();
  }, 250);
  consumer.onCrash((error, willRestart) => {
    if (!willRestart) fail(error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe(topics, true);
    await consumer.run(async (batch, control) => {
      const key = `${batch.topic}/${batch.partition}`;
      const range = pending.get(key);
      if (range === undefined) return;
      const start = BigInt(range.start);
      const end = BigInt(range.end);
      // Batches fetched before the seek took effect may start early: keep the range only.
      const records = batch.messages.filter((m) => {
        const o = BigInt(m.offset);
        return o >= start && o < end;
      });
      if (records.length > 0) await options.onBatch(batch.topic, batch.partition, records);
      lastBatchAt = Date.now();
      const last = batch.messages[batch.messages.length - 1];
      if (last !== undefined) {
        control.resolve(last.offset);
        if (BigInt(last.offset) + 1n >= end) pending.delete(key);
      }
      if (pending.size === 0) finish();
    });
    for (const r of pending.values()) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.start });
    await finished;
  } finally {
    clearTimeout(timer);
    clearInterval(quiet);
    await consumer.stop().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
  }
}
