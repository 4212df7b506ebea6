/**
 * Exactly-once costs, on the real broker (KAFKA_BROKERS or .kafka/brokers).
 *
 * 1. State restore: N synthetic sellers (copies of one real seller state from the `small`
 *    simulation under distinct ids) plus a meta record are produced to a changelog topic, then
 *    `restoreChangelog` (what `brushwatch run` does on start in transactional mode) reads and
 *    rebuilds the engine; the time is printed. For N above BENCH_BROKER_MAX (default 100k) only
 *    the in-process part (fold + engine rebuild from the same records, no broker) is timed.
 * 2. Throughput: the same pre-filled input is run by the in-process service in at-least-once, in
 *    transactional mode (one task, role all) and in transactional mode with one task per partition
 *    (role sellers, no ring detector), separate groups, first record to final watermark.
 *
 *   npx tsx bench/eos.ts [sellers,sellers…] [events]     default 100000,1000000 and 100000
 *
 * events 0 skips part 2. 1M sellers take several GB of heap: node --max-old-space-size=…
 */
import { pino } from 'pino';
import type { ServiceConfig } from '../src/config.js';
import { Engine } from '../src/engine/index.js';
import type { MarketEvent } from '../src/engine/index.js';
import { createKafkaClient } from '../src/io/kafka/client.js';
import type { OutRecord } from '../src/io/kafka/client.js';
import { createRegistrySource } from '../src/io/kafka/codec.js';
import { produceEvents } from '../src/io/kafka/produce.js';
import { ChangelogFold, META_KEY, changelogRecords, restoreChangelog } from '../src/service/changelog.js';
import { startService } from '../src/service/service.js';
import { StateStore } from '../src/service/state-store.js';
import { createSimulation } from '../src/sim/simulator.js';
import { SCENARIOS } from '../src/sim/scenarios.js';
import { benchServiceConfig, codec, registry, tag } from './broker.js';

const sellerCounts = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
const total = Number(process.argv[3] ?? 100_000);
const brokerMax = Number(process.env.BENCH_BROKER_MAX ?? 100_000);
const partitions = 4;
const silent = pino({ level: 'silent' });
const sec = (ms: number) => (ms / 1000).toFixed(2);

type Mode = 'at-least-once' | 'transactional' | 'transactional-tasks';

function configFor(mode: Mode): Readonly<ServiceConfig> {
  return benchServiceConfig(partitions, mode, {
    checkpointMode: mode === 'at-least-once' ? mode : 'transactional',
    // One task per partition (without the ring detector), as N instances run them.
    ...(mode === 'transactional-tasks' ? { role: 'sellers' } : {}),
  });
}

const base = configFor('transactional');
const kafka = createKafkaClient(base.kafka, silent);
const admin = kafka.admin();
await admin.connect();
const producer = kafka.producer();
await producer.connect();
const cleanup: string[] = [];

// ---- 1. restore ----
const sample = new Engine(base.engine, { trackChanges: true });
let n = 0;
for (const e of createSimulation(SCENARIOS.small, 1).events()) {
  sample.ingest(e);
  sample.drainAlerts();
  if (++n >= 100_000) break;
}
const dirty = sample.takeDirtySellers();
const template = changelogRecords(sample, dirty);
const meta = template.find((r) => r.key === META_KEY) as OutRecord;
const sellerValues = template.filter((r) => r.key !== META_KEY && r.value !== null).map((r) => r.value as Buffer);
const meanBytes = Math.round(sellerValues.reduce((s, v) => s + v.length, 0) / sellerValues.length);
console.log(`seller state: ${sellerValues.length} real sellers of small seed 1 after 100k events, mean ${meanBytes} B JSON; meta ${(meta.value as Buffer).length} B gzip'd`);

