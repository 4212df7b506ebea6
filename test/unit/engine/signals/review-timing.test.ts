import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, signal, type State } from '../../../../src/engine/signals/review-timing.js';
import type { MarketEvent, SellerContext, SignalFinding } from '../../../../src/engine/types.js';
import { eventKeys } from '../../../../src/engine/event-keys.js';
import { canonical, DAY, drive, HOUR, MIN, order, replaySwapped, review, revived, rng, T0 } from './fixtures.js';

const config = configSchema.parse({});

/** An order placed at `t`, delivered `deliverAfter` later (or never), reviewed `reviewAfter` after placing. */
function lifecycle(buyer: string, t: number, deliverAfter: number | null, reviewAfter: number | null, rating = 5): MarketEvent[] {
  const placed = order({ buyerId: buyer, eventTime: t });
  const out: MarketEvent[] = [placed];
  if (deliverAfter !== null) out.push(order({ buyerId: buyer, eventTime: t + deliverAfter, orderId: placed.orderId, status: 'DELIVERED' }));
  if (reviewAfter !== null) out.push(review({ buyerId: buyer, eventTime: t + reviewAfter, orderId: placed.orderId, rating }));
  return out;
}

/** Honest history: orders delivered after 2–4 days, a third reviewed 1–5 days after delivery. */
function honest(days: number, perDay: number, seed: number): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  for (let d = 0; d < days; d++) for (let i = 0; i < perDay; i++) {
    const deliver = (2 + r() * 2) * DAY;
    const reviewed = r() < 0.33;
    out.push(...lifecycle(`b-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, reviewed ? deliver + (1 + r() * 4) * DAY : null, r() < 0.7 ? 5 : 4));
  }
  return out;
}

test('fires on reviews minutes after delivery, with the reviews and buyers as evidence', () => {
  const fake: MarketEvent[] = [];
  for (let i = 0; i < 8; i++) fake.push(...lifecycle(`b-fake-${i}`, T0 + 12 * DAY + i * HOUR, 2 * DAY, 2 * DAY + 3 * MIN));
  const { findings } = drive(signal, config, [...honest(14, 20, 1), ...fake]);
  assert.ok(findings.length > 0, 'no finding');
  const f = findings.reduce((a, b) => (b.finding.strength > a.finding.strength ? b : a)).finding;
  assert.equal(f.family, 'review_timing');
  assert.ok(f.value >= f.threshold);
  assert.ok(f.evidence.buyerIds!.length > 0 && f.evidence.buyerIds!.every((b) => b.startsWith('b-fake-')));
  assert.ok(f.evidence.reviewIds!.length > 0 && f.evidence.orderIds!.length > 0);
  assert.ok(findings.every((x) => x.at > T0 + 14 * DAY), 'fired before the fake reviews');
});

test('a campaign running for weeks still fires at its end: the baseline does not learn while the signal fires', () => {
  const fake: MarketEvent[] = [];
  for (let d = 10; d < 31; d++)
    for (let i = 0; i < 12; i++) fake.push(...lifecycle(`b-long-${d}-${i}`, T0 + d * DAY + i * HOUR, 2 * DAY, 2 * DAY + 3 * MIN));
  const { findings } = drive(signal, config, [...honest(33, 20, 4), ...fake]);
  assert.ok(findings.some((f) => f.at >= T0 + 32 * DAY && f.finding.value >= f.finding.threshold), 'quiet after three weeks of instant reviews');
  assert.ok(findings.every((f) => (f.finding.baseline ?? 0) < 0.2), 'the campaign became the baseline');
});

test('fires on reviews of orders that were never delivered or reviewed before delivery', () => {
  const fake: MarketEvent[] = [];
  for (let i = 0; i < 4; i++) fake.push(...lifecycle(`b-nd-${i}`, T0 + 12 * DAY + i * HOUR, null, 5 * HOUR));
  for (let i = 0; i < 4; i++) fake.push(...lifecycle(`b-pre-${i}`, T0 + 12 * DAY + i * HOUR, 3 * DAY, 1 * DAY));
  const { findings } = drive(signal, config, [...honest(14, 20, 2), ...fake]);
  assert.ok(findings.some((f) => /before delivery/.test(f.finding.explanation) && f.finding.evidence.buyerIds!.some((b) => b.startsWith('b-pre-'))));
});

test('quiet on a viral product: many genuine 5-star reviews spread over days after real deliveries', () => {
  const r = rng(3);
  const events: MarketEvent[] = [...honest(7, 10, 3)];
  // Orders grow 10× a day for a week; every buyer reviews 5 stars 1–3 days after delivery.
  for (let d = 0; d < 7; d++) for (let i = 0; i < 10 * 2 ** Math.min(d, 4); i++) {
    const deliver = (2 + r() * 2) * DAY;
    events.push(...lifecycle(`b-v-${d}-${i}`, T0 + 7 * DAY + d * DAY + r() * DAY, deliver, deliver + (1 + r() * 2) * DAY));
  }
  const { findings, state } = drive(signal, config, events);
  assert.deepEqual(findings, []);
  assert.ok(state.counts[0]! > 1, 'the burst rate (counts[0]) was tracked');
});

test('quiet on a seller where some honest buyers review within the hour of delivery', () => {
  const r = rng(6);
  const events: MarketEvent[] = [];
  // 14 days of 40 orders a day; a third reviewed, one review in six 15–55 minutes after delivery.
  for (let d = 0; d < 14; d++) for (let i = 0; i < 40; i++) {
    const deliver = (2 + r() * 2) * DAY;
    if (r() >= 0.33) events.push(...lifecycle(`b-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, null));
    else events.push(...lifecycle(`b-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, deliver + (r() < 1 / 6 ? (15 + r() * 40) * MIN : (1 + r() * 4) * DAY)));
  }
  assert.deepEqual(drive(signal, config, events).findings, []);
});

test('a 5-star burst alone stays below the reporting floor but strengthens a timing finding', () => {
  const burst: MarketEvent[] = [];
  for (let i = 0; i < 30; i++) burst.push(review({ buyerId: `b-u-${i}`, eventTime: T0 + 10 * DAY + i * MIN, orderId: null }));
  const base = honest(12, 10, 4);
  assert.deepEqual(drive(signal, config, [...base, ...burst]).findings, []);
  const showBurst = drive(signal, configSchema.parse({ minStrength: 0.01 }), [...base, ...burst]).findings;
  assert.ok(showBurst.some((f) => f.finding.horizonMs === HOUR && f.finding.value >= config.burstFactor));

  const fast: MarketEvent[] = [];
  // Five, not four: on receipt alone (none before delivery) they count at fastWeight (0.7) each.
  for (let i = 0; i < 5; i++) fast.push(...lifecycle(`b-f-${i}`, T0 + 8 * DAY + i * 10 * MIN, 2 * DAY, 2 * DAY + 2 * MIN));
  // A slow curve keeps the timing finding below 1 so the burst's contribution shows.
  const slow = configSchema.parse({ saturation: 10 });
  const alone = drive(signal, slow, [...base, ...fast]).findings;
  const both = drive(signal, slow, [...base, ...fast, ...burst]).findings;
  const max = (fs: typeof alone) => Math.max(...fs.map((f) => f.finding.strength));
  assert.ok(max(alone) > 0 && max(alone) < 1, `timing alone ${max(alone)}`);
  assert.ok(max(both) > max(alone), `${max(both)} vs ${max(alone)}`);
});

test('memory stays bounded after 100k events', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 40_000; i++) events.push(...lifecycle(`b-${i}`, T0 + i * 60_000, DAY, i % 2 === 0 ? DAY + 5 * MIN : null));
  const { state } = drive(signal, config, events);
  assert.ok(events.length >= 100_000);
  assert.equal(state.counts.length - state.tableAt, config.orderSlots, 'the order table, dense');
  assert.ok(state.evidence !== null && state.evidence.reviewIds.length === config.evidence && state.evidence.buyerIds.length <= config.evidence);
  assert.ok(JSON.stringify(state).length < 2500, `${JSON.stringify(state).length} bytes`);
});

test('JSON round-trip mid-stream and expire at any time leave the findings unchanged', () => {
  const fake: MarketEvent[] = [];
  for (let i = 0; i < 6; i++) fake.push(...lifecycle(`b-fake-${i}`, T0 + 6 * DAY + i * HOUR, DAY, DAY + MIN));
  const events = [...honest(8, 15, 5), ...fake];
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.length > 0);
  assert.deepEqual(drive(signal, config, events, { roundTripAt: 100 }).findings, plain);
  assert.deepEqual(drive(signal, config, events, { expireHourly: true }).findings, plain);
});

test('a slow campaign on a small seller fires once it clusters: its earlier fast reviews, too few to report, did not become the baseline', () => {
  // A shop of one order a day; then for six days one fake order every 9 hours, reviewed minutes
  // after delivery (never three recent at once), then four within four hours.
  const fake: MarketEvent[] = [];
  const t0 = T0 + 14 * DAY;
  for (let i = 0; i < 16; i++) fake.push(...lifecycle(`b-slow-${i}`, t0 + i * 9 * HOUR, 2 * DAY, 2 * DAY + 10 * MIN));
  for (let i = 0; i < 4; i++) fake.push(...lifecycle(`b-slow-c${i}`, t0 + 6 * DAY + i * HOUR, 2 * DAY, 2 * DAY + 10 * MIN));
  const { findings } = drive(signal, config, [...honest(30, 1, 7), ...fake]);
  const f = findings.at(-1)?.finding;
  assert.ok(f, 'never fired');
  assert.ok(f.baseline! < 0.1, `baseline ${f.baseline}: the campaign's own reviews raised the bar`);
  assert.ok(f.evidence.buyerIds!.every((b) => b.startsWith('b-slow-')));
});

test('a farm posting one fast review every 13 hours at a small shop fires on the slow share, per delivery', () => {
  const fake: MarketEvent[] = [];
  for (let i = 0; i < 10; i++) fake.push(...lifecycle(`b-slow-${i}`, T0 + 10 * DAY + i * 13 * HOUR, 2 * DAY, 2 * DAY + 20 * MIN));
  const { findings } = drive(signal, config, [...honest(20, 2, 9), ...fake]);
  assert.ok(findings.length > 0, 'no finding');
  const f = findings[0]!.finding;
  assert.equal(f.horizonMs, config.slowHalfLifeHours * HOUR);
  assert.match(f.explanation, /% of the last few days' deliveries/);
  assert.ok(f.evidence.buyerIds!.every((b) => b.startsWith('b-slow-')));
  // Never more than two fast reviews within a recent half-life: the 12 h share alone stays quiet.
  assert.deepEqual(drive(signal, configSchema.parse({ slowMinSuspect: 1000 }), [...honest(20, 2, 9), ...fake]).findings, []);
});

/** An honest shop whose buyers review on receipt: a third of orders reviewed, a third of those 5–55 minutes after delivery, 65 % 5★, 20 % 4★, 15 % 1–3★. */
function quickReviewers(days: number, perDay: number, seed: number): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  for (let d = 0; d < days; d++) for (let i = 0; i < perDay; i++) {
    const deliver = (2 + r() * 2) * DAY;
    const reviewed = r() < 1 / 3;
    const after = r() < 1 / 3 ? (5 + r() * 50) * MIN : (0.2 + r() * 4) * DAY;
    const x = r();
    const rating = x < 0.65 ? 5 : x < 0.85 ? 4 : 1 + Math.floor(r() * 3);
    out.push(...lifecycle(`b-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, reviewed ? deliver + after : null, rating));
  }
  return out;
}

test('twenty honest shops of quick, mixed-rating reviewers stay below alerting for four weeks', () => {
  // Before the rating filter and the discount of uncorroborated reviews on receipt, 5 of these
  // 20 shops reached strength 0.8 (enough to alert alone).
  const strongest: number[] = [];
  for (let seed = 1; seed <= 20; seed++) strongest.push(Math.max(0, ...drive(signal, config, quickReviewers(28, 8, seed)).findings.map((f) => f.finding.strength)));
  assert.ok(strongest.every((x) => x < 0.8), `strengths ${strongest.join(' ')}`);
  assert.ok(strongest.filter((x) => x > 0).length <= 2, `strengths ${strongest.join(' ')}`);
});

test('a farm reviewing before delivery at a shop of quick reviewers still fires, with the farm as evidence', () => {
  // Eight fake orders in eight hours, reviewed 5 stars: six the next day before delivery, two minutes after it.
  const fake: MarketEvent[] = [];
  for (let i = 0; i < 8; i++) fake.push(...lifecycle(`b-farm-${i}`, T0 + 20 * DAY + i * HOUR, 3 * DAY, i < 6 ? 20 * HOUR : 3 * DAY + 10 * MIN));
  const { findings } = drive(signal, config, [...quickReviewers(28, 8, 2), ...fake]);
  const strong = findings.filter((f) => f.finding.strength >= 0.8);
  assert.ok(strong.length > 0, 'no strong finding');
  assert.ok(strong.every((f) => f.at > T0 + 20 * DAY + 20 * HOUR), 'fired before the farm');
  // The last suspicious reviews may include honest ones on receipt: the farm's are among them.
  assert.ok(strong[0]!.finding.evidence.buyerIds!.filter((b) => b.startsWith('b-farm-')).length >= 2);
  assert.match(strong[0]!.finding.explanation, /before delivery/);
});

test('quick 1–3 star reviews are unhappy buyers, not suspicious, and still count among the verified reviews', () => {
  const complaints: MarketEvent[] = [];
  for (let i = 0; i < 8; i++) complaints.push(...lifecycle(`b-angry-${i}`, T0 + 12 * DAY + i * HOUR, 20 * HOUR, 20 * HOUR + 3 * MIN, 1 + (i % 3)));
  assert.deepEqual(drive(signal, config, [...honest(14, 20, 1), ...complaints]).findings, []);
  // Four reviews before delivery fire; twelve quick complaints in the same hours lower the share.
  const pre: MarketEvent[] = [];
  for (let i = 0; i < 4; i++) pre.push(...lifecycle(`b-pre-${i}`, T0 + 12 * DAY + i * HOUR, 3 * DAY, 20 * HOUR));
  const alone = drive(signal, config, [...honest(14, 20, 1), ...pre]).findings;
  const diluted = drive(signal, config, [...honest(14, 20, 1), ...pre, ...complaints, ...complaints.map((e) => ({ ...e, eventId: `${e.eventId}-2`, ...(e.kind === 'review' ? { reviewId: `${e.reviewId}-2` } : {}), orderId: `${e.orderId}-2` }))]).findings;
  const top = (fs: typeof alone) => Math.max(0, ...fs.map((f) => f.finding.value));
  assert.ok(top(alone) > 0, 'four reviews before delivery did not fire');
  assert.ok(top(diluted) < top(alone), `${top(diluted)} vs ${top(alone)}`);
});

test('reviews on receipt alone need more to fire; one review before delivery in the last days makes them count in full', () => {
  const fast: MarketEvent[] = [];
  for (let i = 0; i < 4; i++) fast.push(...lifecycle(`b-f-${i}`, T0 + 10 * DAY + i * 15 * MIN, 2 * DAY, 2 * DAY + 5 * MIN));
  // Four 5-star reviews on receipt within the hour: 4 × 0.7 < minSuspect 3 while uncorroborated.
  assert.deepEqual(drive(signal, config, [...honest(14, 20, 1), ...fast]).findings, []);
  const early = lifecycle('b-e-0', T0 + 10 * DAY, 3 * DAY, DAY);
  const { findings } = drive(signal, config, [...honest(14, 20, 1), ...fast, ...early]);
  assert.ok(findings.some((f) => f.at > T0 + 12 * DAY && f.finding.strength >= 0.8), 'corroborated reviews on receipt did not fire');
});

test('a busy honest shop whose buyers review on receipt one time in five stays quiet: reviews of orders the table no longer holds still count', () => {
  // 150 orders a day: the 64-slot order table holds hours of them, so only reviews on receipt find
  // their order; judged alone they were nearly all of the verified reviews (strength 1 every day).
  // The first days are left out: a new shop's first reviews are all on receipt (the later ones have
  // not come yet), which the slow share, per delivery, is there for.
  const r = rng(11);
  const events: MarketEvent[] = [];
  for (let d = 0; d < 21; d++) for (let i = 0; i < 150; i++) {
    const deliver = (2 + r() * 2) * DAY;
    const reviewed = r() < 0.25;
    const after = r() < 0.2 ? (2 + r() * 55) * MIN : (1 + r() * 4) * DAY;
    const x = r();
    for (const e of lifecycle(`b-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, reviewed ? deliver + after : null, x < 0.65 ? 5 : x < 0.85 ? 4 : 1 + Math.floor(r() * 3))) events.push(e);
  }
  const settled = drive(signal, config, events).findings.filter((f) => f.at >= T0 + 8 * DAY);
  assert.deepEqual(settled.map((f) => f.finding.strength), []);
});

