import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventKeys } from '../../../../src/engine/event-keys.js';
import { configSchema, signal, type State } from '../../../../src/engine/signals/fresh-accounts.js';
import type { MarketEvent, SellerContext } from '../../../../src/engine/types.js';
import { canonical, DAY, drive, HOUR, MIN, order, ordinarySeller, replaySwapped, review, revived, T0 } from './fixtures.js';

const config = configSchema.parse({});

/** `n` orders within a few hours from accounts created `ageDays` before. */
function cohort(n: number, start: number, ageDays: number, prefix: string): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 15 * MIN;
    out.push(order({ buyerId: `${prefix}-${i}`, eventTime: t, buyerAccountCreatedAt: t - ageDays * DAY }));
  }
  return out;
}

test('fires when an established seller suddenly sells to days-old accounts', () => {
  const fakes = cohort(12, T0 + 10 * DAY + 8 * HOUR, 2, 'b-new');
  const { findings } = drive(signal, config, [...ordinarySeller(11, 20, 7), ...fakes]);
  assert.ok(findings.length > 0, 'no finding');
  const f = findings.reduce((a, b) => (b.finding.strength > a.finding.strength ? b : a)).finding;
  assert.equal(f.family, 'account_age');
  assert.ok(f.value >= f.threshold && f.threshold >= config.minShare);
  assert.ok(f.baseline !== null && f.baseline < 0.05, `baseline ${f.baseline}`);
  assert.ok(f.evidence.buyerIds!.length > 0 && f.evidence.buyerIds!.every((b) => b.startsWith('b-new-')));
  assert.ok(f.evidence.orderIds!.length > 0);
  assert.ok(findings.every((x) => x.at > T0 + 10 * DAY), 'fired before the planted cohort');
});

test('a small seller (2 orders a day) is judged too: three days-old accounts in a day fire, one does not', () => {
  const day = T0 + 10 * DAY + 9 * HOUR;
  const base = ordinarySeller(10, 2, 5);
  assert.ok(drive(signal, config, [...base, ...cohort(3, day, 1, 'b-new')]).findings.length > 0, 'three fresh orders in a day');
  assert.deepEqual(drive(signal, config, [...base, ...cohort(1, day, 1, 'b-new')]).findings, [], 'one fresh order');
});

test('a small shop (4 orders a day) with two days-old accounts among a day\'s orders is chance, not a campaign; three are not', () => {
  // Two of about four recent orders is a 50 % share, but P(≥ 2 of 4) at a 5 % base rate is 1.4 %:
  // thousands of small shop-days show it by chance.
  const day = T0 + 10 * DAY + 9 * HOUR;
  const base = ordinarySeller(10, 4, 5);
  assert.deepEqual(drive(signal, config, [...base, ...cohort(2, day, 1, 'b-new')]).findings, [], 'two fresh orders');
  assert.ok(drive(signal, config, [...base, ...cohort(3, day, 1, 'b-new')]).findings.length > 0, 'three fresh orders');
});

test('a campaign that goes on for days at a tiny seller still fires, though no single day is improbable alone', () => {
  // Seven days-old accounts over 3.4 days at a seller of two orders a day (as small 11's s-1m96sdd):
  // each half-day window holds about 2 of 3 orders, chance at the baseline they raise, the days together do not.
  const start = T0 + 10 * DAY;
  const fakes = [0, 12, 35, 65, 72, 76, 81].map((h, i) => {
    const t = start + h * HOUR;
    return order({ buyerId: `b-new-${i}`, eventTime: t, buyerAccountCreatedAt: t - DAY });
  });
  const { findings } = drive(signal, config, [...ordinarySeller(14, 2, 5), ...fakes]);
  assert.ok(findings.some((f) => f.finding.strength >= 0.8), 'no finding strong enough to alert alone');
});

