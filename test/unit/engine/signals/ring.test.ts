import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringConfigSchema, ringDetector, ringIdOf, type RingConfig } from '../../../../src/engine/signals/ring.js';
import type { MarketEvent, RingFinding } from '../../../../src/engine/types.js';
import { BrushwatchError } from '../../../../src/errors.js';
import { DAY, HOUR, T0, canonical, order, rng } from './part-b-fixtures.js';

const config = ringConfigSchema.parse({});

/**
 * Honest shopping: `buyers` buyers each place 1–4 orders over `days` days at sellers picked by a
 * Zipf-like popularity (s0 is the most popular), so popular sellers share many casual buyers.
 */
function population(seed: number, opts: { sellers?: number; buyers?: number; days?: number } = {}): MarketEvent[] {
  const { sellers = 200, buyers = 4000, days = 3 } = opts;
  const r = rng(seed);
  const cdf: number[] = [];
  let sum = 0;
  for (let i = 0; i < sellers; i++) cdf.push((sum += 1 / (i + 1)));
  const pick = () => {
    const x = r() * sum;
    let lo = 0;
    while (cdf[lo]! < x) lo++;
    return `s${lo}`;
  };
  const out: MarketEvent[] = [];
  let k = 0;
  for (let b = 0; b < buyers; b++) {
    const n = 1 + Math.floor(r() * 4);
    for (let j = 0; j < n; j++) out.push(order({ t: T0 + Math.floor(r() * days * DAY), seller: pick(), buyer: `b${b}`, order: `o${k++}` }));
  }
  return out;
}

/** `fakes` buyers who each buy once a day from every seller in `members`, for `days` days. */
function ring(members: string[], fakes: number, seed: number, days = 3): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  let k = 0;
  for (let d = 0; d < days; d++) {
    for (let f = 0; f < fakes; f++) {
      for (const m of members) out.push(order({ t: T0 + d * DAY + Math.floor(r() * DAY), seller: m, buyer: `fake-${members[0]}-${f}`, order: `ro${seed}-${k++}` }));
    }
  }
  return out;
}

/** Feeds events in canonical order and evaluates at every hour end; returns the findings by hour. */
function run(events: readonly MarketEvent[], cfg: RingConfig = config, det = ringDetector(cfg), from?: number, until?: number) {
  const sorted = canonical(events);
  const out = new Map<number, readonly RingFinding[]>();
  const start = from ?? Math.floor(sorted[0]!.eventTime / HOUR) * HOUR + HOUR;
  const end = until ?? Math.floor(sorted[sorted.length - 1]!.eventTime / HOUR) * HOUR + HOUR;
  let i = 0;
  while (i < sorted.length && sorted[i]!.eventTime < start - HOUR) i++;
  for (let at = start; at <= end; at += HOUR) {
    while (i < sorted.length && sorted[i]!.eventTime < at) det.observe(sorted[i++]!);
    const found = det.evaluate(at, cfg);
    if (found.length > 0) out.set(at, found);
  }
  return { det, out };
}

test('finds a planted ring of four sellers sharing fake buyers among honest traffic', () => {
  const members = ['s150', 's151', 's152', 's153'];
  const { out } = run([...population(1), ...ring(members, 12, 2)]);
  const last = out.get(T0 + 3 * DAY);
  assert.ok(last, 'a ring at the end');
  assert.equal(last.length, 1);
  const r = last[0]!;
  assert.deepEqual(r.sellerIds, members);
  assert.equal(r.ringId, ringIdOf(members));
  assert.equal(r.finding.family, 'ring');
  assert.deepEqual(r.finding.evidence.ringSellerIds, members);
  assert.ok((r.finding.evidence.buyerIds ?? []).length >= 5);
  assert.ok(r.finding.evidence.buyerIds!.every((b) => b.startsWith('fake-')), String(r.finding.evidence.buyerIds));
  assert.ok(r.finding.value >= config.minPairWeight && r.finding.strength >= 0.5);
  // Whenever a ring is seen it is (part of) this one: no popular seller is drawn in.
  for (const found of out.values()) for (const f of found) assert.ok(f.sellerIds.every((s) => members.includes(s)), String(f.sellerIds));
  assert.ok(out.size >= 48, `seen at ${out.size} bucket ends`);
});

