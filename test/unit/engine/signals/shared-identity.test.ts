import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, ipPrefix, prefix24Hash, signal } from '../../../../src/engine/signals/shared-identity.js';
import { eventKeys } from '../../../../src/engine/event-keys.js';
import { hash32 } from '../../../../src/engine/sketch/hash.js';
import { assocCreate, assocFind, assocPut, assocSlot } from '../../../../src/engine/sketch/assoc.js';
import { rng } from '../../../helpers/fixtures.js';
import type { MarketEvent } from '../../../../src/engine/types.js';
import { DAY, drive, HOUR, MIN, order, ordinarySeller, review, T0 } from './fixtures.js';

const config = configSchema.parse({});

test('prefix24Hash is the hash of the /24 string, without building it', () => {
  for (let i = 0; i < 2000; i++) {
    const ip = `${(i * 7) % 256}.${(i * 13) % 256}.${i % 256}.${(i * 31) % 256}`;
    for (const seed of [0x811c9dc5, 0x7fb5d329]) assert.equal(prefix24Hash(ip, seed), hash32(ipPrefix(ip)!, seed));
  }
  assert.equal(prefix24Hash('1.2', 5), hash32('1.0/24', 5));
  // Anything but IPv4 is left to ipPrefix.
  for (const ip of ['2001:db8::1', '::ffff:198.51.100.4', '.1', 'garbage', '']) assert.equal(prefix24Hash(ip, 5), -1, ip);
});

test('assocSlot finds what assocFind finds, else the slot assocPut fills', () => {
  const r = rng(3);
  for (let round = 0; round < 200; round++) {
    const t = assocCreate(8);
    // Two payloads, so that full pairs often tie.
    for (let i = 0; i < 6; i++) assocPut(t, Math.floor(r() * 2 ** 32), Math.floor(r() * 2) * 2 ** 16, 38);
    for (let i = 0; i < 20; i++) {
      const h = Math.floor(r() * 2 ** 32);
      const at = assocSlot(t, h, 38);
      const found = assocFind(t, h, 38);
      if (found >= 0) assert.equal(at, found);
      else {
        const after = [...t];
        assocPut(after, h, 7, 38);
        assert.equal(after.findIndex((e, j) => e !== t[j]), -1 - at);
      }
    }
  }
});

test('ipPrefix gives the IPv4 /24 and the canonical IPv6 /64', () => {
  assert.equal(ipPrefix('203.0.113.7'), '203.0.113.0/24');
  assert.equal(ipPrefix('2001:DB8:0:1:aaaa::1'), '2001:db8:0:1::/64');
  assert.equal(ipPrefix('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipPrefix('2001:0db8:0000:0001:0:0:0:9'), '2001:db8:0:1::/64');
  assert.equal(ipPrefix('::ffff:198.51.100.4'), '198.51.100.0/24');
  assert.equal(ipPrefix('garbage'), null);
  assert.equal(ipPrefix('1::2::3'), null);
});

test('fires on several buyers sharing one device and one card, with the values and buyers as evidence', () => {
  const farm: MarketEvent[] = [];
  for (let i = 0; i < 5; i++) {
    farm.push(order({ buyerId: `b-farm-${i}`, eventTime: T0 + 6 * DAY + i * 40 * MIN, deviceId: 'd-phone-1', paymentInstrumentHash: 'p-card-9' }));
  }
  const { findings } = drive(signal, config, [...ordinarySeller(7, 50, 21), ...farm]);
  assert.ok(findings.length > 0, 'no finding');
  const f = findings.at(-1)!.finding;
  assert.equal(f.family, 'identity');
  assert.equal(f.value, 5);
  assert.equal(f.threshold, 3);
  assert.ok(f.strength >= 0.9, `strength ${f.strength}`);
  assert.deepEqual(f.evidence.deviceIds, ['d-phone-1']);
  assert.deepEqual(f.evidence.paymentHashes, ['p-card-9']);
  // The first user of a value is known only by fingerprint: buyers from the second on.
  assert.deepEqual(f.evidence.buyerIds, ['b-farm-1', 'b-farm-2', 'b-farm-3', 'b-farm-4']);
  assert.ok(findings.every((x) => x.at > T0 + 6 * DAY));
});

test('sharing across reviews counts too (one device writing reviews for several buyers)', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 4; i++) events.push(review({ buyerId: `b-rev-${i}`, eventTime: T0 + i * MIN, deviceId: 'd-farm' }));
  assert.ok(drive(signal, config, events).findings.some((f) => f.finding.evidence.deviceIds?.includes('d-farm')));
});

