import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, signal } from '../../../../src/engine/signals/empty-parcels.js';
import type { MarketEvent } from '../../../../src/engine/types.js';
import { hash32 } from '../../../../src/engine/sketch/hash.js';
import { DAY, HOUR, T0, order, rng, runSignal } from './part-b-fixtures.js';

const config = configSchema.parse({});

/** An honest seller: two items (a ~900 g kettle and a 15 g sticker sheet), n orders shipped over two days. */
function honest(seller: string, n: number, seed = 1): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  for (let k = 0; k < n; k++) {
    const light = k % 4 === 0;
    out.push(order({ t: T0 + Math.floor((k / n) * 2 * DAY) - HOUR, seller, buyer: `b${k}`, order: `o${k}` }));
    out.push(
      order({
        t: T0 + Math.floor((k / n) * 2 * DAY),
        seller,
        buyer: `b${k}`,
        order: `o${k}`,
        status: 'SHIPPED',
        item: light ? 'sticker' : 'kettle',
        grams: light ? 12 + Math.floor(r() * 6) : 700 + Math.floor(r() * 400),
      }),
    );
  }
  return out;
}

test('fires on empty envelopes of a heavy item, with the orders, buyers and weights vs typical', () => {
  const events = honest('s1', 40);
  const planted = [5, 60, 3, 90].map((grams, k) =>
    order({ t: T0 + 2 * DAY + k * HOUR, seller: 's1', buyer: `fake${k % 2}`, order: `bad${k}`, status: 'SHIPPED', item: 'kettle', grams }),
  );
  const { findings } = runSignal(signal, config, [...events, ...planted]);
  const last = findings.get(T0 + 2 * DAY + 4 * HOUR);
  assert.ok(last, 'a finding once the planted parcels are in');
  assert.equal(last.value, 4);
  assert.equal(last.threshold, 3);
  assert.equal(last.family, 'fulfilment');
  assert.deepEqual(last.evidence.orderIds, ['bad0', 'bad1', 'bad2', 'bad3']);
  assert.deepEqual(last.evidence.buyerIds, ['fake0', 'fake1']);
  assert.match(last.explanation, /bad1 60 g vs \d+ g typical per unit/);
  assert.match(last.explanation, /\(\d+ orders in 24 h\)/);
  assert.ok(last.strength >= 0.5 && last.strength <= 1);
  // Two of them alone stay below minCount.
  assert.equal(findings.get(T0 + 2 * DAY + 2 * HOUR), undefined);
});

test('quiet on honest sellers with normal weights, including a genuinely light item', () => {
  const { findings, state } = runSignal(signal, config, honest('s2', 300, 7));
  assert.equal(findings.size, 0);
  assert.equal(state.hits.length, 0);
});

test('quiet when a big seller mis-declares a few parcels (share below minShare)', () => {
  const events = honest('s3', 2000, 3);
  for (let k = 0; k < 4; k++) {
    events.push(order({ t: T0 + DAY + k * HOUR, seller: 's3', buyer: `x${k}`, order: `m${k}`, status: 'SHIPPED', item: 'kettle', grams: 4 }));
  }
  const { findings, state } = runSignal(signal, config, events);
  assert.equal(state.hits.length > 0, true, 'the parcels were noticed');
  assert.equal(findings.size, 0);
});

test('quiet on bulk orders: weights are compared per unit', () => {
  const events = honest('s6', 60);
  // A corporate buyer's 20-unit orders ship at 20 × the unit weight; single units after them are normal.
  for (let k = 0; k < 6; k++) {
    const t = T0 + 2 * DAY + k * HOUR;
    events.push({ ...order({ t, seller: 's6', buyer: 'corp', order: `bulk${k}`, status: 'SHIPPED', item: 'kettle', grams: 18_000 }), quantity: 20 });
    events.push(order({ t: t + 60_000, seller: 's6', buyer: `single${k}`, order: `one${k}`, status: 'SHIPPED', item: 'kettle', grams: 850 }));
  }
  const { findings, state } = runSignal(signal, config, events);
  assert.equal(findings.size, 0);
  assert.equal(state.hits.length, 0);
});