test('still finds the ring when its accounts camouflage with purchases at popular sellers', () => {
  const members = ['s160', 's161', 's162'];
  const events = [...population(11), ...ring(members, 12, 12)];
  const r = rng(13);
  for (let f = 0; f < 12; f++) {
    for (let j = 0; j < 6; j++) events.push(order({ t: T0 + Math.floor(r() * 3 * DAY), seller: `s${j}`, buyer: `fake-s160-${f}`, order: `camo${f}-${j}` }));
  }
  const { out } = run(events);
  assert.deepEqual(out.get(T0 + 3 * DAY)?.map((f) => f.sellerIds), [members]);
});

test('an honest shop where two of the pool accounts placed cover orders is not drawn into the ring', () => {
  const members = ['s150', 's151', 's152', 's153'];
  const events = [...population(1), ...ring(members, 12, 2)];
  // Two ring accounts each buy once at s120 on day 1, in lockstep with their ring purchases.
  for (const f of [0, 1]) events.push(order({ t: T0 + DAY + (10 + f) * HOUR, seller: 's120', buyer: `fake-s150-${f}`, order: `cover${f}` }));
  const { out } = run(events);
  const seen = new Set([...out.values()].flatMap((found) => found.flatMap((f) => f.sellerIds)));
  assert.ok(seen.has('s150'), 'the ring is found');
  assert.ok(!seen.has('s120'), 'the cover shop is never a member');
  // A shop where every pool account buys, as at the members, is a member.
  for (let f = 2; f < 12; f++) events.push(order({ t: T0 + DAY + (10 + f) * HOUR, seller: 's120', buyer: `fake-s150-${f}`, order: `cover${f}` }));
  assert.ok([...run(events).out.values()].some((found) => found.some((f) => f.sellerIds.includes('s120'))));
});

test('quiet when sellers share buyers only far apart in time (no lockstep)', () => {
  const events = population(14, { buyers: 2000, days: 12 });
  // 15 buyers each buy at s190, s191 and s192, a day more than the lockstep window apart.
  const gap = config.lockstepWindowMs + DAY;
  for (let b = 0; b < 15; b++) {
    ['s190', 's191', 's192'].forEach((seller, k) => events.push(order({ t: T0 + k * gap + b * HOUR, seller, buyer: `slow${b}`, order: `slow${b}-${k}` })));
  }
  assert.equal(run(events).out.size, 0);
});

test('quiet on popular sellers sharing many casual buyers', () => {
  const events = population(3, { buyers: 8000 });
  // Heavy shoppers too: 300 buyers who each buy from 10 sellers, popular ones included, in two days.
  const r = rng(4);
  for (let b = 0; b < 300; b++) {
    for (let j = 0; j < 10; j++) events.push(order({ t: T0 + Math.floor(r() * 2 * DAY), seller: `s${Math.floor(r() * r() * 60)}`, buyer: `heavy${b}`, order: `h${b}-${j}` }));
  }
  const { out, det } = run(events);
  assert.equal(out.size, 0);
  assert.ok(det.sizes().pairs > 1000, 'popular pairs were tracked and judged');
});

test('two colluding sellers are a pair, not a ring (minMembers 3)', () => {
  const { out } = run([...population(5), ...ring(['s170', 's171'], 15, 6)]);
  assert.equal(out.size, 0);
  const loose = ringConfigSchema.parse({ minMembers: 2 });
  const { out: pairs } = run([...population(5), ...ring(['s170', 's171'], 15, 6)], loose);
  // Two small sellers of the population also pair by chance (two shared buyers within 96 h):
  // what minMembers 3 is there for.
  assert.ok(pairs.get(T0 + 3 * DAY)?.some((f) => f.sellerIds.join() === 's170,s171'));
});

/** One lockstep round: `buyer` buys from each of `members` within the hour starting at `t`. */
function round(members: string[], buyer: string, t: number): MarketEvent[] {
  return members.map((seller, k) => order({ t: t + k * 10 * 60_000, seller, buyer, order: `${buyer}-${t}-${k}` }));
}

