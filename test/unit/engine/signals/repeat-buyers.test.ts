import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventKeys } from '../../../../src/engine/event-keys.js';
import { configSchema, separateParts, separateFields, separateLists, signal, type SeparateCounts, type SeparateEvidence, type SeparateLists, type State } from '../../../../src/engine/signals/repeat-buyers.js';
import type { MarketEvent, ReviewEvent, SellerContext } from '../../../../src/engine/types.js';
import { canonical, DAY, drive, HOUR, MIN, order, ordinarySeller, replaySwapped, review, revived, rng, T0 } from './fixtures.js';

const config = configSchema.parse({});

function brushingHour(start: number): MarketEvent[] {
  // Two rented accounts place 10 orders each within 50 minutes.
  const out: MarketEvent[] = [];
  for (let i = 0; i < 10; i++) {
    out.push(order({ buyerId: 'b-fake-1', eventTime: start + i * 5 * MIN }));
    out.push(order({ buyerId: 'b-fake-2', eventTime: start + i * 5 * MIN + 2 * MIN }));
  }
  return out;
}

test('fires on the any-hour rule with the brushers and their orders as evidence', () => {
  const planted = brushingHour(T0 + 9 * DAY + 10 * HOUR + 30 * MIN);
  const { findings } = drive(signal, config, [...ordinarySeller(10, 50), ...planted]);
  assert.ok(findings.length > 0, 'no finding');
  const f = findings.reduce((a, b) => (b.finding.strength > a.finding.strength ? b : a)).finding;
  assert.equal(f.name, 'repeat_buyers');
  assert.equal(f.family, 'concentration');
  assert.equal(f.horizonMs, HOUR);
  assert.ok(f.value >= 3 && f.value >= f.threshold, `value ${f.value} threshold ${f.threshold}`);
  assert.ok(f.strength > 0.5 && f.strength <= 1);
  assert.deepEqual(new Set(f.evidence.buyerIds), new Set(['b-fake-1', 'b-fake-2']));
  const plantedIds = new Set(planted.map((e) => (e.kind === 'order' ? e.orderId : '')));
  assert.ok(f.evidence.orderIds!.length > 0 && f.evidence.orderIds!.every((id) => plantedIds.has(id)));
  assert.match(f.explanation, /within one hour/);
});

test('the window is sliding: a burst straddling an hour boundary still fires', () => {
  const start = T0 + 3 * DAY + 5 * HOUR + 40 * MIN;
  const burst = [0, 5, 10, 25, 30, 35].map((m) => order({ buyerId: 'b-x', eventTime: start + m * MIN }));
  const { findings } = drive(signal, config, [...ordinarySeller(4, 20, 3), ...burst]);
  assert.ok(findings.some((f) => f.finding.horizonMs === HOUR && f.finding.value >= 3));
});

test('packed times stay exact up to the end of the contract (year 2099)', () => {
  const late = 4_070_908_800_000; // 2099-01-01
  const { findings } = drive(signal, config, brushingHour(late));
  assert.ok(findings.some((f) => f.finding.value === 10 && f.finding.horizonMs === HOUR), JSON.stringify(findings[0]));
});

test('quiet on a flash sale: hundreds of orders from distinct buyers in one hour', () => {
  const sale: MarketEvent[] = [];
  for (let i = 0; i < 300; i++) sale.push(order({ buyerId: `b-sale-${i}`, eventTime: T0 + 5 * DAY + 12 * HOUR + i * 10_000 }));
  const { findings } = drive(signal, config, [...ordinarySeller(7, 50, 2), ...sale]);
  assert.deepEqual(findings, []);
});

test('quiet on a loyal customer ordering daily for weeks, alone or among others', () => {
  const loyal: MarketEvent[] = [];
  for (let d = 0; d < 42; d++) loyal.push(order({ buyerId: 'b-grandma', eventTime: T0 + d * DAY + 9 * HOUR }));
  assert.deepEqual(drive(signal, config, loyal).findings, []);
  // A grocery seller whose 15 regulars each order every day.
  const regulars: MarketEvent[] = [];
  for (let d = 0; d < 28; d++) for (let b = 0; b < 15; b++) regulars.push(order({ buyerId: `b-reg-${b}`, eventTime: T0 + d * DAY + (8 + b / 2) * HOUR }));
  assert.deepEqual(drive(signal, config, regulars).findings, []);
});

test('quiet on a bulk corporate buyer: one order of quantity 50 is one order', () => {
  const bulk = order({ buyerId: 'b-corp', eventTime: T0 + 2 * DAY + 10 * HOUR, quantity: 50, amountCents: 50 * 1999 });
  assert.deepEqual(drive(signal, config, [...ordinarySeller(5, 30, 4), bulk]).findings, []);
});