test('a parcel of several units is judged whole against one unit: declared at one unit\'s weight it is not empty, an empty one still is', () => {
  const multi = (grams: number): MarketEvent[] => {
    const events = honest('s7', 60);
    // Six orders of 5–6 kettles whose parcels are declared at one kettle's weight (the listing's weight typed once).
    for (let k = 0; k < 6; k++)
      events.push({ ...order({ t: T0 + 2 * DAY + k * HOUR, seller: 's7', buyer: `multi${k}`, order: `m${k}`, status: 'SHIPPED', item: 'kettle', grams }), quantity: 5 + (k % 2) });
    return events;
  };
  const declared = runSignal(signal, config, multi(900));
  assert.equal(declared.findings.size, 0);
  assert.equal(declared.state.hits.length, 0);
  const empty = runSignal(signal, config, multi(40));
  assert.ok([...empty.findings.values()].some((f) => f.value >= config.fullCount), 'six 40 g parcels of a 900 g item are empty whatever the quantity');
});

test('caps hold after 100k events over many items', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 100_000; k++) {
    events.push(
      order({ t: T0 + k * 5_000, seller: 's4', buyer: `b${k % 997}`, order: `o${k}`, status: 'SHIPPED', item: `i${k % 5000}`, grams: k % 7 === 0 ? 2 : 500 }),
    );
  }
  const { state } = runSignal(signal, config, events);
  const k = config.samplesPerItem;
  let items = 0;
  const w = state.itemWeights;
  for (let o = 0; o < w.length; o += 2 + Math.min(w[o + 1]! % 32, k)) {
    items++;
    assert.ok(w[o + 1]! % 32 < 2 * k);
  }
  assert.equal(items, config.maxItems);
  assert.ok(w.length <= config.maxItems * (2 + k));
  assert.equal(state.hits.length, config.maxEvidence);
});

test('a state saved in the earlier layout (item ids and four arrays) continues identically', () => {
  const events = honest('s5', 60);
  for (let k = 0; k < 6; k++) {
    events.push(order({ t: T0 + DAY + k * 3 * HOUR, seller: 's5', buyer: 'f', order: `bad${k}`, status: 'SHIPPED', item: 'kettle', grams: 8 }));
  }
  const cut = T0 + DAY + 4 * HOUR;
  const before = events.filter((e) => e.eventTime < cut);
  const after = events.filter((e) => e.eventTime >= cut);
  const { state } = runSignal(signal, config, before, { until: cut });
  // The same state as the earlier code kept it: ids, last hours, counts and samples side by side.
  const k = config.samplesPerItem;
  const ids = [...new Set(before.map((e) => e.itemId))];
  const items = fixedItems(threePerItem(state.itemWeights));
  const earlier = { itemIds: [] as string[], lastHour: [] as number[], samples: [] as number[], grams: [] as number[], hits: state.hits };
  for (let o = 0; o < items.length; o += 3 + k) {
    earlier.itemIds.push(ids.find((id) => hash32(id) === items[o])!);
    earlier.lastHour.push(items[o + 1]!);
    earlier.samples.push(items[o + 2]!);
    earlier.grams.push(...items.slice(o + 3, o + 3 + k));
  }
  assert.ok(earlier.itemIds.length >= 2 && earlier.itemIds.every((id) => id !== undefined));
  const packed = runSignal(signal, config, after, { state: JSON.parse(JSON.stringify(state)) });
  const restored = runSignal(signal, config, after, { state: JSON.parse(JSON.stringify(earlier)) });
  assert.ok(packed.findings.size > 0);
  assert.deepEqual([...restored.findings], [...packed.findings]);
  assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), packed.state);
});

/** Item weights in the layout before the hour and the count were one number (`weights`): hash, hour, count, samples. */
function threePerItem(w: readonly number[]): number[] {
  const k = config.samplesPerItem;
  const out: number[] = [];
  for (let o = 0; o < w.length; o += 2 + Math.min(w[o + 1]! % 32, k)) {
    const n = w[o + 1]! % 32;
    out.push(w[o]!, Math.floor(w[o + 1]! / 32), n, ...w.slice(o + 2, o + 2 + Math.min(n, k)));
  }
  return out;
}

/** Weights in the layout before items held only their samples: k sample slots per item, unused ones 0. */
function fixedItems(weights: readonly number[]): number[] {
  const k = config.samplesPerItem;
  const items: number[] = [];
  for (let o = 0; o < weights.length; o += 3 + Math.min(weights[o + 2]!, k)) {
    const have = Math.min(weights[o + 2]!, k);
    items.push(...weights.slice(o, o + 3 + have), ...new Array<number>(k - have).fill(0));
  }
  return items;
}