/** 14 orders of a small shop over three days, most reviewed on receipt or before delivery; ids of their own. */
function savedScenario(): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let i = 0; i < 14; i++) {
    const t = T0 + i * 5 * HOUR + 7 * MIN;
    const buyerId = `b-saved-${i}`;
    const orderId = `o-saved-${i}`;
    out.push(order({ buyerId, eventTime: t, eventId: `e-saved-p-${i}`, orderId }));
    out.push(order({ buyerId, eventTime: t + 2 * DAY, eventId: `e-saved-d-${i}`, orderId, status: 'DELIVERED' }));
    const after = i % 3 === 0 ? 2 * DAY + 10 * MIN : i % 3 === 1 ? 20 * HOUR : 3 * DAY;
    out.push(review({ buyerId, eventTime: t + after, eventId: `e-saved-r-${i}`, reviewId: `r-saved-${i}`, orderId, rating: i % 4 === 3 ? 4 : 5 }));
  }
  return out;
}

/** replaySwapped(savedScenario()) by the code of afbe17b, the state just before event 24: the 5-star rates as fields, SLOW and PRE in arrays of their own. */
const SAVED_AT_24 = '{"counts":[490965,1.715891369235413,1.715891369235413,1.186622966549173,1.186622966549173],"orders":[32,7115016306356751,9,3898118550778983,0,6821734196115135,2,5147215836412183,34,6872641638169455,43,6690078416103238,33,3389864200563102,59,1196981942938614,29,7264430970826318,42,5749797332119718,15,4720159185105662,22,4475285382821206,56,6952343883151278,52,4207308951452166],"ordersLow":58907534,"fiveHour":490944,"fiveCount":1,"fivePeak":0,"fivePeakRate":0,"fiveRate":0.016708640515017147,"reviewIds":["r-saved-4","r-saved-0","r-saved-7","r-saved-3"],"buyerIds":["b-saved-4","b-saved-0","b-saved-7","b-saved-3"],"orderIds":["o-saved-4","o-saved-0","o-saved-7","o-saved-3"],"fast":0,"early":0,"firing":true,"slowFiring":true,"slow":[490965,4.50801202611565,4.045834184664937,0,0.25625366530841504],"pre":[490965,2.2850021453626934,0.6901327707236066]}';

