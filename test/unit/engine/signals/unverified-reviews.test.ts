import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../../src/engine/engine.js';
import { parseEngineConfig } from '../../../../src/engine/config.js';
import { configSchema, signal, type SeparateRates, type State, type Unverified } from '../../../../src/engine/signals/unverified-reviews.js';
import type { MarketEvent, SellerContext } from '../../../../src/engine/types.js';
import { DAY, HOUR, T0, order, review, runSignal } from './part-b-fixtures.js';
import { revived } from './fixtures.js';

const config = configSchema.parse({});

/** `perHour` verified reviews every hour for `days` days, plus one unverified every `unverifiedEvery` hours. */
function history(seller: string, days: number, perHour: number, unverifiedEvery: number): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let h = 0; h < days * 24; h++) {
    for (let k = 0; k < perHour; k++) {
      out.push(review({ t: T0 + h * HOUR + k * 1000, seller, buyer: `b${h}-${k}`, order: `o${h}-${k}` }));
    }
    if (h % unverifiedEvery === 0) out.push(review({ t: T0 + h * HOUR + 30 * 60_000, seller, buyer: `u${h}`, order: null }));
  }
  return out;
}

test('fires on a burst of unverified reviews against the seller baseline', () => {
  const events = history('s1', 7, 1, 48);
  const burstStart = T0 + 7 * DAY;
  for (let k = 0; k < 12; k++) {
    events.push(review({ t: burstStart + k * 10 * 60_000, seller: 's1', buyer: `p${k % 4}`, order: null, id: `ur${k}` }));
  }
  const { findings } = runSignal(signal, config, events, { until: burstStart + 3 * HOUR });
  assert.equal([...findings.keys()].some((at) => at < burstStart), false, 'quiet during the history');
  const f = findings.get(burstStart + 2 * HOUR);
  assert.ok(f);
  assert.equal(f.value, 12);
  assert.equal(f.family, 'unverified');
  assert.ok(f.baseline !== null && f.baseline < 1, `baseline ${f.baseline}`);
  assert.equal(f.evidence.reviewIds?.length, 12);
  assert.deepEqual(f.evidence.buyerIds, ['p0', 'p1', 'p2', 'p3']);
});

test('quiet on a few unverified reviews in a big seller', () => {
  const events = history('s2', 3, 40, 6);
  const at = T0 + 3 * DAY;
  for (let k = 0; k < 8; k++) events.push(review({ t: at + k * 60_000, seller: 's2', buyer: `x${k}`, order: null }));
  for (let k = 0; k < 120; k++) events.push(review({ t: at + k * 30_000, seller: 's2', buyer: `y${k}`, order: `yo${k}` }));
  const { findings } = runSignal(signal, config, events);
  assert.equal(findings.size, 0);
});

test('quiet on a seller whose reviews are usually unverified at a steady rate', () => {
  const events: MarketEvent[] = [];
  for (let h = 0; h < 10 * 24; h++) {
    events.push(review({ t: T0 + h * HOUR, seller: 's3', buyer: `a${h}`, order: null }));
    events.push(review({ t: T0 + h * HOUR + 1000, seller: 's3', buyer: `c${h}`, order: null }));
    events.push(review({ t: T0 + h * HOUR + 2000, seller: 's3', buyer: `v${h}`, order: `o${h}` }));
  }
  const { findings } = runSignal(signal, config, events);
  // The first window has no baseline yet (the prior applies); after a day, the steady rate is normal.
  assert.equal([...findings.keys()].some((at) => at > T0 + DAY), false);
});

test('caps hold after 100k events', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 100_000; k++) {
    events.push(review({ t: T0 + k * 20_000, seller: 's4', buyer: `b${k}`, order: k % 3 === 0 ? null : `o${k}` }));
  }
  const { state } = runSignal(signal, config, events);
  // Three items per review: time, review id, buyer id; the full list keeps the latest, oldest first.
  const last = events.filter((e) => e.kind === 'review' && e.orderId === null).slice(-config.maxEvidence);
  assert.deepEqual(state.recent, last.flatMap((e) => (e.kind === 'review' ? [e.eventTime, e.reviewId, e.buyerId] : [])));
  // After the five rates, at most one entry per slot of the 12-hour ring: [hour, reviews, unverified].
  const hours = state.rates!.length - 5;
  assert.ok(hours > 0 && hours <= 12 * 3);
  const [ewReviews, ewUnverified] = state.rates!;
  assert.ok(ewUnverified! > 0 && ewUnverified! < ewReviews!);
});

