import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine/engine.js';
import { parseEngineConfig } from '../../../src/engine/config.js';
import type { EngineConfig } from '../../../src/engine/config.js';
import type { MarketEvent, RingDetector, RingFinding, SellerContext, SellerSignal, SignalFinding } from '../../../src/engine/types.js';
import { FAKE_SIGNALS, HOUR, DAY, T0, order, review, generateStream, rng } from '../../helpers/fixtures.js';
import { SELLER_SIGNALS as DEFAULT_SIGNALS } from '../../../src/engine/signals/index.js';
import { validateEvent } from '../../../src/engine/validate.js';

const MIN = 60_000;
const cfg = parseEngineConfig({});

/** Records what the engine hands a signal: events in order and evaluation contexts. */
function probe(log: { seen: string[]; evals: SellerContext[] }): SellerSignal<{ n: number }> {
  return {
    name: 'probe',
    family: 'concentration',
    create: () => ({ n: 0 }),
    observe: (s, e) => {
      s.n++;
      log.seen.push(e.eventId);
    },
    evaluate: (_s, ctx) => {
      log.evals.push({ ...ctx }); // the engine reuses one context object
      return null;
    },
    expire: () => {},
  };
}

/** An engine with one default signal, its quiet skip on or off, telling `seen` every evaluation. */
function oneSignalEngine(config: EngineConfig, name: string, quiet: boolean, seen: (ctx: SellerContext, f: SignalFinding | null) => void): Engine {
  const sig = DEFAULT_SIGNALS.find((x) => x.name === name)!;
  return new Engine(config, {
    ring: null,
    watermark: 'external',
    signals: [
      {
        ...sig,
        quietUntil: quiet ? sig.quietUntil : undefined,
        evaluate(st: unknown, ctx: SellerContext, c: unknown) {
          const f = sig.evaluate(st, ctx, c);
          seen(ctx, f);
          return f;
        },
      },
    ],
  });
}

function newProbe(config = cfg, watermark: 'self' | 'external' = 'self') {
  const log = { seen: [] as string[], evals: [] as SellerContext[] };
  return { log, engine: new Engine(config, { signals: [probe(log)], ring: null, watermark }) };
}

const o = (id: string, t: number, sellerId = 's-1', extra: Partial<MarketEvent> = {}) =>
  order({ eventId: id, eventTime: t, sellerId, buyerId: `b-${id}`, ...(extra as object) });

test('a signal gets only the events it observes; its state starts at the first of them and is evaluated from then on', () => {
  const seen: string[] = [];
  const evals: number[] = [];
  let created = 0;
  const sig: SellerSignal<{ n: number }> = {
    name: 'delivered_and_reviews',
    family: 'concentration',
    observes: { orders: ['DELIVERED'], reviews: true },
    create: () => (created++, { n: 0 }),
    observe: (_s, e) => void seen.push(e.eventId),
    evaluate: (_s, ctx) => (evals.push(ctx.at), null),
    expire: () => {},
  };
  const engine = new Engine(cfg, { signals: [sig], ring: null });
  engine.ingest(o('placed', T0 + 10 * MIN));
  engine.ingest(o('paid', T0 + HOUR + 10 * MIN, 's-1', { status: 'PAID' }));
  engine.ingest(o('delivered', T0 + 2 * HOUR + 10 * MIN, 's-1', { status: 'DELIVERED' }));
  engine.ingest(o('refunded', T0 + 3 * HOUR + 10 * MIN, 's-1', { status: 'REFUNDED' }));
  engine.ingest(review({ eventId: 'rev', eventTime: T0 + 4 * HOUR + 10 * MIN, sellerId: 's-1', buyerId: 'x' }));
  engine.finish();
  assert.deepEqual(seen, ['delivered', 'rev']);
  assert.equal(created, 1);
  // Not evaluated for the first two buckets (no state yet); from the DELIVERED bucket on, at every close of the seller.
  assert.deepEqual(evals, [T0 + 3 * HOUR, T0 + 4 * HOUR, T0 + 5 * HOUR]);
});

test('a signal quiet until a time is skipped until then, or until it observes an event', () => {
  const evals: number[] = [];
  const sig: SellerSignal<{ n: number }> = {
    name: 'quiet',
    family: 'concentration',
    observes: { orders: [], reviews: true },
    create: () => ({ n: 0 }),
    observe: (s) => void s.n++,
    evaluate: (_s, ctx) => (evals.push(ctx.at), null),
    expire: () => {},
    quietUntil: (_s, at) => at + 5 * HOUR,
  };
  const engine = new Engine(cfg, { signals: [sig], ring: null });
  // An order every hour has the seller evaluated at every close; the signal sees the reviews only.
  const events: MarketEvent[] = [];
  for (let h = 0; h < 12; h++) events.push(o(`e${h}`, T0 + h * HOUR + 10 * MIN));
  for (const h of [0, 8]) events.push(review({ eventId: `r${h}`, eventTime: T0 + h * HOUR + 20 * MIN, sellerId: 's-1', buyerId: 'x' }));
  for (const e of events.sort((x, y) => x.eventTime - y.eventTime)) engine.ingest(e);
  engine.finish();
  const b = (h: number) => T0 + h * HOUR;
  // Asked at 1 h: quiet until 6 h; asked at 6 h: quiet until 11 h, cut short by the review at 8 h.
  assert.deepEqual(evals, [b(1), b(6), b(9)]);
});

