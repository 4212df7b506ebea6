/**
 * The `--kafka` mode of `brushwatch replay`: options and action, kept here so replay.ts only
 * gains a branch. Kafka settings come from the same flags / BRUSHWATCH_… env vars as `run`.
 */
import type { Command } from 'commander';
import { SETTINGS, loadServiceConfig } from '../config.js';
import type { EngineConfig } from '../engine/index.js';
import { BrushwatchError } from '../errors.js';
import { createKafkaClient } from '../io/kafka/client.js';
import { createRegistrySource } from '../io/kafka/codec.js';
import { replayKafka } from '../io/kafka/replay.js';
import type { KafkaReplaySummary } from '../io/kafka/replay.js';
import { createLogger } from '../service/service.js';

/** The settings a Kafka replay needs (a subset of `run`'s). */
const REPLAY_SETTINGS = new Set(['kafka', 'registry', 'topics.orders', 'topics.reviews', 'codecs.orders', 'codecs.reviews']);

export function addKafkaReplayOptions(cmd: Command): Command {
  cmd
    .option('--kafka', 'read the input topics from Kafka instead of --input (never commits, never writes to Kafka)')
    .option('--from <time>', 'with --kafka: first record timestamp, ISO 8601 or epoch ms (default: the start)')
    .option('--to <time>', 'with --kafka: end record timestamp, exclusive (default: the current end)');
  for (const s of SETTINGS) {
    const key = s.path.join('.');
    if (REPLAY_SETTINGS.has(s.path[0] as string) || REPLAY_SETTINGS.has(key)) {
      if (key === 'kafka.ssl.enabled' || s.type === 'bool') cmd.option(`--${s.flag} [bool]`, `with --kafka: ${s.help} (${s.env})`);
      else cmd.option(`--${s.flag} <value>`, `with --kafka: ${s.help} (${s.env})`);
    }
  }
  return cmd;
}

export function parseTime(raw: string, flag: string): number {
  const t = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(t)) throw new BrushwatchError('USAGE', `${flag} ${raw} is not a time; pass ISO 8601 (2026-01-05T00:00:00Z) or epoch milliseconds`);
  return t;
}

/** Runs the replay; returns the summary text for stdout. */
export async function runKafkaReplay(opts: Record<string, unknown>, engineConfig: EngineConfig): Promise<string> {
  const started = Date.now();
  const s = await replayKafkaWith(opts, engineConfig);
  const undecodable = Object.entries(s.undecodable).map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
  return [
    `records        ${s.records} read from Kafka`,
    `events         ${s.stats.eventsIn} handed to the engine, ${s.stats.accepted} accepted`,
    `undecodable    ${undecodable}`,
    `invalid        ${Object.values(s.stats.invalid).reduce((a, b) => a + b, 0)}`,
    `late           ${s.stats.late}`,
    `duplicates     ${s.stats.duplicates}`,
    `alerts         ${s.alertsWritten}`,
    `elapsed        ${((Date.now() - started) / 1000).toFixed(2)} s`,
    '',
  ].join('\n');
}

async function replayKafkaWith(opts: Record<string, unknown>, engineConfig: EngineConfig): Promise<KafkaReplaySummary> {
  const output = opts['output'];
  if (typeof output !== 'string') throw new BrushwatchError('USAGE', 'replay --kafka needs --output FILE');
  const from = typeof opts['from'] === 'string' ? parseTime(opts['from'], '--from') : null;
  const to = typeof opts['to'] === 'string' ? parseTime(opts['to'], '--to') : null;
  if (from !== null && to !== null && to <= from) throw new BrushwatchError('USAGE', `--to ${opts['to']} must be after --from ${opts['from']}`);
  const flags = Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, v === true ? 'true' : v]));
  // Only the Kafka part of the service config matters; the engine config comes from replay's --config.
  const config = loadServiceConfig({ flags: { ...flags, alertsCodec: 'json', logLevel: 'warn' }, env: process.env });
  const kafka = createKafkaClient(config.kafka, createLogger(config));
  const registry = config.registry.url === null ? null : createRegistrySource({ url: config.registry.url, username: config.registry.username, password: config.registry.password });
  return replayKafka({
    kafka,
    topics: { orders: config.topics.orders, reviews: config.topics.reviews },
    codecs: { orders: config.codecs.orders, reviews: config.codecs.reviews },
    registry,
    from,
    to,
    engineConfig,
    output,
  });
}