test('hours folded into the baseline are dropped, not kept until a later hour takes their slot', () => {
  // A review every 5 hours: 12 slots would hold the last 12 such hours' counts.
  const events: MarketEvent[] = [];
  for (let h = 0; h < 3 * 24; h += 5) events.push(review({ t: T0 + h * HOUR, seller: 's6', buyer: `b${h}`, order: h % 10 === 0 ? null : `o${h}` }));
  const last = Math.floor(events[events.length - 1]!.eventTime / HOUR);
  // The window at last + 2 h starts at last − 4 h: hour last − 5 is folded, last is in the window.
  const near = runSignal(signal, config, events, { until: (last + 2) * HOUR });
  assert.deepEqual(near.state.rates!.slice(5), [last, 1, 1]);
  const later = runSignal(signal, config, events, { until: (last + 8) * HOUR });
  assert.equal(later.state.rates!.length, 5, 'no hour left');
  const [ewReviews, ewUnverified] = later.state.rates!;
  assert.ok(ewReviews! > 0 && ewUnverified! > 0);
});

test('a JSON round-trip of the state continues identically', () => {
  const events = history('s5', 3, 1, 24);
  for (let k = 0; k < 10; k++) events.push(review({ t: T0 + 3 * DAY + k * 60_000, seller: 's5', buyer: `p${k}`, order: null }));
  const plain = runSignal(signal, config, events, { until: T0 + 3 * DAY + 4 * HOUR });
  const restored = runSignal(signal, config, events, { until: T0 + 3 * DAY + 4 * HOUR, restoreAt: T0 + 2 * DAY });
  assert.ok(plain.findings.size > 0);
  assert.deepEqual([...restored.findings], [...plain.findings]);
  assert.deepEqual(restored.state, plain.state);
});

/** A state as saved before its EWMAs, slow lane and hour counts were merged into `rates`, without the slow lane if `slowLane` is false. */
function separateRates(saved: State, slowLane = true): State {
  const { rates, ...rest } = saved;
  const [ewReviews = 0, ewUnverified = 0, hour = -1, reviews = 0, unverified = 0, ...counts] = rates ?? [];
  const old: Omit<State, 'rates'> & SeparateRates = { ...rest, ewReviews, ewUnverified, counts };
  if (slowLane && hour >= 0) old.slow = [hour, reviews, unverified];
  return old;
}

/** A state as saved before its hour counts were merged into `rates`: the five rates (when any) and `counts`. */
function separateHours(saved: State): State {
  const old: State & SeparateRates = { ...saved, counts: saved.rates?.slice(5) ?? [] };
  if (saved.rates !== undefined) old.rates = saved.rates.slice(0, 5);
  return old;
}

test('a state saved with the EWMAs and the slow lane as separate fields restores and continues identically', () => {
  const events = [...history('s12', 3, 1, 24), ...burst('s12', T0 + 3 * DAY, 10, 'p'), ...drip('s12', T0 + 4 * DAY, 6, 8)];
  const until = T0 + 10 * DAY;
  const plain = runSignal(signal, config, events, { until });
  assert.ok(plain.findings.size > 0 && plain.state.rates !== undefined);
  for (const restoreAt of [T0 + HOUR, T0 + 2 * DAY, T0 + 3 * DAY + 2 * HOUR, T0 + 5 * DAY]) {
    const restored = runSignal(signal, config, events, { until, restoreAt, reshape: (s) => separateRates(s) });
    assert.deepEqual([...restored.findings], [...plain.findings], `restored at ${restoreAt}`);
    // The next snapshot has the new layout only.
    assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
  }
});

/** A state as saved before the recent unverified reviews were flat: a list of [t, reviewId, buyerId]. */
function reviewLists(saved: State): State {
  const recent: Unverified[] = [];
  for (let i = 0; i < saved.recent.length; i += 3) recent.push(saved.recent.slice(i, i + 3) as Unverified);
  return { ...saved, recent: recent as unknown as State['recent'] };
}

test('a state saved with the hour counts as a field and the recent unverified reviews as [t, reviewId, buyerId] lists restores and continues identically', () => {
  const events = [...history('s13', 3, 1, 24), ...burst('s13', T0 + 3 * DAY, 10, 'p'), ...drip('s13', T0 + 4 * DAY, 6, 8)];
  const until = T0 + 10 * DAY;
  const plain = runSignal(signal, config, events, { until });
  assert.ok(plain.findings.size > 0);
  let converted = 0;
  for (const restoreAt of [T0 + HOUR, T0 + 2 * DAY, T0 + 3 * DAY + 2 * HOUR, T0 + 5 * DAY, T0 + 6 * DAY]) {
    const restored = runSignal(signal, config, events, {
      until,
      restoreAt,
      reshape: (s) => {
        if (s.recent.length > 0) converted++;
        return reviewLists(separateHours(s));
      },
    });
    assert.deepEqual([...restored.findings], [...plain.findings], `restored at ${restoreAt}`);
    // The next snapshot has the new layout only.
    assert.deepEqual(JSON.parse(JSON.stringify(restored.state)), JSON.parse(JSON.stringify(plain.state)));
  }
  assert.ok(converted >= 3, 'restored with reviews to convert');
});

