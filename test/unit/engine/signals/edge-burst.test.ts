import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, midasScore, NUMBERS, signal, type State } from '../../../../src/engine/signals/edge-burst.js';
import type { MarketEvent, SignalFinding } from '../../../../src/engine/types.js';
import { DAY, HOUR, T0, order, review, rng, runSignal } from './part-b-fixtures.js';

const config = configSchema.parse({});

/** Numbers before the count-min counters in State.n. */
const HEAD = Object.keys(NUMBERS).length;

/** Three days of ordinary traffic: ~2 orders an hour, mostly new buyers, some regulars. */
function ordinary(seller: string, days = 3, seed = 5): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  let k = 0;
  for (let h = 0; h < days * 24; h++) {
    const n = 1 + Math.floor(r() * 3);
    for (let j = 0; j < n; j++) {
      const buyer = r() < 0.2 ? `reg${Math.floor(r() * 10)}` : `new${k}`;
      out.push(order({ t: T0 + h * HOUR + Math.floor(r() * HOUR), seller, buyer, order: `o${k++}` }));
    }
  }
  return out;
}

test('midasScore follows the paper: 0 without history, a·(t − 1) for a brand-new edge', () => {
  assert.equal(midasScore(5, 5, 1), 0);
  assert.ok(Math.abs(midasScore(3, 3, 20) - 57) < 1e-9);
  assert.ok(midasScore(3, 300, 100) < 1, 'an edge at its usual rate scores low');
});

test('fires when a few buyers suddenly repeat orders, naming them and their orders', () => {
  const events = ordinary('s1');
  const burst = T0 + 3 * DAY + 10 * 60_000;
  for (let k = 0; k < 8; k++) events.push(order({ t: burst + k * 5 * 60_000, seller: 's1', buyer: `fake${k % 2}`, order: `f${k}` }));
  const { findings } = runSignal(signal, config, events, { until: T0 + 3 * DAY + 2 * HOUR });
  assert.equal([...findings.keys()].some((at) => at <= T0 + 3 * DAY), false, 'quiet on the ordinary traffic');
  const f = findings.get(T0 + 3 * DAY + HOUR);
  assert.ok(f);
  assert.equal(f.family, 'concentration');
  assert.ok(f.value >= config.scoreThreshold);
  assert.deepEqual(f.evidence.buyerIds, ['fake0', 'fake1']);
  assert.deepEqual(f.evidence.orderIds, ['f4', 'f5', 'f6', 'f7']);
});

test('accounts bursting on different days add up within horizonMs: the finding names both', () => {
  const events = ordinary('s1', 5);
  for (const [day, buyer] of [[3, 'fakeA'], [4, 'fakeB']] as const)
    for (let k = 0; k < 4; k++) events.push(order({ t: T0 + day * DAY + 10 * HOUR + k * 8 * 60_000, seller: 's1', buyer, order: `${buyer}-${k}` }));
  const { findings } = runSignal(signal, config, events, { until: T0 + 4 * DAY + 12 * HOUR });
  const f = findings.get(T0 + 4 * DAY + 11 * HOUR);
  assert.ok(f);
  assert.deepEqual([...f.evidence.buyerIds!].sort(), ['fakeA', 'fakeB']);
});

test('bulk orders (≥ bulkQuantity units) are not edges: an office splitting a purchase stays quiet', () => {
  const burst = T0 + 3 * DAY + 10 * 60_000;
  const session = (quantity: number): MarketEvent[] => {
    const events = ordinary('s1');
    for (let k = 0; k < 8; k++) events.push({ ...order({ t: burst + k * 5 * 60_000, seller: 's1', buyer: 'office', order: `f${k}` }), quantity });
    return events;
  };
  const until = { until: T0 + 3 * DAY + 2 * HOUR };
  assert.equal(runSignal(signal, config, session(config.bulkQuantity), until).findings.size, 0);
  assert.ok(runSignal(signal, config, session(1), until).findings.size > 0);
});

test('a flash sale of many distinct new buyers is one episode: reported for a day, too weak to alert alone', () => {
  const events = ordinary('s2');
  const sale = T0 + 3 * DAY;
  for (let k = 0; k < 600; k++) events.push(order({ t: sale + k * 6_000, seller: 's2', buyer: `crowd${k}`, order: `c${k}` }));
  const { findings, state } = runSignal(signal, config, events, { until: sale + 2 * DAY });
  assert.ok(state.n[NUMBERS.total]! > 600);
  assert.ok(findings.size > 0, 'the burst is seen');
  for (const [at, f] of findings) {
    assert.equal(f.value, 1);
    assert.equal(f.strength, config.singleEpisodeStrength);
    assert.ok(f.strength < 0.8, 'below what a lone family needs');
    assert.ok(at > sale && at <= sale + HOUR + config.singleEpisodeHorizonMs, `reported at +${(at - sale) / HOUR} h`);
  }
  const off = configSchema.parse({ singleEpisodeStrength: 0 });
  assert.equal(runSignal(signal, off, events, { until: sale + 2 * DAY }).findings.size, 0);
});