test('a ring shows once two distinct accounts have each bought from every member', () => {
  const members = ['s180', 's181', 's182'];
  const t1 = T0 + DAY + 9 * HOUR;
  const t2 = t1 + 5 * HOUR;
  const { out } = run([...population(21), ...round(members, 'fake-a', t1), ...round(members, 'fake-b', t2)], config, undefined, T0 + HOUR, T0 + 2 * DAY);
  const first = [...out.keys()].sort((a, b) => a - b)[0];
  // The bucket holding the second round closes at t2 rounded up to the hour.
  assert.equal(first, Math.floor(t2 / HOUR) * HOUR + HOUR);
  const r = out.get(first!)![0]!;
  assert.deepEqual(r.sellerIds, members);
  assert.deepEqual([...r.finding.evidence.buyerIds!].sort(), ['fake-a', 'fake-b']);
});

test('one account coming back to the same sellers is not a ring', () => {
  const members = ['s183', 's184', 's185'];
  // Three visits past the lockstep window: three co-buy episodes, but one buyer.
  const events = [...population(22, { days: 8 }), ...[0, 3, 6].flatMap((d) => round(members, 'loyal', T0 + d * DAY + 10 * HOUR))];
  assert.equal(run(events).out.size, 0);
});

test('a chain of pairs sharing buyers is not a ring', () => {
  // s186–s187 share two accounts, s187–s188 two others; s186 and s188 share none.
  const events = [
    ...population(23),
    ...round(['s186', 's187'], 'x1', T0 + DAY),
    ...round(['s186', 's187'], 'x2', T0 + DAY + 2 * HOUR),
    ...round(['s187', 's188'], 'y1', T0 + DAY + 4 * HOUR),
    ...round(['s187', 's188'], 'y2', T0 + DAY + 6 * HOUR),
  ];
  assert.equal(run(events).out.size, 0);
  const pairs = ringConfigSchema.parse({ minMembers: 2 });
  assert.ok(run(events, pairs).out.size > 0, 'each pair alone qualifies');
  // With a third distinct account on each link the chain is a ring.
  const heavy = [...events, ...round(['s186', 's187'], 'x3', T0 + DAY + 8 * HOUR), ...round(['s187', 's188'], 'y3', T0 + DAY + 10 * HOUR)];
  assert.deepEqual([...run(heavy).out.values()].at(-1)?.map((f) => f.sellerIds), [['s186', 's187', 's188']]);
});

test('a slow pool (each account at one member a day) shows once every link of the triangle has two distinct accounts', () => {
  // Step 51 (docs/history/evaluation-steps.md): neither a chain of two-account links nor a triangle closed by
  // a single co-buy is enough; honest shops form both. Three small shops outside the honest
  // population, so that lift passes and only the pool's shape decides.
  const [a, b, c] = ['p1', 'p2', 'p3'];
  const t0 = T0 + DAY + 9 * HOUR;
  const visit = (buyer: string, first: string, second: string, h: number): MarketEvent[] => [
    order({ t: t0 + h * HOUR, seller: first, buyer, order: `${buyer}-1` }),
    order({ t: t0 + (h + 24) * HOUR, seller: second, buyer, order: `${buyer}-2` }),
  ];
  const pool = [
    ...visit('f1', a, b, 0),
    ...visit('f2', a, b, 2),
    ...visit('f3', b, c, 4),
    ...visit('f4', b, c, 6),
    ...visit('f5', a, c, 8), // closes the triangle with one account
    ...visit('f6', c, a, 16), // the second account on a–c: at t0 + 40 h
  ];
  const { out } = run([...population(24), ...pool], config, undefined, T0 + HOUR, T0 + 4 * DAY);
  const first = [...out.keys()].sort((x, y) => x - y)[0];
  assert.equal(first, t0 + 41 * HOUR);
  assert.deepEqual(out.get(first!)!.map((f) => f.sellerIds), [[a, b, c]]);
});

test('ringId is a deterministic function of the sorted members', () => {
  assert.equal(ringIdOf(['a', 'b', 'c']), ringIdOf(['a', 'b', 'c']));
  assert.notEqual(ringIdOf(['a', 'b', 'c']), ringIdOf(['a', 'b', 'd']));
  assert.match(ringIdOf(['a', 'b', 'c']), /^ring-[0-9a-f]{16}$/);
});

