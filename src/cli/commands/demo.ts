/**
 * `brushwatch demo`: no infrastructure needed. Simulates a small marketplace in memory, streams
 * it through the engine, prints each alert as it fires, then the strongest alerts with their
 * evidence and the scorecard against the planted truth; /metrics is served while it runs.
 */
import { Registry } from 'prom-client';
import type { Command } from 'commander';
import { Engine } from '../../engine/engine.js';
import { parseEngineConfig } from '../../engine/config.js';
import type { Alert, MarketEvent } from '../../engine/types.js';
import { createMetrics } from '../../service/metrics.js';
import { createHttpServer } from '../../service/http.js';
import { evaluate, formatEvaluation } from '../../sim/evaluate.js';
import { createSimulation } from '../../sim/simulator.js';
import { SCENARIOS, type ScenarioName } from '../../sim/scenarios.js';
import { parseScenario, parseSeed } from './simulate.js';
import { BrushwatchError } from '../../errors.js';

const BATCH = 2048;

export interface DemoOptions {
  readonly scenario: ScenarioName;
  readonly seed: number;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  readonly top: number;
  readonly write: (text: string) => void;
  /** Called after the stream ends, while /metrics is still served (tests scrape here). */
  readonly beforeStop?: (port: number) => Promise<void>;
}

const time = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** One compact line per alert: when, action, seller, severity, score, strongest signals. */
export function alertLine(a: Alert): string {
  const signals = a.signals
    .slice()
    .sort((x, y) => y.strength - x.strength)
    .slice(0, 3)
    .map((s) => `${s.name}=${Number(s.value.toPrecision(3))}`)
    .join(' ');
  return `${time(a.detectedAt)}  ${a.action.padEnd(7)} ${a.sellerId.padEnd(10)} ${a.scope.padEnd(6)} ${a.severity.padEnd(8)} ${a.score.toFixed(2)}  ${signals}`;
}

function list(name: string, xs: readonly string[] | undefined, max = 6): string | null {
  if (xs === undefined || xs.length === 0) return null;
  return `${name} ${xs.length}: ${xs.slice(0, max).join(', ')}${xs.length > max ? ', …' : ''}`;
}