test('quiet on an office splitting a bulk purchase into many orders of ≥ bulkQuantity units; the same orders of one unit fire', () => {
  const at = T0 + 5 * DAY + 10 * HOUR;
  const session = (quantity: number) =>
    Array.from({ length: 10 }, (_, i) => order({ buyerId: 'b-office', eventTime: at + i * 6 * MIN, quantity, amountCents: quantity * 1999 }));
  assert.deepEqual(drive(signal, config, [...ordinarySeller(5, 30, 4), ...session(config.bulkQuantity)]).findings, []);
  assert.ok(drive(signal, config, [...ordinarySeller(5, 30, 4), ...session(1)]).findings.length > 0);
});

test('the day and week findings name only buyers with 2 orders beyond what the top-k inherited, not the single-order buyers that took an evicted slot', () => {
  // One business buyer orders 4 units every hour from 8:00 to 22:00, among five single-order
  // customers: from the third on, each takes the top-k slot of the last at its count + 1.
  const events: MarketEvent[] = [];
  for (let i = 0; i < 15; i++) events.push(order({ buyerId: 'b-business', eventTime: T0 + (8 + i) * HOUR + 10 * MIN, quantity: 4 }));
  for (let i = 0; i < 5; i++) events.push(order({ buyerId: `b-once-${i}`, eventTime: T0 + (9 + 2 * i) * HOUR + 40 * MIN }));
  const day = drive(signal, config, events).findings.filter((f) => f.finding.horizonMs === DAY);
  assert.ok(day.length > 0, 'no day finding');
  for (const f of day) assert.deepEqual(f.finding.evidence.buyerIds, ['b-business']);
  // Its sample holds the business buyer's repeat orders only.
  const { state } = drive(signal, config, events);
  const business = new Set(events.filter((e) => e.buyerId === 'b-business').map((e) => (e.kind === 'order' ? e.orderId : '')));
  const { sample } = separateParts(state);
  assert.ok(sample.length > 0 && sample.every((o) => business.has(o)), `sample ${sample.join(' ')}`);
});

test('the week horizon catches sustained repetition below the hourly and daily thresholds', () => {
  const events: MarketEvent[] = [];
  // Four accounts, each ordering 3 times a day, spread over the day, for 7 days: ratio ~3 per buyer-day.
  for (let d = 0; d < 7; d++) for (let b = 0; b < 4; b++) for (let k = 0; k < 3; k++) events.push(order({ buyerId: `b-w${b}`, eventTime: T0 + d * DAY + (2 + 7 * k + b) * HOUR }));
  const { findings } = drive(signal, config, events);
  assert.ok(findings.some((f) => f.finding.horizonMs === 7 * DAY || f.finding.horizonMs === DAY), JSON.stringify(findings.slice(0, 1)));
  assert.ok(findings.every((f) => f.finding.horizonMs !== HOUR));
});

test("a seller's own high baseline raises its thresholds (up to the lift cap)", () => {
  const events: MarketEvent[] = [];
  // Every day 8 buyers order twice each: daily ratio 2, so the baseline settles near 2.
  for (let d = 0; d < 10; d++) for (let b = 0; b < 8; b++) for (let k = 0; k < 2; k++) events.push(order({ buyerId: `b-${d}-${b}`, eventTime: T0 + d * DAY + (1 + b * 2 + k) * HOUR }));
  const { state } = drive(signal, config, events);
  const { base } = separateFields(state);
  assert.ok(Math.abs(base! - 2) < 0.05, `baseline ${base}`);
  // The tenth day is still open.
  assert.equal(state.baseDays, 9);

  // On day 11 one buyer places 7 orders in an hour: 7 ÷ 1 against the threshold lifted to 2 × 2.
  const burst = [0, 5, 10, 15, 20, 25, 30].map((m) => order({ buyerId: 'b-burst', eventTime: T0 + 10 * DAY + 12 * HOUR + m * MIN }));
  const hour = drive(signal, config, [...events, ...burst]).findings.filter((f) => f.finding.horizonMs === HOUR);
  assert.ok(hour.length > 0);
  assert.ok(Math.abs(hour[0]!.finding.threshold - 4) < 0.1, `threshold ${hour[0]!.finding.threshold}`);
  assert.ok(Math.abs(hour[0]!.finding.baseline! - 2) < 0.1);

  // A seller whose every buyer orders 6 times a day would lift it to 12; the cap keeps it at 3 × 3.
  const heavy: MarketEvent[] = [];
  for (let d = 0; d < 10; d++) for (let b = 0; b < 3; b++) for (let k = 0; k < 6; k++) heavy.push(order({ buyerId: `b-h${d}-${b}`, eventTime: T0 + d * DAY + (b * 7 + k) * HOUR }));
  const burst10 = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45].map((m) => order({ buyerId: 'b-x', eventTime: T0 + 10 * DAY + 12 * HOUR + m * MIN }));
  const capped = drive(signal, config, [...heavy, ...burst10]).findings.filter((f) => f.at > T0 + 10 * DAY);
  assert.deepEqual(capped.map((f) => [f.finding.horizonMs, f.finding.value, f.finding.threshold]), [[HOUR, 10, 9]]);
  // The 7-order burst stays below the capped threshold of this seller.
  assert.deepEqual(drive(signal, config, [...heavy, ...burst]).findings.filter((f) => f.at > T0 + 10 * DAY), []);
});