test('skipping quiet signals changes no finding and no state, at any close (repeat_buyers, shared_identity, duplicate_text)', () => {
  const days = 10;
  const stream = generateStream({ seed: 11, honest: 8, brushers: 1, hours: 24 * days, ordersPerHour: 1, jitterMs: 0 });
  const r = rng(5);
  const script = 'ceramic kettle keeps water hot for hours bamboo handle stays cool spout pours evenly';
  // Reviews alone at random hours (the seller is evaluated while its order signals are quiet), some
  // of them scripted, so duplicate_text windows fill, fire and expire.
  for (let i = 0; i < 150; i++)
    stream.push(review({ eventId: `x-${i}`, eventTime: T0 + Math.floor(r() * 24 * days) * HOUR + 7 * MIN, sellerId: `s-${i % 4}`, buyerId: `bx-${i % 40}`, text: i % 3 === 0 ? 'fine' : `${script} ${i % 4 === 0 ? 'lid' : ''}` }));
  // Sellers whose state moves with the clock alone while they are evaluated for other events:
  // q-1's repeat orders stop and its days roll over, q-2's two similar reviews leave the window,
  // q-3's devices leave the identity table.
  for (let i = 0; i < 4; i++) stream.push(order({ eventId: `w-${i}`, eventTime: T0 + i * MIN, sellerId: 'q-3', buyerId: `bw-${i}`, deviceId: `dw-${i % 3}` }));
  for (let d = 0; d < 3; d++) for (let i = 0; i < 12; i++) stream.push(order({ eventId: `y-${d}-${i}`, eventTime: T0 + d * DAY + i * 5 * MIN, sellerId: 'q-1', buyerId: `by-${i % 2}` }));
  for (let i = 0; i < 2; i++) stream.push(review({ eventId: `z-${i}`, eventTime: T0 + i * MIN, sellerId: 'q-2', buyerId: `bz-${i}`, text: script }));
  for (let h = 3; h < 24 * days; h += 6) {
    stream.push(review({ eventId: `q1-${h}`, eventTime: T0 + h * HOUR, sellerId: 'q-1', buyerId: 'bq', text: 'fine' }));
    stream.push(order({ eventId: `q2-${h}`, eventTime: T0 + h * HOUR, sellerId: 'q-2', buyerId: `bq-${h}` }));
    stream.push(order({ eventId: `q3-${h}`, eventTime: T0 + h * HOUR, sellerId: 'q-3', buyerId: `bw-${h % 4}`, status: 'PAID' }));
  }
  stream.sort((x, y) => x.eventTime - y.eventTime);
  // One signal per engine: with several, the earliest quiet period ends everyone's and would hide
  // a signal that claims too long a one.
  for (const name of ['repeat_buyers', 'shared_identity', 'duplicate_text']) {
    const engineWith = (quiet: boolean, log: string[]) =>
      oneSignalEngine(cfg, name, quiet, (ctx, f) => {
        if (f !== null) log.push(`${ctx.sellerId} ${ctx.at} ${JSON.stringify(f)}`);
      });
    const allLog: string[] = [];
    const skipLog: string[] = [];
    const all = engineWith(false, allLog);
    const skipping = engineWith(true, skipLog);
    let next = 0;
    for (let h = 1; h <= 24 * days + 1; h++) {
      for (; next < stream.length && stream[next]!.eventTime < T0 + h * HOUR; next++) {
        all.ingest(stream[next]!);
        skipping.ingest(stream[next]!);
      }
      all.advanceWatermark(T0 + h * HOUR);
      skipping.advanceWatermark(T0 + h * HOUR);
      assert.equal(JSON.stringify(skipping.snapshot()), JSON.stringify(all.snapshot()), `${name}: state after the close at hour ${h}`);
    }
    assert.ok(allLog.length > 5, `${name}: findings to compare`);
    assert.deepEqual(skipLog, allLog, name);
  }
});

