import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SellerState } from '../../../src/engine/seller-state.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 1);

test('orders per bucket over the last 24 h: the ring wraps and old buckets fall out', () => {
  const s = new SellerState('s', 0, 24);
  s.firstEventTime = T0;
  for (let h = 0; h < 30; h++) for (let i = 0; i <= h % 3; i++) s.countOrder(T0 + h * H + i, H, 0.1);
  const ctx = s.context(T0 + 30 * H, H, 0.1);
  assert.equal(ctx.ordersInBucket, 30 % 3 === 0 ? 3 : (29 % 3) + 1);
  // Hours 6..29 are the last 24: each contributes (h % 3) + 1.
  let expected = 0;
  for (let h = 6; h < 30; h++) expected += (h % 3) + 1;
  assert.equal(ctx.orders24h, expected);
  // A day later with nothing new, the window is empty.
  assert.equal(s.context(T0 + 60 * H, H, 0.1).orders24h, 0);
});

test('the daily EWMA starts at the first full day and decays over empty days', () => {
  const s = new SellerState('s', 0, 24);
  s.firstEventTime = T0;
  for (let i = 0; i < 10; i++) s.countOrder(T0 + i * H, H, 0.5);
  for (let i = 0; i < 20; i++) s.countOrder(T0 + D + i * H, H, 0.5);
  assert.equal(s.context(T0 + 2 * D, H, 0.5).dailyOrdersEwma, 15);
  // Two empty days halve it twice.
  const later = s.context(T0 + 4 * D, H, 0.5);
  assert.equal(later.dailyOrdersEwma, 3.75);
  assert.equal(later.historyDays, 4);
});

test('a snapshot is plain JSON and restores to the same state', () => {
  const s = new SellerState('s', 1, 24);
  s.firstEventTime = T0;
  s.countOrder(T0, H, 0.1);
  s.states[0] = { n: 1 };
  const snap = JSON.parse(JSON.stringify(s.snapshot(['sig'])));
  const r = SellerState.fromSnapshot('s', snap, ['sig'], 24);
  assert.deepEqual(r.snapshot(['sig']), s.snapshot(['sig']));
  assert.deepEqual(r.states, [{ n: 1 }]);
});

test('a restore passes each saved signal state, copied, through revive once; a null one stays null', () => {
  const s = new SellerState('s', 2, 24);
  s.states[0] = { old: 1 };
  const snap = JSON.parse(JSON.stringify(s.snapshot(['a', 'b'])));
  const calls: [number, unknown][] = [];
  const r = SellerState.fromSnapshot('s', snap, ['a', 'b'], 24, (i, saved) => {
    calls.push([i, saved]);
    return { now: (saved as { old: number }).old };
  });
  assert.deepEqual(calls, [[0, { old: 1 }]]);
  assert.notEqual(calls[0]![1], snap.signals.a);
  assert.deepEqual(r.states, [{ now: 1 }, null]);
});

/** Orders per bucket and over the day ending with the closing bucket, counted from the raw times. */
function expectedCounts(times: readonly number[], at: number): { inBucket: number; day: number } {
  const closing = at / H - 1;
  const buckets = times.map((t) => Math.floor(t / H)).filter((b) => b <= closing);
  return { inBucket: buckets.filter((b) => b === closing).length, day: buckets.filter((b) => b > closing - 24).length };
}

test('the per-bucket counts give exact aggregates while sparse, after turning dense and after a snapshot round trip', () => {
  let seed = 7;
  const r = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let run = 0; run < 40; run++) {
    // From a few orders a day (sparse) to orders in most hours (dense), with gaps of days.
    const busy = run / 40;
    const s = new SellerState('s', 0, 24);
    s.firstEventTime = T0;
    const times: number[] = [];
    let t = T0;
    let copy = s;
    for (let i = 0; i < 120; i++) {
      t += r() < 0.05 ? Math.floor(r() * 3 * D) : Math.floor(r() * (busy < 0.5 ? 6 * H : H / 2));
      times.push(t);
      copy.lastEventTime = t;
      copy.countOrder(t, H, 0.1);
      // The times share the counts' array: they survive its growth and its turning dense.
      assert.deepEqual([copy.lastEventTime, copy.firstEventTime], [t, T0]);
      if (i % 7 === 0) {
        const at = (Math.floor(t / H) + 1 + Math.floor(r() * 30)) * H;
        const want = expectedCounts(times, at);
        const ctx = copy.context(at, H, 0.1);
        assert.equal(ctx.ordersInBucket, want.inBucket, `run ${run} order ${i}`);
        assert.equal(ctx.orders24h, want.day, `run ${run} order ${i}`);
        assert.equal(ctx.historyDays, Math.floor((at - T0) / D));
      }
      if (i % 13 === 0) {
        // The snapshot keeps its 24-slot ring whatever the form in memory.
        const snap = JSON.parse(JSON.stringify(copy.snapshot([]))) as ReturnType<SellerState['snapshot']>;
        assert.equal(snap.counts.length, 24);
        copy = SellerState.fromSnapshot('s', snap, [], 24);
        assert.deepEqual(copy.snapshot([]), snap);
      }
    }
  }
});