test('memory stays bounded after 100k orders', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 100_000; i++) events.push(order({ buyerId: `b-${i % 5000}`, eventTime: T0 + i * 20_000 }));
  const { state } = drive(signal, config, events);
  const { w, past } = separateLists(state);
  assert.ok(w.length <= config.windowCap);
  assert.ok(past.length <= 3 * config.weekDays);
  assert.ok(state.keys.length <= config.topBuyers);
  assert.ok(separateParts(state).sample.length <= config.sampleOrders);
  assert.ok(typeof state.dayBuyers === 'string' && state.dayBuyers.length === 1 << config.hllPrecision);
  assert.ok(JSON.stringify(state).length < 3000, `${JSON.stringify(state).length} bytes`);
});

test('an order whose window drops as many entries as it adds (a day buyer, a top-k key) leaves every list exact', () => {
  const entry = (e: MarketEvent) => Math.floor(e.eventTime / 1000) * 2 ** 21 + (eventKeys(e).buyer >>> 11);
  const day = (e: MarketEvent) => eventKeys(e).buyer >>> 0;
  // Three buyers fill the top-k; the fourth, 61 minutes on, drops the window's first two orders.
  const three = ['b-a', 'b-b', 'b-c'].map((b, i) => order({ buyerId: b, eventTime: T0 + 10 * HOUR + i * MIN }));
  const fourth = order({ buyerId: 'b-d', eventTime: T0 + 11 * HOUR + 2 * MIN - 30_000 });
  const s = signal.create(config);
  for (const e of [...three, fourth]) signal.observe(s, e, config, eventKeys(e));
  const f = separateFields(s);
  assert.deepEqual(separateLists(s).w, [entry(three[2]!), entry(fourth)]);
  assert.deepEqual(f.dayBuyers, [...three, fourth].map(day));
  assert.equal(f.wu, 2);
  assert.deepEqual(separateParts(s).counts.filter((_, i) => i % 2 === 0).sort(), [1, 1, 2]);
  // A day's four orders by one buyer leave the window at the next day's first order, by a buyer new to the top-k.
  const same = [0, 1, 2, 3].map((i) => order({ buyerId: 'b-a', eventTime: T0 + 23 * HOUR + i * MIN }));
  const next = order({ buyerId: 'b-b', eventTime: T0 + DAY + 10 * MIN });
  const t = signal.create(config);
  for (const e of [...same, next]) signal.observe(t, e, config, eventKeys(e));
  assert.deepEqual(separateLists(t).w, [entry(next)]);
  assert.deepEqual(separateFields(t).dayBuyers, [day(next)]);
  assert.deepEqual(t.keys, ['b-a', 'b-b']);
  assert.deepEqual(separateParts(t).counts, [2, 0, 1, 0]);
  // The closed day: 4 orders from 1 buyer (see DAY_SCALE).
  assert.deepEqual(separateLists(t).past, [(T0 / DAY) * 2 ** 36 + 4 * 2 ** 18 + 1]);
});

test('JSON round-trip mid-stream and expire at any time leave the findings unchanged', () => {
  const events = [...ordinarySeller(9, 40, 5), ...brushingHour(T0 + 8 * DAY + 3 * HOUR)];
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.length > 0);
  assert.deepEqual(drive(signal, config, events, { roundTripAt: 200 }).findings, plain);
  assert.deepEqual(drive(signal, config, events, { expireHourly: true }).findings, plain);
  assert.deepEqual(drive(signal, config, events.slice().reverse()).findings, plain);
});

