/**
 * `brushwatch replay --input EVENTS.ndjson --output ALERTS.ndjson [--config FILE] [--rejects FILE]`:
 * runs a recorded event file through the engine, for audits and tests. A progress bar on a TTY
 * (stderr), a log line every few seconds otherwise, and a summary on stdout at the end. Exits 0
 * even when lines were bad: they are reported (and written to --rejects), not fatal.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BrushwatchError } from '../../errors.js';
import { parseEngineConfig } from '../../engine/config.js';
import type { EngineConfig } from '../../engine/config.js';
import { ALERT_ACTIONS, SEVERITIES } from '../../engine/types.js';
import { replayFile } from '../../io/file/replay.js';
import type { ReplayProgress, ReplaySummary } from '../../io/file/replay.js';
import { addKafkaReplayOptions, runKafkaReplay } from '../kafka-replay.js';

const LOG_EVERY_MS = 5_000;
const BAR_EVERY_MS = 200;

export function loadEngineConfigFile(path: string | undefined): EngineConfig {
  if (path === undefined) return parseEngineConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BrushwatchError('CONFIG_FILE_UNREADABLE', `cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new BrushwatchError('CONFIG_INVALID', `config file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseEngineConfig(input);
}

function rate(n: number, ms: number): string {
  return ms > 0 ? Math.round((n * 1000) / ms).toLocaleString('en-US') : '—';
}

function progressReporter(started: number): (p: ReplayProgress) => void {
  const tty = process.stderr.isTTY === true;
  let last = started;
  return (p) => {
    const now = Date.now();
    if (now - last < (tty ? BAR_EVERY_MS : LOG_EVERY_MS)) return;
    last = now;
    const frac = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
    const speed = rate(p.lines, now - started);
    if (tty) {
      const width = 30;
      const done = Math.round(frac * width);
      process.stderr.write(
        `\r[${'#'.repeat(done)}${' '.repeat(width - done)}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.lines.toLocaleString('en-US')} lines ${speed} lines/s `,
      );
    } else {
      process.stderr.write(`replay: ${(frac * 100).toFixed(1)}% ${p.lines} lines ${speed} lines/s\n`);
    }
  };
}

export function formatSummary(s: ReplaySummary, elapsedMs: number): string {
  const st = s.stats;
  const out: string[] = [];
  out.push(`lines          ${s.lines}`);
  out.push(`events         ${st.eventsIn} handed to the engine, ${st.accepted} accepted`);
  const invalidTotal = Object.values(s.invalid).reduce((n, e) => n + e.count, 0);
  out.push(`invalid        ${invalidTotal}`);
  for (const [reason, e] of Object.entries(s.invalid).sort(([a], [b]) => (a < b ? -1 : 1)))
    out.push(`  ${reason.padEnd(14)} ${e.count} (first lines: ${e.firstLines.join(', ')})`);
  out.push(`late           ${st.late}`);
  out.push(`duplicates     ${st.duplicates}`);
  out.push(`alerts         ${s.alertsWritten}`);
  out.push(`  by action    ${ALERT_ACTIONS.map((a) => `${a} ${st.alerts[a]}`).join(', ')}`);
  out.push(`  by severity  ${SEVERITIES.map((v) => `${v} ${st.alertsBySeverity[v]}`).join(', ')}`);
  out.push(`sellers        ${st.sellersTracked} tracked at the end, ${st.sellersEvicted} evicted`);
  if (st.signalErrors > 0) out.push(`signal errors  ${st.signalErrors} (last: ${st.lastSignalError})`);
  out.push(`elapsed        ${(elapsedMs / 1000).toFixed(2)} s, ${rate(s.lines, elapsedMs)} events/s`);
  return `${out.join('\n')}\n`;
}

export function register(program: Command): void {
  addKafkaReplayOptions(program.command('replay'))
    .description('Replay an NDJSON event file through the engine and write its alerts as NDJSON')
    .option('--input <file>', 'events, one JSON object per line (see the event contract); required unless --kafka')
    .requiredOption('--output <file>', 'alerts, one JSON object per line (overwritten)')
    .option('--config <file>', 'engine config as JSON (defaults documented in docs/engine.md)')
    .option('--rejects <file>', 'write every invalid line as {line, reason, detail} here')
    .action(async (opts: { input?: string; output: string; config?: string; rejects?: string; kafka?: boolean }) => {
      const config = loadEngineConfigFile(opts.config);
      if (opts.kafka === true) return void process.stdout.write(await runKafkaReplay(opts, config));
      if (opts.input === undefined) throw new BrushwatchError('USAGE', 'replay needs --input FILE, or --kafka to read the input topics');
      const started = Date.now();
      const summary = await replayFile({
        input: opts.input,
        output: opts.output,
        config,
        ...(opts.rejects === undefined ? {} : { rejects: opts.rejects }),
        onProgress: progressReporter(started),
      });
      if (process.stderr.isTTY === true) process.stderr.write('\n');
      process.stdout.write(formatSummary(summary, Date.now() - started));
    });
}