test('skipping quiet signals, also over events that leave them quiet, changes no finding, and no state beyond decay caught up later (fresh_accounts, review_timing, empty_parcels, reversal_after_review, edge_burst, shared_identity, repeat_buyers, duplicate_text)', () => {
  const days = 16;
  const stream = generateStream({ seed: 3, honest: 4, brushers: 1, hours: 24 * days, ordersPerHour: 1, jitterMs: 0 });
  const at = (d: number, h: number, m = 0) => T0 + d * DAY + h * HOUR + m * MIN;
  // One seller per signal: something that fires early (and, for some, again later), then every 5 h
  // an event that leaves the signal quiet: a PAID order (no signal here observes it), or one it
  // observes but that moves nothing a quiet period rests on (an aged buyer's order on a device of
  // its own, a normal parcel, a 4-star review of an order never refunded). The seller is evaluated
  // while the signal is quiet, and its state decays or expires meanwhile.
  for (let h = 1; h < 24 * days; h += 5)
    for (const s of ['p-fresh', 'p-timing', 'p-parcel', 'p-reversal', 'p-edge', 'p-shared', 'p-text']) {
      const t = T0 + h * HOUR + 3 * MIN;
      const id = `hb-${s}-${h}`;
      stream.push(order({ eventId: id, eventTime: t, sellerId: s, buyerId: id, deviceId: id, status: h % 2 === 0 ? 'PAID' : 'PLACED' }));
      if (h % 2 === 0) continue;
      stream.push(review({ eventId: `${id}-r`, eventTime: t + MIN, sellerId: s, buyerId: id, orderId: `o-${id}`, rating: 4 }));
      stream.push(order({ eventId: `${id}-s`, eventTime: t + 2 * MIN, sellerId: s, buyerId: id, orderId: `o-${id}`, status: 'SHIPPED', parcelWeightGrams: 600, trackingNumber: `t-${id}`, carrier: 'UPS' }));
    }
  for (const d of [1, 9])
    for (let i = 0; i < 5; i++) {
      const t = at(d, 2, i * 5);
      stream.push(order({ eventId: `fr-${d}-${i}`, eventTime: t, sellerId: 'p-fresh', buyerId: `fr-${d}-${i}`, buyerAccountCreatedAt: t - DAY }));
      // Day 9's fresh orders come alone: nothing else in their bucket ends the quiet period.
      if (d === 9) continue;
      stream.push(order({ eventId: `fd-${d}-${i}`, eventTime: t + 2 * MIN, sellerId: 'p-fresh', buyerId: `fr-${d}-${i}`, buyerAccountCreatedAt: t - DAY, status: 'DELIVERED', orderId: `o-fr-${d}-${i}` }));
      stream.push(review({ eventId: `frr-${d}-${i}`, eventTime: t + 3 * MIN, sellerId: 'p-fresh', buyerId: `fr-${d}-${i}`, orderId: `o-fr-${d}-${i}` }));
    }
  for (const d of [1, 6])
    for (let i = 0; i < 9; i++) {
      const t = at(d, 4, i * 6);
      stream.push(order({ eventId: `tp-${d}-${i}`, eventTime: t, sellerId: 'p-timing', buyerId: `tb-${d}-${i}` }));
      stream.push(order({ eventId: `td-${d}-${i}`, eventTime: t + MIN, sellerId: 'p-timing', buyerId: `tb-${d}-${i}`, status: 'DELIVERED', orderId: `o-tp-${d}-${i}` }));
      stream.push(review({ eventId: `tr-${d}-${i}`, eventTime: t + 2 * MIN, sellerId: 'p-timing', buyerId: `tb-${d}-${i}`, orderId: `o-tp-${d}-${i}` }));
    }
  // Many more deliveries than fast reviews keep the slow lane (per delivery) quiet, so the recent
  // lane alone decides, and stays `firing` (baseline not learning) for hours after its finding.
  for (let i = 0; i < 60; i++)
    stream.push(order({ eventId: `tq-${i}`, eventTime: at(1, 1, i), sellerId: 'p-timing', buyerId: `tq-${i}`, status: 'DELIVERED', orderId: `o-tq-${i}` }));
  // Enough orders in 24 h hold the counts below their share of orders at first: the findings come
  // when the orders leave the 24 h, with no new parcel or reversal.
  for (const [s, d, n] of [['p-parcel', 1, 100], ['p-reversal', 2, 30]] as const)
    for (let i = 0; i < n; i++) stream.push(order({ eventId: `v-${s}-${i}`, eventTime: at(d, 2, i / 10), sellerId: s, buyerId: `v-${i}` }));
  const shipped = (id: string, t: number, grams: number) =>
    order({ eventId: id, eventTime: t, sellerId: 'p-parcel', buyerId: `pb-${id}`, status: 'SHIPPED', parcelWeightGrams: grams, trackingNumber: `t-${id}`, carrier: 'UPS' });
  stream.push(shipped('ps-0', at(0, 1), 600));
  for (const d of [1, 5]) for (let i = 0; i < 4; i++) stream.push(shipped(`pe-${d}-${i}`, at(d, 3 + i * 4), 5));
  for (const d of [0, 2])
    for (let i = 0; i < 4; i++) {
      const id = `rv-${d}-${i}`;
      stream.push(review({ eventId: `rr-${id}`, eventTime: at(d, 2, i), sellerId: 'p-reversal', buyerId: `rb-${id}`, orderId: `o-${id}` }));
      // Day 0's reviewed orders are not refunded: their reviews leave after maxGapMs (14 d)…
      if (d === 2) stream.push(order({ eventId: `rf-${id}`, eventTime: at(d, 6, i), sellerId: 'p-reversal', buyerId: `rb-${id}`, orderId: `o-${id}`, status: 'REFUNDED' }));
    }
  // …but one of them is, a day later: a lone reversal left in the horizon when the others leave it.
  stream.push(order({ eventId: 'rf-late', eventTime: at(3, 6), sellerId: 'p-reversal', buyerId: 'rb-rv-0-0', orderId: 'o-rv-0-0', status: 'REFUNDED' }));
  // Three buyers on one device (a finding for the horizon's 7 days); later two on another (shared,
  // not enough), and a third one two days after.
  for (const [d, device, buyers] of [[1, 'dev-x', [0, 1, 2]], [10, 'dev-y', [3, 4]], [12, 'dev-y', [5]]] as const)
    for (const b of buyers) stream.push(order({ eventId: `sh-${b}`, eventTime: at(d, 7, b), sellerId: 'p-shared', buyerId: `sb-${b}`, deviceId: device }));
  // One text from seven buyers (a finding for the horizon's 7 days: improbable even on a new
  // seller); once it has left, a lone other text, which matches nothing and leaves with the horizon too.
  const script = 'ceramic kettle keeps water hot for hours bamboo handle stays cool spout pours evenly';
  for (let b = 0; b < 7; b++) stream.push(review({ eventId: `dt-${b}`, eventTime: at(1, 3, b), sellerId: 'p-text', buyerId: `tb-${b}`, text: script }));
  stream.push(review({ eventId: 'dt-lone', eventTime: at(8, 12), sellerId: 'p-text', buyerId: 'tb-lone', text: 'wooden chess board arrived with all pieces intact and the hinges feel solid' }));
  // Repeat buyers that only the day shows (two buyers, an order every 2 h): each order leaves the
  // window under its minimum.
  for (let i = 0; i < 10; i++) stream.push(order({ eventId: `rd-${i}`, eventTime: at(2, 2 * i + 1), sellerId: 'p-repeat-day', buyerId: `rd-${i % 2}` }));
  // A day of one order an hour from distinct buyers gives the edges a history; then one buyer
  // places four orders within minutes (a burst for the horizon's 7 days).
  for (let h = 0; h < 24; h++) stream.push(order({ eventId: `eh-${h}`, eventTime: at(0, h, 30), sellerId: 'p-edge', buyerId: `eb-${h}` }));
  for (let i = 0; i < 4; i++) stream.push(order({ eventId: `ex-${i}`, eventTime: at(1, 5, i), sellerId: 'p-edge', buyerId: 'eb-repeat' }));
  stream.sort((x, y) => x.eventTime - y.eventTime);
  for (const name of ['fresh_accounts', 'review_timing', 'empty_parcels', 'reversal_after_review', 'edge_burst', 'shared_identity', 'repeat_buyers', 'duplicate_text']) {
    const sig = DEFAULT_SIGNALS.find((x) => x.name === name)!;
    const sc = cfg.signals[name] ?? {};
    // Decayed counters advance lazily: a skipped state equals the other after the skipped
    // expire + evaluate of this close, which must find nothing. The others stay equal as they are.
    const lazy = name === 'fresh_accounts' || name === 'review_timing';
    const engineWith = (quiet: boolean, log: string[], evaluated: Map<string, SellerContext>) =>
      oneSignalEngine(cfg, name, quiet, (ctx, f) => {
        evaluated.set(ctx.sellerId, { ...ctx });
        if (f !== null) log.push(`${ctx.sellerId} ${ctx.at} ${JSON.stringify(f)}`);
      });
    const allLog: string[] = [];
    const skipLog: string[] = [];
    const allEvals = new Map<string, SellerContext>();
    const skipEvals = new Map<string, SellerContext>();
    const all = engineWith(false, allLog, allEvals);
    const skipping = engineWith(true, skipLog, skipEvals);
    let next = 0;
    let evaluations = 0;
    let skipped = 0;
    const withoutStates = (snap: ReturnType<Engine['snapshot']>) =>
      JSON.stringify({ ...snap, sellers: snap.sellers.map(([id, s]) => [id, { ...s, signals: {} }]) });
    for (let h = 1; h <= 24 * days + 1; h++) {
      for (; next < stream.length && stream[next]!.eventTime < T0 + h * HOUR; next++) {
        all.ingest(stream[next]!);
        skipping.ingest(stream[next]!);
      }
      allEvals.clear();
      skipEvals.clear();
      all.advanceWatermark(T0 + h * HOUR);
      skipping.advanceWatermark(T0 + h * HOUR);
      const a = all.snapshot();
      const b = skipping.snapshot();
      assert.equal(withoutStates(b), withoutStates(a), `${name}: engine state after the close at hour ${h}`);
      if (!lazy) assert.equal(JSON.stringify(b), JSON.stringify(a), `${name}: state after the close at hour ${h}`);
      for (const [sellerId, ctx] of allEvals) {
        evaluations++;
        const mine = a.sellers.find(([id]) => id === sellerId)![1].signals[name];
        const theirs = b.sellers.find(([id]) => id === sellerId)![1].signals[name];
        if (skipEvals.has(sellerId)) {
          assert.equal(JSON.stringify(theirs), JSON.stringify(mine), `${name}: ${sellerId} at hour ${h}`);
          continue;
        }
        skipped++;
        sig.expire(theirs, ctx.at, sc);
        assert.equal(sig.evaluate(theirs, ctx, sc), null, `${name}: ${sellerId} skipped at hour ${h} with a finding`);
        assert.equal(JSON.stringify(theirs), JSON.stringify(mine), `${name}: ${sellerId} skipped at hour ${h}, caught up`);
      }
    }
    assert.ok(allLog.length > 5, `${name}: findings to compare`);
    assert.ok(skipped > 20, `${name}: ${skipped} of ${evaluations} evaluations skipped`);
    assert.deepEqual(skipLog, allLog, name);
  }
});