test('a state saved with the former `peak` field (the window ratio, now recomputed) restores and behaves the same', () => {
  const events = brushingHour(T0 + 2 * DAY + 10 * HOUR);
  const keys = (e: MarketEvent) => eventKeys(e);
  const now = signal.create(config);
  for (const e of events.slice(0, 12)) signal.observe(now, e, config, keys(e));
  const { peakN, peakU } = separateFields(now);
  assert.ok(peakU! > 0);
  const old = revived(signal, config, { ...(JSON.parse(JSON.stringify(now)) as State), peak: peakN! / peakU! });
  assert.equal(JSON.stringify(old).includes('"peak"'), false, 'the unused field is not written again');
  for (const e of events.slice(12)) {
    signal.observe(now, e, config, keys(e));
    signal.observe(old, e, config, keys(e));
  }
  const at = { at: T0 + 2 * DAY + 11 * HOUR } as SellerContext;
  const f = signal.evaluate(now, at, config);
  assert.ok(f !== null && f.horizonMs === HOUR);
  assert.deepEqual(signal.evaluate(old, at, config), f);
  assert.equal(old.win, now.win);
});

test('a state saved with its top-k as `top` (before it was flattened into the state) restores and behaves the same', () => {
  // Four accounts ordering 3 times a day for a week: day and week findings name them from the top-k.
  const events: MarketEvent[] = [];
  for (let d = 0; d < 7; d++) for (let b = 0; b < 4; b++) for (let k = 0; k < 3; k++) events.push(order({ buyerId: `b-w${b}`, eventTime: T0 + d * DAY + (2 + 7 * k + b) * HOUR }));
  events.sort((a, b) => a.eventTime - b.eventTime);
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.some((f) => f.finding.horizonMs !== HOUR && f.finding.evidence.buyerIds!.length > 0));
  // The same run, its state rewritten to the former shape at every order.
  const findings = [];
  let state = signal.create(config);
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  for (const e of events) {
    for (; boundary <= e.eventTime; boundary += HOUR) {
      const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
      if (f !== null) findings.push({ at: boundary, finding: f });
    }
    const { keys, counts, ...rest } = separateParts(state);
    state = revived(signal, config, { ...rest, top: { keys, counts } });
    assert.equal((state as { top?: unknown }).top, undefined);
    signal.observe(state, e, config, eventKeys(e));
  }
  const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
  if (f !== null) findings.push({ at: boundary, finding: f });
  assert.deepEqual(findings, plain);
});

/**
 * A farm drip: `accounts` accounts reorder the boosted listings (in turn) once a day or two, `orders`
 * times each, each order reviewed two days later.
 */
function reorderDrip(accounts: number, start: number, items: readonly string[] = ['i-boost'], orders = 4): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let a = 0; a < accounts; a++) {
    for (let k = 0; k < orders; k++) {
      const at = start + k * 1.4 * DAY + a * 3 * HOUR;
      const itemId = items[k % items.length]!;
      const o = order({ buyerId: `b-farm-${a}`, itemId, eventTime: at });
      out.push(o, review({ buyerId: o.buyerId, itemId, orderId: o.orderId, eventTime: at + 2 * DAY }));
    }
  }
  return out;
}

/** Reviews of an ordinary seller's orders by ordinary buyers: `share` of its orders, two days later. */
function reviewsOf(orders: readonly MarketEvent[], share: number, seed: number): MarketEvent[] {
  const r = rng(seed);
  return orders.flatMap((o) => (o.kind === 'order' && r() < share ? [review({ buyerId: o.buyerId, itemId: o.itemId, orderId: o.orderId, eventTime: o.eventTime + 2 * DAY })] : []));
}

test('the reorder lane fires on a drip of same-listing reorders, each reviewed, across several accounts, and names them', () => {
  const shop = ordinarySeller(14, 3, 7);
  const drip = reorderDrip(3, T0 + 4 * DAY + 9 * HOUR);
  const { findings } = drive(signal, config, [...shop, ...reviewsOf(shop, 0.2, 7), ...drip]);
  const lane = findings.filter((f) => f.finding.evidence.reviewIds !== undefined);
  assert.ok(lane.length > 0, 'no reorder finding');
  // The orders alone are one a day per account: no hour, day or week ratio fires.
  assert.ok(findings.every((f) => f.finding.evidence.reviewIds !== undefined), JSON.stringify(findings[0]?.finding));
  const f = lane.reduce((a, b) => (b.finding.strength > a.finding.strength ? b : a)).finding;
  assert.equal(f.horizonMs, config.weekDays * DAY);
  assert.ok(f.value >= config.reorderShare && f.strength >= 0.8, JSON.stringify(f));
  assert.ok(f.evidence.buyerIds!.length >= 2 && f.evidence.buyerIds!.every((b) => b.startsWith('b-farm-')), JSON.stringify(f.evidence));
  assert.match(f.explanation, /earlier review here/);
  // One account doing it is not a farm.
  assert.ok(drive(signal, config, [...shop, ...reviewsOf(shop, 0.2, 7), ...reorderDrip(1, T0 + 4 * DAY)]).findings.every((x) => x.finding.evidence.reviewIds === undefined));
});

