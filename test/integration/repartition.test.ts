/**
 * Unkeyed input through the repartition stage, on the real broker: the same simulated scenario
 * produced (a) keyed by sellerId to the input topics and (b) to raw topics with orders keyed by
 * orderId and reviews without key, through `run` with `input.keyedBySeller: false` (the stage
 * in-process, the run loop reading its internal topics read_committed), gives the same alerts.
 * The internal topics hold each raw record once, byte for byte, keyed by its sellerId; a poison
 * record goes to the dead-letter topic with the run loop's headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import type { ServiceConfig } from '../../src/config.js';
import { parseEngineConfig } from '../../src/engine/index.js';
import type { MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient, OutRecord } from '../../src/io/kafka/client.js';
import { createEventEncoder } from '../../src/io/kafka/codec.js';
import { internalTopics } from '../../src/service/repartition.js';
import { DLQ_HEADERS } from '../../src/service/runner.js';
import { startService } from '../../src/service/service.js';
import type { Service } from '../../src/service/service.js';
import { createTopics as createRawTopics, deleteTopics as deleteRawTopics, disconnectAll, kafka as rawKafka, readTopic } from './helpers/kafka.js';
import { withTimeout, waitUntil } from './helpers/timeout.js';
import { client, createTopics, deleteTopics, eventsWithAlerts, produce, readAlerts, registrySource, silent, sortAlerts, testConfig } from './service-support.js';

/**
 * Records of different raw partitions reach a seller's internal partition in the order the stage
 * processed their batches: disorder of about one raw batch's time span, added to the event's own.
 * The raw topics are written in small sends and read in small fetches; the scenario keeps only
 * events within SCENARIO_DISORDER_MS of the file order, and the runs allow twice that.
 */
const SCENARIO_DISORDER_MS = 6 * 3_600_000;
const ALLOWED_DISORDER_MS = 2 * SCENARIO_DISORDER_MS;
const RAW_SEND = 40;
const COMMON = { idlePartitionMs: '3000' };

function withDisorder(c: Readonly<ServiceConfig>): Readonly<ServiceConfig> {
  return { ...c, engine: parseEngineConfig({ allowedDisorderMs: ALLOWED_DISORDER_MS }) };
}

/** The events as the platform might publish them unkeyed: orders keyed by orderId, reviews without key, a trace header each. */
async function produceRaw(kafka: KafkaClient, c: Readonly<ServiceConfig>, events: readonly MarketEvent[], poison: Buffer): Promise<void> {
  const registry = registrySource(c);
  const orders = await createEventEncoder('order', c.codecs.orders, c.topics.orders, registry);
  const reviews = await createEventEncoder('review', c.codecs.reviews, c.topics.reviews, registry);
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send([{ topic: c.topics.orders, messages: [{ key: 'poison', value: poison, headers: { trace: 'poison' } }] }]);
    for (let i = 0; i < events.length; i += RAW_SEND) {
      const o: OutRecord[] = [];
      const r: OutRecord[] = [];
      for (const e of events.slice(i, i + RAW_SEND)) {
        const headers = { trace: `t-${e.eventId}` };
        if (e.kind === 'order') o.push({ key: e.orderId, value: orders.encode(e), headers, timestamp: String(e.eventTime) });
        else r.push({ key: null, value: reviews.encode(e), headers, timestamp: String(e.eventTime) });
      }
      await producer.send([
        { topic: c.topics.orders, messages: o },
        { topic: c.topics.reviews, messages: r },
      ]);
    }
  } finally {
    await producer.disconnect();
  }
}

/** Runs the service over what is in its input until every event is in and the watermark is final; returns its alerts and stats. */
async function runToEnd(c: Readonly<ServiceConfig>, kafka: KafkaClient, events: number, started: (s: Service) => void) {
  const service = await withTimeout(startService(c, { logger: silent }), 60_000, 'starting the service');
  started(service);
  const engine = () => service.runner.currentEngine.stats();
  await waitUntil(
    () => {
      const s = engine();
      return s.eventsIn >= events && s.maxEventTime !== null && s.watermark === s.maxEventTime - c.engine.allowedDisorderMs;
    },
    180_000,
    'all events consumed and the watermark at max − disorder',
  );
  await withTimeout(service.stop(), 30_000, 'graceful stop');
  return { alerts: await readAlerts(kafka, c), stats: engine() };
}