test('a seller snapshot written before the sparse counts (its 24-slot ring) restores and counts on the same', () => {
  // As main wrote it: orders at hours 30 (2), 40 (1) and 53 (3) after T0; newest bucket 53.
  const b0 = T0 / H;
  const counts = new Array<number>(24).fill(0);
  counts[(b0 + 30) % 24] = 2;
  counts[(b0 + 40) % 24] = 1;
  counts[(b0 + 53) % 24] = 3;
  const old = {
    lastEventTime: T0 + 53 * H,
    firstEventTime: T0,
    counts,
    countsBucket: b0 + 53,
    day: Math.floor((T0 + 53 * H) / D),
    ordersToday: 4,
    ewma: 2,
    daysCompleted: 2,
    lateEvents: 0,
    mark: T0 + 54 * H,
    signals: {},
    incident: null,
  };
  const s = SellerState.fromSnapshot('s', old, [], 24);
  assert.deepEqual(s.snapshot([]), old);
  let ctx = s.context(T0 + 54 * H, H, 0.1);
  assert.equal(ctx.ordersInBucket, 3);
  assert.equal(ctx.orders24h, 6, 'hours 30 to 53 are the day ending with hour 53');
  s.countOrder(T0 + 60 * H, H, 0.1);
  ctx = s.context(T0 + 61 * H, H, 0.1);
  assert.equal(ctx.ordersInBucket, 1);
  assert.equal(ctx.orders24h, 5);
  // A ring with orders in most hours restores too (dense) and still counts exactly.
  const busy = { ...old, counts: counts.map((c, i) => c + (i % 3 === 0 ? 0 : 1)) };
  const d = SellerState.fromSnapshot('s', busy, [], 24);
  assert.deepEqual(d.snapshot([]), busy);
  assert.equal(d.context(T0 + 54 * H, H, 0.1).orders24h, busy.counts.reduce((a, b) => a + b, 0));
});

test('the sparse counts are exact for other bucket sizes and for counts too big to pack', () => {
  let seed = 11;
  const r = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  // 8 h buckets (3 a day, an odd number), 5 min and 1 min buckets (288 and 1440 a day).
  for (const bucketMs of [8 * H, 5 * 60_000, 60_000]) {
    const perDay = D / bucketMs;
    for (let run = 0; run < 10; run++) {
      const s = new SellerState('s', 0, perDay);
      s.firstEventTime = T0;
      const buckets: number[] = [];
      let t = T0;
      for (let i = 0; i < 200; i++) {
        t += Math.floor(r() * (run < 5 ? bucketMs * 3 : bucketMs / 2));
        buckets.push(Math.floor(t / bucketMs));
        s.countOrder(t, bucketMs, 0.1);
        const closing = Math.floor(t / bucketMs) + Math.floor(r() * 3);
        const ctx = s.context((closing + 1) * bucketMs, bucketMs, 0.1);
        const inDay = buckets.filter((b) => b <= closing && b > closing - perDay);
        assert.equal(ctx.ordersInBucket, inDay.filter((b) => b === closing).length, `${bucketMs} run ${run} order ${i}`);
        assert.equal(ctx.orders24h, inDay.length, `${bucketMs} run ${run} order ${i}`);
      }
    }
  }
  // 1 min buckets leave 2^19 orders per bucket to a packed entry: more turn the counts dense.
  const M = 60_000;
  const s = new SellerState('s', 0, 1440);
  s.firstEventTime = T0;
  s.countOrder(T0, M, 0.1);
  const many = 2 ** 19 + 5;
  for (let i = 0; i < many; i++) s.countOrder(T0 + 3 * M, M, 0.1);
  assert.equal(s.dense, true);
  const ctx = s.context(T0 + 4 * M, M, 0.1);
  assert.equal(ctx.ordersInBucket, many);
  assert.equal(ctx.orders24h, many + 1);
  const snap = JSON.parse(JSON.stringify(s.snapshot([]))) as ReturnType<SellerState['snapshot']>;
  const back = SellerState.fromSnapshot('s', snap, [], 1440);
  assert.equal(back.dense, true, 'a count too big to pack restores dense');
  assert.equal(back.context(T0 + 4 * M, M, 0.1).orders24h, many + 1);
});