test('the reorder lane counts repeat reviews by one account across the listings a farm pushes in turn', () => {
  const shop = ordinarySeller(14, 3, 7);
  // Three orders per account alternating two listings: one same-listing repeat each, two at the shop.
  const drip = reorderDrip(3, T0 + 4 * DAY + 9 * HOUR, ['i-boost', 'i-boost-2'], 3);
  const lane = drive(signal, config, [...shop, ...reviewsOf(shop, 0.2, 7), ...drip]).findings.filter((f) => f.finding.evidence.reviewIds !== undefined);
  assert.ok(lane.length > 0, 'no reorder finding');
  const f = lane.reduce((a, b) => (b.finding.strength > a.finding.strength ? b : a)).finding;
  assert.ok(f.strength >= 0.8 && f.evidence.buyerIds!.length >= 2 && f.evidence.buyerIds!.every((b) => b.startsWith('b-farm-')), JSON.stringify(f));
});

test('a state saved before step 45 (fingerprints of buyer and listing) restores; the lane still fires on a later drip', () => {
  const shop = ordinarySeller(14, 3, 7);
  const drip = reorderDrip(3, T0 + 4 * DAY + 9 * HOUR);
  const events = canonical([...shop, ...reviewsOf(shop, 0.2, 7), ...drip]);
  const cut = events.findIndex((e) => e.eventTime >= T0 + 4 * DAY);
  const { state } = drive(signal, config, events.slice(0, cut));
  const { past, rv, w } = separateLists(state);
  assert.ok(rv.length > 0);
  // The former fingerprints mixed in the listing: no new review's buyer fingerprint matches them.
  const scale = 2 ** 21;
  const old = (x: number) => x - (x % scale) + ((x % scale) ^ 0x155555);
  const restored = { ...(JSON.parse(JSON.stringify(state)) as State) };
  restored.n = [...past, ...rv.map(old), ...w];
  restored.reps = restored.reps.map((x, i) => (i % 3 === 0 ? (x as number) ^ 0x155555 : x));
  const lane = [];
  let boundary = (Math.floor(events[cut]!.eventTime / HOUR) + 1) * HOUR;
  for (const e of [...events.slice(cut), order({ buyerId: 'b-last', eventTime: T0 + 14 * DAY })]) {
    for (; boundary <= e.eventTime; boundary += HOUR) {
      const f = signal.evaluate(restored, { at: boundary } as SellerContext, config);
      if (f !== null && f.evidence.reviewIds !== undefined) lane.push({ at: boundary, finding: f });
    }
    signal.observe(restored, e, config, eventKeys(e));
  }
  assert.ok(lane.length > 0 && lane.every((f) => f.finding.evidence.buyerIds!.every((b) => b.startsWith('b-farm-'))), JSON.stringify(lane[0]));
});

test('the reorder lane stays quiet on grocery regulars with varied daily baskets and on corporate bulk buyers', () => {
  const r = rng(11);
  const grocery: MarketEvent[] = [];
  // 30 regulars ordering every day for four weeks, each basket one of eight items, reviewed at an ordinary rate.
  for (let d = 0; d < 28; d++) {
    for (let b = 0; b < 30; b++) {
      const o = order({ buyerId: `b-reg-${b}`, itemId: `i-${Math.floor(r() * 8)}`, quantity: 1 + Math.floor(r() * 4), eventTime: T0 + d * DAY + (7 + b / 3) * HOUR });
      grocery.push(o);
      if (r() < 0.15) grocery.push(review({ buyerId: o.buyerId, itemId: o.itemId, orderId: o.orderId, eventTime: o.eventTime + DAY }));
    }
  }
  assert.deepEqual(drive(signal, config, grocery).findings, []);
  // Procurement accounts of two companies: one order of 20–200 units each a week, one listing, each reviewed.
  const corporate: MarketEvent[] = [];
  for (let w = 0; w < 4; w++) {
    for (let b = 0; b < 6; b++) {
      const o = order({ buyerId: `b-corp-${b}`, itemId: 'i-paper', quantity: 20 + 30 * b, eventTime: T0 + w * 7 * DAY + (b % 5) * DAY + 10 * HOUR });
      corporate.push(o, review({ buyerId: o.buyerId, itemId: o.itemId, orderId: o.orderId, eventTime: o.eventTime + 3 * DAY }));
    }
  }
  assert.deepEqual(drive(signal, config, [...ordinarySeller(28, 2, 12), ...corporate]).findings, []);
});