test('a state saved by the earlier layout restores and goes on exactly as if never saved', () => {
  const events = canonical(savedScenario());
  const saved = JSON.parse(SAVED_AT_24) as State & { slow?: number[]; pre?: number[]; fiveRate?: number };
  assert.ok(saved.slow !== undefined && saved.pre !== undefined && saved.fiveRate! > 0 && saved.counts.length === 5, 'the saved state has every part');
  const plain = replaySwapped(signal, config, events);
  const restored = replaySwapped(signal, config, events, 24, saved);
  assert.ok(plain.findings.some((x) => x.at > events[24]!.eventTime), 'findings after the restore');
  assert.deepEqual(restored.findings, plain.findings);
  // The recent deliveries (the last block, 3 numbers) did not exist then: the restored state starts
  // them at its first delivery after the restore; every other number goes on exactly.
  const before = (st: State): unknown => ({ ...JSON.parse(JSON.stringify(st)), counts: [...st.counts.slice(0, 15), ...st.counts.slice(st.tableAt)] });
  assert.deepEqual(before(restored.state), before(plain.state));
  assert.equal(plain.state.tableAt, 18, 'the 5-star rates and four blocks in one array, the order table after them');
  assert.equal(restored.state.tableAt, 18, 'the restored state gained the recent deliveries');
});