test("a card renewed by its known buyers ends shared_identity's quiet period: the card-burst lane counts renewed uses", () => {
  // paymentBuyers 6 keeps the card's 7-day count silent, so only the 24 h burst can fire: three
  // accounts pay one day apart (never three within 24 h), the signal goes quiet, then two of
  // them pay again within hours of the third's last use.
  const config = parseEngineConfig({ signals: { shared_identity: { paymentBuyers: 6 } } });
  const at = (d: number, h: number) => T0 + d * DAY + h * HOUR;
  const pay = (id: string, t: number, buyer: string) => order({ eventId: id, eventTime: t, sellerId: 's-card', buyerId: buyer, paymentInstrumentHash: 'card-1', deviceId: `dev-${id}` });
  const stream = [pay('c-0', at(0, 7), 'cb-0'), pay('c-1', at(1, 9), 'cb-1'), pay('c-2', at(2, 20), 'cb-2'), pay('c-3', at(3, 6), 'cb-0'), pay('c-4', at(3, 8), 'cb-1')];
  const run = (quiet: boolean) => {
    const log: string[] = [];
    const engine = oneSignalEngine(config, 'shared_identity', quiet, (ctx, f) => {
      if (f !== null) log.push(`${ctx.at} ${f.value}/${f.threshold} ${f.strength}`);
    });
    let next = 0;
    for (let h = 1; h <= 5 * 24; h++) {
      for (; next < stream.length && stream[next]!.eventTime < T0 + h * HOUR; next++) engine.ingest(stream[next]!);
      engine.advanceWatermark(T0 + h * HOUR);
    }
    return log;
  };
  const all = run(false);
  assert.ok(all.length > 0 && all[0]!.startsWith(`${at(3, 9)} 3/3 0.8`), all.join('\n'));
  assert.deepEqual(run(true), all);
});

test('self-driven watermark is max event time minus the allowed disorder; nothing is released before it passes', () => {
  const { engine, log } = newProbe();
  assert.equal(engine.watermark, -Infinity);
  engine.ingest(o('a', T0 + 10 * MIN));
  engine.ingest(o('b', T0 + 20 * MIN));
  assert.equal(engine.watermark, T0 + 5 * MIN);
  assert.deepEqual(log.seen, []);
  engine.ingest(o('c', T0 + 26 * MIN));
  assert.deepEqual(log.seen, ['a']);
  assert.equal(engine.stats().buffered, 2);
});

