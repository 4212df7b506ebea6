import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionWatermarks, ReorderBuffer, compareEvents } from '../../../src/engine/reorder.js';
import type { MarketEvent } from '../../../src/engine/types.js';
import { order, review, rng, T0 } from '../../helpers/fixtures.js';

/** The oldest slot's events as an array, the slot given back as the engine does. */
function take(buf: ReorderBuffer): MarketEvent[] {
  const slot = buf.takeFirst();
  const out = slot.events.slice(0, slot.n) as MarketEvent[];
  buf.recycle(slot);
  return out;
}

test('compareEvents orders by time, then kind, then eventId', () => {
  const a = order({ eventId: 'b', eventTime: T0, sellerId: 's', buyerId: 'x' });
  const b = order({ eventId: 'a', eventTime: T0 + 1, sellerId: 's', buyerId: 'x' });
  const c = review({ eventId: 'a', eventTime: T0, sellerId: 's', buyerId: 'x' });
  const d = order({ eventId: 'a', eventTime: T0, sellerId: 's', buyerId: 'x' });
  assert.deepEqual([b, c, a, d].sort(compareEvents), [d, a, c, b]);
});

test('the buffer releases the oldest slot first, sorted, whatever the push order', () => {
  const buf = new ReorderBuffer(1000);
  const e = (id: string, t: number) => order({ eventId: id, eventTime: t, sellerId: 's', buyerId: 'x' });
  buf.push(e('late-slot', T0 + 5000));
  buf.push(e('z', T0 + 10));
  buf.push(e('y', T0 + 10));
  buf.push(e('first', T0 + 1));
  assert.equal(buf.size, 4);
  assert.equal(buf.firstStart(), T0);
  assert.deepEqual(buf.all().map((x) => x.eventId), ['first', 'y', 'z', 'late-slot']);
  assert.deepEqual(take(buf).map((x) => x.eventId), ['first', 'y', 'z']);
  assert.equal(buf.firstStart(), T0 + 5000);
  assert.equal(buf.size, 1);
});

test('a released slot is in canonical order, ties on eventTime included, for slots of any size', () => {
  const r = rng(7);
  for (const n of [1, 2, 3, 17, 1000, 5000]) {
    const buf = new ReorderBuffer(60_000);
    const pushed = [];
    for (let i = 0; i < n; i++) {
      // Few distinct times, so many ties that kind and eventId must decide.
      const t = T0 + Math.floor(r() * 40) * 1500;
      const id = `e-${Math.floor(r() * 1e6)}-${i}`;
      const e = r() < 0.3 ? review({ eventId: id, eventTime: t, sellerId: 's', buyerId: 'x' }) : order({ eventId: id, eventTime: t, sellerId: 's', buyerId: 'x' });
      pushed.push(e);
      buf.push(e);
    }
    const expected = [...pushed].sort(compareEvents);
    assert.deepEqual(buf.all(), expected, `all(), ${n} events`);
    assert.deepEqual(take(buf), expected, `takeFirst(), ${n} events`);
  }
});

test('a recycled slot array serves a later slot: emptied, and only that slot\'s events are released', () => {
  const buf = new ReorderBuffer(1000);
  const e = (id: string, t: number) => order({ eventId: id, eventTime: t, sellerId: 's', buyerId: 'x' });
  for (let i = 0; i < 5; i++) buf.push(e(`a${i}`, T0 + 900 - i));
  const first = buf.takeFirst();
  const array = first.events;
  assert.deepEqual(array.map((x) => x?.eventId), ['a4', 'a3', 'a2', 'a1', 'a0']);
  buf.recycle(first);
  assert.equal(first.n, 0);
  assert.ok(array.every((x) => x === undefined), 'recycled entries hold no events');
  buf.push(e('b1', T0 + 1500));
  buf.push(e('b0', T0 + 1200));
  const second = buf.takeFirst();
  assert.ok(second.events === array, 'the spare array is reused');
  assert.equal(second.n, 2);
  assert.deepEqual(second.events.slice(0, second.n).map((x) => x?.eventId), ['b0', 'b1']);
  assert.equal(buf.size, 0);
  assert.equal(buf.takeFirst().n, 0, 'an empty buffer releases an empty slot');
});

test('partition watermarks: min over active partitions; idle ones do not stall; all idle → max', () => {
  const w = new PartitionWatermarks(100);
  assert.equal(w.watermark(), undefined);
  w.observe('p0', 5000);
  w.observe('p1', 2000);
  assert.equal(w.watermark(), 1900);
  w.setIdle('p1', true);
  assert.equal(w.watermark(), 4900);
  w.setIdle('p0', true);
  assert.equal(w.watermark(), 4900);
  w.observe('p1', 2500);
  assert.equal(w.watermark(), 2400, 'new data makes a partition active again');
  w.remove('p1');
  assert.equal(w.watermark(), 4900);
});

test('an assigned partition holds the watermark until its first event or until it is idle', () => {
  const marks = new PartitionWatermarks(1_000);
  marks.assign('0');
  marks.assign('1');
  marks.observe('0', 50_000);
  assert.equal(marks.watermark(), undefined, 'partition 1 may still deliver older events');
  marks.observe('1', 20_000);
  assert.equal(marks.watermark(), 19_000);
  marks.assign('2');
  assert.equal(marks.watermark(), undefined, 'a partition assigned later holds it too');
  marks.setIdle('2', true);
  assert.equal(marks.watermark(), 19_000);
});
