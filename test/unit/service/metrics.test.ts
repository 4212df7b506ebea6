import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/service/metrics.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

function setup(now = 10_000_000) {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: '9.9.9', defaultMetrics: false, now: () => now });
  return { registry, metrics };
}

describe('createMetrics', () => {
  it('registers exactly the metrics of docs/metrics.md', async () => {
    const { registry } = setup();
    const documented = [...readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8').matchAll(/^\| (brushwatch_[a-z_]+) \|/gm)].map((m) => m[1]);
    const registered = (await registry.getMetricsAsJSON()).map((m) => m.name);
    assert.deepEqual([...registered].sort(), [...documented].sort());
  });

  it('computes watermark, event-time lag, consumer lag, sellers and readiness at scrape time', async () => {
    const { registry, metrics } = setup(10_000_000);
    let lag = [{ topic: 'orders', partition: 0, lag: 7 }, { topic: 'orders', partition: 1, lag: 0 }];
    metrics.attach({ watermark: () => 9_000_000, sellersTracked: () => 42, consumerLag: () => lag, ready: () => true });
    let text = await registry.metrics();
    assert.match(text, /^brushwatch_watermark_seconds 9000$/m);
    assert.match(text, /^brushwatch_event_time_lag_seconds 1000$/m);
    assert.match(text, /^brushwatch_consumer_lag_messages\{topic="orders",partition="0"\} 7$/m);
    assert.match(text, /^brushwatch_sellers_tracked 42$/m);
    assert.match(text, /^brushwatch_ready 1$/m);
    assert.match(text, /^brushwatch_build_info\{version="9\.9\.9",node_version="v[\d.]+"\} 1$/m);
    // A revoked partition disappears instead of freezing at its last value.
    lag = [{ topic: 'orders', partition: 1, lag: 3 }];
    text = await registry.metrics();
    assert.doesNotMatch(text, /partition="0"/);
    assert.match(text, /partition="1"\} 3$/m);
  });

  it('counts through pre-bound children', async () => {
    const { registry, metrics } = setup();
    metrics.consumed('orders', 'order').inc(5);
    metrics.invalid.MISSING_FIELD.inc();
    metrics.deadLetters.WRONG_MAGIC_BYTE.inc(2);
    metrics.alert('HIGH', 'OPEN').inc();
    metrics.alertSignal('repeat_buyers').inc();
    metrics.transactions.committed.inc();
    const text = await registry.metrics();
    assert.match(text, /^brushwatch_events_consumed_total\{topic="orders",kind="order"\} 5$/m);
    assert.match(text, /^brushwatch_events_invalid_total\{reason="MISSING_FIELD"\} 1$/m);
    assert.match(text, /^brushwatch_events_invalid_total\{reason="BAD_JSON"\} 0$/m, 'children exist at zero from the start');
    assert.match(text, /^brushwatch_dead_letters_total\{reason="WRONG_MAGIC_BYTE"\} 2$/m);
    assert.match(text, /^brushwatch_alerts_total\{severity="HIGH",action="OPEN"\} 1$/m);
    assert.match(text, /^brushwatch_alert_signals_total\{signal="repeat_buyers"\} 1$/m);
    assert.match(text, /^brushwatch_transactions_total\{result="committed"\} 1$/m);
  });

  it('passes promtool check metrics, default metrics included', { skip: !hasPromtool && 'promtool not installed' }, async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: '0.1.0' });
    metrics.attach({ watermark: () => 1, sellersTracked: () => 1, consumerLag: () => [{ topic: 't', partition: 0, lag: 1 }], ready: () => false });
    metrics.batchDuration.observe(0.01);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8' });
    const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() && !/nodejs_active_(handles|requests|resources)_total/.test(l));
    assert.deepEqual(problems, []);
  });
});