test('events are released in canonical order (time, kind, eventId) whatever the arrival order', () => {
  const { engine, log } = newProbe();
  const t = T0 + 30 * MIN;
  engine.ingest(review({ eventId: 'r', eventTime: t, sellerId: 's-1', buyerId: 'x' }));
  engine.ingest(o('z', t));
  engine.ingest(o('y', t));
  engine.ingest(o('w', t - 1000));
  engine.finish();
  assert.deepEqual(log.seen, ['w', 'y', 'z', 'r']);
});

test('lateEvents drop: an event behind the released point is late: counted per seller, never windowed, not a duplicate', () => {
  const { engine, log } = newProbe(parseEngineConfig({ lateEvents: 'drop' }));
  engine.ingest(o('a', T0));
  engine.ingest(o('b', T0 + 2 * HOUR));
  const r = engine.ingest(o('old', T0 + 30 * MIN));
  assert.equal(r.outcome, 'late');
  assert.equal(r.sellerId, 's-1');
  assert.equal(engine.stats().late, 1);
  assert.equal(engine.sellerLateEvents('s-1'), 1);
  engine.finish();
  assert.ok(!log.seen.includes('old'));
  // Within the disorder it is not late.
  assert.equal(engine.ingest(o('ok', T0 + 2 * HOUR - 10 * MIN)).outcome, 'late', 'after finish everything before the end is final');
});

test('lateEvents apply (the default): a late event is counted and reported, then applied at the oldest time still open', () => {
  const times = new Map<string, number>();
  const sig: SellerSignal<null> = {
    name: 'times',
    family: 'concentration',
    create: () => null,
    observe: (_s, e) => void times.set(e.eventId, e.eventTime),
    evaluate: () => null,
    expire: () => {},
  };
  const engine = new Engine(cfg, { signals: [sig], ring: null });
  engine.ingest(o('a', T0));
  engine.ingest(o('b', T0 + 2 * HOUR));
  const released = T0 + 2 * HOUR - 15 * MIN + 1 - ((T0 + 2 * HOUR - 15 * MIN + 1) % cfg.reorderSlotMs);
  const r = engine.ingest(o('old', T0 + 30 * MIN));
  assert.deepEqual(r, { outcome: 'late', sellerId: 's-1', eventTime: T0 + 30 * MIN }, 'reported with its own time');
  assert.equal(engine.stats().late, 1);
  assert.equal(engine.sellerLateEvents('s-1'), 1);
  engine.finish();
  assert.equal(times.get('old'), released, 'applied at the released point, not at its own time');
  assert.equal(times.get('a'), T0);
  assert.equal(engine.stats().late, 1, 'applying it does not count it twice');
});

test('within the allowed disorder an out-of-order event is accepted, not late', () => {
  const { engine } = newProbe();
  engine.ingest(o('a', T0 + HOUR));
  assert.equal(engine.ingest(o('b', T0 + HOUR - 14 * MIN)).outcome, 'accepted');
  assert.equal(engine.stats().late, 0);
});

test('the same eventId twice counts once', () => {
  const { engine, log } = newProbe();
  assert.equal(engine.ingest(o('a', T0)).outcome, 'accepted');
  assert.equal(engine.ingest(o('a', T0)).outcome, 'duplicate');
  engine.finish();
  assert.deepEqual(log.seen, ['a']);
  assert.equal(engine.stats().duplicates, 1);
});

test('a far-future event is FUTURE_TIME and does not move the watermark; a run of them is a real jump', () => {
  const config = parseEngineConfig({ futureConfirmEvents: 3 });
  const { engine } = newProbe(config);
  engine.ingest(o('a', T0 + HOUR));
  const wm = engine.watermark;
  const r = engine.ingest(o('f1', T0 + 30 * DAY));
  assert.equal(r.outcome, 'invalid');
  assert.equal(r.reason, 'FUTURE_TIME');
  assert.equal(engine.watermark, wm);
  assert.equal(engine.ingest(o('b', T0 + HOUR + MIN)).outcome, 'accepted', 'a normal event resets the run');
  assert.equal(engine.ingest(o('f2', T0 + 30 * DAY)).reason, 'FUTURE_TIME');
  assert.equal(engine.ingest(o('f3', T0 + 30 * DAY + MIN)).reason, 'FUTURE_TIME');
  assert.equal(engine.ingest(o('f4', T0 + 30 * DAY + 2 * MIN)).outcome, 'accepted');
  assert.ok(engine.watermark > T0 + 29 * DAY);
  assert.equal(engine.stats().invalid.FUTURE_TIME, 3);
});

test('invalid input is reported with a reason and never throws', () => {
  const { engine } = newProbe();
  const r = engine.ingest({ kind: 'review', rating: 9 });
  assert.equal(r.outcome, 'invalid');
  assert.equal(r.reason, 'MISSING_FIELD');
  assert.equal(engine.ingest(undefined).reason, 'NOT_AN_OBJECT');
  assert.equal(engine.stats().invalid.MISSING_FIELD, 1);
});