test('a state saved in the layout with k sample slots per item (`items`) continues identically, through eviction and the sample ring', () => {
  const events = honest('s5', 60);
  // More items than maxItems (evictions) and one item shipped more than 2k times (its ring wraps).
  for (let k = 0; k < 40; k++) events.push(order({ t: T0 + DAY + k * 60_000, seller: 's5', buyer: `m${k}`, order: `m${k}`, status: 'SHIPPED', item: `misc${k}`, grams: 300 }));
  for (let k = 0; k < 6; k++) events.push(order({ t: T0 + DAY + 2 * HOUR + k * 3 * HOUR, seller: 's5', buyer: 'f', order: `bad${k}`, status: 'SHIPPED', item: 'kettle', grams: 8 }));
  events.sort((a, b) => a.eventTime - b.eventTime);
  for (const cut of [T0 + 12 * HOUR, T0 + DAY + 4 * HOUR]) {
    const before = events.filter((e) => e.eventTime < cut);
    const after = events.filter((e) => e.eventTime >= cut);
    const { state } = runSignal(signal, config, before, { until: cut });
    const old = { items: fixedItems(threePerItem(state.itemWeights)), hits: state.hits };
    const now = runSignal(signal, config, after, { state: JSON.parse(JSON.stringify(state)) });
    const then = runSignal(signal, config, after, { state: JSON.parse(JSON.stringify(old)) as unknown as typeof state });
    assert.ok(now.findings.size > 0);
    assert.deepEqual([...then.findings], [...now.findings]);
    assert.deepEqual(JSON.parse(JSON.stringify(then.state)), now.state);
  }
});

test('a JSON round-trip of the state continues identically', () => {
  const events = honest('s5', 60);
  for (let k = 0; k < 6; k++) {
    events.push(order({ t: T0 + DAY + k * 3 * HOUR, seller: 's5', buyer: 'f', order: `bad${k}`, status: 'SHIPPED', item: 'kettle', grams: 8 }));
  }
  const plain = runSignal(signal, config, events);
  const restored = runSignal(signal, config, events, { restoreAt: T0 + DAY + 7 * HOUR });
  assert.ok(plain.findings.size > 0);
  assert.deepEqual([...restored.findings], [...plain.findings]);
  assert.deepEqual(restored.state, plain.state);
});

test('a slow campaign fires: one empty parcel every 16 hours is three within the window', () => {
  const events = honest('s9', 40, 4);
  const planted = [0, 16, 32].map((h, k) =>
    order({ t: T0 + 2 * DAY + h * HOUR, seller: 's9', buyer: `slow${k}`, order: `slow${k}`, status: 'SHIPPED', item: 'kettle', grams: 20 }),
  );
  const { findings } = runSignal(signal, config, [...events, ...planted]);
  const f = findings.get(T0 + 2 * DAY + 33 * HOUR);
  assert.ok(f, 'no finding after the third parcel');
  assert.equal(f.value, 3);
  assert.deepEqual(f.evidence.orderIds, ['slow0', 'slow1', 'slow2']);
});

test("a listing that only ever ships envelopes is judged against the seller's other items", () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 40; k++)
    events.push(
      order({ t: T0 + k * HOUR, seller: 's10', buyer: `b${k}`, order: `o${k}`, status: 'SHIPPED', item: k % 2 ? 'kettle' : 'pan', grams: k % 2 ? 900 : 1500 }),
    );
  // A dedicated listing: its first parcel is already an envelope (12–40 g, above the 10 g floor),
  // so it has no typical weight of its own; the kettles this seller ships are what it is judged by.
  const planted = [25, 12, 40, 18].map((grams, k) =>
    order({ t: T0 + 2 * DAY + k * HOUR, seller: 's10', buyer: `ghost${k}`, order: `ghost${k}`, status: 'SHIPPED', item: 'ghost', grams }),
  );
  const { findings } = runSignal(signal, config, [...events, ...planted]);
  const f = findings.get(T0 + 2 * DAY + 4 * HOUR);
  assert.ok(f, 'no finding after four envelopes of the new listing');
  assert.equal(f.value, 4);
  assert.deepEqual(f.evidence.orderIds, ['ghost0', 'ghost1', 'ghost2', 'ghost3']);
  assert.match(f.explanation, /ghost0 25 g vs \d{3,4} g typical per unit/);
});

test('a shop of light goods only is not judged by the envelope rule', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 40; k++)
    events.push(
      order({ t: T0 + k * HOUR, seller: 's11', buyer: `b${k}`, order: `o${k}`, status: 'SHIPPED', item: k < 20 ? 'stickers' : 'pins', grams: k < 20 ? 15 : 35 }),
    );
  const { findings } = runSignal(signal, config, events);
  assert.equal(findings.size, 0);
});