test('fires when batches of distinct new accounts recur every other day; the first batch is a single episode only', () => {
  // A small shop (an order every 2 h): 15 accounts in an hour are 30× its usual hour.
  const events: MarketEvent[] = [];
  const batches = [3, 5, 7].map((d) => T0 + d * DAY + 14 * HOUR);
  batches.forEach((start, b) => {
    for (let k = 0; k < 15; k++) events.push(order({ t: start + k * 4 * 60_000, seller: 's6', buyer: `acct${b}-${k}`, order: `a${b}-${k}` }));
  });
  // Ordinary traffic before and between the batches.
  for (let h = 1; h < 8 * 24; h += 2) events.push(order({ t: T0 + h * HOUR + 1_800_000, seller: 's6', buyer: `later${h}`, order: `l${h}` }));
  const { findings } = runSignal(signal, config, events);
  const firing = [...findings.keys()];
  for (const at of firing.filter((t) => t <= batches[1]!)) assert.equal(findings.get(at)!.value, 1, 'one batch is a flash sale');
  const f = findings.get(batches[1]! + HOUR);
  assert.ok(f, `fires on the second batch (fired at ${firing.map((at) => (at - T0) / HOUR)})`);
  assert.equal(f.value, 2);
  assert.equal(f.threshold, config.minRecurrences);
  assert.ok((f.evidence.buyerIds ?? []).every((b) => b.startsWith('acct1-')), String(f.evidence.buyerIds));
  assert.ok(findings.get(batches[2]! + HOUR)!.value === 3);
});

test('quiet on a brand-new seller whose first customers repeat (no history to burst against)', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 6; k++) events.push(order({ t: T0 + k * 60_000, seller: 's3', buyer: 'b', order: `o${k}` }));
  assert.equal(runSignal(signal, config, events).findings.size, 0);
});

test('caps hold after 100k events', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 100_000; k++) events.push(order({ t: T0 + k * 3_000, seller: 's4', buyer: `b${k % 50_000}`, order: `o${k}` }));
  const { state } = runSignal(signal, config, events);
  assert.ok(state.keys.length <= config.topK);
  assert.equal(state.n.length, HEAD + (config.cmsWidth * config.cmsDepth) / 2, 'dense, two counters to a number');
  assert.ok((state.bursts ?? []).length <= config.maxEvidence);
  assert.ok((state.episodes ?? []).length <= config.minRecurrences + config.fullRecurrences);
  assert.ok((state.episodeBuyers ?? []).length <= config.maxEpisodeBuyers);
  assert.equal(state.n[NUMBERS.total], 100_000);
});

test('a JSON round-trip of the state continues identically', () => {
  const events = ordinary('s5', 2, 9);
  for (let k = 0; k < 8; k++) events.push(order({ t: T0 + 2 * DAY + k * 60_000, seller: 's5', buyer: 'x', order: `x${k}` }));
  const plain = runSignal(signal, config, events);
  const restored = runSignal(signal, config, events, { restoreAt: T0 + DAY + 5 * HOUR });
  assert.ok(plain.findings.size > 0);
  assert.deepEqual([...restored.findings], [...plain.findings]);
  assert.deepEqual(restored.state, plain.state);
});

test('a state saved in the earlier layout (count-min counters as { width, depth, counts }) continues identically', () => {
  const events = ordinary('s6', 2, 9);
  for (let k = 0; k < 8; k++) events.push(order({ t: T0 + 2 * DAY + k * 60_000, seller: 's6', buyer: 'x', order: `x${k}` }));
  const cut = T0 + DAY + 5 * HOUR;
  const first = runSignal(signal, config, events.filter((e) => e.eventTime < cut), { until: cut });
  const rest = events.filter((e) => e.eventTime >= cut);
  const now = runSignal(signal, config, rest, { state: JSON.parse(JSON.stringify(first.state)) });
  const old = earlier(first.state);
  old.total = { width: config.cmsWidth, depth: config.cmsDepth, counts: denseTotals(first.state.n.slice(HEAD)) };
  const then = runSignal(signal, config, rest, { state: old as unknown as typeof first.state });
  assert.ok(now.findings.size > 0);
  assert.deepEqual([...then.findings], [...now.findings]);
});

/** A copy of a state in the layout before the top-k's keys and counts were the state's own and counters were packed: `current` and `total` (set by the caller). */
function earlier(state: State): Record<string, unknown> {
  const old = twoPerBuyer(state);
  old['current'] = { keys: old['keys'], counts: old['counts'] };
  delete old['keys'];
  delete old['counts'];
  delete old['totals'];
  delete old['lastOrders'];
  return old;
}

/**
 * A copy of a state in the layout before its numbers and counters were State.n: fields, and the
 * lists of bursts and episodes present (empty) on every seller.
 */
function separateNumbers(state: State): Record<string, unknown> {
  const { n, ...rest } = JSON.parse(JSON.stringify(state)) as State;
  const [firstTick, tick, sellerCurrent, sellerTotal, sellerLevel, sellerTick, baseFive, baseOrders, early] = n;
  assert.equal(n.length >= HEAD && Object.values(NUMBERS).every((i) => i < HEAD), true);
  return {
    ...rest,
    firstTick,
    tick,
    totals: singles(n.slice(HEAD)),
    sellerCurrent,
    sellerTotal,
    sellerLevel,
    sellerTick,
    baseFive,
    baseOrders,
    early,
    bursts: rest.bursts ?? [],
    episodes: rest.episodes ?? [],
    episodeBuyers: rest.episodeBuyers ?? [],
  };
}

/**
 * A copy of a state in the layout before the top-k's counts held each buyer's latest order: two
 * numbers per buyer in `counts`, the orders slot for slot in `lastOrders`, and `episodeLast` −1
 * before any episode.
 */