test('a bucket closes once the watermark passes its end: sellers with events in it are evaluated there, with their aggregates', () => {
  const { engine, log } = newProbe();
  engine.ingest(o('a', T0 + 10 * MIN));
  engine.ingest(o('b', T0 + 20 * MIN));
  engine.ingest(o('c', T0 + 2 * HOUR + 5 * MIN, 's-2'));
  assert.deepEqual(log.evals.map((c) => [c.sellerId, c.at]), [['s-1', T0 + HOUR]]);
  assert.equal(log.evals[0]!.ordersInBucket, 2);
  assert.equal(log.evals[0]!.orders24h, 2);
  engine.ingest(o('d', T0 + 3 * HOUR));
  engine.finish();
  // s-1 had nothing in hours 1..3 and no incident: not evaluated again.
  assert.deepEqual(log.evals.map((c) => [c.sellerId, c.at]), [['s-1', T0 + HOUR], ['s-2', T0 + 3 * HOUR], ['s-1', T0 + 4 * HOUR]]);
  assert.equal(log.evals[2]!.orders24h, 3);
  assert.equal(log.evals[2]!.ordersInBucket, 1);
});

test('the daily EWMA baseline and history days follow completed days', () => {
  const { engine, log } = newProbe();
  for (let d = 0; d < 3; d++) for (let i = 0; i < 10; i++) engine.ingest(o(`d${d}-${i}`, T0 + d * DAY + i * MIN));
  engine.finish();
  const last = log.evals.at(-1)!;
  assert.equal(last.historyDays, 2);
  assert.equal(last.dailyOrdersEwma, 10);
});

test('external watermark mode: only advanceWatermark releases', () => {
  const { engine, log } = newProbe(cfg, 'external');
  engine.ingest(o('a', T0));
  engine.ingest(o('b', T0 + 5 * HOUR));
  assert.deepEqual(log.seen, []);
  engine.advanceWatermark(T0 + HOUR);
  assert.deepEqual(log.seen, ['a']);
  assert.equal(engine.watermark, T0 + HOUR);
  engine.advanceWatermark(T0);
  assert.equal(engine.watermark, T0 + HOUR, 'the watermark never goes back');
});

test('idle sellers are evicted after idleEvictMs; maxSellers is a hard cap that evicts the longest idle first', () => {
  const { engine } = newProbe(parseEngineConfig({ idleEvictMs: 2 * DAY }));
  engine.ingest(o('a', T0, 'idle'));
  for (let h = 0; h < 72; h++) engine.ingest(o(`x${h}`, T0 + h * HOUR, 'busy'));
  engine.finish();
  assert.equal(engine.sellerSnapshot('idle'), null);
  assert.notEqual(engine.sellerSnapshot('busy'), null);
  assert.equal(engine.stats().sellersTracked, 1);

  const capped = newProbe(parseEngineConfig({ maxSellers: 100 })).engine;
  for (let i = 0; i < 250; i++) capped.ingest(o(`c${i}`, T0 + i * 1000, `s-${i}`));
  capped.finish();
  assert.ok(capped.stats().sellersTracked <= 100);
  assert.equal(capped.sellerSnapshot('s-0'), null);
  assert.notEqual(capped.sellerSnapshot('s-249'), null);
  assert.ok(capped.stats().sellersEvicted >= 150);
});

function brushing(engine: Engine, seller: string, fromHour: number, toHour: number, tag = ''): void {
  for (let h = fromHour; h < toHour; h++)
    for (let i = 0; i < 6; i++)
      engine.ingest(
        order({
          eventId: `${seller}${tag}-${h}-${i}`,
          eventTime: T0 + h * HOUR + i * MIN,
          sellerId: seller,
          buyerId: `fake-${i % 4}`,
          buyerAccountCreatedAt: T0 - DAY,
          deviceId: 'farm',
        }),
      );
}

function heartbeat(engine: Engine, fromHour: number, toHour: number): void {
  for (let h = fromHour; h < toHour; h++) engine.ingest(o(`hb-${h}`, T0 + h * HOUR + 30 * MIN, 'honest'));
}

test('lifecycle through the engine: OPEN once, no storm while it lasts, RESOLVE after the quiet period', () => {
  const engine = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null });
  brushing(engine, 'brush', 0, 72);
  heartbeat(engine, 72, 72 + 90);
  engine.finish();
  const alerts = engine.drainAlerts().filter((a) => a.sellerId === 'brush');
  const actions = alerts.map((a) => a.action);
  assert.equal(actions[0], 'OPEN');
  assert.equal(actions.at(-1), 'RESOLVE');
  assert.ok(alerts.length <= 4, `72 suspicious hours gave ${alerts.length} alerts`);
  assert.equal(new Set(alerts.map((a) => a.incidentId)).size, 1);
  assert.deepEqual(alerts.map((a) => a.sequence), alerts.map((_, i) => i));
  const open = alerts[0]!;
  assert.equal(open.detectedAt, open.windowEnd + cfg.allowedDisorderMs);
  assert.ok(open.evidence.buyerIds.includes('fake-0'));
  assert.deepEqual(open.evidence.deviceIds, ['farm']);
  const resolve = alerts.at(-1)!;
  assert.ok(resolve.windowEnd - (72 * HOUR + T0) >= cfg.lifecycle.quietPeriodMs);
});

test('alert ids are deterministic 32-hex strings, distinct per alert', () => {
  const run = () => {
    const engine = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null });
    brushing(engine, 'brush-a', 0, 30);
    brushing(engine, 'brush-b', 5, 30);
    heartbeat(engine, 30, 130);
    engine.finish();
    return engine.drainAlerts();
  };
  const a = run();
  const b = run();
  assert.ok(a.length >= 4);
  assert.deepEqual(a.map((x) => x.alertId), b.map((x) => x.alertId));
  for (const x of a) assert.match(x.alertId, /^[0-9a-f]{32}$/);
  assert.equal(new Set(a.map((x) => x.alertId)).size, a.length);
});