for (const count of sellerCounts) {
  const records: OutRecord[] = [];
  for (let i = 0; i < count; i++) records.push({ key: `bench-seller-${i}`, value: sellerValues[i % sellerValues.length] as Buffer });
  // In process: fold + rebuild, the CPU part of a restore.
  let t = performance.now();
  const fold = new ChangelogFold();
  for (const r of records) fold.add(r.key as string, r.value as Buffer);
  fold.add(META_KEY, meta.value as Buffer);
  const built = fold.build(base.engine, { watermark: 'external', trackChanges: true }, 'bench');
  const foldMs = performance.now() - t;
  console.log(`restore ${count.toLocaleString('en-US')} sellers, in process (fold + Engine.restore + restoreSeller, no broker): ${sec(foldMs)} s, ${built?.engine.stats().sellersTracked} sellers`);
  if (count > brokerMax) continue;

  const topic = `bench-changelog-${tag}-${count}`;
  cleanup.push(topic);
  await admin.ensureTopics([StateStore.topicSpec(topic, 1, partitions)]);
  t = performance.now();
  for (let i = 0; i < records.length; i += 5_000) await producer.send([{ topic, messages: records.slice(i, i + 5_000) }]);
  await producer.send([{ topic, messages: [meta] }]);
  const produceMs = performance.now() - t;
  t = performance.now();
  const restored = await restoreChangelog(kafka, admin, topic, (b) => producer.send(b), base.engine, { watermark: 'external', trackChanges: true });
  const restoreMs = performance.now() - t;
  const mb = (records.length * meanBytes) / 1e6;
  console.log(`restore ${count.toLocaleString('en-US')} sellers through the broker (${partitions} partitions, ~${mb.toFixed(0)} MB): produced in ${sec(produceMs)} s; restoreChangelog ${sec(restoreMs)} s (${restored?.sellers} sellers, ${restored?.records} records)`);
}

// ---- 2. throughput, at-least-once vs transactional ----
function* firstEvents(): Generator<MarketEvent> {
  let i = 0;
  for (const e of createSimulation(SCENARIOS.small, 1).events()) {
    if (i++ >= total) return;
    yield e;
  }
}
if (total > 0) await throughput();

async function throughput(): Promise<void> {
  await admin.ensureTopics([
    { topic: base.topics.orders, partitions, replicationFactor: 1, config: { 'retention.ms': '-1' } },
    { topic: base.topics.reviews, partitions, replicationFactor: 1, config: { 'retention.ms': '-1' } },
  ]);
  cleanup.push(base.topics.orders, base.topics.reviews);
  const produced = await produceEvents(kafka, firstEvents(), {
    ordersTopic: base.topics.orders,
    reviewsTopic: base.topics.reviews,
    codecs: { orders: codec, reviews: codec },
    registry: registry ? createRegistrySource({ url: registry, username: null, password: null }) : null,
    batchSize: 5_000,
  });
  const count = produced.orders + produced.reviews;
  for (const mode of ['at-least-once', 'transactional', 'transactional-tasks'] as const) {
    const config = configFor(mode);
    cleanup.push(config.topics.alerts, config.topics.deadLetters, config.topics.state);
    const service = await startService(config, { logger: silent });
    const tasks = mode === 'transactional-tasks' ? partitions : 1;
    let first = 0;
    for (;;) {
      const all = service.runner.engines.map((e) => e.stats());
      const eventsIn = all.reduce((n, s) => n + s.eventsIn, 0);
      if (first === 0 && eventsIn > 0) first = performance.now();
      const final = all.every((s) => s.maxEventTime !== null && s.watermark === s.maxEventTime - config.engine.allowedDisorderMs);
      if (all.length === tasks && eventsIn >= count && final) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - first - config.idlePartitionMs;
    await service.stop();
    console.log(`${mode.padEnd(19)}: ${count} events (${codec}, ${partitions} partitions, checkpoint every ${config.checkpoint.intervalMs} ms / ${config.checkpoint.maxEvents} records), first record to final watermark ${sec(ms)} s = ${Math.round((count * 1000) / ms).toLocaleString('en-US')} events/s`);
  }
}

await admin.deleteTopics(cleanup).catch(() => undefined);
await producer.disconnect();
await admin.disconnect();
