import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dedup } from '../../../src/engine/dedup.js';
import { order, review } from '../../helpers/fixtures.js';

const H = 3_600_000;

test('remembers ids until the watermark passes their slot by the horizon', () => {
  const d = new Dedup(H, 24 * H, 1_000_000);
  assert.equal(d.seen('a', 10), false);
  assert.equal(d.seen('a', 10), true);
  assert.equal(d.seen('b', H + 10), false);
  d.expire(25 * H - 1);
  assert.equal(d.seen('a', 10), true, 'slot [0, 1h) is kept until watermark ≥ 25h');
  d.expire(25 * H);
  assert.equal(d.ids, 1);
  assert.equal(d.seen('a', 10), false, 'forgotten after the horizon');
  assert.equal(d.seen('b', H + 10), true);
});

test('the hard cap drops the oldest slot first and counts it', () => {
  const d = new Dedup(H, 24 * H, 3);
  d.seen('a', 0);
  d.seen('b', 0);
  d.seen('c', H);
  d.seen('d', 2 * H);
  assert.equal(d.droppedEarly, 1);
  assert.ok(d.ids <= 3);
  assert.equal(d.seen('c', H), true);
  assert.equal(d.seen('a', 0), false);
});

test('snapshot and restore keep the remembered ids', () => {
  const d = new Dedup(H, 24 * H, 100);
  d.seen('a', 5);
  d.seen('b', 3 * H);
  const r = new Dedup(H, 24 * H, 100);
  r.restore(JSON.parse(JSON.stringify(d.snapshot())));
  assert.equal(r.seen('a', 5), true);
  assert.equal(r.seen('b', 3 * H), true);
  assert.equal(r.ids, 2);
});

test('across table rebuilds and dropped slots, every id is found again exactly while its slot lives', () => {
  const d = new Dedup(H, 2 * H, 1_000_000);
  // 5 hours of 3,000 ids each: the table grows several times and dropped slots leave dead entries.
  for (let h = 0; h < 5; h++) {
    for (let i = 0; i < 3_000; i++) assert.equal(d.seen(`e-${h}-${i}`, h * H + i), false);
    d.expire(h * H + H - 1);
    for (let i = 0; i < 3_000; i += 7) assert.equal(d.seen(`e-${h}-${i}`, h * H + i), true);
  }
  // Watermark just before 5h: slots [0,1h) and [1h,2h) have been dropped (end + 2h ≤ wm).
  assert.equal(d.ids, 3 * 3_000);
  assert.equal(d.seen('e-0-0', 0), false, 'a dropped slot forgets its ids');
  assert.equal(d.seen('e-2-1', 2 * H + 1), true);
  assert.equal(d.seen('e-4-2999', 4 * H + 2999), true);
});

test('snapshots of the string form (before fingerprints) still restore', () => {
  const r = new Dedup(H, 24 * H, 100);
  r.restore({ slots: [[0, ['a', 'b']], [H, ['c']]], droppedEarly: 2 });
  assert.equal(r.ids, 3);
  assert.equal(r.droppedEarly, 2);
  assert.equal(r.seen('b', 10), true);
  assert.equal(r.seen('c', H + 5), true);
  assert.equal(r.seen('d', H + 5), false);
});

test('the same id under another slot is another event (as the id is remembered per slot)', () => {
  const d = new Dedup(H, 24 * H, 100);
  assert.equal(d.seen('x', 10), false);
  assert.equal(d.seen('x', H + 10), false);
  assert.equal(d.seen('x', 20), true);
  assert.equal(d.seen('x', H + 20), true);
  assert.equal(d.ids, 2);
});

test('seenEvent is seen with the event\'s id and time', () => {
  const d = new Dedup(H, 24 * H, 1_000_000);
  const e = order({ eventId: 'x', eventTime: 2 * H + 5, sellerId: 's', buyerId: 'b' });
  assert.equal(d.seenEvent(e), false);
  assert.equal(d.seen('x', 2 * H + 7), true, 'same id in the same slot');
  assert.equal(d.seenEvent(review({ eventId: 'x', eventTime: 3 * H, sellerId: 's', buyerId: 'b' })), false, 'another slot');
  assert.equal(d.seen('y', 2 * H), false);
  assert.equal(d.seenEvent(order({ eventId: 'y', eventTime: 2 * H + 1, sellerId: 's', buyerId: 'b' })), true);
  assert.equal(d.ids, 3);
});
