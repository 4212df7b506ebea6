/**
 * `brushwatch run`: the live Kafka service. Settings come from flags, BRUSHWATCH_… env vars and
 * an optional JSON file (--config), in that order of precedence (docs/service.md).
 */
import type { Command } from 'commander';
import { SETTINGS, loadServiceConfig } from '../../config.js';
import { createLogger, startService } from '../../service/service.js';
import type { Service } from '../../service/service.js';

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
    let service: Service | null = null;
    const exit: { requested: { signal: string; code: number } | null } = { requested: null };
    const shutdown = (signal: string, code: number) => {
      if (exit.requested !== null) return;
      exit.requested = { signal, code };
      // A signal during start-up is acted on as soon as the service exists.
      if (service !== null) stopAndExit(service, signal, code);
    };
    const stopAndExit = (s: Service, signal: string, code: number) => {
      logger.info({ signal }, 'shutting down');
      s.stop().then(
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
    service = await startService(config, { logger });
    service.runner.done.catch((err: unknown) => {
      logger.fatal({ err }, 'the consumer died');
      shutdown('consumer-crash', 1);
    });
    if (exit.requested !== null) stopAndExit(service, exit.requested.signal, exit.requested.code);
  });
}