test('the reorder lane keeps at most reorderCap reviews and forgets them after weekDays days', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 500; i++) events.push(review({ buyerId: `b-${i % 7}`, itemId: 'i-1', orderId: `o-x-${i}`, eventTime: T0 + i * 10 * MIN }));
  const { state } = drive(signal, config, events);
  assert.equal(separateLists(state).rv.length, config.reorderCap);
  const { rvf, rvb, rvr } = separateLists(state);
  assert.ok(rvb.length <= Math.max(config.sampleOrders, config.reorderMinAccounts) && rvb.length === rvf.length && rvr.length === rvf.length);
  // Each account named once, with its latest review, the latest accounts kept, oldest first.
  const latest = events.slice(-rvb.length).map((e) => e as ReviewEvent);
  assert.deepEqual([rvb, rvr], [latest.map((e) => e.buyerId), latest.map((e) => e.reviewId)]);
  // Two accounts in turn, fewer than the cap: each still named once.
  const two = events.slice(0, 10).map((e, i) => ({ ...e, buyerId: `b-${i % 2}` }) as ReviewEvent);
  const pair = separateLists(drive(signal, config, two).state);
  assert.deepEqual([pair.rvb, pair.rvr], [['b-0', 'b-1'], [two[8]!.reviewId, two[9]!.reviewId]]);
  signal.expire(state, T0 + 500 * 10 * MIN + config.weekDays * DAY + HOUR, config);
  const after = separateLists(state);
  assert.deepEqual([after.rv, after.rvf, after.rvb, after.rvr, state.reps], [[], [], [], [], []]);
  // Unverified reviews (no order) are not repeat purchases.
  const unverified = drive(signal, config, events.map((e) => ({ ...e, orderId: null }) as MarketEvent)).state;
  assert.deepEqual(separateLists(unverified).rv, []);
});

test('a state saved before the reorder lane restores; the lane starts at its next review', () => {
  const shop = ordinarySeller(14, 3, 7);
  const drip = reorderDrip(3, T0 + 4 * DAY + 9 * HOUR);
  const events = canonical([...shop, ...reviewsOf(shop, 0.2, 7), ...drip]);
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.length > 0);
  // The layout before the lane: the window and the closed days as separate lists, no lane fields.
  const { n: _n, lens: _lens, reps: _reps, ...old } = JSON.parse(JSON.stringify(signal.create(config))) as State;
  let state = revived(signal, config, { ...old, w: [], past: [] });
  const findings = [];
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  for (const e of events) {
    for (; boundary <= e.eventTime; boundary += HOUR) {
      const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
      if (f !== null) findings.push({ at: boundary, finding: f });
    }
    signal.observe(state, e, config, eventKeys(e));
  }
  assert.ok(Array.isArray(state.n) && Array.isArray(state.reps));
  assert.deepEqual(findings, plain.filter((f) => f.at < boundary));
});

test('a state saved with the window, closed days, lane and repeat reviewers as separate lists restores at any point of a run', () => {
  const shop = ordinarySeller(14, 3, 7);
  const events = canonical([...shop, ...reviewsOf(shop, 0.2, 7), ...reorderDrip(3, T0 + 4 * DAY + 9 * HOUR), ...brushingHour(T0 + 9 * DAY + 10 * HOUR)]);
  const plain = drive(signal, config, events);
  assert.ok(plain.findings.some((f) => f.finding.evidence.reviewIds !== undefined) && plain.findings.some((f) => f.finding.horizonMs === HOUR));
  // The same run, its state rewritten to the former layout (as a snapshot of it holds) before every event.
  const findings = [];
  let state = signal.create(config);
  let held = 0;
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  for (const e of events) {
    for (; boundary <= e.eventTime; boundary += HOUR) {
      const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
      if (f !== null) findings.push({ at: boundary, finding: f });
    }
    const lists = separateLists(state);
    held = Math.max(held, Math.min(lists.past.length, lists.rv.length, lists.w.length, lists.rvf.length));
    const { n: _n, lens: _lens, reps: _reps, ...rest } = separateFields(state);
    state = revived(signal, config, { ...rest, ...lists } satisfies Omit<ReturnType<typeof separateFields>, 'n' | 'lens' | 'reps'> & SeparateLists);
    signal.observe(state, e, config, eventKeys(e));
    assert.equal(JSON.stringify(state).match(/"(w|past|rv|rvf|rvb|rvr|base)":/), null);
  }
  assert.ok(held > 0, 'the four lists were never all in use at once');
  const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
  if (f !== null) findings.push({ at: boundary, finding: f });
  assert.deepEqual(findings, plain.findings.filter((x) => x.at <= boundary));
});