test('a slow drip of one days-old account a day for days fires on the slow share; the same drip at a busy seller does not', () => {
  const drip = (perDay: number) => {
    const events: MarketEvent[] = [...ordinarySeller(20, perDay, 6)];
    for (let d = 8; d < 20; d++) events.push(...cohort(1, T0 + d * DAY + 14 * HOUR, 1, `b-drip-${d}`));
    return drive(signal, config, events).findings;
  };
  const small = drip(1);
  assert.ok(small.length > 0, 'slow drip at a seller of one order a day');
  const f = small.at(-1)!.finding;
  assert.equal(f.horizonMs, config.slowHalfLifeHours * HOUR);
  assert.ok(f.value >= f.threshold && new Set(f.evidence.buyerIds).size >= 2);
  assert.deepEqual(drip(30), [], 'one fresh account a day among 30 orders is ordinary');
});

test('a brand-new seller is judged against the population prior', () => {
  const { findings } = drive(signal, config, cohort(10, T0, 1, 'b-new'));
  assert.ok(findings.length > 0);
  // No history: threshold = max(minShare, baselineFactor × prior) = max(0.3, 3 × 0.05).
  assert.equal(findings[0]!.finding.threshold, 0.3);
  // The baseline is still essentially the prior (only what decayed out of the first hours fed it).
  assert.ok(findings[0]!.finding.baseline! >= 0.05 && findings[0]!.finding.baseline! < 0.1);
});

test("quiet on a new seller whose first buyers are friends with old accounts", () => {
  const { findings } = drive(signal, config, cohort(15, T0, 900, 'b-friend'));
  assert.deepEqual(findings, []);
});

test('quiet on a seller whose regular clientele is fresh accounts (its baseline is high)', () => {
  const events: MarketEvent[] = [];
  // A sign-up-promotion shop: for 30 days, 6 of every 10 buyers are new accounts.
  for (let d = 0; d < 30; d++) for (let i = 0; i < 10; i++) {
    const t = T0 + d * DAY + i * 2 * HOUR;
    events.push(order({ buyerId: `b-${d}-${i}`, eventTime: t, buyerAccountCreatedAt: t - (i < 6 ? 1 : 300) * DAY }));
  }
  const { findings } = drive(signal, config, events);
  assert.ok(findings.every((f) => f.at < T0 + 10 * DAY), `still firing on day ${(findings.at(-1)!.at - T0) / DAY}`);
});

test('reviews count when the buyer is known fresh from an order', () => {
  const events: MarketEvent[] = [...ordinarySeller(10, 10, 9)];
  // Orders of old accounts (quiet), then many reviews, most of them from fresh buyers seen earlier.
  for (let i = 0; i < 8; i++) {
    const t = T0 + 10 * DAY + i * HOUR;
    const created = i < 6 ? t - 3 * DAY : t - 500 * DAY;
    events.push(order({ buyerId: `b-r${i}`, eventTime: t, buyerAccountCreatedAt: created }));
    events.push(review({ buyerId: `b-r${i}`, eventTime: t + 20 * HOUR, text: 'ok' }));
    events.push(review({ buyerId: `b-r${i}`, eventTime: t + 21 * HOUR, text: 'ok' }));
  }
  const forReviews = configSchema.parse({ minOrders: 1000 });
  const { findings } = drive(signal, forReviews, events);
  assert.ok(findings.some((f) => (f.finding.evidence.reviewIds ?? []).length > 0), JSON.stringify(findings.at(-1)));
});

test("a DELIVERED event refreshes the buyer's age, so reviews days after the order still count", () => {
  // 40 orders a day from old accounts push the fake orders' PLACED entries out of the table.
  const events: MarketEvent[] = [...ordinarySeller(14, 40, 13)];
  for (let i = 0; i < 8; i++) {
    const t = T0 + 9 * DAY + i * 10 * MIN;
    const created = t - 2 * DAY;
    const placed = order({ buyerId: `b-d${i}`, eventTime: t, buyerAccountCreatedAt: created });
    events.push(placed);
    events.push(order({ buyerId: `b-d${i}`, orderId: placed.orderId, status: 'DELIVERED', eventTime: t + 3 * DAY, buyerAccountCreatedAt: created }));
    events.push(review({ buyerId: `b-d${i}`, orderId: placed.orderId, eventTime: t + 3 * DAY + 30 * MIN, text: 'ok' }));
  }
  const onlyReviews = configSchema.parse({ minOrders: 1000, minReviews: 4 });
  const { findings } = drive(signal, onlyReviews, events);
  assert.ok(findings.some((f) => f.at > T0 + 12 * DAY && (f.finding.evidence.reviewIds ?? []).length > 0));
});