test('items not shipped for 30 horizons are forgotten; a seller whose items all went starts afresh', () => {
  const k = config.samplesPerItem;
  const ship = (t: number, item: string, grams: number) => order({ t, seller: 's12', buyer: 'b', order: `${item}-${t}`, status: 'SHIPPED', item, grams });
  const state = signal.create(config);
  const keys = { buyer: 0, order: 0 };
  signal.observe(state, ship(T0, 'old', 900), config, keys);
  signal.observe(state, ship(T0 + 40 * DAY, 'recent', 500), config, keys);
  signal.expire(state, T0 + 61 * DAY, config);
  // Per item: its hash, the hour it last shipped × 32 + its count, its samples.
  assert.deepEqual(state.itemWeights, [hash32('recent'), Math.floor((T0 + 40 * DAY) / HOUR) * 32 + 1, 500]);
  signal.expire(state, T0 + 101 * DAY, config);
  assert.deepEqual(state.itemWeights, []);
  signal.observe(state, ship(T0 + 102 * DAY, 'new', 700), config, keys);
  const hour = Math.floor((T0 + 102 * DAY) / HOUR);
  assert.deepEqual(state.itemWeights, [hash32('new'), hour * 32 + 1, 700]);
  for (let i = 1; i <= k + 1; i++) signal.observe(state, ship(T0 + 102 * DAY + i * 60_000, 'new', 700 + i), config, keys);
  assert.equal(state.itemWeights.length, 2 + k, 'an item holds at most k samples');
  assert.deepEqual(state.itemWeights.slice(1), [hour * 32 + k + 2, 700 + k, 700 + k + 1, ...Array.from({ length: k - 2 }, (_, i) => 702 + i)]);
});

test('four empty envelopes within the horizon are full strength (a lone family may alert); three are half', () => {
  const events = honest('s8', 40, 5);
  const planted = [0, 1, 2, 3].map((k) =>
    order({ t: T0 + 2 * DAY + k * 5 * HOUR, seller: 's8', buyer: `fake${k}`, order: `env${k}`, status: 'SHIPPED', item: 'kettle', grams: 8 + k }),
  );
  const { findings } = runSignal(signal, config, [...events, ...planted]);
  assert.equal(findings.get(T0 + 2 * DAY + 11 * HOUR)?.strength, 0.5);
  const fourth = findings.get(T0 + 2 * DAY + 16 * HOUR);
  assert.equal(fourth?.value, 4);
  assert.equal(fourth?.strength, 1);
});

test('a state saved with three numbers per item (`weights`: hash, hour, count) restores and continues identically', () => {
  const events = honest('s5', 60);
  // More items than maxItems (evictions), an item shipped more than 2k times (its ring wraps), envelopes of a new listing.
  for (let k = 0; k < 40; k++) events.push(order({ t: T0 + DAY + k * 60_000, seller: 's5', buyer: `m${k}`, order: `m${k}`, status: 'SHIPPED', item: `misc${k}`, grams: 300 }));
  for (let k = 0; k < 6; k++) events.push(order({ t: T0 + DAY + 2 * HOUR + k * 3 * HOUR, seller: 's5', buyer: 'f', order: `bad${k}`, status: 'SHIPPED', item: 'kettle', grams: 8 }));
  for (let k = 0; k < 4; k++) events.push(order({ t: T0 + 2 * DAY + k * HOUR, seller: 's5', buyer: `e${k}`, order: `env${k}`, status: 'SHIPPED', item: 'card', grams: 20 }));
  const plain = runSignal(signal, config, events);
  assert.ok(plain.findings.size > 0);
  for (const restoreAt of [T0 + 2 * HOUR, T0 + 12 * HOUR, T0 + DAY + HOUR, T0 + DAY + 5 * HOUR, T0 + 2 * DAY + 2 * HOUR]) {
    const restored = runSignal(signal, config, events, {
      restoreAt,
      reshape: (saved) => {
        assert.ok(saved.itemWeights.length > 0);
        return { weights: threePerItem(saved.itemWeights), hits: saved.hits } as unknown as typeof saved;
      },
    });
    assert.deepEqual([...restored.findings], [...plain.findings], `restored at ${(restoreAt - T0) / HOUR} h`);
    // The next snapshot has the new layout only.
    assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
  }
});
