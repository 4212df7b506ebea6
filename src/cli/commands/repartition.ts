/**
 * `brushwatch repartition`: the repartition stage alone, as its own process. It re-keys the raw
 * input topics (--orders-topic, --reviews-topic) by sellerId into <group-id>-orders-by-seller and
 * <group-id>-reviews-by-seller, exactly-once; point `brushwatch run` at those (docs/scale-out.md).
 * Same settings as `run` (flags > BRUSHWATCH_… env > --config file).
 */
import type { Command } from 'commander';
import { SETTINGS, loadServiceConfig } from '../../config.js';
import { createKafkaClient } from '../../io/kafka/client.js';
import { Repartitioner, internalTopics } from '../../service/repartition.js';
import { createLogger } from '../../service/service.js';

/** Settings the stage reads; the rest of `run`'s (HTTP, checkpoint, alerts) mean nothing here. */
const STAGE_SETTINGS = new Set(['kafka', 'registry', 'topics.orders', 'topics.reviews', 'topics.deadLetters', 'topics.create', 'topics.partitions', 'topics.replicationFactor', 'codecs.orders', 'codecs.reviews', 'repartition', 'groupId', 'shutdownTimeoutMs', 'logLevel']);

export function register(program: Command): void {
  const cmd = program
    .command('repartition')
    .description('re-key raw orders/reviews topics by sellerId into <group-id>-orders-by-seller / -reviews-by-seller, exactly-once')
    .option('--config <file>', 'JSON config file (also $BRUSHWATCH_CONFIG)');
  const stage = SETTINGS.filter((s) => STAGE_SETTINGS.has(s.path[0] as string) || STAGE_SETTINGS.has(s.path.join('.')));
  for (const s of stage) cmd.option(s.type === 'bool' ? `--${s.flag} [bool]` : `--${s.flag} <${s.type === 'list' ? 'list' : 'value'}>`, `${s.help} (${s.env})`);
  cmd.action(async (opts: Record<string, unknown>) => {
    const flags = Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, v === true ? 'true' : v]));
    // Alerts are not written by the stage: a json alerts codec keeps the registry optional for JSON input.
    const config = loadServiceConfig({ flags: { alertsCodec: 'json', ...flags }, env: process.env, file: opts['config'] as string | undefined });
    const logger = createLogger(config);
    const kafka = createKafkaClient(config.kafka, logger);
    const stage = new Repartitioner({ config, kafka, logger });
    let exiting = false;
    const stop = (reason: string, code: number) => {
      if (exiting) return;
      exiting = true;
      logger.info({ reason }, 'stopping the repartition stage');
      stage.stop().then(
        () => {
          logger.flush();
          process.exit(code);
        },
        (err: unknown) => {
          logger.error({ err }, 'repartition shutdown failed');
          logger.flush();
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM', 0));
    process.on('SIGINT', () => stop('SIGINT', 0));
    stage.done.catch((err: unknown) => {
      logger.fatal({ err }, 'the repartition stage died');
      stop('stage-died', 1);
    });
    await stage.start();
    const internal = internalTopics(config.groupId);
    process.stderr.write(`repartition: ${config.topics.orders}, ${config.topics.reviews} → ${internal.orders}, ${internal.reviews}; run with --orders-topic ${internal.orders} --reviews-topic ${internal.reviews}\n`);
  });
}