test('memory stays bounded after 100k events', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 100_000; i++) {
    const t = T0 + i * 30_000;
    events.push(i % 3 === 0 ? review({ buyerId: `b-${i % 7000}`, eventTime: t }) : order({ buyerId: `b-${i % 7000}`, eventTime: t, buyerAccountCreatedAt: t - (i % 5) * DAY }));
  }
  const { state } = drive(signal, config, events);
  // Both blocks of counters (16 numbers), then the fresh buyers.
  assert.ok(state.counts.length <= 16 + config.freshKept);
  assert.ok(state.evidence !== null && state.evidence.freshBuyers.length <= config.evidence && state.evidence.freshOrders.length === config.evidence);
  assert.ok(JSON.stringify(state).length < 2000, `${JSON.stringify(state).length} bytes`);
});

test('JSON round-trip mid-stream and expire at any time leave the findings unchanged', () => {
  const events = [...ordinarySeller(9, 20, 11), ...cohort(12, T0 + 8 * DAY, 1, 'b-new')];
  for (let i = 0; i < 12; i++) events.push(review({ buyerId: `b-new-${i}`, eventTime: T0 + 8 * DAY + 6 * HOUR + i * MIN }));
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.length > 0);
  assert.deepEqual(drive(signal, config, events, { roundTripAt: 150 }).findings, plain);
  assert.deepEqual(drive(signal, config, events, { expireHourly: true }).findings, plain);
});

test('a state snapshotted before the slow share existed restores and keeps working', () => {
  const events = [...ordinarySeller(3, 10, 8), ...cohort(6, T0 + 3 * DAY + 9 * HOUR, 1, 'b-new')];
  const state = signal.create(config);
  for (const e of events.slice(0, 20)) signal.observe(state, e, config, eventKeys(e));
  // That version's layout: the FAST block alone in `counts` (11 numbers), no SLOW block, the fresh buyers apart.
  const restored = revived(signal, config, { ...state, counts: state.counts.slice(0, 11), fresh: state.counts.slice(16) });
  // Restored with the SLOW block (empty): numbers written past the old end would be NaN.
  assert.equal(restored.counts.length, state.counts.length);
  for (const e of events.slice(20)) signal.observe(restored, e, config, eventKeys(e));
  assert.ok(restored.counts.every(Number.isFinite));
  assert.ok(signal.evaluate(restored, { sellerId: 's', at: T0 + 3 * DAY + 12 * HOUR, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 0, historyDays: 3 }, config) !== null);
});

test('the young lane: a small seller suddenly selling to months-old accounts gives a capped finding', () => {
  const base = ordinarySeller(10, 2, 8);
  const day = T0 + 10 * DAY + 9 * HOUR;
  const { findings } = drive(signal, config, [...base, ...cohort(8, day, 60, 'b-young')]);
  assert.ok(findings.length > 0, 'no finding');
  for (const { finding: f } of findings) {
    assert.ok(f.strength <= config.youngMaxStrength, `strength ${f.strength}: the young lane only corroborates`);
    assert.ok(f.value >= f.threshold && f.threshold >= config.minYoungShare);
    assert.ok(f.evidence.buyerIds!.every((b) => b.startsWith('b-young-')));
    assert.equal(f.demographic, true, 'young accounts say who buys, not what they did');
  }
  assert.ok(findings.some((x) => x.finding.strength >= 0.5), 'strong enough to count as a family');
});