/** A shop whose product goes viral: 10 orders a day ×1.5 a day up to 150, 30 % reviewed, a third of those on receipt, the rest after a reminder 5–7 days after delivery. */
function viralRamp(seed: number): MarketEvent[] {
  const r = rng(seed);
  const events: MarketEvent[] = [];
  for (let d = 0; d < 16; d++) for (let i = 0; i < Math.min(150, 10 * 1.5 ** d); i++) {
    const deliver = (2 + r() * 2) * DAY;
    const after = r() < 1 / 3 ? (2 + r() * 55) * MIN : (5 + r() * 2) * DAY;
    events.push(...lifecycle(`b-r-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, r() < 0.3 ? deliver + after : null));
  }
  return events;
}

test('a steadily ramping honest shop whose buyers review on receipt one time in five stays quiet: its quick reviews are judged per recent delivery too', () => {
  const events = viralRamp(12);
  const settled = (cfg: typeof config) => drive(signal, cfg, events).findings.filter((f) => f.at >= T0 + 6 * DAY).map((f) => f.finding.strength);
  assert.deepEqual(settled(config), []);
  // Per review alone the climb's quick reviews are most of the recent ones.
  assert.ok(settled(configSchema.parse({ fastPerDeliveryShare: 0 })).length > 0, 'per review alone fires');
});

test('a farm reviewing its own deliveries on receipt at a flat shop still fires', () => {
  const r = rng(13);
  const events: MarketEvent[] = [...honest(14, 10, 14)];
  // From day 10, 4 fake orders a day, each reviewed 5 stars 2–20 min after delivery.
  for (let d = 10; d < 14; d++) for (let i = 0; i < 4; i++) {
    const deliver = (2 + r() * 2) * DAY;
    events.push(...lifecycle(`farm-${d}-${i}`, T0 + d * DAY + r() * DAY, deliver, deliver + (2 + r() * 18) * MIN));
  }
  // As strong as judged per review alone: per delivery the farm's quick reviews are far above the shop's habit.
  const strongest = (cfg: typeof config): number => Math.max(0, ...drive(signal, cfg, events).findings.map((f) => f.finding.strength));
  assert.ok(strongest(config) > 0);
  assert.equal(strongest(config), strongest(configSchema.parse({ fastPerDeliveryShare: 0 })));
});

/** The state as 078496f saves it: the blocks in `counts`, the order table in `orders`. */
function withSeparateTable(s: State): Record<string, unknown> {
  const { counts, tableAt, ...rest } = JSON.parse(JSON.stringify(s)) as State;
  return { counts: counts.slice(0, tableAt), orders: counts.slice(tableAt), ...rest };
}

/** The state as the layout before that saves it: also the suspicious reviews since the last evaluation and the two firing flags as fields. */
function withSeparateFlags(s: State): unknown {
  const { evidence, firing, ...rest } = withSeparateTable(s) as Omit<State, 'tableAt'>;
  const lists = evidence === null ? null : { reviewIds: evidence.reviewIds, buyerIds: evidence.buyerIds, orderIds: evidence.orderIds };
  return { ...rest, evidence: lists, fast: evidence?.fast ?? 0, early: evidence?.early ?? 0, firing: (firing & 1) !== 0, slowFiring: (firing & 2) !== 0 };
}

/** Suspicious reviews of every kind (no delivery, before it, minutes after it, spread over days) on a small honest shop. */
function mixedCampaigns(): MarketEvent[] {
  const fake: MarketEvent[] = [];
  for (let i = 0; i < 4; i++) fake.push(...lifecycle(`b-nd-${i}`, T0 + 12 * DAY + i * HOUR, null, 5 * HOUR));
  for (let i = 0; i < 4; i++) fake.push(...lifecycle(`b-pre-${i}`, T0 + 12 * DAY + i * HOUR, 3 * DAY, 1 * DAY));
  for (let i = 0; i < 10; i++) fake.push(...lifecycle(`b-slow-${i}`, T0 + 10 * DAY + i * 13 * HOUR, 2 * DAY, 2 * DAY + 20 * MIN));
  return canonical([...honest(18, 4, 3), ...fake]);
}

/**
 * The run, its state rewritten by `rewrite` (to an earlier layout) and revived before every
 * `every`-th event and evaluation; the findings, final state, firing flags and table layouts seen.
 */
function runRewritten(events: readonly MarketEvent[], every: number, rewrite: (s: State) => unknown) {
  const findings: { at: number; finding: SignalFinding }[] = [];
  let state = signal.create(config);
  let calls = 0;
  let flags = 0;
  const tables = new Set<string>();
  const step = (): void => {
    const size = state.counts.length - state.tableAt;
    tables.add(size === 0 ? 'empty' : size >= config.orderSlots ? 'dense' : 'sparse');
    if (calls++ % every === 0) state = revived(signal, config, rewrite(state));
  };
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  for (const e of [...events, null]) {
    for (; e === null ? boundary <= events.at(-1)!.eventTime + HOUR : boundary <= e.eventTime; boundary += HOUR) {
      step();
      const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
      if (f !== null) findings.push({ at: boundary, finding: f });
      flags |= state.firing;
      signal.expire(state, boundary, config);
    }
    if (e === null) break;
    step();
    signal.observe(state, e, config, eventKeys(e));
    const json = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
    assert.ok(!('fast' in json) && !('early' in json) && !('slowFiring' in json) && !('orders' in json) && typeof json['firing'] === 'number', 'converted');
  }
  return { findings, state: JSON.parse(JSON.stringify(state)) as unknown, flags, tables };
}

test('a state saved with its counts since the last evaluation and its firing flags as fields restores at any point of a run', () => {
  const events = mixedCampaigns();
  const plain = runRewritten(events, Infinity, (s) => s);
  assert.equal(plain.flags, 3, 'both lanes fired');
  for (const counted of [/[1-9]\d* too fast/, /[1-9]\d* before delivery since/]) assert.ok(plain.findings.some((f) => counted.test(f.finding.explanation)), `no finding counts ${counted}`);
  for (const every of [1, 5]) {
    const saved = runRewritten(events, every, withSeparateFlags);
    assert.deepEqual(saved.findings, plain.findings);
    assert.deepEqual(saved.state, plain.state);
  }
});

test('a state saved by 078496f (the order table an array of its own) restores at any point of a run', () => {
  const events = mixedCampaigns();
  const plain = runRewritten(events, Infinity, (s) => s);
  assert.deepEqual([...plain.tables].sort(), ['dense', 'empty', 'sparse'], 'every table layout was saved');
  assert.ok(plain.findings.length > 0);
  for (const every of [1, 3, 7, 50]) {
    const saved = runRewritten(events, every, withSeparateTable);
    assert.deepEqual(saved.findings, plain.findings);
    assert.deepEqual(saved.state, plain.state);
  }
});
