/**
 * The service's Prometheus metrics, exactly as listed in docs/metrics.md, on an injected registry.
 * Label children are bound once here, so the hot path only increments; gauges whose value lives
 * elsewhere (watermark, lags, sellers, readiness) are read in `collect()` at scrape time.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { EventKind } from '../engine/types.js';
import { ALERT_ACTIONS, INVALID_REASONS, SEVERITIES } from '../engine/types.js';
import type { AlertAction, InvalidReason, Severity } from '../engine/types.js';
import { DEAD_LETTER_REASONS } from '../io/kafka/codec.js';
import type { DeadLetterReason } from '../io/kafka/codec.js';

type Inc = { inc(value?: number): void };

/** What the scrape-time gauges read; the run loop provides it. */
export interface LiveState {
  /** Engine watermark, event-time ms; null before the first one. */
  watermark(): number | null;
  sellersTracked(): number;
  /** Per assigned partition: high watermark minus committed offset. */
  consumerLag(): Iterable<{ readonly topic: string; readonly partition: number; readonly lag: number }>;
  ready(): boolean;
}

export interface ServiceMetrics {
  /** Counter child per (topic, kind), bound on first use of the topic: topics are few and fixed. */
  consumed(topic: string, kind: EventKind): Inc;
  readonly invalid: Readonly<Record<InvalidReason, Inc>>;
  readonly late: Inc;
  readonly duplicate: Inc;
  readonly deadLetters: Readonly<Record<DeadLetterReason, Inc>>;
  alert(severity: Severity, action: AlertAction): Inc;
  /** Counter child per signal name; signal names are a fixed catalogue, not data. */
  alertSignal(signal: string): Inc;
  readonly alertPublishFailures: Inc;
  readonly batchDuration: { observe(seconds: number): void };
  readonly rebalances: Inc;
  readonly transactions: Readonly<Record<'committed' | 'aborted', Inc>>;
  readonly stateRestoreDuration: { observe(seconds: number): void };
  /** Points the scrape-time gauges at the running service. */
  attach(state: LiveState): void;
}

export interface MetricsOptions {
  readonly version: string;
  readonly defaultMetrics?: boolean;
  /** Wall clock for the event-time lag; injectable for tests. */
  readonly now?: () => number;
}