test('a state saved with the young buyers and orders as two lists restores at any point of a run', () => {
  const day = T0 + 10 * DAY + 9 * HOUR;
  // More young buyers than `evidence` keeps, then two of the kept ones again: both lists slide.
  const again = [6, 7].map((i) => order({ buyerId: `b-young-${i}`, eventTime: day + 3 * HOUR + i * MIN, buyerAccountCreatedAt: day - 60 * DAY }));
  const events = canonical([...ordinarySeller(10, 2, 8), ...cohort(8, day, 60, 'b-young'), ...again]);
  const plain = drive(signal, config, events);
  const young = plain.findings.filter((x) => x.finding.demographic === true);
  assert.ok(young.length > 0 && young.some((x) => x.finding.evidence.orderIds!.length === config.evidence));
  for (const every of [1, 3]) {
    // The same run, its state rewritten to the former layout (as a snapshot of it holds) before every `every`-th event.
    const findings = [];
    let state = signal.create(config);
    let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
    events.forEach((e, i) => {
      for (; boundary <= e.eventTime; boundary += HOUR) {
        const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
        if (f !== null) findings.push({ at: boundary, finding: f });
      }
      if (i % every === 0) {
        const { young, ...rest } = JSON.parse(JSON.stringify(state)) as State;
        const buyers = young.length === 0 ? 0 : (young[0] as number);
        state = revived(signal, config, { ...rest, youngBuyers: young.slice(1, 1 + buyers), youngOrders: young.slice(1 + buyers) });
      }
      signal.observe(state, e, config, eventKeys(e));
      assert.equal(JSON.stringify(state).match(/"young(Buyers|Orders)":/), null);
    });
    const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
    if (f !== null) findings.push({ at: boundary, finding: f });
    assert.deepEqual(findings, plain.findings.filter((x) => x.at <= boundary));
    assert.deepEqual(JSON.parse(JSON.stringify(state)), JSON.parse(JSON.stringify(plain.state)));
  }
});

test('the young lane stays quiet on an ordinary mix of young and old accounts, and on a few young ones', () => {
  const base = ordinarySeller(10, 2, 9);
  const day = T0 + 10 * DAY + 9 * HOUR;
  const mix = [...cohort(3, day, 60, 'b-young'), ...cohort(9, day + 10 * MIN, 900, 'b-old')];
  assert.deepEqual(drive(signal, config, [...base, ...mix]).findings, [], 'a quarter young');
  assert.deepEqual(drive(signal, config, [...base, ...cohort(4, day, 60, 'b-young')]).findings, [], 'four young orders');
});

test('a state snapshotted before the young lane existed is restored with it, empty, and goes on', () => {
  const day = T0 + 10 * DAY + 9 * HOUR;
  const { state } = drive(signal, config, ordinarySeller(10, 2, 8));
  // The layout of that version: four count lanes, no young evidence lists.
  const lanes = 5;
  const counts = [state.counts[0]!, ...state.counts.slice(1, 5), ...state.counts.slice(1 + lanes, 5 + lanes)];
  const old = revived(signal, config, JSON.parse(JSON.stringify({ ...state, counts, fresh: state.counts.slice(16), young: undefined })));
  const ctx = (at: number) => ({ sellerId: 's-1', at, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 2, historyDays: 10 });
  assert.equal(signal.evaluate(old, ctx(day), config), null);
  assert.equal(signal.evaluate(state, ctx(day), config), null);
  assert.equal(old.counts.length, state.counts.length);
  assert.deepEqual(old.counts.slice(0, 5), state.counts.slice(0, 5), 'the old recent lanes kept their counts');
  assert.deepEqual(old.counts.slice(1 + lanes, 5 + lanes), state.counts.slice(1 + lanes, 5 + lanes), 'and their baselines');
  for (const e of cohort(8, day, 60, 'b-young')) signal.observe(old, e, config, eventKeys(e));
  const f = signal.evaluate(old, ctx(day + 3 * HOUR), config);
  assert.ok(f !== null && f.evidence.buyerIds!.every((b) => b.startsWith('b-young-')), 'the young lane works after the upgrade');
});