/** `n` unverified reviews 10 minutes apart from `at` on seller `seller`. */
function burst(seller: string, at: number, n: number, tag: string): MarketEvent[] {
  return Array.from({ length: n }, (_, k) => review({ t: at + k * 10 * 60_000, seller, buyer: `${tag}${k}`, order: null, id: `${tag}r${k}` }));
}

test('an earlier burst within recurrenceMs reinforces the current one, never a burst itself', () => {
  const first = T0 + 7 * DAY;
  const second = first + 2 * DAY;
  const events = [...history('s6', 7, 1, 48), ...burst('s6', first, 7, 'f'), ...burst('s6', second, 7, 'g')];
  events.sort((a, b) => a.eventTime - b.eventTime);
  const { findings } = runSignal(signal, config, events, { until: second + 8 * HOUR });
  const strongest = (from: number, to: number): number =>
    Math.max(0, ...[...findings].filter(([at]) => at > from && at <= to).map(([, f]) => f.strength));
  // Each burst alone: 7 against a threshold of 5, 0.6 (0.55 while it has 6); the first burst's
  // overlapping windows do not reinforce one another and stay below the 0.8 a lone family needs.
  assert.equal(strongest(first, first + DAY), 0.6);
  assert.equal(strongest(second, second + DAY), 1 - 0.4 * 0.4);
  const f = [...findings].find(([at]) => at > second)?.[1];
  assert.ok(f);
  assert.match(f.explanation, /an earlier burst within 7 d reached strength 0\.60/);
});

test('bursts further apart than recurrenceMs stay independent', () => {
  const first = T0 + 7 * DAY;
  const second = first + 8 * DAY;
  const events = [...history('s7', 16, 1, 48), ...burst('s7', first, 7, 'f'), ...burst('s7', second, 7, 'g')];
  events.sort((a, b) => a.eventTime - b.eventTime);
  const { findings } = runSignal(signal, config, events, { until: second + 8 * HOUR });
  assert.ok(findings.size > 0);
  assert.equal(Math.max(...[...findings.values()].map((f) => f.strength)), 0.6);
});

test('skipping quiet evaluations changes no finding, and the state catches up by the skipped expire + evaluate', () => {
  const engineCfg = parseEngineConfig({});
  const stream: MarketEvent[] = [];
  // u1: verified reviews with an unverified one now and then, then a burst (twice); u2: orders
  // alone for days (quiet), then reviews, and a burst.
  stream.push(...history('u1', 6, 1, 7), ...burst('u1', T0 + 6 * DAY, 9, 'a'), ...burst('u1', T0 + 8 * DAY + 5 * HOUR, 8, 'b'));
  for (let h = 0; h < 9 * 24; h += 3) stream.push(order({ t: T0 + h * HOUR + 60_000, seller: 'u2', buyer: `v${h}`, order: `ov${h}` }));
  stream.push(review({ t: T0 + 5 * DAY + 30 * 60_000, seller: 'u2', buyer: 'v1', order: 'ov1' }), ...burst('u2', T0 + 7 * DAY, 8, 'c'));
  stream.sort((x, y) => x.eventTime - y.eventTime);
  const run = (quiet: boolean) => {
    const log: string[] = [];
    const evaluated = new Map<string, SellerContext>();
    const engine = new Engine(engineCfg, {
      ring: null,
      watermark: 'external',
      signals: [
        {
          ...signal,
          quietUntil: quiet ? signal.quietUntil : undefined,
          evaluate(st: State, ctx: SellerContext, c: typeof config) {
            evaluated.set(ctx.sellerId, { ...ctx });
            const f = signal.evaluate(st, ctx, c);
            if (f !== null) log.push(`${ctx.sellerId} ${ctx.at} ${JSON.stringify(f)}`);
            return f;
          },
        },
      ],
    });
    return { engine, log, evaluated };
  };
  const all = run(false);
  const skipping = run(true);
  let next = 0;
  let skipped = 0;
  for (let h = 1; h <= 10 * 24; h++) {
    for (; next < stream.length && stream[next]!.eventTime < T0 + h * HOUR; next++) {
      all.engine.ingest(stream[next]!);
      skipping.engine.ingest(stream[next]!);
    }
    all.evaluated.clear();
    skipping.evaluated.clear();
    all.engine.advanceWatermark(T0 + h * HOUR);
    skipping.engine.advanceWatermark(T0 + h * HOUR);
    const a = all.engine.snapshot();
    const b = skipping.engine.snapshot();
    for (const [sellerId, ctx] of all.evaluated) {
      const mine = a.sellers.find(([id]) => id === sellerId)![1].signals['unverified_reviews'] as State;
      const theirs = b.sellers.find(([id]) => id === sellerId)![1].signals['unverified_reviews'] as State;
      if (!skipping.evaluated.has(sellerId)) {
        skipped++;
        signal.expire(theirs, ctx.at, config);
        assert.equal(signal.evaluate(theirs, ctx, config), null, `${sellerId} skipped at hour ${h} with a finding`);
      }
      assert.deepEqual(theirs, mine, `${sellerId} at hour ${h}`);
    }
  }
  assert.ok(all.log.some((l) => l.startsWith('u1')) && all.log.some((l) => l.startsWith('u2')), all.log.join('\n'));
  assert.ok(skipped > 30, `${skipped} evaluations skipped`);
  assert.deepEqual(skipping.log, all.log);
});

