/**
 * The `--to-kafka` mode of `brushwatch simulate`: the seeded events go to the input topics
 * (keyed by sellerId, record timestamp = eventTime, Avro or JSON per topic) instead of files.
 * Kafka settings come from the same flags / BRUSHWATCH_… env vars as `run`.
 */
import type { Command } from 'commander';
import { SETTINGS, loadServiceConfig } from '../config.js';
import { createKafkaClient } from '../io/kafka/client.js';
import { createRegistrySource } from '../io/kafka/codec.js';
import { produceEvents } from '../io/kafka/produce.js';
import { createLogger } from '../service/service.js';
import { simulate } from '../sim/simulator.js';
import type { Scenario } from '../sim/scenarios.js';

const SIMULATE_SETTINGS = new Set(['kafka', 'registry', 'topics.orders', 'topics.reviews', 'topics.create', 'topics.partitions', 'topics.replicationFactor', 'codecs.orders', 'codecs.reviews']);

export function addToKafkaOptions(cmd: Command): Command {
  cmd.option('--to-kafka', 'produce the events to the input topics instead of writing --out');
  for (const s of SETTINGS) {
    const key = s.path.join('.');
    if (!SIMULATE_SETTINGS.has(s.path[0] as string) && !SIMULATE_SETTINGS.has(key)) continue;
    cmd.option(s.type === 'bool' ? `--${s.flag} [bool]` : `--${s.flag} <value>`, `with --to-kafka: ${s.help} (${s.env})`);
  }
  return cmd;
}

/** Produces the scenario; returns the summary line for stdout. */
export async function simulateToKafka(scenario: Scenario, seed: number, opts: Record<string, unknown>): Promise<string> {
  const started = performance.now();
  const flags = Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, v === true ? 'true' : v]));
  const config = loadServiceConfig({ flags: { ...flags, alertsCodec: 'json', logLevel: 'warn' }, env: process.env });
  const kafka = createKafkaClient(config.kafka, createLogger(config));
  const { topics } = config;
  if (topics.create) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const spec = { partitions: topics.partitions, replicationFactor: topics.replicationFactor };
      await admin.ensureTopics([{ topic: topics.orders, ...spec }, { topic: topics.reviews, ...spec }]);
    } finally {
      await admin.disconnect();
    }
  }
  const registry = config.registry.url === null ? null : createRegistrySource({ url: config.registry.url, username: config.registry.username, password: config.registry.password });
  const n = await produceEvents(kafka, simulate(scenario, seed), {
    ordersTopic: topics.orders,
    reviewsTopic: topics.reviews,
    codecs: { orders: config.codecs.orders, reviews: config.codecs.reviews },
    registry,
  });
  const secs = (performance.now() - started) / 1000;
  return `simulate: scenario ${scenario.name} seed ${seed}: ${n.orders} orders → ${topics.orders} (${config.codecs.orders}), ${n.reviews} reviews → ${topics.reviews} (${config.codecs.reviews}) in ${secs.toFixed(1)} s, ${Math.round((n.orders + n.reviews) / secs)} events/s\n`;
}