describe('repartition stage on a real broker', () => {
  let keyed: Readonly<ServiceConfig>;
  let unkeyed: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let raw: Kafka;
  let events: MarketEvent[];
  const services: Service[] = [];
  const poison = Buffer.from('{not an event');

  before(async () => {
    keyed = withDisorder(testConfig(COMMON));
    unkeyed = withDisorder(testConfig({ ...COMMON, inputKeyedBySeller: 'false', repartitionMaxBytesPerPartition: '4096', repartitionMaxSkewMs: String(3_600_000) }));
    events = eventsWithAlerts(parseEngineConfig({ allowedDisorderMs: SCENARIO_DISORDER_MS }));
    kafka = client(keyed);
    raw = rawKafka();
    // Simulated events carry January 2026 timestamps: with the broker's 7-day time retention,
    // topics of a later wall clock lose them at the next retention check (seen: a raw topic
    // emptied within minutes). Created here without time retention; the rest as usual.
    const admin = raw.admin();
    await admin.connect();
    try {
      const forever = [{ name: 'retention.ms', value: '-1' }];
      const topics = [keyed, unkeyed].flatMap((c) => [c.topics.orders, c.topics.reviews, c.topics.alerts, c.topics.deadLetters]);
      await createRawTopics(admin, topics.map((topic) => ({ topic, numPartitions: keyed.topics.partitions, configEntries: forever })));
    } finally {
      await disconnectAll(admin);
    }
    await createTopics(kafka, keyed);
    await createTopics(kafka, unkeyed);
    await withTimeout(produce(kafka, keyed, events), 60_000, 'producing the keyed input');
    await withTimeout(produceRaw(kafka, unkeyed, events, poison), 120_000, 'producing the raw input');
  });

  after(async () => {
    await Promise.allSettled(services.map((s) => withTimeout(s.stop(), 30_000, 'stopping a service')));
    await withTimeout(deleteTopics(kafka, keyed), 30_000, 'deleting topics').catch(() => undefined);
    await withTimeout(deleteTopics(kafka, unkeyed), 30_000, 'deleting topics').catch(() => undefined);
    const admin = raw.admin();
    await admin.connect();
    const internal = internalTopics(unkeyed.groupId);
    await deleteRawTopics(admin, [internal.orders, internal.reviews]).catch(() => undefined);
    await disconnectAll(admin);
  });

  it('gives the alerts of the keyed input, copies every record once byte for byte, dead-letters the poison', async (t) => {
    const a = await runToEnd(keyed, kafka, events.length, (s) => services.push(s));
    const b = await runToEnd(unkeyed, kafka, events.length, (s) => services.push(s));
    t.diagnostic(`${events.length} events → keyed ${a.alerts.length} alerts, through the stage ${b.alerts.length}`);
    assert.ok(a.alerts.length > 0, 'the scenario must produce alerts, or the comparison proves nothing');
    for (const [name, s] of [['keyed', a.stats], ['repartitioned', b.stats]] as const) {
      assert.equal(s.late, 0, `${name}: no event late`);
      assert.equal(s.eventsIn, events.length, `${name}: every event read exactly once`);
    }
    assert.equal(b.stats.duplicates, a.stats.duplicates, 'the stage adds no duplicates');
    assert.deepEqual(sortAlerts(b.alerts), sortAlerts(a.alerts));

    // The internal topics: each raw value once, headers kept, keyed by the value's sellerId.
    const internal = internalTopics(unkeyed.groupId);
    const copies = [...(await readTopic(raw, internal.orders, { timeoutMs: 60_000 })), ...(await readTopic(raw, internal.reviews, { timeoutMs: 60_000 }))];
    assert.equal(copies.length, events.length);
    const byTrace = new Map(events.map((e) => [`t-${e.eventId}`, e]));
    const seen = new Map<string, number>();
    for (const m of copies) {
      const trace = m.headers?.['trace']?.toString() ?? '';
      const e = byTrace.get(trace);
      assert.ok(e !== undefined, `a copy with trace header ${trace}`);
      assert.equal(m.key?.toString(), e.sellerId);
      seen.set(trace, (seen.get(trace) ?? 0) + 1);
    }
    const rawValues = [...(await readTopic(raw, unkeyed.topics.orders)), ...(await readTopic(raw, unkeyed.topics.reviews))]
      .filter((m) => m.headers?.['trace']?.toString() !== 'poison')
      .map((m) => m.value?.toString('base64'))
      .sort();
    assert.deepEqual(copies.map((m) => m.value?.toString('base64')).sort(), rawValues, 'values byte for byte');
    // Events the scenario duplicates share a trace header; each raw record is still copied once.
    const rawTraces = new Map<string, number>();
    for (const e of events) rawTraces.set(`t-${e.eventId}`, (rawTraces.get(`t-${e.eventId}`) ?? 0) + 1);
    assert.deepEqual(seen, rawTraces);

    const dlq = await readTopic(raw, unkeyed.topics.deadLetters, { timeoutMs: 60_000 });
    assert.equal(dlq.length, 1, 'only the poison record is dead-lettered');
    const d = dlq[0]!;
    assert.equal(d.value?.toString(), poison.toString());
    assert.equal(d.key?.toString(), 'poison');
    assert.equal(d.headers?.[DLQ_HEADERS.reason]?.toString(), unkeyed.codecs.orders === 'avro' ? 'WRONG_MAGIC_BYTE' : 'BAD_JSON');
    assert.equal(d.headers?.[DLQ_HEADERS.topic]?.toString(), unkeyed.topics.orders);
    assert.equal(d.headers?.[DLQ_HEADERS.offset]?.toString(), '0');
  });
});