function twoPerBuyer(state: State): Record<string, unknown> {
  const old = separateNumbers(state);
  old['episodeLast'] ??= -1;
  const counts = old['counts'] as number[];
  assert.equal(counts.length, 4 * (old['keys'] as string[]).length);
  old['counts'] = counts.filter((_, i) => i % 4 < 2);
  old['lastOrders'] = counts.filter((_, i) => i % 4 === 3);
  return old;
}

/** Counters two to a number (sparse-counts.ts) one to a number, as saved before: sparse ones value × n + counter in their order, or all. */
function singles(t: readonly number[]): number[] {
  const n = config.cmsWidth * config.cmsDepth;
  if (t.length >= n) return [...t];
  const fields = t.flatMap((x) => [x % 2 ** 26, Math.floor(x / 2 ** 26)]);
  return t.length === n / 2 ? fields : fields.filter((x) => x > 0);
}

/** The count-min counters of a state as width × depth numbers. */
function denseTotals(t: readonly number[]): number[] {
  const n = config.cmsWidth * config.cmsDepth;
  const one = singles(t);
  if (one.length >= n) return one;
  const counts = new Array<number>(n).fill(0);
  for (const x of one) counts[x % n] = (x - (x % n)) / n;
  return counts;
}

test('a state saved in the layout before this one (top-k in `current`, [counter, value] pairs in `total`) continues identically', () => {
  const events = ordinary('s6', 2, 9);
  for (let k = 0; k < 8; k++) events.push(order({ t: T0 + 2 * DAY + k * 60_000, seller: 's6', buyer: 'x', order: `x${k}` }));
  // Cut while the seller's counters are still sparse, and again once they are dense.
  for (const cut of [T0 + 5 * HOUR, T0 + DAY + 5 * HOUR]) {
    const first = runSignal(signal, config, events.filter((e) => e.eventTime < cut), { until: cut });
    const rest = events.filter((e) => e.eventTime >= cut);
    const now = runSignal(signal, config, rest, { state: JSON.parse(JSON.stringify(first.state)) });
    const old = earlier(first.state);
    const n = config.cmsWidth * config.cmsDepth;
    const dense = denseTotals(first.state.n.slice(HEAD));
    const pairs: number[] = [];
    dense.forEach((v, c) => v > 0 && pairs.push(c, v));
    old.total = pairs.length < n ? pairs : dense;
    assert.ok((old.current as { keys: string[] }).keys.length > 0, 'the old top-k holds buyers');
    const then = runSignal(signal, config, rest, { state: old as unknown as typeof first.state });
    assert.ok(now.findings.size > 0);
    assert.deepEqual([...then.findings], [...now.findings]);
    assert.deepEqual([then.state.n, then.state.keys, then.state.counts], [now.state.n, now.state.keys, now.state.counts]);
  }
});

/** Two batches of 20 new accounts (days 3 and 5) on ordinary traffic; `share` of each batch reviews 5★ `lagDays` later, 1 in `every` ordinary orders is reviewed (0: none). */
function batchesWithReviews(seller: string, share: number, lagDays: number, every = 10): { events: MarketEvent[]; batches: number[] } {
  const events = ordinary(seller, 3, 31);
  for (let h = 72; h < 16 * 24; h += 2) events.push(order({ t: T0 + h * HOUR + 600_000, seller, buyer: `later${h}`, order: `l${h}` }));
  if (every > 0) for (const e of [...events]) if (e.kind === 'order' && Number(e.orderId.slice(1)) % every === 0) events.push(review({ t: e.eventTime + 2 * DAY, seller, buyer: e.buyerId, order: e.orderId }));
  const batches = [3, 5].map((d) => T0 + d * DAY + 14 * HOUR);
  batches.forEach((start, b) => {
    for (let k = 0; k < 20; k++) {
      const buyer = `acct${b}-${k}`;
      events.push(order({ t: start + k * 3 * 60_000, seller, buyer, order: `a${b}-${k}` }));
      // Reviewers spread evenly through the batch.
      if (Math.floor((k + 1) * share) > Math.floor(k * share)) events.push(review({ t: start + lagDays * DAY + k * 60_000, seller, buyer, order: `a${b}-${k}` }));
    }
  });
  return { events, batches };
}

test("recurring bursts whose buyers review 5★ far above the seller's rate are strong enough to stand alone; a sale's buyers reviewing as usual are not", () => {
  const strongest = (share: number): SignalFinding | undefined => {
    const { findings } = runSignal(signal, config, batchesWithReviews('s7', share, 1).events);
    return [...findings.values()].reduce<SignalFinding | undefined>((b, f) => (b === undefined || f.strength > b.strength ? f : b), undefined);
  };
  const brushed = strongest(0.7);
  assert.ok(brushed !== undefined && brushed.strength >= 0.8, String(brushed?.strength));
  assert.match(brushed.explanation, /five-star reviews on \d+ burst orders/);
  assert.ok((brushed.evidence.buyerIds ?? []).length >= 2);
  const sale = strongest(0.1);
  assert.ok(sale !== undefined && sale.strength <= 0.75, `recurrence alone: ${sale?.strength}`);
  assert.doesNotMatch(sale.explanation, /five-star/);
});

