/**
 * The live service on the real broker: a simulated marketplace produced to the input topics
 * (keyed by seller, 4 partitions) gives exactly the alerts of the file replay of the same events;
 * /metrics passes promtool; /readyz flips.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/config.js';
import type { MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { startService } from '../../src/service/service.js';
import type { Service } from '../../src/service/service.js';
import { withTimeout, waitUntil } from './helpers/timeout.js';
import { client, createTopics, drained, deleteTopics, fileReplayAlerts, produce, readAlerts, silent, sortAlerts, testConfig, eventsWithAlerts } from './service-support.js';

describe('brushwatch run on a real broker', () => {
  let config: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let service: Service | undefined;
  let events: MarketEvent[];

  before(async () => {
    config = testConfig();
    events = eventsWithAlerts(config.engine);
    kafka = client(config);
    await createTopics(kafka, config);
    await withTimeout(produce(kafka, config, events), 60_000, 'producing the scenario');
  });

  after(async () => {
    if (service !== undefined) await withTimeout(service.stop(), 30_000, 'stopping the service').catch(() => undefined);
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
  });

  it('publishes exactly the alerts of the file replay, and /readyz, /metrics behave', async (t) => {
    service = await withTimeout(startService(config, { logger: silent }), 60_000, 'starting the service');
    const base = `http://127.0.0.1:${service.port}`;
    const engine = () => service!.runner.currentEngine.stats();
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000, '/readyz 200 after the group join');

    await drained(service!, events.length, config);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    const problems = `${promtool.stdout}${promtool.stderr}`
      .split('\n')
      .filter((l) => l.trim().length > 0 && !/nodejs_active_(handles|requests|resources)_total/.test(l));
    assert.deepEqual(problems, [], `promtool check metrics: ${problems.join('\n')}`);
    assert.match(metrics, /brushwatch_ready 1/);
    assert.match(metrics, new RegExp(`brushwatch_events_consumed_total\\{topic="${config.topics.orders}",kind="order"\\} \\d+`));

    const stopping = service.stop();
    assert.equal((await fetch(`${base}/readyz`).catch(() => null))?.status ?? 503, 503, '/readyz 503 while shutting down');
    await withTimeout(stopping, 30_000, 'graceful stop');

    assert.equal(engine().late, 0, 'no event within the allowed disorder is late on Kafka either');
    const live = await readAlerts(kafka, config);
    const file = await fileReplayAlerts(events, config);
    assert.ok(file.length > 0, 'the scenario must produce alerts, or the comparison proves nothing');
    t.diagnostic(`${events.length} events (${config.codecs.orders}) → ${live.length} alerts on Kafka, ${file.length} from the file replay`);
    assert.deepEqual(sortAlerts(live), sortAlerts(file));
  });
});

describe('brushwatch run, transactional checkpoints', () => {
  let config: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let service: Service | undefined;

  before(async () => {
    config = testConfig({ checkpointMode: 'transactional' });
    kafka = client(config);
    await createTopics(kafka, config);
  });

  after(async () => {
    if (service !== undefined) await withTimeout(service.stop(), 30_000, 'stopping the service').catch(() => undefined);
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
  });

  it('commits alerts and offsets in transactions; read_committed sees the file replay alerts', async (t) => {
    const events = eventsWithAlerts(config.engine);
    await withTimeout(produce(kafka, config, events), 60_000, 'producing the scenario');
    service = await withTimeout(startService(config, { logger: silent }), 60_000, 'starting the service');
    await drained(service, events.length, config);
    await withTimeout(service.stop(), 30_000, 'graceful stop');
    const txns = await service.registry.getSingleMetricAsString('brushwatch_transactions_total');
    const committed = Number(/result="committed"\} (\d+)/.exec(txns)?.[1]);
    assert.ok(committed > 0, txns);
    assert.match(txns, /result="aborted"\} 0/);

    const live = await readAlerts(kafka, config);
    const file = await fileReplayAlerts(events, config);
    t.diagnostic(`${committed} transactions, ${live.length} alerts on Kafka, ${file.length} from the file replay`);
    assert.ok(file.length > 0);
    assert.deepEqual(sortAlerts(live), sortAlerts(file));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.committedOffsets(config.groupId, [config.topics.orders, config.topics.reviews]);
      const ranges = [...(await admin.partitionRanges(config.topics.orders)).map((r) => ({ topic: config.topics.orders, ...r })), ...(await admin.partitionRanges(config.topics.reviews)).map((r) => ({ topic: config.topics.reviews, ...r }))];
      for (const r of ranges) {
        const o = offsets.find((x) => x.topic === r.topic && x.partition === r.partition);
        assert.equal(o?.offset ?? '-1', r.high === '0' ? '-1' : r.high, `committed offset of ${r.topic}/${r.partition}`);
      }
    } finally {
      await admin.disconnect();
    }
  });
});
