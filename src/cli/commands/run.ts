/**
 * `brushwatch run`: the live Kafka service. Settings come from flags, BRUSHWATCH_… env vars and
 * an optional JSON file (--config), in that order of precedence (docs/service.md).
 */
import type { Command } from 'commander';
import { SETTINGS, loadServiceConfig } from '../../config.js';
import { createLogger, startService } from '../../service/service.js';

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('consume orders and reviews from Kafka, publish brushing alerts, serve /metrics /livez /readyz')
    .option('--config <file>', 'JSON config file (also $BRUSHWATCH_CONFIG)');
  for (const s of SETTINGS) cmd.option(s.type === 'bool' ? `--${s.flag} [bool]` : `--${s.flag} <${s.type === 'list' ? 'list' : 'value'}>`, `${s.help} (${s.env})`);
  cmd.action(async (opts: Record<string, unknown>) => {
    const bools = new Set(SETTINGS.filter((s) => s.type === 'bool').map((s) => s.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())));
    // A bare boolean flag means true.
    const flags = Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, bools.has(k) && v === true ? 'true' : v]));
    const config = loadServiceConfig({ flags, env: process.env, file: opts['config'] as string | undefined });
    const logger = createLogger(config);
    const service = await startService(config, { logger });
    let exiting = false;
    const shutdown = (signal: NodeJS.Signals | 'consumer-crash', code: number) => {
      if (exiting) return;
      exiting = true;
      logger.info({ signal }, 'shutting down');
      service.stop().then(
        () => {
          logger.info('stopped');
          logger.flush();
          process.exit(code);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          logger.flush();
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM', 0));
    process.on('SIGINT', () => shutdown('SIGINT', 0));
    service.runner.done.catch((err: unknown) => {
      logger.fatal({ err }, 'the consumer died');
      shutdown('consumer-crash', 1);
    });
  });
}
