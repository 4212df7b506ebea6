import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addAt, countInHour, dropHoursBefore, fromRing, HOUR_MS, NO_HOURS, sumBetween, type HourCounts } from '../../../../src/engine/signals/hour-counts.js';
import { rng } from '../../../helpers/fixtures.js';

/** The fixed ring these counts must behave like: `slots` hours, `lanes` counters each. */
class Ring {
  readonly hours: number[];
  readonly counts: number[];
  constructor(
    readonly slots: number,
    readonly lanes: number,
  ) {
    this.hours = new Array<number>(slots).fill(-1);
    this.counts = new Array<number>(slots * lanes).fill(0);
  }
  add(t: number, lane: number): void {
    const hour = Math.floor(t / HOUR_MS);
    const slot = hour % this.slots;
    const held = this.hours[slot]!;
    if (held !== hour) {
      if (held > hour) return;
      this.hours[slot] = hour;
      for (let i = 0; i < this.lanes; i++) this.counts[slot * this.lanes + i] = 0;
    }
    this.counts[slot * this.lanes + lane]!++;
  }
  sum(from: number, to: number, lane: number): number {
    let s = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      const start = this.hours[slot]! * HOUR_MS;
      if (this.hours[slot]! >= 0 && start >= from && start < to) s += this.counts[slot * this.lanes + lane]!;
    }
    return s;
  }
  inHour(hourStart: number, lane: number): number {
    const hour = Math.floor(hourStart / HOUR_MS);
    const slot = hour % this.slots;
    return this.hours[slot] === hour ? this.counts[slot * this.lanes + lane]! : 0;
  }
}

const T0 = Date.UTC(2026, 0, 1);

test('sparse hour counts answer exactly like a ring of slots, gaps, bursts and stale times included', () => {
  const r = rng(3);
  const slots = 12;
  const lanes = 2;
  const ring = new Ring(slots, lanes);
  let h: HourCounts = NO_HOURS;
  let t = T0;
  for (let k = 0; k < 20_000; k++) {
    const step = r();
    // Mostly forward in small steps, sometimes a long gap, sometimes an older time (ignored or counted as a ring would).
    t += step < 0.7 ? Math.floor(r() * 20 * 60_000) : step < 0.8 ? Math.floor(r() * 30 * HOUR_MS) : -Math.floor(r() * 20 * HOUR_MS);
    const lane = r() < 0.3 ? 1 : 0;
    ring.add(t, lane);
    h = addAt(h, slots, lanes, t, lane);
    assert.ok(h.length <= slots * (lanes + 1));
    if (k % 7 === 0) {
      const from = t - Math.floor(r() * 15) * HOUR_MS;
      const to = t + HOUR_MS;
      for (let l = 0; l < lanes; l++) {
        assert.equal(sumBetween(h, lanes, from, to, l), ring.sum(from, to, l));
        const hs = Math.floor(t / HOUR_MS) * HOUR_MS - Math.floor(r() * 14) * HOUR_MS;
        assert.equal(countInHour(h, lanes, hs, l), ring.inHour(hs, l));
      }
    }
  }
  // The ring layout of earlier snapshots reads into the same counts.
  assert.deepEqual(fromRing(ring, lanes), h);
});

test('no hours until an event, and an added hour never mutates the shared empty counts', () => {
  const h = addAt(NO_HOURS, 12, 2, T0, 1);
  assert.deepEqual(NO_HOURS, []);
  assert.deepEqual(h, [T0 / HOUR_MS, 0, 1]);
  assert.equal(sumBetween(NO_HOURS, 2, 0, T0 * 2, 0), 0);
});

test("hours after numbers of the caller's own: the same counts and answers, and the numbers kept", () => {
  const r = rng(5);
  const head = [0.25, -1, 3];
  let plain: HourCounts = NO_HOURS;
  let h: HourCounts = head;
  let t = T0;
  for (let k = 0; k < 5000; k++) {
    t += r() < 0.9 ? Math.floor(r() * 40 * 60_000) : -Math.floor(r() * 10 * HOUR_MS);
    const lane = r() < 0.3 ? 1 : 0;
    plain = addAt(plain, 12, 2, t, lane);
    h = addAt(h, 12, 2, t, lane, 1, head.length);
    if (k % 50 === 49) {
      const before = Math.floor(t / HOUR_MS) - Math.floor(r() * 12);
      plain = dropHoursBefore(plain, 2, before);
      h = dropHoursBefore(h, 2, before, head.length);
    }
    assert.deepEqual(h.slice(0, head.length), head);
    assert.deepEqual(h.slice(head.length), [...plain]);
    const hs = Math.floor(t / HOUR_MS) * HOUR_MS - Math.floor(r() * 6) * HOUR_MS;
    assert.equal(sumBetween(h, 2, hs, t + HOUR_MS, lane, head.length), sumBetween(plain, 2, hs, t + HOUR_MS, lane));
    assert.equal(countInHour(h, 2, hs, lane, head.length), countInHour(plain, 2, hs, lane));
  }
  assert.deepEqual(dropHoursBefore(h, 2, 2 ** 30, head.length), head, 'no hour left: the numbers stay');
});
