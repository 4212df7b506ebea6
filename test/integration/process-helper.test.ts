/**
 * The crash-test harness (helpers/process.ts) on the real service: `brushwatch run` as an OS
 * process becomes ready, dies on SIGKILL, comes back with the same settings, and shuts down
 * cleanly on SIGTERM.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceProcess, freePort, stopAllServices, sumSamples } from './helpers/process.js';
import { configEnv, testConfig } from './service-support.js';

describe('sumSamples', () => {
  it('sums the series of one metric that carry the given labels, and nothing else', () => {
    const text = [
      '# HELP brushwatch_events_consumed_total records read',
      '# TYPE brushwatch_events_consumed_total counter',
      'brushwatch_events_consumed_total{topic="orders",kind="order"} 5',
      'brushwatch_events_consumed_total{topic="reviews",kind="review"} 7',
      'brushwatch_events_consumed_total_other 100',
      'brushwatch_ready 1',
    ].join('\n');
    assert.equal(sumSamples(text, 'brushwatch_events_consumed_total'), 12);
    assert.equal(sumSamples(text, 'brushwatch_events_consumed_total', { kind: 'review' }), 7);
    assert.equal(sumSamples(text, 'brushwatch_events_consumed_total', { kind: 'none' }), 0);
    assert.equal(sumSamples(text, 'brushwatch_ready'), 1);
    assert.equal(sumSamples(text, 'brushwatch_missing'), 0);
  });
});

describe('brushwatch run as a real process', () => {
  after(() => stopAllServices());

  it('gets ready, survives SIGKILL by a restart, and exits 0 on SIGTERM', async () => {
    const httpPort = await freePort();
    const env = configEnv(testConfig());
    const first = ServiceProcess.start({ env, httpPort });
    await first.ready();
    assert.ok(first.pid !== undefined && first.isRunning());
    assert.equal(await first.metric('brushwatch_build_info'), 1);
    assert.equal(await first.waitForMetric('brushwatch_ready', (v) => v === 1), 1);

    assert.deepEqual(await first.kill(), { code: null, signal: 'SIGKILL' });
    assert.equal(first.isRunning(), false);

    const second = first.restart();
    assert.notEqual(second.pid, first.pid);
    await second.ready();
    const exit = await second.terminate();
    assert.deepEqual(exit, { code: 0, signal: null }, second.output().slice(-2000));
  });
});
