import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventCollector } from '../../../src/report/collect.js';
import { T0, makeAlerts, makeEvents } from './fixtures.js';
import type { MarketEvent } from '../../../src/engine/types.js';

test('keeps only alerted sellers, within their span, up to the cap per seller', () => {
  const c = new EventCollector(makeAlerts(), { maxEventsPerSeller: 100, marginMs: 2 * 86_400_000 });
  const events = makeEvents();
  for (const e of events) c.add(e);
  const r = c.result();
  assert.equal(r.eventsBySeller.get('s-ring-1')?.length, 100);
  assert.equal(r.droppedBySeller.get('s-ring-1'), 9);
  assert.equal(r.eventsBySeller.get('s-hostile')?.length, 12);
  assert.equal(r.droppedBySeller.has('s-hostile'), false);
  assert.equal(r.eventsBySeller.has('s-clean'), false);
  assert.equal(r.ignored, 10);
  assert.equal(r.kept, 112);
  // First come, first kept.
  assert.deepEqual(r.eventsBySeller.get('s-ring-1')?.[0], events.find((e) => e.sellerId === 's-ring-1'));
});

test('events outside the margin around the alert windows are ignored', () => {
  const c = new EventCollector(makeAlerts(), { maxEventsPerSeller: 1000, marginMs: 3_600_000 });
  for (const e of makeEvents()) c.add(e);
  const kept = c.result().eventsBySeller.get('s-ring-1') ?? [];
  const first = Math.min(...kept.map((e: MarketEvent) => e.eventTime));
  assert.ok(first >= T0 + 29 * 3_600_000, 'nothing earlier than windowStart - 1 h');
  assert.ok(kept.length < 109);
});