test('beside a recurrence a lift of recurrenceReviewLift is enough to stand alone; the same lift on one batch, or a lower one recurring, is not', () => {
  const strongest = (share: number, batches: number): SignalFinding | undefined => {
    const { events } = batchesWithReviews('s16', share, 1);
    const kept = batches === 2 ? events : events.filter((e) => !(e.orderId ?? '').startsWith('a1-'));
    return [...runSignal(signal, config, kept).findings.values()].reduce<SignalFinding | undefined>((b, f) => (b === undefined || f.strength > b.strength ? f : b), undefined);
  };
  // 35 % of the burst orders reviewed: about 3.5× the usual 10 %, under reviewLift (4×).
  const recurring = strongest(0.35, 2);
  assert.ok(recurring !== undefined && recurring.strength >= 0.8, String(recurring?.strength));
  assert.match(recurring.explanation, new RegExp(`≥ ${config.recurrenceReviewLift}×`));
  const single = strongest(0.35, 1);
  assert.ok(single !== undefined && single.strength < 0.8, String(single?.strength));
  // 20 %: twice the usual rate, a sale's buyers at most.
  const low = strongest(0.2, 2);
  assert.ok(low !== undefined && low.strength < 0.8, String(low?.strength));
  assert.doesNotMatch(low.explanation, /five-star/);
});

test('the review lift is still reported when the reviews come after the bursts left the recurrence window', () => {
  const { events, batches } = batchesWithReviews('s8', 0.7, 8);
  const { findings } = runSignal(signal, config, events);
  const late = [...findings.entries()].filter(([at]) => at > batches[1]! + config.recurrenceMs);
  assert.ok(late.length > 0, 'reported after the recurrence window');
  assert.ok(late.every(([, f]) => /five-star/.test(f.explanation)));
});

test("on a seller whose customers never review, ordinary reviewers among the burst's buyers are not a lift: the rate is floored at the prior", () => {
  const { events } = batchesWithReviews('s9', 0.2, 1, 0);
  const { findings } = runSignal(signal, config, events);
  assert.ok(findings.size > 0, 'the recurrence is reported');
  for (const f of findings.values()) {
    assert.ok(f.strength <= 0.75, String(f.strength));
    assert.doesNotMatch(f.explanation, /five-star/);
  }
});

test('only burst orders older than reviewLagDays are judged: quick reviews of young orders do not count yet', () => {
  const { events, batches } = batchesWithReviews('s10', 0.7, 1);
  const { findings } = runSignal(signal, config, events);
  const lifted = [...findings.entries()].filter(([, f]) => /five-star/.test(f.explanation)).map(([at]) => at);
  assert.ok(lifted.length > 0);
  assert.ok(lifted[0]! >= batches[0]! + config.reviewLagDays * DAY, `first at ${(lifted[0]! - T0) / HOUR} h`);
});

test("a batch the seller has no history to burst against does not become its usual rate: its buyers' reviews after a burst are not learned", () => {
  const seller = 's12';
  // The shop's first orders are a batch of 20 accounts within the hour (MIDAS cannot score a first tick), then one order every 6 h.
  const events: MarketEvent[] = [];
  for (let k = 0; k < 20; k++) events.push(order({ t: T0 + k * 3 * 60_000, seller, buyer: `first${k}`, order: `f${k}` }));
  for (let h = 6; h < 16 * 24; h += 6) events.push(order({ t: T0 + h * HOUR + 600_000, seller, buyer: `quiet${h}`, order: `q${h}` }));
  // Batches of 20 on days 3 and 5; 14 of each batch (the first one's too, between the bursts) review 5★.
  const batches = [3, 5].map((d) => T0 + d * DAY + 14 * HOUR);
  for (let k = 0; k < 20; k++) {
    if (k < 14) events.push(review({ t: batches[0]! + DAY + k * HOUR, seller, buyer: `first${k}`, order: `f${k}` }));
    batches.forEach((start, b) => {
      events.push(order({ t: start + k * 3 * 60_000, seller, buyer: `acct${b}-${k}`, order: `a${b}-${k}` }));
      if (k < 14) events.push(review({ t: start + DAY + k * 60_000, seller, buyer: `acct${b}-${k}`, order: `a${b}-${k}` }));
    });
  }
  const { state, findings } = runSignal(signal, config, events);
  assert.equal(state.n[NUMBERS.baseFive], 0, 'the first batch\'s reviews came after a burst');
  const strongest = Math.max(...[...findings.values()].map((f) => f.strength));
  assert.ok(strongest >= 0.8, String(strongest));
});

/**
 * A shop with no history: `n` accounts in its first two hours (one every 6 min), then, with
 * `trickle`, one order of its own every 6 h for two weeks; the first `reviewed` of the batch review
 * 5★ two days later, an hour apart.
 */
function newShop(seller: string, n: number, reviewed: number, trickle = true): MarketEvent[] {
  const events: MarketEvent[] = [];
  for (let k = 0; k < n; k++) {
    events.push(order({ t: T0 + k * 6 * 60_000, seller, buyer: `farm${k}`, order: `f${k}` }));
    if (k < reviewed) events.push(review({ t: T0 + 2 * DAY + k * HOUR, seller, buyer: `farm${k}`, order: `f${k}` }));
  }
  if (trickle) for (let h = 8; h < 14 * 24; h += 6) events.push(order({ t: T0 + h * HOUR, seller, buyer: `own${h}`, order: `q${h}` }));
  return events;
}

const strongestOf = (findings: ReadonlyMap<number, SignalFinding>): SignalFinding | undefined =>
  [...findings.values()].reduce<SignalFinding | undefined>((b, f) => (b === undefined || f.strength > b.strength ? f : b), undefined);

