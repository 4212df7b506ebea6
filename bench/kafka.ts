/**
 * End-to-end throughput of `brushwatch run` against a pre-filled topic, beside a kafkajs consumer
 * that does nothing with the same records, in the same run on the same broker.
 *
 *   npx tsx bench/kafka.ts [events=100000] [partitions=6]
 *
 * Broker from KAFKA_BROKERS or .kafka/brokers (scripts/kafka-local.sh start); Avro through
 * SCHEMA_REGISTRY_URL / .kafka/registry-url when there is one, JSON otherwise. Both consumers
 * are timed from start (connect + group join included) until every record was handed over.
 */
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { createKafkaClient } from '../src/io/kafka/client.js';
import { createRegistrySource } from '../src/io/kafka/codec.js';
import { produceEvents } from '../src/io/kafka/produce.js';
import { startService } from '../src/service/service.js';
import { StateStore } from '../src/service/state-store.js';
import { createSimulation } from '../src/sim/simulator.js';
import { SCENARIOS } from '../src/sim/scenarios.js';
import { benchServiceConfig, brokers, codec, registry, tag } from './broker.js';

const total = Number(process.argv[2] ?? 100_000);
const partitions = Number(process.argv[3] ?? 6);
const silent = pino({ level: 'silent' });

const config = benchServiceConfig(partitions, 'run');
const kafka = createKafkaClient(config.kafka, silent);
const admin = kafka.admin();
await admin.connect();
const spec = { partitions, replicationFactor: 1 };
await admin.ensureTopics([
  { topic: config.topics.orders, ...spec },
  { topic: config.topics.reviews, ...spec },
  { topic: config.topics.alerts, ...spec },
  { topic: config.topics.deadLetters, ...spec },
  StateStore.topicSpec(config.topics.state, 1),
]);

function* firstEvents() {
  let n = 0;
  for (const e of createSimulation(SCENARIOS.medium, 1).events()) {
    if (n++ >= total) return;
    yield e;
  }
}
let t = performance.now();
const produced = await produceEvents(kafka, firstEvents(), {
  ordersTopic: config.topics.orders,
  reviewsTopic: config.topics.reviews,
  codecs: { orders: codec, reviews: codec },
  registry: registry ? createRegistrySource({ url: registry, username: null, password: null }) : null,
  batchSize: 5_000,
});
const count = produced.orders + produced.reviews;
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');
console.log(`pre-filled ${count} events (${codec}, ${partitions} partitions, medium scenario) in ${((performance.now() - t) / 1000).toFixed(1)} s (simulate + encode + produce)`);

// 1. A kafkajs consumer that does nothing but resolve offsets.
const raw = new Kafka({ clientId: 'bench-noop', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const noop = raw.consumer({ groupId: `bench-noop-${tag}`, maxWaitTimeInMs: 500 });
let seen = 0;
let noopFirst = 0;
let done: () => void = () => {};
const finished = new Promise<void>((r) => (done = r));
t = performance.now();
await noop.connect();
await noop.subscribe({ topics: [config.topics.orders, config.topics.reviews], fromBeginning: true });
await noop.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    if (seen === 0) noopFirst = performance.now();
    seen += batch.messages.length;
    if (seen >= count) done();
  },
});
await finished;
const noopEnd = performance.now();
const noopMs = noopEnd - t;
const noopStream = noopEnd - noopFirst;
await noop.disconnect();

// 2. brushwatch run: decode, validate, engine, watermarks, checkpoints (alerts + offsets).
t = performance.now();
const service = await startService(config, { logger: silent });
const engine = () => service.runner.currentEngine.stats();
let runFirst = 0;
// Done when every record is ingested and the watermark reached max − allowed disorder: all
// closed buckets evaluated (their alerts are checkpointed within checkpoint.intervalMs).
for (;;) {
  const s = engine();
  if (runFirst === 0 && s.eventsIn > 0) runFirst = performance.now();
  if (s.eventsIn >= count && s.maxEventTime !== null && s.watermark === s.maxEventTime - config.engine.allowedDisorderMs) break;
  await new Promise((r) => setTimeout(r, 10));
}
const runEnd = performance.now();
const runMs = runEnd - t;
// The last 250 ms are the idle-partition wait that lets the watermark reach the end.
const runStream = runEnd - runFirst - config.idlePartitionMs;
const stats = engine();
await service.stop();

console.log(`kafkajs consumer doing nothing : ${count} events, ${(noopMs / 1000).toFixed(2)} s with join = ${rate(count, noopMs)} events/s; first to last record ${(noopStream / 1000).toFixed(2)} s = ${rate(count, noopStream)} events/s`);
console.log(`brushwatch run (end to end)    : ${count} events, ${(runMs / 1000).toFixed(2)} s with join = ${rate(count, runMs)} events/s; first record to final watermark ${(runStream / 1000).toFixed(2)} s = ${rate(count, runStream)} events/s`);
console.log(`  engine: ${stats.accepted} accepted, ${stats.duplicates} duplicates, ${stats.late} late, ${stats.sellersTracked} sellers, ${stats.alerts.OPEN + stats.alerts.UPDATE + stats.alerts.RESOLVE} alerts`);

await admin.deleteTopics([config.topics.orders, config.topics.reviews, config.topics.alerts, config.topics.deadLetters, config.topics.state]).catch(() => undefined);
await admin.disconnect();