/** An alert with its signals (value vs threshold, why) and evidence lists. */
export function alertDetail(a: Alert): string {
  const lines = [`${a.sellerId}  ${a.severity} score ${a.score.toFixed(2)}  window ${time(a.windowStart)} → ${time(a.windowEnd)}  (${a.scope}, incident ${a.incidentId})`];
  for (const s of a.signals) {
    lines.push(`  ${s.name.padEnd(22)} ${String(Number(s.value.toPrecision(3))).padStart(7)} vs ${String(Number(s.threshold.toPrecision(3))).padEnd(6)} ${s.explanation}`);
  }
  const e = a.evidence;
  for (const l of [
    list('buyers', e.buyerIds),
    list('devices', e.deviceIds),
    list('ip prefixes', e.ipPrefixes),
    list('addresses', e.addressHashes),
    list('payment', e.paymentHashes),
    list('orders', e.orderIds, 4),
    list('reviews', e.reviewIds, 4),
    list('ring sellers', e.ringSellerIds),
  ]) {
    if (l !== null) lines.push(`  ${l}`);
  }
  return lines.join('\n');
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const { write } = opts;
  const sim = createSimulation(SCENARIOS[opts.scenario], opts.seed);
  const engine = new Engine(parseEngineConfig({}));
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 'demo', defaultMetrics: false });
  metrics.attach({
    watermark: () => (Number.isFinite(engine.watermark) ? engine.watermark : null),
    sellersTracked: () => engine.stats().sellersTracked,
    consumerLag: () => [],
    ready: () => true,
  });
  const server = createHttpServer({ host: opts.host, port: opts.port, registry, readiness: () => [] });
  let port: number;
  try {
    port = await server.start();
  } catch (cause) {
    throw new BrushwatchError('USAGE', `cannot serve /metrics on ${opts.host}:${opts.port}; pass another --port (0 picks a free one)`, { cause });
  }
  const t = sim.truth;
  write(
    `brushwatch demo: scenario ${t.scenario.name}, seed ${t.scenario.seed}: ${t.scenario.sellers} sellers, ${t.scenario.buyers} buyers, ` +
      `${t.campaigns.length} planted campaigns, ${t.hardNegatives.length} hard negatives over ${t.scenario.days} days\n` +
      `metrics: http://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}/metrics\n\n`,
  );

  const alerts: Alert[] = [];
  const started = performance.now();
  const consumed = { order: metrics.consumed('orders', 'order'), review: metrics.consumed('reviews', 'review') };
  const publish = (): void => {
    for (const a of engine.drainAlerts()) {
      alerts.push(a);
      metrics.alert(a.severity, a.action).inc();
      for (const s of a.signals) metrics.alertSignal(s.name).inc();
      write(alertLine(a) + '\n');
    }
  };
  try {
    let batch: MarketEvent[] = [];
    const runBatch = async (): Promise<void> => {
      const t0 = performance.now();
      for (const ev of batch) {
        consumed[ev.kind].inc();
        const r = engine.ingest(ev);
        if (r.outcome === 'duplicate') metrics.duplicate.inc();
        else if (r.outcome === 'late') metrics.late.inc();
        else if (r.outcome === 'invalid' && r.reason !== undefined) metrics.invalid[r.reason].inc();
      }
      publish();
      metrics.batchDuration.observe((performance.now() - t0) / 1000);
      batch = [];
      // Let scrapes of /metrics through between batches.
      await new Promise<void>((r) => setImmediate(r));
    };
    for (const ev of sim.events()) {
      batch.push(ev);
      if (batch.length >= BATCH) await runBatch();
    }
    await runBatch();
    engine.finish(t.scenario.end);
    publish();
    const secs = (performance.now() - started) / 1000;
    const st = engine.stats();

    write(
      `\n${st.eventsIn} events in ${secs.toFixed(1)} s (${Math.round(st.eventsIn / secs).toLocaleString('en-US')} events/s): ` +
        `${st.accepted} accepted, ${st.duplicates} duplicates, ${st.late} late; ${alerts.length} alerts\n`,
    );
    // Strongest alert per seller, and one per ring (its members' alerts carry the same evidence).
    const best = new Map<string, Alert>();
    for (const a of alerts) {
      if (a.action === 'RESOLVE') continue;
      const key = a.scope === 'RING' ? `ring:${a.evidence.ringSellerIds.join(',')}` : a.sellerId;
      const prev = best.get(key);
      if (prev === undefined || a.score > prev.score) best.set(key, a);
    }
    const top = [...best.values()].sort((x, y) => y.score - x.score || (x.sellerId < y.sellerId ? -1 : 1)).slice(0, opts.top);
    if (top.length > 0) write(`\nTop ${top.length} alerts\n\n${top.map(alertDetail).join('\n\n')}\n`);
    write(`\nScorecard against the planted truth\n\n${formatEvaluation(evaluate(t, alerts))}\n`);
    if (opts.beforeStop !== undefined) await opts.beforeStop(port);
  } finally {
    await server.stop();
  }
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Simulate a marketplace, stream it through the engine, print alerts and the scorecard (serves /metrics meanwhile)')
    .option('--scenario <name>', 'simulation scenario', 'demo')
    .option('--seed <n>', 'PRNG seed', '1')
    .option('--port <n>', '/metrics port (0 picks a free one)', '9464')
    .option('--host <addr>', 'address to serve /metrics on', '127.0.0.1')
    .option('--top <n>', 'alerts shown with their evidence', '5')
    .action(async (o: { scenario: string; seed: string; port: string; host: string; top: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BrushwatchError('USAGE', `--port ${o.port} is not a port in 0..65535; 0 picks a free one`);
      const top = Number(o.top);
      if (!Number.isInteger(top) || top < 0) throw new BrushwatchError('USAGE', `--top ${o.top} must be a whole number ≥ 0`);
      // `brushwatch demo | head` closes the pipe early: that ends the demo, it is not a crash.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        process.exit(0);
      });
      await runDemo({ scenario: parseScenario(o.scenario), seed: parseSeed(o.seed), port, host: o.host, top, write: (s) => process.stdout.write(s) });
    });
}