test("a batch on a shop with no history is a burst once the day after it shows the shop's own rate: its buyers' 5-star reviews then alert alone, naming them", () => {
  const judged = runSignal(signal, config, newShop('s20', 20, 16), { until: T0 + 2 * DAY }).state;
  assert.equal(judged.n[NUMBERS.early], -1);
  assert.deepEqual(judged.episodes, [T0 + config.newSellerBatchTicks * HOUR - 1], 'one episode, at the end of the first ticks');
  const { findings } = runSignal(signal, config, newShop('s20', 20, 16));
  const f = strongestOf(findings);
  assert.ok(f !== undefined && f.strength >= 0.8 && /star reviews at/.test(f.explanation), f?.explanation);
  assert.ok(f.evidence.buyerIds!.length > 0 && f.evidence.buyerIds!.every((b) => b.startsWith('farm')), String(f.evidence.buyerIds));
  const first = Math.min(...[...findings.entries()].filter(([, x]) => /star reviews at/.test(x.explanation)).map(([at]) => at));
  assert.ok(first >= T0 + config.reviewLagDays * DAY, `reviews are judged once the batch is reviewLagDays old, not at ${(first - T0) / HOUR} h`);

  const off = configSchema.parse({ newSellerBatchTicks: 0 });
  const before = strongestOf(runSignal(signal, off, newShop('s20', 20, 16)).findings);
  assert.ok(before === undefined || before.strength < 0.8, 'without the judgement the batch never burst');
});

test('the same batch with no order after it is judged against one order: it still bursts, and its buyers that do not review add nothing', () => {
  const until = T0 + 5 * DAY;
  const reviewed = strongestOf(runSignal(signal, config, newShop('s21', 20, 16, false), { until }).findings);
  assert.ok(reviewed !== undefined && reviewed.strength >= 0.8, reviewed?.explanation);
  const { state, findings } = runSignal(signal, config, newShop('s21', 20, 0, false), { until });
  assert.equal(state.episodes?.length, 1);
  const quiet = strongestOf(findings);
  assert.ok(quiet === undefined || quiet.strength <= config.singleEpisodeStrength, quiet?.explanation);
});

test('a shop that is only new to the engine, selling at its rate from the first hour, is not judged a batch', () => {
  const events = ordinary('s22', 4, 11);
  // Its customers review 5★ most orders, which a batch's judgement would turn into an alert.
  for (const e of events.slice(0, 60)) if (e.kind === 'order') events.push(review({ t: e.eventTime + 2 * DAY, seller: 's22', buyer: e.buyerId, order: e.orderId }));
  const { state, findings } = runSignal(signal, config, events);
  assert.equal(state.n[NUMBERS.early], -1, 'judged');
  assert.equal(state.episodes, undefined);
  assert.equal(findings.size, 0);
});

test('fewer than newSellerMinOrders in the first ticks are not judged, and their buyers are let go at the first order after those ticks', () => {
  const { state, findings } = runSignal(signal, config, newShop('s23', config.newSellerMinOrders - 1, config.newSellerMinOrders - 1), { until: T0 + 10 * HOUR });
  assert.equal(state.n[NUMBERS.early], -1);
  assert.deepEqual(state.earlyBuyers, []);
  assert.equal(state.episodes, undefined);
  assert.equal(findings.size, 0);
});

test('a JSON round-trip within the first ticks continues identically', () => {
  const events = newShop('s24', 20, 16);
  const plain = runSignal(signal, config, events);
  const restored = runSignal(signal, config, events, { restoreAt: T0 + HOUR });
  assert.deepEqual([...restored.findings.entries()], [...plain.findings.entries()]);
  assert.ok(plain.findings.size > 0);
});

test('after a flash sale that does not recur the usual rate learns again once recurrenceMs has passed', () => {
  const seller = 's13';
  const events = ordinary(seller, 3, 7);
  const sale = T0 + 3 * DAY + 12 * HOUR;
  for (let k = 0; k < 150; k++) events.push(order({ t: sale + k * 40_000, seller, buyer: `sale${k}`, order: `s${k}` }));
  const learned = (): number => runSignal(signal, config, events).state.n[NUMBERS.baseOrders]!;
  const before = learned();
  const resume = sale + 100 * 60_000 + config.recurrenceMs;
  for (let h = 0; h < 10; h++) events.push(order({ t: resume - 2 * DAY + h * HOUR, seller, buyer: `frozen${h}`, order: `z${h}` }));
  assert.equal(learned(), before, 'within recurrenceMs of the sale');
  for (let h = 0; h < 10; h++) events.push(order({ t: resume + DAY + h * HOUR, seller, buyer: `learned${h}`, order: `n${h}` }));
  assert.equal(learned(), before + 10);
});

test("a burst buyer's reviews of its other orders are not the burst order's: loyal customers caught in a burst go on reviewing their earlier baskets", () => {
  const strongest = (reviewsEarlier: boolean): SignalFinding | undefined => {
    const { events, batches } = batchesWithReviews('s14', 0.7, 1);
    // Every batch buyer is a customer who ordered in the two days before its batch (one order every 2 h: no burst).
    batches.forEach((start, b) => {
      for (let k = 0; k < 20; k++) events.push(order({ t: start - 2 * DAY + k * 2 * HOUR, seller: 's14', buyer: `acct${b}-${k}`, order: `e${b}-${k}` }));
    });
    const moved = events.map((e) => (reviewsEarlier && e.kind === 'review' && e.orderId?.startsWith('a') ? { ...e, orderId: `e${e.orderId.slice(1)}` } : e));
    const { findings } = runSignal(signal, config, moved);
    return [...findings.values()].reduce<SignalFinding | undefined>((b, f) => (b === undefined || f.strength > b.strength ? f : b), undefined);
  };
  const own = strongest(false);
  assert.ok(own !== undefined && /five-star/.test(own.explanation) && own.strength >= 0.8, own?.explanation);
  const earlier = strongest(true);
  assert.ok(earlier !== undefined && earlier.strength <= config.recurrenceMaxStrength, earlier?.explanation);
  assert.doesNotMatch(earlier.explanation, /five-star/);
});