test('snapshot → JSON → restore continues exactly like an uninterrupted run', () => {
  const events = generateStream({ seed: 7, honest: 20, brushers: 2, hours: 72, ordersPerHour: 2, jitterMs: 5 * MIN });
  const whole = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null });
  for (const e of events) whole.ingest(e);
  whole.finish();
  const expected = whole.drainAlerts();

  const first = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null });
  const cut = Math.floor(events.length / 2);
  for (const e of events.slice(0, cut)) first.ingest(e);
  const before = first.drainAlerts();
  const snap = JSON.parse(JSON.stringify(first.snapshot()));
  const second = Engine.restore(cfg, snap, { signals: FAKE_SIGNALS, ring: null });
  for (const e of events.slice(cut)) second.ingest(e);
  second.finish();
  assert.ok(expected.length > 0);
  assert.equal(JSON.stringify([...before, ...second.drainAlerts()]), JSON.stringify(expected));
  assert.equal(second.stats().accepted, whole.stats().accepted);
});

test('per-seller snapshots: dirty sellers are reported once, and restoreSeller moves a seller between engines', () => {
  const a = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null, trackChanges: true });
  brushing(a, 'brush', 0, 3);
  a.ingest(o('h', T0 + 3 * HOUR - 5 * MIN, 'honest'));
  a.finish();
  assert.deepEqual(a.takeDirtySellers(), ['brush', 'honest']);
  assert.deepEqual(a.takeDirtySellers(), []);
  assert.throws(() => new Engine(cfg).takeDirtySellers(), /trackChanges/);
  const snap = JSON.parse(JSON.stringify(a.sellerSnapshot('brush')));
  const b = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null });
  b.restoreSeller('brush', snap);
  assert.deepEqual(b.sellerSnapshot('brush'), a.sellerSnapshot('brush'));
  b.restoreSeller('brush', null);
  assert.equal(b.sellerSnapshot('brush'), null);
});