test('caps hold after 100k events', () => {
  const cfg = ringConfigSchema.parse({ maxBuyers: 1000, maxSellers: 300, maxPairs: 500, maxSellersPerBuyer: 4 });
  const r = rng(7);
  const det = ringDetector(cfg);
  let at = T0 + HOUR;
  for (let k = 0; k < 100_000; k++) {
    const t = T0 + k * 2_000;
    while (t >= at) {
      det.evaluate(at, cfg);
      at += HOUR;
    }
    det.observe(order({ t, seller: `s${Math.floor(r() * 5000)}`, buyer: `b${Math.floor(r() * 20_000)}`, order: `o${k}` }));
    if (k % 10_000 === 0) {
      const s = det.sizes();
      assert.ok(s.buyers <= 1000 && s.sellers <= 300 && s.sellerSlots <= 300 && s.pairs <= 500 && s.maxSellersOfABuyer <= 4, JSON.stringify(s));
    }
  }
  const s = det.sizes();
  assert.ok(s.buyers <= 1000 && s.sellers <= 300 && s.pairs <= 500 && s.maxSellersOfABuyer <= 4, JSON.stringify(s));
  assert.ok(s.buyers >= 500 && s.pairs > 0, 'the structures were actually used');
});

test('the slots of sellers dropped by a sweep are reused, and their counts start afresh', () => {
  const det = ringDetector(config);
  det.observe(order({ t: T0, seller: 'a', buyer: 'x', order: 'o1' }));
  det.observe(order({ t: T0 + HOUR, seller: 'b', buyer: 'y', order: 'o2' }));
  assert.equal(det.sizes().sellerSlots, 2);
  // 30 days later (past 6 half-lives) the daily sweep drops both; new sellers take their slots.
  const later = T0 + 30 * DAY;
  det.evaluate(later, config);
  assert.equal(det.sizes().sellers, 0);
  det.observe(order({ t: later, seller: 'c', buyer: 'z', order: 'o3' }));
  det.observe(order({ t: later, seller: 'a', buyer: 'w', order: 'o4' }));
  assert.deepEqual([det.sizes().sellers, det.sizes().sellerSlots], [2, 2]);
  const sellers = (det.snapshot() as { sellers: [unknown[], unknown[]] }).sellers;
  assert.deepEqual(sellers, [[], [['c', 1, later], ['a', 1, later]]]);
});

test('a JSON snapshot restored into a new detector continues identically', () => {
  const events = [...population(8, { buyers: 2000 }), ...ring(['s120', 's121', 's122'], 10, 9)];
  const whole = run(events);
  assert.ok(whole.out.size > 0);
  const cut = T0 + DAY + 7 * HOUR;
  const first = run(events.filter((e) => e.eventTime < cut), config, ringDetector(config), undefined, cut);
  const restored = ringDetector(config);
  restored.restore(JSON.parse(JSON.stringify(first.det.snapshot())));
  const second = run(events, config, restored, cut + HOUR);
  const joined = new Map([...first.out, ...second.out]);
  assert.deepEqual(JSON.stringify([...joined]), JSON.stringify([...whole.out]));
  assert.deepEqual(restored.snapshot(), whole.det.snapshot());
});

test('a malformed snapshot is refused with a coded error', () => {
  assert.throws(() => ringDetector().restore({ version: 9 }), (e: unknown) => e instanceof BrushwatchError && e.code === 'BRUSH_STATE_CORRUPT');
  assert.throws(
    () => ringDetector().restore({ version: 2, pop: [0, 0, 0], buyers: [[[1, 'x']], []], sellers: [[], []], pairs: [[], []] }),
    (e: unknown) => e instanceof BrushwatchError && e.code === 'BRUSH_STATE_CORRUPT',
  );
  // A buyer time that is not a whole ms (no event has one) cannot be kept exactly.
  assert.throws(
    () => ringDetector().restore({ version: 3, pop: [0, 0, 0, 0], buyers: [[[1, 2, ['s'], [T0 + 0.5], [T0], 1, T0 + 0.5]], []], sellers: [[], []], pairs: [[], []] }),
    (e: unknown) => e instanceof BrushwatchError && e.code === 'BRUSH_STATE_CORRUPT',
  );
});

