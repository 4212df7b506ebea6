/**
 * What the broker benchmarks share: the local broker and registry (KAFKA_BROKERS or .kafka/brokers,
 * SCHEMA_REGISTRY_URL or .kafka/registry-url, as scripts/kafka-local.sh writes them), and the
 * service config of one run on fresh `bench-…-<tag>` topics.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadServiceConfig } from '../src/config.js';
import type { ServiceConfig } from '../src/config.js';

const fromFile = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : '');

export const brokers = process.env.KAFKA_BROKERS || fromFile('.kafka/brokers');
export const registry = process.env.SCHEMA_REGISTRY_URL || fromFile('.kafka/registry-url');
if (!brokers) throw new Error('no broker: set KAFKA_BROKERS or run scripts/kafka-local.sh start');
/** Avro through the registry when there is one, JSON otherwise. */
export const codec = registry ? 'avro' : 'json';
/** This run's topics and groups: a bench never reads another run's. */
export const tag = randomBytes(4).toString('hex');

/**
 * A run over the input topics `bench-orders-<tag>` / `bench-reviews-<tag>`; `suffix` separates
 * the outputs and the group of several runs over the same input.
 */
export function benchServiceConfig(partitions: number, suffix: string, flags: Readonly<Record<string, string>> = {}): Readonly<ServiceConfig> {
  return loadServiceConfig({
    env: {},
    flags: {
      brokers,
      ...(registry ? { registryUrl: registry } : {}),
      ordersTopic: `bench-orders-${tag}`,
      reviewsTopic: `bench-reviews-${tag}`,
      alertsTopic: `bench-alerts-${tag}-${suffix}`,
      deadLetterTopic: `bench-dlq-${tag}-${suffix}`,
      stateTopic: `bench-state-${tag}-${suffix}`,
      groupId: `bench-${tag}-${suffix}`,
      ordersCodec: codec,
      reviewsCodec: codec,
      alertsCodec: codec,
      createTopics: 'true',
      topicPartitions: String(partitions),
      httpHost: '127.0.0.1',
      httpPort: '0',
      logLevel: 'warn',
      // Partitions without records (reviews are rare early on) release the watermark quickly, so
      // the run ends with every closed bucket evaluated, not just ingested.
      idlePartitionMs: '250',
      ...flags,
    },
  });
}
