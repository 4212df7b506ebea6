/**
 * Replay from Kafka for audits: the input topics' records in a time range (record timestamps,
 * which `simulate --to-kafka` sets to eventTime) through a fresh engine, alerts to an NDJSON file.
 * It reads with a throwaway group that never commits and writes nothing to Kafka, so the live
 * group and the live alerts topic are untouched. The watermark is driven per partition exactly
 * as in `brushwatch run`, then the end of the range is flushed like the file replay's end of file.
 */
import { Engine, PartitionWatermarks } from '../../engine/index.js';
import type { EngineConfig, EngineStats, EventKind } from '../../engine/index.js';
import { NdjsonWriter } from '../file/ndjson-writer.js';
import type { KafkaClient } from './client.js';
import { DECODE_FAILED, SchemaCache, createEventDecoder } from './codec.js';
import type { CodecName, DeadLetterReason, EventDecoder, SchemaSource } from './codec.js';
import { rangesByTime, readRanges } from './reader.js';
import { futureHorizon, partitionedEngineConfig } from './partitioned-engine.js';

export interface KafkaReplayOptions {
  readonly kafka: KafkaClient;
  readonly topics: { readonly orders: string; readonly reviews: string };
  readonly codecs: { readonly orders: CodecName; readonly reviews: CodecName };
  readonly registry: SchemaSource | null;
  /** Record-timestamp range [from, to); null = from the start / to the current end. */
  readonly from: number | null;
  readonly to: number | null;
  readonly engineConfig: EngineConfig;
  readonly output: string;
  readonly timeoutMs?: number;
}

export interface KafkaReplaySummary {
  readonly records: number;
  /** Records that could not be decoded or lie beyond the wall clock's future horizon, by reason. */
  readonly undecodable: Readonly<Partial<Record<DeadLetterReason, number>>>;
  readonly stats: EngineStats;
  readonly alertsWritten: number;
}

export async function replayKafka(o: KafkaReplayOptions): Promise<KafkaReplaySummary> {
  const admin = o.kafka.admin();
  await admin.connect();
  let ranges;
  try {
    ranges = [...(await rangesByTime(admin, o.topics.orders, o.from, o.to)), ...(await rangesByTime(admin, o.topics.reviews, o.from, o.to))];
  } finally {
    await admin.disconnect();
  }
  const cache = o.registry === null ? null : new SchemaCache(o.registry);
  const decoders = new Map<string, EventDecoder>([
    [o.topics.orders, createEventDecoder('order' satisfies EventKind, o.codecs.orders, cache)],
    [o.topics.reviews, createEventDecoder('review' satisfies EventKind, o.codecs.reviews, cache)],
  ]);
  const engine = new Engine(partitionedEngineConfig(o.engineConfig), { watermark: 'external' });
  // Judged once for the whole replay: records of the past are never in the future.
  const horizon = futureHorizon(o.engineConfig, Date.now());
  const watermarks = new PartitionWatermarks(o.engineConfig.allowedDisorderMs);
  // Until every partition with records in range has delivered, the unseen ones may hold older events.
  const unseen = new Set(ranges.filter((r) => BigInt(r.start) < BigInt(r.end)).map((r) => `${r.topic}/${r.partition}`));
  const undecodable: Partial<Record<DeadLetterReason, number>> = {};
  const out = await NdjsonWriter.open(o.output);
  let records = 0;
  try {
    await readRanges(o.kafka, {
      ranges,
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      onBatch: async (topic, partition, batch) => {
        const decoder = decoders.get(topic) as EventDecoder;
        await decoder.prefetch(batch.map((m) => m.value));
        let maxTime = -Infinity;
        for (const m of batch) {
          const raw = decoder.decode(m.value);
          if (raw === DECODE_FAILED) {
            undecodable[decoder.failure.reason] = (undecodable[decoder.failure.reason] ?? 0) + 1;
            continue;
          }
          const time = (raw as { eventTime?: unknown }).eventTime;
          if (typeof time === 'number' && time > horizon) {
            undecodable.FUTURE_TIME = (undecodable.FUTURE_TIME ?? 0) + 1;
            continue;
          }
          if (engine.ingest(raw).outcome === 'accepted') {
            const t = (raw as { eventTime: number }).eventTime;
            if (t > maxTime) maxTime = t;
          }
        }
        records += batch.length;
        const key = `${topic}/${partition}`;
        unseen.delete(key);
        if (maxTime !== -Infinity) watermarks.observe(key, maxTime);
        const wm = unseen.size === 0 ? watermarks.watermark() : undefined;
        if (wm !== undefined && wm > engine.watermark) engine.advanceWatermark(wm);
        await out.write(engine.drainAlerts());
      },
    });
    engine.finish();
    await out.write(engine.drainAlerts());
  } finally {
    await out.close();
  }
  return { records, undecodable, stats: engine.stats(), alertsWritten: out.count };
}