test('quiet on a campus NAT: dozens of honest buyers behind one /24', () => {
  const campus: MarketEvent[] = [];
  for (let i = 0; i < 40; i++) campus.push(order({ buyerId: `b-student-${i}`, eventTime: T0 + 2 * DAY + i * 20 * MIN, ipAddress: `192.0.2.${10 + i}` }));
  const { findings, state } = drive(signal, config, [...ordinarySeller(4, 30, 22), ...campus]);
  assert.deepEqual(findings, []);
  // It was seen, just weighed as weak: the prefix is tracked (8-bit buyer ids, saturating at 32).
  assert.ok(state.shared.some((s) => s.v === '192.0.2.0/24' && s.fps.length >= 28));
});

test('two buyers on one IP prefix cost no strings; the third promotes it', () => {
  const two = [0, 1].map((i) => order({ buyerId: `b-nat-${i}`, eventTime: T0 + i * MIN, ipAddress: `198.51.100.${i + 1}` }));
  assert.deepEqual(drive(signal, config, two).state.shared, []);
  const three = [...two, order({ buyerId: 'b-nat-2', eventTime: T0 + 2 * MIN, ipAddress: '198.51.100.9' })];
  const { state } = drive(signal, config, three);
  assert.deepEqual(state.shared.map((s) => [s.v, s.fps.length, s.buyers.length]), [['198.51.100.0/24', 3, 0]]);
});

test('an IP prefix shared past the horizon starts over in the table, even before expire runs', () => {
  const s = signal.create(config);
  const see = (buyer: string, at: number, ip: string) => signal.observe(s, order({ buyerId: buyer, eventTime: at, ipAddress: ip }), config, eventKeys(order({ buyerId: buyer, eventTime: at, ipAddress: ip })));
  for (let i = 0; i < 3; i++) see(`b-nat-${i}`, T0 + i * MIN, `198.51.100.${i + 1}`);
  assert.deepEqual(s.shared.map((x) => [x.v, x.fps.length]), [['198.51.100.0/24', 3]]);
  const later = T0 + (config.horizonDays + 1) * DAY;
  see('b-late-0', later, '198.51.100.7');
  // Dropped, and its new buyer is in the table: two more buyers promote it afresh with three.
  assert.equal(s.shared.length, 0);
  see('b-late-1', later + MIN, '198.51.100.8');
  assert.equal(s.shared.length, 0);
  see('b-late-2', later + 2 * MIN, '198.51.100.9');
  assert.deepEqual(s.shared.map((x) => [x.v, x.fps.length, x.hour]), [['198.51.100.0/24', 3, Math.floor((later + 2 * MIN) / HOUR)]]);
});

test('quiet on a family sharing an address and a card between two accounts', () => {
  const family = [0, 1, 2, 3].map((i) =>
    order({ buyerId: i % 2 === 0 ? 'b-mum' : 'b-son', eventTime: T0 + i * DAY, shippingAddressHash: 'a-home', paymentInstrumentHash: 'p-family' }),
  );
  assert.deepEqual(drive(signal, config, [...ordinarySeller(4, 20, 23), ...family]).findings, []);
});