export function createMetrics(registry: Registry, options: MetricsOptions): ServiceMetrics {
  const now = options.now ?? Date.now;
  let live: LiveState | null = null;
  const registers = [registry];

  const consumedTotal = new Counter({
    name: 'brushwatch_events_consumed_total',
    help: 'Records read from the input topics (before validation).',
    labelNames: ['topic', 'kind'] as const,
    registers,
  });
  const invalidTotal = new Counter({
    name: 'brushwatch_events_invalid_total',
    help: 'Events rejected by decoding or the contract (reason = INVALID_REASONS code).',
    labelNames: ['reason'] as const,
    registers,
  });
  const lateTotal = new Counter({ name: 'brushwatch_events_late_total', help: 'Events older than the watermark allows.', registers });
  const duplicateTotal = new Counter({ name: 'brushwatch_events_duplicate_total', help: 'Events whose eventId was already seen.', registers });
  const deadLettersTotal = new Counter({
    name: 'brushwatch_dead_letters_total',
    help: 'Records written to the dead-letter topic.',
    labelNames: ['reason'] as const,
    registers,
  });
  const alertsTotal = new Counter({
    name: 'brushwatch_alerts_total',
    help: 'Alerts published.',
    labelNames: ['severity', 'action'] as const,
    registers,
  });
  const alertSignalsTotal = new Counter({
    name: 'brushwatch_alert_signals_total',
    help: 'Signals carried by published alerts.',
    labelNames: ['signal'] as const,
    registers,
  });
  const publishFailures = new Counter({
    name: 'brushwatch_alert_publish_failures_total',
    help: 'Failed attempts to publish alerts (retried).',
    registers,
  });
  const batchDuration = new Histogram({
    name: 'brushwatch_batch_duration_seconds',
    help: 'Time to process one fetched batch end to end.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: 'brushwatch_watermark_seconds',
    help: "The engine's event-time watermark.",
    registers,
    collect() {
      const wm = live?.watermark() ?? null;
      if (wm !== null) this.set(wm / 1000);
    },
  });
  new Gauge({
    name: 'brushwatch_event_time_lag_seconds',
    help: 'Wall clock minus watermark, at scrape time.',
    registers,
    collect() {
      const wm = live?.watermark() ?? null;
      if (wm !== null) this.set((now() - wm) / 1000);
    },
  });
  new Gauge({
    name: 'brushwatch_consumer_lag_messages',
    help: 'High watermark offset minus committed offset.',
    labelNames: ['topic', 'partition'] as const,
    registers,
    collect() {
      // Reset so partitions revoked in a rebalance disappear instead of freezing at a stale value.
      this.reset();
      if (live === null) return;
      for (const p of live.consumerLag()) this.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  });
  new Gauge({
    name: 'brushwatch_sellers_tracked',
    help: 'Sellers with state in memory.',
    registers,
    collect() {
      this.set(live?.sellersTracked() ?? 0);
    },
  });
  const rebalances = new Counter({ name: 'brushwatch_rebalances_total', help: 'Consumer group rebalances seen.', registers });
  const transactionsTotal = new Counter({
    name: 'brushwatch_transactions_total',
    help: 'Kafka transactions committed / aborted.',
    labelNames: ['result'] as const,
    registers,
  });
  const restore = new Histogram({
    name: 'brushwatch_state_restore_duration_seconds',
    help: 'Time to restore state from the changelog after an assignment.',
    buckets: [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  new Gauge({
    name: 'brushwatch_ready',
    help: '1 when /readyz answers 200.',
    registers,
    collect() {
      this.set(live?.ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'brushwatch_build_info',
    help: 'Always 1; the labels carry the build.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  }).set({ version: options.version, node_version: process.version }, 1);

  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  // Children exist at zero from the start, so rate() and absent() see them before the first event.
  const zeroed = (child: Inc): Inc => {
    child.inc(0);
    return child;
  };
  const bindAll = <K extends string>(keys: readonly K[], bind: (k: K) => Inc): Record<K, Inc> =>
    Object.fromEntries(keys.map((k) => [k, zeroed(bind(k))])) as Record<K, Inc>;

  const consumedChildren = new Map<string, Inc>();
  const alertChildren = new Map<string, Inc>();
  const signalChildren = new Map<string, Inc>();
  for (const s of SEVERITIES) for (const a of ALERT_ACTIONS) alertChildren.set(`${s}/${a}`, zeroed(alertsTotal.labels({ severity: s, action: a })));

  return {
    consumed(topic, kind) {
      const key = `${topic}/${kind}`;
      let child = consumedChildren.get(key);
      if (child === undefined) consumedChildren.set(key, (child = zeroed(consumedTotal.labels({ topic, kind }))));
      return child;
    },
    invalid: bindAll(Object.values(INVALID_REASONS), (reason) => invalidTotal.labels({ reason })),
    late: lateTotal,
    duplicate: duplicateTotal,
    deadLetters: bindAll(Object.values(DEAD_LETTER_REASONS), (reason) => deadLettersTotal.labels({ reason })),
    alert: (severity, action) => alertChildren.get(`${severity}/${action}`) as Inc,
    alertSignal(signal) {
      let child = signalChildren.get(signal);
      if (child === undefined) signalChildren.set(signal, (child = alertSignalsTotal.labels({ signal })));
      return child;
    },
    alertPublishFailures: publishFailures,
    batchDuration,
    rebalances,
    transactions: bindAll(['committed', 'aborted'] as const, (result) => transactionsTotal.labels({ result })),
    stateRestoreDuration: restore,
    attach(state) {
      live = state;
    },
  };
}