test("a state from before the top-k kept its buyers' latest orders restores: those buyers are remembered by buyer at a crossing, the slots are known again after", () => {
  const { events, batches } = batchesWithReviews('s15', 0.7, 1);
  const cut = batches[0]! + 9 * 60_000;
  const first = runSignal(signal, config, events.filter((e) => e.eventTime < cut), { until: cut });
  assert.ok(first.state.keys.length > 0 && first.state.counts.length === 4 * first.state.keys.length);
  const old = twoPerBuyer(first.state);
  delete old['lastOrders'];
  const then = runSignal(signal, config, events.filter((e) => e.eventTime >= cut), { state: old as unknown as typeof first.state });
  assert.equal(then.state.counts.length, 4 * then.state.keys.length);
  assert.equal((then.state as { lastOrders?: unknown }).lastOrders, undefined);
  const strongest = Math.max(...[...then.findings.values()].map((f) => f.strength));
  assert.ok(strongest >= 0.8, String(strongest));
});

test("a state whose buyers' latest orders were kept beside the top-k (lastOrders) continues identically", () => {
  const { events, batches } = batchesWithReviews('s16', 0.7, 1);
  // Saved just before the first crossing: the top-k's buyers then are remembered by their orders.
  const cut = runSignal(signal, config, events, { until: batches[0]! + HOUR }).state.episodes![0]!;
  const first = runSignal(signal, config, events.filter((e) => e.eventTime < cut), { until: Math.ceil(cut / HOUR) * HOUR });
  const rest = events.filter((e) => e.eventTime >= cut);
  const now = runSignal(signal, config, rest, { state: JSON.parse(JSON.stringify(first.state)) });
  const old = twoPerBuyer(first.state);
  assert.ok((old['lastOrders'] as number[]).length > 0 && (old['lastOrders'] as number[]).every((h) => h > 0), 'the old state knows its buyers\' orders');
  const then = runSignal(signal, config, rest, { state: old as unknown as typeof first.state });
  assert.ok([...now.findings.values()].some((f) => /five-star/.test(f.explanation)));
  assert.deepEqual([...then.findings], [...now.findings]);
  assert.deepEqual([then.state.keys, then.state.counts, then.state.burstBuyers], [now.state.keys, now.state.counts, now.state.burstBuyers]);
});

test('a small batch of new accounts over an hour and a half is a seller-level burst', () => {
  const events = ordinary('s7', 1, 10);
  const start = T0 + 6 * DAY + 15 * HOUR;
  for (let k = 0; k < 10; k++) events.push(order({ t: start + k * 9 * 60_000, seller: 's7', buyer: `batch${k}`, order: `bt${k}` }));
  const { findings } = runSignal(signal, config, events, { until: start + 4 * HOUR });
  assert.ok([...findings.values()].some((f) => f.value === 1 && f.strength === config.singleEpisodeStrength), 'no burst episode');
});

test('recurring bursts alone stay below what a lone family needs, however many', () => {
  const events = ordinary('s8', 3, 21);
  const batches = [3, 4, 5, 6, 7].map((d) => T0 + d * DAY + 14 * HOUR);
  batches.forEach((start, b) => {
    for (let k = 0; k < 15; k++) events.push(order({ t: start + k * 4 * 60_000, seller: 's8', buyer: `promo${b}-${k}`, order: `p${b}-${k}` }));
  });
  const { findings } = runSignal(signal, config, events);
  const last = findings.get(batches[4]! + HOUR);
  assert.ok(last && last.value >= config.fullRecurrences, `episodes ${last?.value}`);
  for (const f of findings.values()) assert.ok(f.strength <= config.recurrenceMaxStrength, `strength ${f.strength} with ${f.value} episodes`);
  assert.ok(config.recurrenceMaxStrength < 0.8);
});

test('decay before an order: a count that falls to the floor stays, one that falls under it goes, all of them going leaves none', () => {
  const state = signal.create(config);
  const keys = { buyer: 1, order: 7 };
  const at = (h: number, buyer: string, id: string) => signal.observe(state, order({ t: T0 + h * HOUR, seller: 's', buyer, order: id }), config, keys);
  at(0, 'a', 'o1');
  at(0, 'b', 'o2');
  at(1, 'c', 'o3');
  // Count, error bound, the buyer's hash (1 here) and its latest order's (7) per buyer.
  assert.deepEqual([state.keys, state.counts], [['a', 'b', 'c'], [0.5, 0, 1, 7, 0.5, 0, 1, 7, 1, 0, 1, 7]]);
  // Two ticks on, a and b are at the floor (0.125 < 0.25 would drop them): kept.
  at(2, 'd', 'o4');
  assert.deepEqual([state.keys, state.counts], [['a', 'b', 'c', 'd'], [0.25, 0, 1, 7, 0.25, 0, 1, 7, 0.5, 0, 1, 7, 1, 0, 1, 7]]);
  // Three ticks on, every count is under the floor (d's 1 is 0.125): the order's buyer alone.
  at(5, 'e', 'o5');
  assert.deepEqual([state.keys, state.counts], [['e'], [1, 0, 1, 7]]);
  at(5, 'e', 'o6');
  at(30, 'f', 'o7');
  assert.deepEqual([state.keys, state.counts], [['f'], [1, 0, 1, 7]]);
  // A lone count at the floor stays too.
  const lone = signal.create(config);
  signal.observe(lone, order({ t: T0, seller: 's', buyer: 'a', order: 'p1' }), config, keys);
  signal.observe(lone, order({ t: T0 + 2 * HOUR, seller: 's', buyer: 'b', order: 'p2' }), config, keys);
  assert.deepEqual([lone.keys, lone.counts], [['a', 'b'], [0.25, 0, 1, 7, 1, 0, 1, 7]]);
});

