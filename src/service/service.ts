/**
 * Wires the live service together: logger, metrics registry, Kafka client, schema registry,
 * run loop and HTTP server. `brushwatch run` and the integration tests start it the same way.
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { REDACT_PATHS } from '../config.js';
import type { ServiceConfig } from '../config.js';
import { createKafkaClient } from '../io/kafka/client.js';
import type { KafkaClient } from '../io/kafka/client.js';
import { SchemaCache, createRegistrySource, watchSchemaSource } from '../io/kafka/codec.js';
import { createHttpServer } from './http.js';
import { createMetrics } from './metrics.js';
import { Repartitioner, repartitionedConfig } from './repartition.js';
import { Runner } from './runner.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function createLogger(config: Readonly<ServiceConfig>, destination?: NodeJS.WritableStream): Logger {
  const options = { level: config.logLevel, redact: { paths: [...REDACT_PATHS], censor: '[redacted]' }, base: { service: 'brushwatch' } };
  return destination ? pino(options, destination) : pino(options);
}

export interface Service {
  readonly runner: Runner;
  readonly registry: Registry;
  /** The bound HTTP port. */
  readonly port: number;
  /** Graceful stop of the run loop, then the HTTP server; bounded by shutdownTimeoutMs. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  readonly logger?: Logger;
  readonly kafka?: KafkaClient;
}

export async function startService(config: Readonly<ServiceConfig>, options: ServiceOptions = {}): Promise<Service> {
  const logger = options.logger ?? createLogger(config);
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: VERSION });
  const kafka = options.kafka ?? createKafkaClient(config.kafka, logger);
  // Input not keyed by seller: the repartition stage re-keys it, the run loop reads its output.
  const repartition = config.input.keyedBySeller ? null : new Repartitioner({ config, kafka, logger });
  const runConfig = repartition === null ? config : repartitionedConfig(config);
  // Series exist at 0 before the first record, so rate() sees the first burst.
  metrics.consumed(runConfig.topics.orders, 'order');
  metrics.consumed(runConfig.topics.reviews, 'review');
  const source =
    config.registry.url === null
      ? null
      : watchSchemaSource(createRegistrySource({ url: config.registry.url, username: config.registry.username, password: config.registry.password }));
  const runner = new Runner({
    config: runConfig,
    engineConfig: config.engine,
    kafka,
    schemas: source === null ? null : { source, cache: new SchemaCache(source) },
    metrics,
    logger,
  });
  const http = createHttpServer({ host: config.http.host, port: config.http.port, registry, readiness: () => runner.readiness() });
  const port = await http.start();
  logger.info({ port, config }, 'brushwatch starting');
  try {
    await repartition?.start();
    await runner.start();
  } catch (err) {
    await runner.stop().catch(() => undefined);
    await repartition?.stop().catch(() => undefined);
    await http.stop();
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    runner,
    registry,
    port,
    stop() {
      stopping ??= runner
        .stop()
        .finally(() => repartition?.stop())
        .finally(() => http.stop());
      return stopping;
    },
  };
}
