/**
 * Scale-out 1 → 3 → 1 with exactly-once: real `brushwatch run` OS processes in transactional mode
 * over ~120k events on 6 partitions keyed by sellerId. Seller instances (role `sellers`, one group,
 * one task per partition) come and go while the input arrives; one ring instance (role `rings`,
 * its own group and state topic, orders only) runs throughout. The alerts topic, read
 * read_committed, must equal the file replay alert for alert: none lost, none doubled.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';
import type { ServiceConfig } from '../../src/config.js';
import { Engine } from '../../src/engine/index.js';
import type { Alert, MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { StateStore } from '../../src/service/state-store.js';
import { createSimulation } from '../../src/sim/simulator.js';
import { SCENARIOS } from '../../src/sim/scenarios.js';
import { uniqueName } from './helpers/kafka.js';
import { ServiceProcess, freePort, stopAllServices } from './helpers/process.js';
import { withTimeout } from './helpers/timeout.js';
import { client, configEnv, deleteTopics, fileReplayAlerts, produce, readAlerts, sortAlerts, testConfig } from './service-support.js';

const PARTITIONS = 6;
const EVENTS = 120_000;
/** Produced every PAUSE_MS: ~2.5k events/s, so the input takes ~50 s to arrive. */
const CHUNK = 1_000;
const PAUSE_MS = 400;
/** Events each joining instance must have processed before the scale-down. */
const SHARE = 3_000;

/** The first EVENTS events of the `small` scenario, minus those the file replay finds late (tinyEvents in service-support.ts). */
function scenarioEvents(config: Readonly<ServiceConfig>): MarketEvent[] {
  const engine = new Engine(config.engine);
  return [...createSimulation(SCENARIOS.small, 1).events()].slice(0, EVENTS).filter((e) => {
    const outcome = engine.ingest(e).outcome;
    engine.drainAlerts();
    return outcome !== 'late';
  });
}

/** Per input partition, the latest event time: the producers' murmur2 placement of the sellerId key. */
function lastEventTimes(events: readonly MarketEvent[]): number[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0] }) as PartitionMetadata);
  const last = new Array<number>(PARTITIONS).fill(-Infinity);
  for (const e of events) {
    const p = partitioner({ topic: 'orders', partitionMetadata, message: { key: e.sellerId, value: null } });
    last[p] = Math.max(last[p] ?? -Infinity, e.eventTime);
  }
  return last;
}