test("a seller's top-k is emptied at a review once the next order's decay would drop every buyer, and that order then sees the same; a close leaves it", () => {
  const keys = { buyer: 1, order: 7 };
  const cfg = configSchema.parse({ newSellerBatchTicks: 0 });
  // Orders at hour 0 (a twice, b once), a review or a close at `idleAt`, then c's order at `nextAt`.
  const run = (idle: 'review' | 'close' | 'none', idleAt: number, nextAt: number) => {
    const state = signal.create(cfg);
    for (const [buyer, id] of [['a', 'o1'], ['a', 'o2'], ['b', 'o3']] as const) signal.observe(state, order({ t: T0, seller: 's', buyer, order: id }), cfg, keys);
    if (idle === 'review') signal.observe(state, review({ t: T0 + idleAt * HOUR, seller: 's', buyer: 'z', order: 'o9', rating: 3 }), cfg, keys);
    if (idle === 'close') signal.expire(state, T0 + idleAt * HOUR, cfg);
    const held = state.keys.length;
    signal.observe(state, order({ t: T0 + nextAt * HOUR, seller: 's', buyer: 'c', order: 'o4' }), cfg, keys);
    return { held, state: JSON.parse(JSON.stringify(state)) as State };
  };
  // Three ticks on, a's 2 is at the floor (0.25) and b's 1 under it: both kept.
  assert.equal(run('review', 3, 3).held, 2);
  assert.deepEqual(run('review', 3, 3).state.keys, ['a', 'c']);
  // Four ticks on, every count is under the floor: emptied at a review, not at a close.
  assert.equal(run('review', 4, 4).held, 0);
  assert.equal(run('close', 4, 4).held, 2);
  for (const [idleAt, nextAt] of [[3, 3], [3, 5], [4, 4], [4, 9]] as const) {
    const plain = run('none', idleAt, nextAt).state;
    assert.deepEqual(run('review', idleAt, nextAt).state.keys, plain.keys);
    assert.deepEqual(run('review', idleAt, nextAt).state.counts, plain.counts);
  }
});

/** A shop whose product goes viral: 4 orders a day, then ×1.4 a day from day 3 up to 150, in the day's waking hours, peaking in the evening, each from a distinct buyer. */
function viralRamp(seller: string, days = 14): MarketEvent[] {
  const r = rng(77);
  const out: MarketEvent[] = [];
  // Relative weight of each hour of the day: none at night, twice as busy at 19–22 h.
  const weight = Array.from({ length: 24 }, (_, h): number => (h < 8 ? 0 : h >= 19 && h <= 22 ? 2 : 1));
  const total = weight.reduce((a, b) => a + b, 0);
  let k = 0;
  for (let d = 0; d < days; d++) {
    const perDay = d < 3 ? 4 : Math.min(150, 4 * 1.4 ** (d - 2));
    for (let h = 0; h < 24; h++) {
      const expected = (perDay * weight[h]!) / total;
      const n = Math.floor(expected) + (r() < expected - Math.floor(expected) ? 1 : 0);
      for (let j = 0; j < n; j++) out.push(order({ t: T0 + d * DAY + h * HOUR + Math.floor(r() * HOUR), seller, buyer: `fan${k}`, order: `v${k++}` }));
    }
  }
  return out;
}

test('a steadily ramping honest shop (a viral product) produces no finding; its rate bursts against its long history only', () => {
  const events = viralRamp('s20');
  assert.equal(runSignal(signal, config, events).findings.size, 0);
  // Against the long history alone (the level test off) the climb bursts again and again.
  const off = runSignal(signal, configSchema.parse({ levelFactor: 0 }), events);
  assert.ok([...off.findings.values()].some((f) => f.value >= config.minRecurrences), 'recurs without the level test');
});

test('a batch on a flat shop is still a seller-level burst: 10 accounts in 90 min on a shop of 6 orders a day', () => {
  const events: MarketEvent[] = [];
  for (let h = 0; h < 7 * 24; h += 4) events.push(order({ t: T0 + h * HOUR + 600_000, seller: 's21', buyer: `steady${h}`, order: `s${h}` }));
  const start = T0 + 6 * DAY + 15 * HOUR;
  for (let k = 0; k < 10; k++) events.push(order({ t: start + k * 9 * 60_000, seller: 's21', buyer: `batch${k}`, order: `bt${k}` }));
  const { findings } = runSignal(signal, config, events, { until: start + 4 * HOUR });
  assert.ok([...findings.values()].some((f) => f.value === 1 && f.strength === config.singleEpisodeStrength), 'no burst episode');
});