test('a version 2 snapshot (buyers by id) still restores: a remembered buyer links its next seller', () => {
  const t = T0 + HOUR;
  const det = ringDetector(config);
  det.restore({
    version: 2,
    pop: [1, t, t, 0],
    buyers: [[], [['b1', ['s1'], [t], [t], 1, t]]],
    sellers: [[], [['s1', 1, t]]],
    pairs: [[], []],
  });
  det.observe(order({ t: t + 10 * 60_000, seller: 's2', buyer: 'b1', order: 'o1' }));
  const snap = det.snapshot() as { version: number; pairs: [unknown[], [string, string, number, number, number, string[]][]] };
  assert.equal(snap.version, 3);
  const pair = snap.pairs[1][0]!;
  assert.deepEqual([pair[0], pair[1], pair[5]], ['s1', 's2', ['b1']], 'the restored buyer b1 made s1–s2 a co-bought pair');
});

test('a version 3 snapshot of the previous buyer layout (0504004) restores and continues as that code did', () => {
  // Written by the detector at 0504004 (maxSellersPerBuyer 3, maxBuyers 4) after b1 bought at
  // s1..s4 (s2 dropped as the oldest) and at s1 again 60 h on, b2 at s1, b3 twice at s2; the
  // expected snapshot is what that code held after b1 and b2 then bought at s3.
  const cfg = ringConfigSchema.parse({ maxSellersPerBuyer: 3, maxBuyers: 4, lockstepWindowMs: 48 * HOUR });
  const det = ringDetector(cfg);
  det.restore(JSON.parse("{\"version\":3,\"pop\":[2.9434240596757837,1767243600000,1767441600000,0],\"buyers\":[[[932837456,16385229,[\"s1\"],[1767240000000],[1767240000000],1,1767240000000],[1096793167,1352767301,[\"s3\",\"s4\",\"s1\"],[1767232800000,1767236400000,1767441600000],[1767232800000,1767236400000,1767441600000],5,1767441600000]],[[-1305598560,-488029632,[\"s2\"],[1767247200000],[1767243600000],1,1767247200000]]],\"sellers\":[[],[[\"s1\",2.5612310241546865,1767441600000],[\"s2\",1.9622238368941451,1767243600000],[\"s3\",1,1767232800000],[\"s4\",1,1767236400000]]],\"pairs\":[[],[[\"s1\",\"s2\",0.5138983423697507,1,1767229200000,[\"b1\"]],[\"s1\",\"s3\",0.48089834696298783,1,1767232800000,[\"b1\"]],[\"s2\",\"s3\",0.48089834696298783,1,1767232800000,[\"b1\"]],[\"s2\",\"s4\",0.45511961331341866,1,1767236400000,[\"b1\"]],[\"s3\",\"s4\",0.45511961331341866,1,1767236400000,[\"b1\"]]]]}"));
  det.observe(order({ t: T0 + 61 * HOUR, seller: 's3', buyer: 'b1', order: 'o9' }));
  det.observe(order({ t: T0 + 62 * HOUR, seller: 's3', buyer: 'b2', order: 'o10' }));
  assert.deepEqual(det.snapshot(), JSON.parse("{\"version\":3,\"pop\":[2.7003464626925755,1767448800000,1767448800000,0],\"buyers\":[[[-1305598560,-488029632,[\"s2\"],[1767247200000],[1767243600000],1,1767247200000],[1096793167,1352767301,[\"s3\",\"s4\",\"s1\"],[1767445200000,1767236400000,1767441600000],[1767445200000,1767236400000,1767441600000],5,1767445200000]],[[932837456,16385229,[\"s3\"],[1767448800000],[1767448800000],1,1767448800000]]],\"sellers\":[[],[[\"s1\",2.5612310241546865,1767441600000],[\"s2\",1.9622238368941451,1767243600000],[\"s3\",2.551650171621513,1767448800000],[\"s4\",1,1767236400000]]],\"pairs\":[[],[[\"s1\",\"s2\",0.5138983423697507,1,1767229200000,[\"b1\"]],[\"s1\",\"s3\",0.7068003926286636,1.5666601111157181,1767445200000,[\"b1\"]],[\"s2\",\"s3\",0.48089834696298783,1,1767232800000,[\"b1\"]],[\"s2\",\"s4\",0.45511961331341866,1,1767236400000,[\"b1\"]],[\"s3\",\"s4\",0.45511961331341866,1,1767236400000,[\"b1\"]]]]}"));
});