test('sharing older than the horizon does not accumulate', () => {
  const spread = [0, 1, 2, 3].map((i) => order({ buyerId: `b-${i}`, eventTime: T0 + i * 8 * DAY, deviceId: 'd-shared' }));
  assert.deepEqual(drive(signal, config, spread).findings, []);
});

test('memory stays bounded after 100k events', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 100_000; i++) {
    events.push(order({ buyerId: `b-${i % 9000}`, eventTime: T0 + i * 10_000, deviceId: `d-${i % 3000}`, ipAddress: `10.0.${i % 256}.1`, shippingAddressHash: `a-${i}`, paymentInstrumentHash: `p-${i % 4000}` }));
  }
  const { state } = drive(signal, config, events);
  assert.equal(state.table.length, config.slots);
  assert.ok(state.shared.length <= config.maxShared);
  assert.ok(state.shared.every((s) => s.fps.length <= 32 && s.buyers.length <= config.evidenceBuyers));
  assert.ok(JSON.stringify(state).length < 4000, `${JSON.stringify(state).length} bytes`);
});

test('JSON round-trip mid-stream and expire at any time leave the findings unchanged', () => {
  const farm: MarketEvent[] = [];
  for (let i = 0; i < 6; i++) farm.push(order({ buyerId: `b-farm-${i}`, eventTime: T0 + 3 * DAY + i * HOUR, deviceId: 'd-1', shippingAddressHash: 'a-drop' }));
  const events = [...ordinarySeller(5, 40, 24), ...farm];
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.length > 0);
  assert.deepEqual(drive(signal, config, events, { roundTripAt: 120 }).findings, plain);
  assert.deepEqual(drive(signal, config, events, { expireHourly: true }).findings, plain);
});

/** Three accounts of a farm paying with one card, each with its own device and address, `gap` apart. */
function cardFarm(gap: number, n = 3, start = T0 + 4 * DAY): MarketEvent[] {
  return Array.from({ length: n }, (_, i) =>
    order({ buyerId: `b-card-${i}`, eventTime: start + i * gap, deviceId: `d-own-${i}`, shippingAddressHash: `a-own-${i}`, paymentInstrumentHash: 'p-farm-card' }),
  );
}

test('three accounts paying with one card within hours are strong alone (card-burst lane)', () => {
  const { findings } = drive(signal, config, [...ordinarySeller(6, 10, 25), ...cardFarm(2 * HOUR)]);
  const third = T0 + 4 * DAY + 4 * HOUR;
  const first = findings.find((f) => f.at > third);
  assert.ok(first, 'no finding after the third account');
  assert.equal(first.at, (Math.floor(third / HOUR) + 1) * HOUR, 'at the close of the third account’s hour');
  assert.ok(first.finding.strength >= 0.8, `strength ${first.finding.strength}`);
  assert.equal(first.finding.value, 3);
  assert.equal(first.finding.threshold, config.cardBurstBuyers);
  assert.equal(first.finding.horizonMs, 24 * HOUR);
  assert.deepEqual(first.finding.evidence.paymentHashes, ['p-farm-card']);
  assert.deepEqual(first.finding.evidence.buyerIds, ['b-card-1', 'b-card-2']);
  assert.match(first.finding.explanation, /3 distinct buyers paid with one card/);
  // A day after the last use the burst is over and the card weighs as three accounts in a week again.
  const later = findings.filter((f) => f.at > third + 25 * HOUR && f.at < T0 + 6 * DAY);
  assert.ok(later.length > 0 && later.every((f) => f.finding.strength === 0.4), JSON.stringify(later.map((f) => f.finding.strength)));
});