test('a state saved before the recent level starts it at the seller\'s mean rate and goes on finding a batch', () => {
  const events: MarketEvent[] = [];
  for (let h = 0; h < 6 * 24; h += 2) events.push(order({ t: T0 + h * HOUR + 600_000, seller: 's22', buyer: `later${h}`, order: `l${h}` }));
  const cut = T0 + 5 * DAY;
  const first = runSignal(signal, config, events.filter((e) => e.eventTime < cut), { until: cut });
  const old = separateNumbers(first.state);
  delete old['sellerLevel'];
  delete old['sellerTick'];
  const start = T0 + 5 * DAY + 14 * HOUR;
  const rest = events.filter((e) => e.eventTime >= cut);
  const n = first.state.n;
  const mean = n[NUMBERS.total]! / (n[NUMBERS.tick]! - n[NUMBERS.firstTick]! + 1);
  // Just before the batch: the level went on from the mean rate, not from nothing.
  const level = runSignal(signal, config, rest, { state: structuredClone(old) as unknown as typeof first.state, until: start }).state.n[NUMBERS.level]!;
  assert.ok(level > mean / 2 && level < 2 * mean, `level ${level} against a mean of ${mean}`);
  for (let k = 0; k < 15; k++) rest.push(order({ t: start + k * 4 * 60_000, seller: 's22', buyer: `acct${k}`, order: `a${k}` }));
  const then = runSignal(signal, config, rest, { state: old as unknown as typeof first.state });
  assert.ok([...then.findings.values()].some((f) => f.value === 1), 'the batch is a burst episode');
});

test("a single burst whose buyers review 5★ far above the seller's rate stands alone once the reviews come; a sale's buyers reviewing as usual stay corroboration", () => {
  const oneBatch = (share: number, lagDays: number): Map<number, SignalFinding> => {
    const { events } = batchesWithReviews('s15', share, lagDays);
    // Only the first batch: the second batch's orders and reviews go.
    return runSignal(signal, config, events.filter((e) => !(e.orderId ?? '').startsWith('a1-'))).findings;
  };
  const batch = T0 + 3 * DAY + 14 * HOUR;
  const brushed = oneBatch(0.7, 1);
  const strong = [...brushed.entries()].filter(([, f]) => f.strength >= 0.8);
  assert.ok(strong.length > 0, String(Math.max(...[...brushed.values()].map((f) => f.strength))));
  for (const [at, f] of strong) {
    assert.equal(f.value, 1);
    assert.ok(at >= batch + config.reviewLagDays * DAY, `not before the orders are reviewable: +${(at - batch) / HOUR} h`);
    assert.match(f.explanation, /5-star reviews at/);
    assert.ok((f.evidence.buyerIds ?? []).length >= 2);
  }
  // Reviews that come 10 days later still name the burst's buyers.
  const late = [...oneBatch(0.7, 10).entries()].filter(([, f]) => f.strength >= 0.8);
  assert.ok(late.length > 0 && late.every(([, f]) => (f.evidence.buyerIds ?? []).length >= 2));
  for (const [at, f] of oneBatch(0.1, 1)) {
    assert.equal(f.strength, config.singleEpisodeStrength);
    assert.ok(at <= batch + HOUR + config.singleEpisodeHorizonMs, `+${(at - batch) / HOUR} h`);
  }
});

test('a batch drip-fed over four hours (5, 3, 2, 3 orders) on a quiet shop is a seller-level burst', () => {
  const events: MarketEvent[] = [];
  for (let h = 0; h < 10 * 24; h += 12) events.push(order({ t: T0 + h * HOUR + 600_000, seller: 's23', buyer: `steady${h}`, order: `s${h}` }));
  const start = T0 + 10 * DAY + 15 * HOUR;
  let k = 0;
  [5, 3, 2, 3].forEach((n, h) => {
    for (let j = 0; j < n; j++, k++) events.push(order({ t: start + h * HOUR + j * 10 * 60_000, seller: 's23', buyer: `drip${k}`, order: `d${k}` }));
  });
  const { findings } = runSignal(signal, config, events, { until: start + 6 * HOUR });
  assert.ok([...findings.values()].some((f) => f.value === 1 && f.strength === config.singleEpisodeStrength), 'no burst episode');
});

test('a state saved with its numbers and counters as fields (before State.n) restores and continues identically', () => {
  const { events, batches } = batchesWithReviews('s30', 0.7, 1);
  const burst = ordinary('s31', 2, 9);
  for (let k = 0; k < 8; k++) burst.push(order({ t: T0 + 2 * DAY + k * 60_000, seller: 's31', buyer: 'x', order: `x${k}` }));
  const runs: [MarketEvent[], number[]][] = [
    // Within the first ticks, with history, just after each batch, while its reviews come, and later.
    [events, [T0 + 2 * HOUR, T0 + 2 * DAY, batches[0]! + 2 * HOUR, batches[0]! + 2 * DAY, batches[1]! + HOUR, batches[1]! + 4 * DAY]],
    [newShop('s32', 20, 16), [T0 + HOUR, T0 + 3 * HOUR, T0 + 20 * HOUR, T0 + 2 * DAY]],
    [burst, [T0 + 5 * HOUR, T0 + 2 * DAY + HOUR]],
  ];
  for (const [evs, cuts] of runs) {
    const plain = runSignal(signal, config, evs);
    assert.ok(plain.findings.size > 0);
    for (const restoreAt of cuts) {
      const restored = runSignal(signal, config, evs, { restoreAt, reshape: (saved) => separateNumbers(saved) as unknown as State });
      assert.deepEqual([...restored.findings], [...plain.findings], `restored at ${(restoreAt - T0) / HOUR} h`);
      // The next snapshot has the new layout only.
      assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
    }
  }
});