describe('scale-out 1 → 3 → 1 instances (transactional, per-partition tasks, one ring instance)', () => {
  let kafka: KafkaClient | null = null;
  let config: Readonly<ServiceConfig> | null = null;
  let ringState = '';

  after(async () => {
    await withTimeout(stopAllServices(), 30_000, 'stopping services').catch(() => undefined);
    if (kafka !== null && config !== null) {
      await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics([ringState]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('alerts on Kafka (read_committed) equal the file replay while sellers instances join, stop and crash', { timeout: 10 * 60_000 }, async (t) => {
    // idlePartitionMs above the producer's pause and the join of an instance (see `producing`).
    config = testConfig({ topicPartitions: String(PARTITIONS), checkpointMode: 'transactional', checkpointIntervalMs: '500', idlePartitionMs: '5000', logLevel: 'info' });
    kafka = client(config);
    ringState = uniqueName('state-rings');
    const admin = kafka.admin();
    await admin.connect();
    try {
      // Input kept forever: the simulated event times are months old (see eos-crash.test.ts).
      const input = { partitions: PARTITIONS, replicationFactor: 1, config: { 'retention.ms': '-1' } };
      const out = { partitions: PARTITIONS, replicationFactor: 1 };
      await admin.ensureTopics([
        { topic: config.topics.orders, ...input },
        { topic: config.topics.reviews, ...input },
        { topic: config.topics.alerts, ...out },
        { topic: config.topics.deadLetters, ...out },
        StateStore.topicSpec(config.topics.state, 1, PARTITIONS),
        StateStore.topicSpec(ringState, 1, PARTITIONS),
      ]);
    } finally {
      await admin.disconnect();
    }
    const events = scenarioEvents(config);
    assert.ok(events.length >= 100_000, `the run must have at least 100k events, has ${events.length}`);
    const disorder = config.engine.allowedDisorderMs;
    const maxTime = events.reduce((m, e) => Math.max(m, e.eventTime), -Infinity);
    const last = lastEventTimes(events);
    // A seller task's watermark ends at its own partitions' latest event − disorder, the ring
    // instance's (orders only) at the latest order's, so each decides the buckets up to there:
    // compare what every task and the file replay decided.
    const maxOrderTime = events.reduce((m, e) => (e.kind === 'order' ? Math.max(m, e.eventTime) : m), -Infinity);
    const cut = Math.min(maxTime - disorder, maxOrderTime, ...last);
    assert.ok(cut >= maxTime - disorder - 60 * 60_000, `every partition must carry events near the end (latest per partition: ${last.join(', ')})`);
    const file = (await fileReplayAlerts(events, config)).filter((a) => a.detectedAt <= cut);
    assert.ok(file.some((a) => a.scope === 'SELLER') && file.some((a) => a.scope === 'RING'), 'the scenario must produce seller and ring alerts');

    const base = { ...configEnv(config), BRUSHWATCH_LOG_LEVEL: 'info' };
    const sellers = async (): Promise<ServiceProcess> => {
      const port = await freePort();
      return ServiceProcess.start({ env: { ...base, BRUSHWATCH_ROLE: 'sellers' }, httpPort: port });
    };
    const ringPort = await freePort();
    const ring = ServiceProcess.start({ env: { ...base, BRUSHWATCH_ROLE: 'rings', BRUSHWATCH_GROUP_ID: `${config.groupId}-rings`, BRUSHWATCH_TOPICS_STATE: ringState }, httpPort: ringPort });
    const fail = (procs: readonly ServiceProcess[]) => (err: unknown) => {
      throw new Error(`${(err as Error).message}\n${procs.map((p) => p.output().slice(-3000)).join('\n---\n')}`);
    };

    // The input arrives at a steady pace while instances come and go, as a live stream does.
    let produced = 0;
    const producing = (async () => {
      for (let i = 0; i < events.length; i += CHUNK) {
        await produce(kafka!, config!, events.slice(i, i + CHUNK));
        produced = Math.min(events.length, i + CHUNK);
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    })();

    // 1 instance, then 3 sharing the group, then 1 again: one leaves gracefully, one crashes.
    const first = await sellers();
    await first.waitForMetric('brushwatch_events_consumed_total', (v) => v >= events.length * 0.25, { timeoutMs: 120_000 }).catch(fail([first]));
    const second = await sellers();
    const third = await sellers();
    await Promise.all([second, third].map((p) => p.waitForMetric('brushwatch_events_consumed_total', (v) => v >= SHARE, { timeoutMs: 120_000 }))).catch(fail([first, second, third]));
    const consumed = await Promise.all([first, second, third].map((p) => p.metric('brushwatch_events_consumed_total')));
    const at = produced;
    const stopped = await second.terminate(30_000);
    assert.equal(stopped.code, 0, second.output().slice(-4000));
    await third.kill();
    await producing;
    t.diagnostic(`${events.length} events; 3 instances from ${consumed[0]} consumed by the first; 2 stopped at ${at} produced, having consumed ${consumed[1]} and ${consumed[2]}`);
    assert.ok(at < events.length, 'the scale-down must happen while the input still arrives');

    const sellerWm = (Math.min(...last) - disorder) / 1000;
    await first.waitForMetric('brushwatch_watermark_seconds', (v) => v === sellerWm, { timeoutMs: 180_000 }).catch(fail([first, third]));
    await first.waitForMetric('brushwatch_consumer_lag_messages', (v) => v === 0, { timeoutMs: 60_000 }).catch(fail([first]));
    await ring.waitForMetric('brushwatch_watermark_seconds', (v) => v === (maxOrderTime - disorder) / 1000, { timeoutMs: 180_000 }).catch(fail([ring]));
    await ring.waitForMetric('brushwatch_consumer_lag_messages', (v) => v === 0, { timeoutMs: 60_000 }).catch(fail([ring]));
    const late = [await first.metric('brushwatch_events_late_total'), await ring.metric('brushwatch_events_late_total')];
    for (const p of [first, ring]) assert.equal((await p.terminate(30_000)).code, 0, p.output().slice(-4000));

    const live = await readAlerts(kafka, config);
    assert.equal(new Set(live.map((a) => a.alertId)).size, live.length, 'no alert published twice');
    const comparable = (alerts: readonly Alert[]) => sortAlerts(alerts.filter((a) => a.detectedAt <= cut));
    t.diagnostic(`${live.length} alerts on Kafka (read_committed), ${file.length} from the file replay up to ${new Date(cut).toISOString()} (${file.filter((a) => a.scope === 'RING').length} RING); late events in the last seller instance and the ring instance: ${late.join(', ')}`);
    const ids = (alerts: readonly Alert[]) => new Set(alerts.map((a) => a.alertId));
    const [liveIds, fileIds] = [ids(comparable(live)), ids(file)];
    const summary = (a: Alert) => `${a.scope} ${a.sellerId} ${a.action} ${a.sequence} ${new Date(a.detectedAt).toISOString()}`;
    const diff = [...comparable(live).filter((a) => !fileIds.has(a.alertId)).map((a) => `live only: ${summary(a)}`), ...file.filter((a) => !liveIds.has(a.alertId)).map((a) => `file only: ${summary(a)}`)];
    assert.deepEqual(comparable(live), comparable(file), `${diff.join('\n')}\n${first.output().slice(-4000)}`);
    const lateLines = [first, ring].flatMap((p) => p.output().split('\n').filter((l) => l.includes('late events: behind')));
    assert.deepEqual(late, [0, 0], `no event late in the instances that finished the run\n${lateLines.join('\n')}`);
  });
});