test('bulk orders are a business buying stock: colleagues on the company card and office address share nothing', () => {
  const team = (quantity: number): MarketEvent[] =>
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      order({ buyerId: `b-emp-${i}`, eventTime: T0 + 4 * DAY + i * 30 * MIN, quantity, deviceId: `d-emp-${i}`, shippingAddressHash: 'a-office', paymentInstrumentHash: 'p-company' }),
    );
  const stock = drive(signal, config, [...ordinarySeller(6, 1, 26), ...team(config.bulkQuantity)]);
  assert.deepEqual(stock.findings, []);
  // The same accounts buying single units are what a farm does.
  const single = drive(signal, config, [...ordinarySeller(6, 1, 26), ...team(1)]);
  assert.ok(single.findings.some((f) => f.finding.strength >= 0.8), JSON.stringify(single.findings.map((f) => f.finding.strength)));
});

test('quiet-ish on a household of three sharing a card over days, and on a family tablet: below what alerts alone', () => {
  const household = cardFarm(30 * HOUR);
  const tablet = [0, 1, 2, 3].map((i) => order({ buyerId: `b-kid-${i}`, eventTime: T0 + 4 * DAY + i * 20 * MIN, deviceId: 'd-family-tablet' }));
  for (const events of [household, tablet]) {
    const { findings } = drive(signal, config, [...ordinarySeller(6, 1, 26), ...events]);
    assert.ok(findings.length > 0, 'the sharing is seen');
    assert.ok(findings.every((f) => f.finding.strength < 0.8), JSON.stringify(findings.map((f) => f.finding.strength)));
  }
});

test('card-burst lane: JSON round-trip anywhere in the burst and expire at any time leave the findings unchanged; strength 0 turns it off', () => {
  const events = [...ordinarySeller(6, 10, 27), ...cardFarm(2 * HOUR, 4)];
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.some((f) => f.finding.strength >= 0.8));
  const farmAt = [...events].sort((a, b) => a.eventTime - b.eventTime).findIndex((e) => e.buyerId === 'b-card-1');
  for (const at of [farmAt - 1, farmAt, farmAt + 1, farmAt + 3]) assert.deepEqual(drive(signal, config, events, { roundTripAt: at }).findings, plain);
  assert.deepEqual(drive(signal, config, events, { expireHourly: true }).findings, plain);
  const off = configSchema.parse({ cardBurstStrength: 0 });
  assert.ok(drive(signal, off, events).findings.every((f) => f.finding.strength < 0.8));
});

/** `n` students a day for `days` days, each with their own phone and card, shipping to one of `rooms` mailrooms, behind a campus NAT. */
function campusShop(days: number, n: number, rooms: number, start = T0): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let d = 0; d < days; d++)
    for (let i = 0; i < n; i++) {
      const k = d * n + i;
      out.push(order({ buyerId: `b-student-${k}`, eventTime: start + d * DAY + Math.floor(((i + 0.5) / n) * DAY), shippingAddressHash: `a-mailroom-${k % rooms}`, ipAddress: `192.0.2.${k % 4}` }));
    }
  return out;
}

test('places alone never alert: several dorm mailrooms behind a campus NAT, students with their own phones and cards', () => {
  const { findings } = drive(signal, config, campusShop(21, 12, 4));
  assert.ok(findings.length > 0, 'the mailrooms are seen');
  assert.ok(findings.every((f) => f.finding.strength <= config.placeStrength), JSON.stringify(findings.map((f) => f.finding.strength)));
  const f = findings.at(-1)!.finding;
  assert.ok(f.evidence.addressHashes?.[0]?.startsWith('a-mailroom-'));
  assert.match(f.explanation, /share no device or card/);
  assert.ok(findings.every((x) => x.finding.demographic === true), 'places say where buyers are, not what they did');
  // Without the cap (the rule before) the same shop alerts alone.
  const uncapped = drive(signal, configSchema.parse({ placeStrength: 1 }), campusShop(21, 12, 4)).findings;
  assert.ok(uncapped.some((x) => x.finding.strength >= 0.8));
});