test('a state saved with the baseline as `base`, the day\'s buyers in `dayBuyers` and the window\'s counts as fields restores at any point of a run', () => {
  // Days of 30 and of 3 distinct buyers (over hllExactCap: registers), reviews, a drip and a burst:
  // the baseline, both modes of the day's buyers, the lane and the window all in use.
  const shop = [...ordinarySeller(3, 30, 8), ...ordinarySeller(11, 3, 7, T0 + 3 * DAY)];
  const events = canonical([...shop, ...reviewsOf(shop, 0.2, 7), ...reorderDrip(3, T0 + 7 * DAY + 9 * HOUR), ...brushingHour(T0 + 12 * DAY + 10 * HOUR)]);
  const plain = drive(signal, config, events);
  assert.ok(plain.findings.some((f) => f.finding.evidence.reviewIds !== undefined) && plain.findings.some((f) => f.finding.horizonMs === HOUR));
  assert.ok(plain.state.baseDays >= config.baselineMinDays);
  for (const every of [1, 7, 50]) {
    // The same run, its state rewritten to the former layout (as a snapshot of it holds) before every `every`-th event or evaluation.
    const findings = [];
    let state = signal.create(config);
    let registers = false;
    let calls = 0;
    const step = (): void => {
      if (calls++ % every !== 0) return;
      const old = separateFields(state);
      registers ||= typeof old.dayBuyers === 'string';
      state = revived(signal, config, old);
    };
    let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
    events.forEach((e) => {
      for (; boundary <= e.eventTime; boundary += HOUR) {
        step();
        const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
        if (f !== null) findings.push({ at: boundary, finding: f });
      }
      step();
      signal.observe(state, e, config, eventKeys(e));
      assert.equal(JSON.stringify(state).match(/"(base|wu|peakN|peakU)":/), null);
    });
    assert.ok(registers, 'the day\'s buyers never reached the registers');
    const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
    if (f !== null) findings.push({ at: boundary, finding: f });
    assert.deepEqual(findings, plain.findings.filter((x) => x.at <= boundary));
    assert.deepEqual(JSON.parse(JSON.stringify(state)), JSON.parse(JSON.stringify(plain.state)));
  }
});

/** Ten days of six single orders (every other one reviewed), three regulars ordering 8 times a day from day 6, a burst on day 8; ids of their own. */
function savedScenario(): MarketEvent[] {
  const out: MarketEvent[] = [];
  let k = 0;
  const placed = (buyerId: string, eventTime: number, reviewed = false): void => {
    k++;
    out.push(order({ buyerId, eventTime, eventId: `e-saved-${k}`, orderId: `o-saved-${k}` }));
    if (reviewed) out.push(review({ buyerId, eventTime: eventTime + DAY + 7 * MIN, eventId: `e-saved-r-${k}`, reviewId: `r-saved-${k}`, orderId: `o-saved-${k}` }));
  };
  for (let d = 0; d < 10; d++) {
    for (let i = 0; i < 6; i++) placed(`b-saved-${d}-${i}`, T0 + d * DAY + (1 + 3 * i) * HOUR + 11 * MIN, i % 2 === 0);
    if (d >= 6) for (let b = 0; b < 3; b++) for (let j = 0; j < 8; j++) placed(`b-reg-${b}`, T0 + d * DAY + (3 * j + b) * HOUR + 5 * MIN, j === 0);
  }
  for (let i = 0; i < 12; i++) placed(`b-fake-${i % 2}`, T0 + 8 * DAY + 20 * HOUR + 30 * MIN + i * 6 * MIN);
  return canonical(out);
}

/**
 * replaySwapped(savedScenario()) by the code of 078496f, the states just before events 70, 150 and
 * 164 (in the burst): the top-k's numbers as `counts`, the evidence lists as fields.
 */