/** A small shop: a verified review every `every` hours for `days` days from `from`. */
function smallShop(seller: string, from: number, days: number, every: number): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let h = 0; h < days * 24; h += every) out.push(review({ t: from + h * HOUR, seller, buyer: `h${h}`, order: `ho${h}` }));
  return out;
}

/** `n` unverified reviews `everyHours` apart from `at`, each by its own buyer. */
function drip(seller: string, at: number, n: number, everyHours: number): MarketEvent[] {
  return Array.from({ length: n }, (_, k) => review({ t: at + k * everyHours * HOUR, seller, buyer: `d${k}`, order: null, id: `dr${k}` }));
}

test('the slow lane fires on unverified reviews dripped over days, which no window holds minCount of', () => {
  const start = T0 + 7 * DAY;
  // One unverified review every 8 hours for 5 days (one verified a day): at most one in any 6-hour window.
  const events = [...smallShop('s8', T0, 14, 24), ...drip('s8', start, 15, 8)];
  const { findings } = runSignal(signal, config, events, { until: start + 6 * DAY });
  assert.equal([...findings.keys()].some((at) => at < start), false, 'quiet before the drip');
  const strongest = [...findings.values()].reduce((a, b) => (b.strength > a.strength ? b : a));
  // A lone family needs 0.8 and two named buyers.
  assert.ok(strongest.strength >= 0.8, `strength ${strongest.strength}`);
  assert.ok((strongest.evidence.buyerIds?.length ?? 0) >= 2);
  assert.equal(strongest.horizonMs, config.slowHalfLifeHours * HOUR);
  assert.match(strongest.explanation, /unverified reviews in the last few days/);
});

test('the slow lane stays quiet on a couple of honest gift reviews, and on a big seller whose few unverified reviews are a small share', () => {
  const gifts = [...smallShop('s9', T0, 14, 12), ...drip('s9', T0 + 7 * DAY, 3, 2)];
  assert.equal(runSignal(signal, config, gifts).findings.size, 0);
  // 40 verified reviews a day, two unverified a day for a week.
  const big = [...smallShop('s10', T0, 14, 0.6), ...drip('s10', T0 + 7 * DAY, 14, 12)];
  assert.equal(runSignal(signal, config, big).findings.size, 0);
});

test('a state saved before the slow lane (no `slow`) restores and gains it at the next review', () => {
  const start = T0 + 7 * DAY;
  const events = [...smallShop('s11', T0, 14, 24), ...drip('s11', start, 15, 8)];
  const before = runSignal(signal, config, events.filter((e) => e.eventTime < start), { until: start });
  const old = separateRates(JSON.parse(JSON.stringify(before.state)) as State, false);
  // The EWMAs and hour counts carry over; only the slow lane starts anew.
  const saved = before.state.rates!;
  assert.deepEqual(revived(signal, config, old).rates, [saved[0], saved[1], -1, 0, 0, ...saved.slice(5)]);
  const resumed = runSignal(signal, config, events.filter((e) => e.eventTime >= start), { state: old, until: start + 6 * DAY });
  assert.ok(resumed.state.rates !== undefined && resumed.state.rates[2]! >= 0);
  assert.ok(Math.max(...[...resumed.findings.values()].map((f) => f.strength)) >= 0.8);
});
