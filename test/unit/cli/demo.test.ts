import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../../../src/cli/commands/demo.js';

test('the demo streams a tiny marketplace through the engine, serves /metrics and prints a scorecard', { timeout: 120_000 }, async () => {
  let out = '';
  let scraped = '';
  await runDemo({
    scenario: 'tiny',
    seed: 3,
    port: 0,
    host: '127.0.0.1',
    top: 3,
    write: (s) => {
      out += s;
    },
    beforeStop: async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
      scraped = await res.text();
    },
  });
  assert.match(out, /brushwatch demo: scenario tiny, seed 3/);
  assert.match(out, /metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
  assert.match(out, /\d+ events in [\d.]+ s/);
  assert.match(out, /Scorecard against the planted truth/);
  assert.match(out, /seller F1\s+\d\.\d{3}/);
  assert.match(out, /recall collusion_ring/);
  assert.match(out, /flagged campus_nat/);
  const consumed = /brushwatch_events_consumed_total\{topic="orders",kind="order"\} (\d+)/.exec(scraped);
  assert.ok(consumed !== null && Number(consumed[1]) > 10_000, 'orders counted in /metrics');
  assert.match(scraped, /brushwatch_watermark_seconds \d+/);
});