test('ring findings give one RING alert per member carrying the whole ring; RESOLVE after the quiet period', () => {
  const members = Array.from({ length: 25 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
  let lastRingEvent = -Infinity;
  const ring: RingDetector = {
    name: 'fake_ring',
    observe: (e) => {
      if (e.itemId === 'ring') lastRingEvent = e.eventTime;
    },
    evaluate: (at): RingFinding[] =>
      at - lastRingEvent > DAY
        ? []
        : [
            {
              ringId: 'ring-1',
              sellerIds: members,
              finding: { name: 'fake_ring', family: 'ring', value: 25, threshold: 3, strength: 0.9, horizonMs: DAY, baseline: null, explanation: 'shared buyers', evidence: { buyerIds: ['shared'] } },
            },
          ],
    snapshot: () => lastRingEvent,
    restore: (d) => {
      lastRingEvent = d as number;
    },
  };
  const engine = new Engine(cfg, { signals: [], ring });
  engine.ingest(o('r1', T0 + 10 * MIN, 'm-00', { itemId: 'ring' }));
  heartbeat(engine, 1, 100);
  engine.finish();
  const alerts = engine.drainAlerts();
  assert.ok(alerts.every((a) => a.scope === 'RING'));
  const opens = alerts.filter((a) => a.action === 'OPEN');
  const resolves = alerts.filter((a) => a.action === 'RESOLVE');
  assert.deepEqual(opens.map((a) => a.sellerId), members);
  assert.deepEqual(resolves.map((a) => a.sellerId), members);
  assert.equal(alerts.length, 2 * members.length, 'no UPDATE storm while the ring persists');
  for (const a of opens) assert.deepEqual(a.evidence.ringSellerIds, members);
  assert.equal(new Set(alerts.map((a) => a.alertId)).size, alerts.length);
  assert.ok(resolves[0]!.windowEnd - opens[0]!.windowEnd >= cfg.lifecycle.quietPeriodMs + DAY - HOUR);
});

test('a ring that gains a member (new ring id) is one incident per seller: the newcomer OPENs, the others get one UPDATE', () => {
  // Hours 0-9: ring-abc of a, b, c. From hour 10 the detector reports ring-abcd with d as well.
  const finding = (ringId: string, sellerIds: string[]): RingFinding => ({
    ringId,
    sellerIds,
    finding: { name: 'fake_ring', family: 'ring', value: sellerIds.length, threshold: 3, strength: 0.9, horizonMs: DAY, baseline: null, explanation: 'shared buyers', evidence: {} },
  });
  const ring: RingDetector = {
    name: 'fake_ring',
    observe: () => {},
    evaluate: (at): RingFinding[] => {
      const h = (at - T0) / HOUR;
      if (h > 40) return [];
      return h <= 10 ? [finding('ring-abc', ['a', 'b', 'c'])] : [finding('ring-abcd', ['a', 'b', 'c', 'd'])];
    },
    snapshot: () => null,
    restore: () => {},
  };
  const engine = new Engine(cfg, { signals: [], ring });
  heartbeat(engine, 0, 120);
  engine.finish();
  const alerts = engine.drainAlerts();
  const of = (seller: string) => alerts.filter((a) => a.sellerId === seller).map((a) => a.action);
  for (const s of ['a', 'b', 'c']) assert.deepEqual(of(s), ['OPEN', 'UPDATE', 'RESOLVE'], s);
  assert.deepEqual(of('d'), ['OPEN', 'RESOLVE']);
  const update = alerts.find((a) => a.sellerId === 'a' && a.action === 'UPDATE')!;
  assert.deepEqual(update.evidence.ringSellerIds, ['a', 'b', 'c', 'd']);
  assert.equal(new Set(alerts.filter((a) => a.sellerId === 'a').map((a) => a.incidentId)).size, 1, 'one incident for a');
});

test('a signal that throws is counted and skipped; the engine and the other signals carry on', () => {
  const broken: SellerSignal<{ n: number }> = {
    name: 'broken',
    family: 'review_text',
    create: () => ({ n: 0 }),
    observe: (_s, e) => {
      if (e.sellerId === 'brush') throw new Error('boom');
    },
    evaluate: () => {
      throw new Error('bad evaluate');
    },
    expire: () => {},
  };
  const engine = new Engine(cfg, { signals: [...FAKE_SIGNALS, broken], ring: null });
  brushing(engine, 'brush', 0, 5);
  engine.finish();
  const s = engine.stats();
  assert.ok(s.signalErrors >= 30);
  assert.match(s.lastSignalError ?? '', /^broken: /);
  assert.equal(engine.drainAlerts()[0]?.action, 'OPEN');
});

test('a stalled watermark cannot grow the reorder buffer past maxBufferedEvents', () => {
  const { engine, log } = newProbe(parseEngineConfig({ maxBufferedEvents: 10 }), 'external');
  for (let i = 0; i < 30; i++) engine.ingest(o(`e${String(i).padStart(2, '0')}`, T0 + i * MIN));
  const s = engine.stats();
  assert.ok(s.buffered <= 10, `${s.buffered} buffered`);
  assert.equal(s.forcedReleases, 20);
  assert.deepEqual(log.seen, Array.from({ length: 20 }, (_, i) => `e${String(i).padStart(2, '0')}`));
});

test('a burst of young accounts alerts at once on two weak families; the same burst of ordinary accounts (a flash sale) does not', () => {
  const run = (ageDays: number) => {
    const engine = new Engine(cfg);
    const r = rng(31);
    const events: MarketEvent[] = [];
    // Ten days of an ordinary small shop: three orders a day from long-standing accounts.
    for (let d = 0; d < 10; d++)
      for (let i = 0; i < 3; i++) events.push(o(`h${d}-${i}`, T0 + d * DAY + Math.floor(r() * DAY), 's-shop'));
    const burst = T0 + 10 * DAY + 14 * HOUR;
    for (let k = 0; k < 20; k++) {
      const t = burst + k * 4 * MIN;
      events.push(o(`burst${k}`, t, 's-shop', { buyerAccountCreatedAt: t - ageDays * DAY }));
    }
    events.sort((a, b) => a.eventTime - b.eventTime);
    for (const e of events) engine.ingest(e);
    engine.finish(burst + 3 * HOUR);
    return { burst, alerts: engine.drainAlerts().filter((a) => a.action === 'OPEN') };
  };
  const young = run(60);
  assert.equal(young.alerts.length, 1, 'two-month-old accounts');
  const open = young.alerts[0]!;
  assert.ok(open.detectedAt - young.burst <= 3 * HOUR, `detected ${(open.detectedAt - young.burst) / HOUR} h after the burst`);
  assert.deepEqual(open.signals.map((s) => s.name).sort(), ['edge_burst', 'fresh_accounts']);
  assert.ok(open.signals.every((s) => s.strength < cfg.scoring.singleFamilyStrength), 'neither family alone');
  assert.deepEqual(run(900).alerts, [], 'the same burst from accounts years old');
});

test('ingestOwned (records handed over in the contract shape) gives the outcomes, stats, alerts and snapshot of ingest', () => {
  const events = generateStream({ seed: 9, honest: 6, brushers: 2, hours: 40, ordersPerHour: 3, jitterMs: 5 * MIN });
  const r = rng(4);
  const input: Record<string, unknown>[] = [];
  for (const e of events) {
    // The contract's fields in the contract's order, as the NDJSON event parser builds a record;
    // an absent optional field stays undefined there.
    const rec: Record<string, unknown> = {};
    const v = validateEvent(e);
    assert.ok(v.ok);
    for (const k of Object.keys(v.event)) rec[k] = (e as unknown as Record<string, unknown>)[k];
    if (r() < 0.3) rec['deviceId'] = undefined;
    if (r() < 0.02) rec['eventTime'] = 'late';
    input.push(rec);
    if (r() < 0.03) input.push({ ...rec });
  }
  const run = (owned: boolean) => {
    const engine = new Engine(cfg, { signals: FAKE_SIGNALS, ring: null });
    const outcomes = input.map((rec) => {
      const x = owned ? engine.ingestOwned({ ...rec }) : engine.ingest(rec);
      return `${x.outcome} ${x.reason ?? ''} ${x.detail ?? ''}`;
    });
    const snapshot = JSON.stringify(engine.snapshot());
    engine.finish();
    return { outcomes, snapshot, alerts: JSON.stringify(engine.drainAlerts()), stats: engine.stats() };
  };
  const copied = run(false);
  const owned = run(true);
  assert.ok(copied.outcomes.some((x) => x.startsWith('invalid')) && copied.outcomes.some((x) => x.startsWith('duplicate')));
  assert.ok(copied.alerts.length > 2);
  assert.deepEqual(owned, copied);
});

test('each close evaluates the sellers active in its bucket once, a seller restored meanwhile included', () => {
  const log = { seen: [] as string[], evals: [] as SellerContext[] };
  const e = new Engine(cfg, { signals: [probe(log)], ring: null, watermark: 'external' });
  for (const [i, s] of ['a', 'b', 'c'].entries()) e.ingest(order({ eventId: `h0-${s}`, eventTime: T0 + 10 * MIN + i, sellerId: s, buyerId: 'x' }));
  e.advanceWatermark(T0 + 30 * MIN);
  e.restoreSeller('b', JSON.parse(JSON.stringify(e.sellerSnapshot('b'))));
  e.ingest(order({ eventId: 'h1-c', eventTime: T0 + HOUR + 10 * MIN, sellerId: 'c', buyerId: 'x' }));
  e.advanceWatermark(T0 + 3 * HOUR);
  const evaluated = log.evals.map((ctx) => `${(ctx.at - T0) / HOUR}:${ctx.sellerId}`).sort();
  assert.deepEqual(evaluated, ['1:a', '1:b', '1:c', '2:c']);
});
