/**
 * Exactly-once across crashes: `brushwatch run` in transactional mode as a real OS process over
 * the `small` simulation (~200k events, 4 partitions keyed by sellerId), SIGKILLed at points
 * drawn from a fixed seed and restarted each time. The alerts topic, read read_committed, must
 * equal the file replay of the same events alert for alert: none lost, none doubled.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/config.js';
import { Engine } from '../../src/engine/index.js';
import type { Alert, MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { createSimulation } from '../../src/sim/simulator.js';
import { SCENARIOS } from '../../src/sim/scenarios.js';
import { rng } from '../helpers/fixtures.js';
import { restartBroker } from './helpers/kafka.js';
import { ServiceProcess, freePort, stopAllServices } from './helpers/process.js';
import { withTimeout } from './helpers/timeout.js';
import { client, configEnv, createTopics, deleteTopics, fileReplayAlerts, produce, readAlerts, sortAlerts, testConfig } from './service-support.js';

const KILLS = 5;
const SEED = 20261127;

/** The scenario's events minus those the file replay finds late (see tinyEvents in service-support.ts). */
function smallEvents(config: Readonly<ServiceConfig>): MarketEvent[] {
  const engine = new Engine(config.engine);
  return [...createSimulation(SCENARIOS.small, 1).events()].filter((e) => {
    const outcome = engine.ingest(e).outcome;
    engine.drainAlerts();
    return outcome !== 'late';
  });
}

let cached: MarketEvent[] | null = null;

/** Fresh topics and group for one run, the events produced, and the file replay to compare with. */
async function setUp(): Promise<{ config: Readonly<ServiceConfig>; kafka: KafkaClient; events: MarketEvent[]; file: Alert[]; finalWm: number }> {
  const config = testConfig({ httpPort: String(await freePort()), checkpointMode: 'transactional', checkpointIntervalMs: '500' });
  const kafka = client(config);
  // The simulated event times are months old and the records carry them as timestamps: with
  // the broker's default retention the input would be deleted as soon as a segment rolls.
  const admin = kafka.admin();
  await admin.connect();
  try {
    const spec = { partitions: config.topics.partitions, replicationFactor: 1, config: { 'retention.ms': '-1' } };
    await admin.ensureTopics([{ topic: config.topics.orders, ...spec }, { topic: config.topics.reviews, ...spec }]);
  } finally {
    await admin.disconnect();
  }
  await createTopics(kafka, config);
  cached ??= smallEvents(config);
  const events = cached;
  assert.ok(events.length >= 200_000, `the run must have at least 200k events, has ${events.length}`);
  await produce(kafka, config, events);
  const file = await fileReplayAlerts(events, config);
  assert.ok(file.length > 0, 'the scenario must produce alerts');
  const maxTime = events.reduce((m, e) => Math.max(m, e.eventTime), -Infinity);
  return { config, kafka, events, file, finalWm: (maxTime - config.engine.allowedDisorderMs) / 1000 };
}

/** Lets the last process finish the input, stops it gracefully and compares the alerts topic with the file replay. */
async function finishAndCompare(t: { diagnostic(m: string): void }, proc: ServiceProcess, run: Awaited<ReturnType<typeof setUp>>, earlier: string): Promise<void> {
  await proc.waitForMetric('brushwatch_watermark_seconds', (v) => v === run.finalWm, { timeoutMs: 600_000 }).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n${proc.output().slice(-6000)}`);
  });
  await proc.waitForMetric('brushwatch_consumer_lag_messages', (v) => v === 0, { timeoutMs: 60_000 });
  const exit = await proc.terminate(30_000);
  assert.equal(exit.code, 0, proc.output().slice(-4000));
  const live = await readAlerts(run.kafka, run.config);
  t.diagnostic(`${live.length} alerts on Kafka (read_committed), ${run.file.length} from the file replay`);
  assert.equal(new Set(live.map((a) => a.alertId)).size, live.length, 'no alert published twice');
  assert.deepEqual(sortAlerts(live), sortAlerts(run.file), `last process:\n${proc.output().slice(-4000)}\nearlier:\n${earlier}`);
}

describe('exactly-once across SIGKILLs and a broker restart (transactional mode, per-seller changelog)', () => {
  const runs: Awaited<ReturnType<typeof setUp>>[] = [];

  after(async () => {
    await withTimeout(stopAllServices(), 30_000, 'stopping services').catch(() => undefined);
    for (const r of runs) await withTimeout(deleteTopics(r.kafka, r.config), 30_000, 'deleting topics').catch(() => undefined);
  });

  it(`${KILLS} SIGKILLs at seeded points: read_committed alerts equal the file replay`, { timeout: 15 * 60_000 }, async (t) => {
    const run = await setUp();
    runs.push(run);
    const { config, events } = run;

    // Kill points, in events consumed by each process since its start (it resumes from the
    // committed offsets, so each one reads some records its predecessor read without committing).
    const r = rng(SEED);
    const points = Array.from({ length: KILLS }, (_, i) => (i === 0 ? 1 + Math.floor(r() * 2_000) : Math.floor(events.length * (0.04 + r() * 0.12))));
    let proc = ServiceProcess.start({ env: { ...configEnv(config), BRUSHWATCH_LOG_LEVEL: 'info' }, httpPort: config.http.port });
    const logs: string[] = [];
    for (const at of points) {
      await proc.waitForMetric('brushwatch_events_consumed_total', (v) => v >= at, { timeoutMs: 180_000 }).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${proc.output().slice(-6000)}`);
      });
      await proc.kill();
      logs.push(proc.output().slice(-2000));
      proc = proc.restart();
    }
    t.diagnostic(`${events.length} events; kill points (events consumed per process): ${points.join(', ')}`);
    await finishAndCompare(t, proc, run, logs.join('\n---\n'));
  });

  it('a broker killed and restarted mid-run: read_committed alerts equal the file replay', { timeout: 15 * 60_000 }, async (t) => {
    const run = await setUp();
    runs.push(run);
    const { config, events } = run;
    const proc = ServiceProcess.start({ env: { ...configEnv(config), BRUSHWATCH_LOG_LEVEL: 'info' }, httpPort: config.http.port });
    await proc.waitForMetric('brushwatch_events_consumed_total', (v) => v >= events.length * 0.3, { timeoutMs: 180_000 });
    restartBroker({ kill: true });
    t.diagnostic(`${events.length} events; broker killed and restarted after ${await proc.metric('brushwatch_events_consumed_total')} consumed`);
    await finishAndCompare(t, proc, run, '');
  });
});