/** 40 orders over three days and a half, a third of them from days-old or months-old accounts, most delivered and reviewed; ids of their own. */
function savedScenario(): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const t = T0 + i * 2 * HOUR + 3 * MIN;
    const age = i >= 24 && i % 2 === 0 ? 2 : i % 5 === 0 ? 60 : 400;
    const buyerId = `b-saved-${i}`;
    const orderId = `o-saved-${i}`;
    const buyerAccountCreatedAt = t - age * DAY;
    out.push(order({ buyerId, eventTime: t, eventId: `e-saved-p-${i}`, orderId, buyerAccountCreatedAt }));
    if (i % 4 !== 1) out.push(order({ buyerId, eventTime: t + DAY, eventId: `e-saved-d-${i}`, orderId, status: 'DELIVERED', buyerAccountCreatedAt }));
    if (i % 3 !== 2) out.push(review({ buyerId, eventTime: t + DAY + 30 * MIN, eventId: `e-saved-r-${i}`, reviewId: `r-saved-${i}`, orderId }));
  }
  return out;
}

/** replaySwapped(savedScenario()) by the code of afbe17b, the state just before event 60: the FAST block alone in `counts`, SLOW apart. */
const SAVED_AT_60 = '{"counts":[490958,8.93845463536729,2.604685882551743,4.885302882247611,0,3.708626741330158,21.90527267659178,1.3807057666752591,7.86968193105781,0,6.009234642198235],"slow":[490958,24.12020163323292,3.706932120734538,7.5413287010235734,0.290179835089172],"fresh":[2108592632203741,2108609261688898,2108626799955210,2108644061773270],"freshBuyers":["b-saved-24","b-saved-26","b-saved-28","b-saved-30"],"freshOrders":["o-saved-24","o-saved-26","o-saved-28","o-saved-30"],"freshReviews":[],"youngBuyers":["b-saved-25","b-saved-26","b-saved-28","b-saved-30"],"youngOrders":["o-saved-25","o-saved-26","o-saved-28","o-saved-30"]}';

test('a state saved by the earlier layout (SLOW apart) restores and goes on exactly as if never saved', () => {
  const events = canonical(savedScenario());
  const saved = JSON.parse(SAVED_AT_60) as State & { slow?: number[]; fresh: number[] };
  assert.ok(saved.slow !== undefined && saved.counts.length === 11 && saved.fresh.length > 0, 'the saved state has every part');
  // The tail test off (maxTail 1), as when the state was saved: this small shop's fresh pairs are
  // chance by that test, and the restore must be seen to carry on findings.
  const cfg = configSchema.parse({ maxTail: 1 });
  const plain = replaySwapped(signal, cfg, events);
  const restored = replaySwapped(signal, cfg, events, 60, saved);
  assert.ok(plain.findings.some((x) => x.at > events[60]!.eventTime), 'findings after the restore');
  assert.deepEqual(restored.findings, plain.findings);
  assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
  assert.ok(plain.state.counts.length > 16, 'both blocks and the fresh buyers in one array');
});

test('accounts that signed up within signupHours of ordering are newcomers, not a farm: quiet on a viral cohort, its deliveries and reviews', () => {
  // An established seller's product goes viral: 12 buyers register at checkout (minutes to hours
  // before ordering), then get the parcel and review it, as a farm's cohort would days after batch registration.
  const start = T0 + 10 * DAY + 8 * HOUR;
  const events: MarketEvent[] = [...ordinarySeller(14, 20, 7)];
  for (let i = 0; i < 12; i++) {
    const t = start + i * 15 * MIN;
    const created = t - (10 + 25 * i) * MIN;
    const placed = order({ buyerId: `b-viral-${i}`, eventTime: t, buyerAccountCreatedAt: created });
    events.push(placed);
    events.push(order({ buyerId: `b-viral-${i}`, orderId: placed.orderId, status: 'DELIVERED', eventTime: t + 2 * DAY, buyerAccountCreatedAt: created }));
    events.push(review({ buyerId: `b-viral-${i}`, orderId: placed.orderId, eventTime: t + 2 * DAY + HOUR, text: 'love it' }));
  }
  const strong = (cfg: typeof config) => drive(signal, cfg, events).findings.filter((f) => f.finding.strength >= 0.5 && (f.finding.evidence.buyerIds ?? []).some((b) => b.startsWith('b-viral-')));
  assert.deepEqual(strong(configSchema.parse({ minReviews: 4 })), []);
  // The same cohort counted fresh (signupHours 0, as before) fires.
  assert.ok(strong(configSchema.parse({ minReviews: 4, signupHours: 0 })).length > 0);
});