test('a new farm cluster at a campus shop still alerts: a drop address whose accounts share phones', () => {
  // Six accounts on two phones (three each) and one drop address, among the students' orders.
  const farm = Array.from({ length: 6 }, (_, i) =>
    order({ buyerId: `b-farm-${i}`, eventTime: T0 + 10 * DAY + i * 3 * HOUR, shippingAddressHash: 'a-drop', deviceId: `d-farm-${i % 2}`, ipAddress: `203.0.113.${i}` }),
  );
  const { findings } = drive(signal, config, [...campusShop(21, 3, 3), ...farm]);
  const during = findings.filter((f) => f.at > T0 + 10 * DAY && f.at < T0 + 12 * DAY);
  assert.ok(during.some((f) => f.finding.strength >= 0.8 && f.finding.evidence.addressHashes?.includes('a-drop')), JSON.stringify(during.map((f) => f.finding.strength)));
  assert.ok(during.filter((f) => f.finding.strength >= 0.8).every((f) => f.finding.demographic === undefined), 'shared phones are behaviour');
  const before = findings.filter((f) => f.at <= T0 + 10 * DAY);
  assert.ok(before.every((f) => f.finding.strength <= config.placeStrength));
});

test('a drop address whose accounts share nothing else corroborates but does not alert alone', () => {
  const drop = Array.from({ length: 8 }, (_, i) => order({ buyerId: `b-acc-${i}`, eventTime: T0 + 4 * DAY + i * HOUR, shippingAddressHash: 'a-drop' }));
  const { findings } = drive(signal, config, [...ordinarySeller(6, 10, 28), ...drop]);
  const strongest = Math.max(...findings.map((f) => f.finding.strength));
  assert.equal(strongest, config.placeStrength);
  assert.ok(strongest >= 0.5, 'still a family beside another');
});

test('an address entry of an older snapshot (no tie list) reads its ties from the live shared values', () => {
  const farm = Array.from({ length: 6 }, (_, i) => order({ buyerId: `b-farm-${i}`, eventTime: T0 + i * HOUR, shippingAddressHash: 'a-drop', deviceId: 'd-farm' }));
  const { state } = drive(signal, config, farm);
  const at = T0 + 6 * HOUR;
  const ctx = { sellerId: 's-1', at, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 0, historyDays: 0 };
  const now = signal.evaluate(state, ctx, config)!;
  const old = JSON.parse(JSON.stringify(state)) as typeof state;
  for (const sh of old.shared) delete sh.tied;
  assert.ok(state.shared.some((sh) => sh.tied !== undefined));
  assert.deepEqual(signal.evaluate(old, ctx, config), now);
});

test('mailrooms shared week after week are the shop’s normal state: no finding once they outlast the horizon, nor for one more place', () => {
  const { findings, state } = drive(signal, config, campusShop(21, 3, 3));
  assert.ok(findings.some((f) => f.at < T0 + 7 * DAY), 'the first week is judged like any drop');
  assert.deepEqual(findings.filter((f) => f.at > T0 + 10 * DAY), []); // the last promoted on day 2
  assert.ok(state.normal !== undefined);
  // Once the mark leaves the horizon the places count again: no quiet period reaches past it.
  state.shared = state.shared.map((sh) => ({ ...sh, hour: state.normal! + 100 }));
  state.low = state.normal! + 100;
  assert.ok(signal.quietUntil!(state, (state.normal! + 101) * HOUR, config) <= (state.normal! + config.horizonDays * 24) * HOUR);
  // Seven accounts sharing nothing but an address are one more mailroom at this shop; the tied
  // farm of the test above still counts.
  const drop = Array.from({ length: 7 }, (_, i) => order({ buyerId: `b-acc-${i}`, eventTime: T0 + 14 * DAY + i * HOUR, shippingAddressHash: 'a-drop' }));
  assert.deepEqual(drive(signal, config, [...campusShop(21, 3, 3), ...drop]).findings.filter((f) => f.at > T0 + 10 * DAY), []);
});