const SAVED = new Map([
  [70, '{"n":[1,1405588178731014,1405656898207750,1405725617684486,1405794337161222,1405863056637958,1405931776114694,3706331710262235,3706377009877581,3706422308698294,3706512904435853,3706558203598087,3706603502324228,3706694099671878,3706739398004222,3706784696686353,3706875291952445,3706920590448510,3706965889860581,3707056487014090,3707101786198717,3707147084885287,3707237680051139,3707282980241709,2256768043,143924684,1878029252,1291448862,118050917,839328864,2626395764,3707311542083390,3707319092301937],"lens":115782,"win":2,"hotBuyers":[],"hotOrders":[],"day":20460,"dayOrders":17,"dayBuyers":null,"keys":["b-reg-2","b-reg-0","b-reg-1"],"counts":[7.96875,6.96875,7.96875,5.96875,6.96875,4.96875],"sample":["o-saved-45","o-saved-54","o-saved-47"],"baseDays":6,"reps":[]}'],
  [150, '{"n":[1.4433333333333334,1405725617684486,1405794337161222,1405863056637958,1405931776114694,1406000501882889,1406069221359625,3706512904435853,3706558203598087,3706603502324228,3706694099671878,3706739398004222,3706784696686353,3706875291952445,3706920590448510,3706965889860581,3707056487014090,3707101786198717,3707147084885287,3707237680051139,3707282980241709,3707328276786502,3707410570072177,3707418118787715,3707418874609166,3707425669095230,3707464172585188,3707509470768490,3707591764004977,3707599312720515,3707600069370836,3707606863028030,3707645366872608,3707690665754830,2256768043,143924684,1085859273,1291448862,1966769715,1707298353,222433421,1486559402,1468154162,3707711678124675,3707712433745992,3707719228432190],"lens":149190,"win":3,"hotBuyers":[],"hotOrders":[],"day":20462,"dayOrders":24,"dayBuyers":null,"keys":["b-saved-8-5","b-reg-1","b-reg-2"],"counts":[15.9921875,14.9921875,15.9921875,14.9921875,15.9921875,14.9921875],"sample":["o-saved-107","o-saved-115","o-saved-108"],"baseDays":8,"reps":[1101937,"b-reg-0","r-saved-73",70275,"b-reg-1","r-saved-81",630590,"b-reg-2","r-saved-89"]}'],
  [164, '{"n":[1.4433333333333334,1405725617684486,1405794337161222,1405863056637958,1405931776114694,1406000501882889,1406069221359625,3706512904435853,3706558203598087,3706603502324228,3706694099671878,3706739398004222,3706784696686353,3706875291952445,3706920590448510,3706965889860581,3707056487014090,3707101786198717,3707147084885287,3707237680051139,3707282980241709,3707328276786502,3707410570072177,3707418118787715,3707418874609166,3707425669095230,3707464172585188,3707509470768490,3707591764004977,3707599312720515,3707600069370836,3707606863028030,3707645366872608,3707690665754830,2256768043,143924684,1085859273,1291448862,1966769715,1707298353,222433421,1486559402,1468154162,917964259,3679526095,3707745023219424,3707745779542563,3707746533168864,3707747289492003,3707748043118304,3707748799441443,3707749427892337,3707749553067744,3707750309390883,3707751063017184,3707751819340323],"lens":181958,"win":2885123,"hotBuyers":["b-fake-1","b-fake-0"],"hotOrders":["o-saved-164","o-saved-165","o-saved-166"],"day":20462,"dayOrders":38,"dayBuyers":null,"keys":["b-reg-0","b-fake-1","b-fake-0"],"counts":[17.9921875,15.9921875,21.9921875,16.9921875,21.9921875,16.9921875],"sample":["o-saved-164","o-saved-165","o-saved-166"],"baseDays":8,"reps":[1101937,"b-reg-0","r-saved-73",70275,"b-reg-1","r-saved-81",630590,"b-reg-2","r-saved-89"]}'],
]);

test('a state saved with the top-k\'s numbers as `counts` and the evidence lists as fields (by 078496f) restores and goes on exactly as if never saved', () => {
  const events = savedScenario();
  const plain = replaySwapped(signal, config, events);
  let hot = false;
  for (const [at, json] of SAVED) {
    const saved = JSON.parse(json) as SeparateCounts & SeparateEvidence;
    assert.ok(saved.counts!.length === 6 && saved.counts!.some((c) => !Number.isInteger(c)) && saved.sample!.length === config.sampleOrders, 'three keys, decayed, and a full sample');
    hot ||= saved.hotBuyers!.length > 0 && saved.hotOrders!.length > 0;
    assert.ok(plain.findings.some((x) => x.at > events[at]!.eventTime && x.f.horizonMs === DAY && x.f.evidence.buyerIds!.length > 0), 'top-k evidence after the restore');
    const restored = replaySwapped(signal, config, events, at, saved);
    assert.deepEqual(restored.findings, plain.findings);
    assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
    assert.equal(JSON.stringify(revived(signal, config, saved)).match(/"(counts|sample|hotBuyers|hotOrders)":/), null);
  }
  assert.ok(hot, 'no saved state with hot lists');
  assert.ok(plain.findings.some((x) => x.f.horizonMs === HOUR && x.at > events[164]!.eventTime), 'an hour finding on the hot lists after the restore');
});