test('a DELIVERED of a buyer never seen ordering fresh does not make its review fresh', () => {
  const start = T0 + 10 * DAY;
  const events: MarketEvent[] = [...ordinarySeller(14, 20, 7)];
  for (let i = 0; i < 8; i++) {
    const t = start + i * HOUR;
    // Signed up at checkout 3 days ago: fresh by freshDays at delivery, a newcomer at the order.
    events.push(order({ buyerId: `b-d${i}`, status: 'DELIVERED', eventTime: t, buyerAccountCreatedAt: t - 3 * DAY }));
    events.push(review({ buyerId: `b-d${i}`, eventTime: t + 30 * MIN, text: 'ok' }));
  }
  const onlyReviews = configSchema.parse({ minOrders: 1000, minReviews: 4 });
  assert.deepEqual(drive(signal, onlyReviews, events).findings, []);
});

/** replaySwapped(savedScenario()) by the code of 078496f (maxTail 1), the states just before events 60 and 85: the fresh buyers as `fresh`. */
const SAVED_078496F = new Map([
  [60, '{"counts":[490958,8.93845463536729,2.604685882551743,4.885302882247611,0,3.708626741330158,21.90527267659178,1.3807057666752591,7.86968193105781,0,6.009234642198235,490958,24.12020163323292,3.706932120734538,7.5413287010235734,0.290179835089172],"fresh":[2108592632203741,2108609261688898,2108626799955210,2108644061773270],"evidence":{"freshBuyers":["b-saved-24","b-saved-26","b-saved-28","b-saved-30"],"freshOrders":["o-saved-24","o-saved-26","o-saved-28","o-saved-30"],"freshReviews":[]},"young":[4,"b-saved-25","b-saved-26","b-saved-28","b-saved-30","o-saved-25","o-saved-26","o-saved-28","o-saved-30"]}'],
  [85, '{"counts":[490982,5.717253995150502,2.2920207565334096,5.31327475697339,2.0434548583970567,2.9648562342200644,31.79514325859447,5.525796464350103,14.886292844372761,0.9464083982365992,11.327336180227999,490982,26.075249441509108,6.374348684767964,13.084035620501703,1.580543448518459],"fresh":[2108658485879319,2108676479014378,2108695711418845,2108694811250271,2108712340904002,2108709763660635,2108729879170314,2108747140988374],"evidence":{"freshBuyers":["b-saved-32","b-saved-34","b-saved-36","b-saved-38"],"freshOrders":["o-saved-32","o-saved-34","o-saved-36","o-saved-38"],"freshReviews":["r-saved-24","r-saved-28","r-saved-30"]},"young":[4,"b-saved-34","b-saved-35","b-saved-36","b-saved-38","o-saved-34","o-saved-35","o-saved-36","o-saved-38"]}'],
]);

test('a state saved with the fresh buyers as a list of their own (by 078496f) restores and goes on exactly as if never saved', () => {
  const events = canonical(savedScenario());
  const cfg = configSchema.parse({ maxTail: 1 });
  const plain = replaySwapped(signal, cfg, events);
  for (const [at, json] of SAVED_078496F) {
    const saved = JSON.parse(json) as State & { fresh: number[] };
    assert.ok(saved.fresh.length > 0 && saved.counts.length === 16, 'the saved state has fresh buyers apart');
    assert.ok(plain.findings.some((x) => x.at > events[at]!.eventTime && x.f.evidence.reviewIds !== undefined), 'a finding on reviews of remembered fresh buyers after the restore');
    const restored = replaySwapped(signal, cfg, events, at, saved);
    assert.deepEqual(restored.findings, plain.findings);
    assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
    assert.equal(JSON.stringify(revived(signal, cfg, saved)).includes('"fresh"'), false);
  }
});
