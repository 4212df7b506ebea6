/**
 * The exact "any window" concentration scan (the Shopee Code League 2020 order-brushing rule),
 * pure and unit-agnostic: times are integers in any tick (seconds for the contest, ms for the
 * engine), and every window is [t, t + windowLength] with both ends included, for every integer
 * start t.
 *
 * Windows hold the same orders between two changes, and the set changes only at t = e − length
 * (order e enters) and t = e + 1 (order e leaves), so scanning those starts in order with two
 * pointers visits every distinct window once: O(n log n) per shop instead of one window per tick.
 */

export interface TimedOrder {
  /** Integer time in the caller's tick. */
  readonly time: number;
  readonly buyer: string;
}

export interface AnyWindowOptions {
  /** Window length in ticks; the window [t, t + length] includes both ends. */
  readonly windowLength: number;
  /** A window brushes when orders ÷ distinct buyers ≥ this. */
  readonly minRate: number;
}

export const SHOPEE_RULE: AnyWindowOptions = { windowLength: 3600, minRate: 3 } as const;

export interface BrushingPeriod {
  /** Union of overlapping brushing windows: [start, end], both included. */
  readonly start: number;
  readonly end: number;
  /** Orders inside it (all of them lie in some brushing window). */
  readonly orders: number;
}

export interface ShopScan {
  readonly brushing: boolean;
  /** Orders that fall inside at least one brushing window, each counted once. */
  readonly brushingOrders: number;
  /** Buyers with the most brushing-window orders; ties all listed, in `compareBuyerIds` order. */
  readonly suspiciousBuyers: readonly string[];
  /** How many brushing-window orders each suspicious buyer has. */
  readonly topCount: number;
  /** The highest concentrate rate seen in any window (0 when there are no orders). */
  readonly maxRate: number;
  readonly periods: readonly BrushingPeriod[];
}

/** Numeric ids by numeric value (any length), anything else by code units; numbers first. */
export function compareBuyerIds(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    const ta = a.replace(/^0+(?=\d)/, '');
    const tb = b.replace(/^0+(?=\d)/, '');
    if (ta.length !== tb.length) return ta.length - tb.length;
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Scans one shop's orders (any order of input) with the exact any-window rule. */
export function scanShop(orders: readonly TimedOrder[], options: AnyWindowOptions = SHOPEE_RULE): ShopScan {
  const n = orders.length;
  if (n === 0) return { brushing: false, brushingOrders: 0, suspiciousBuyers: [], topCount: 0, maxRate: 0, periods: [] };
  const { windowLength, minRate } = options;

  const sorted = orders.slice().sort((x, y) => x.time - y.time);
  const times = new Float64Array(n);
  const buyerIdx = new Int32Array(n);
  const buyerNames: string[] = [];
  const intern = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const o = sorted[i]!;
    times[i] = o.time;
    let b = intern.get(o.buyer);
    if (b === undefined) {
      b = buyerNames.length;
      intern.set(o.buyer, b);
      buyerNames.push(o.buyer);
    }
    buyerIdx[i] = b;
  }

  const starts = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    starts[2 * i] = times[i]! - windowLength;
    starts[2 * i + 1] = times[i]! + 1;
  }
  starts.sort();

  const inWindow = new Int32Array(buyerNames.length);
  // cover[i] > 0 after the prefix sum means order i lies in some brushing window.
  const cover = new Int32Array(n + 1);
  let distinct = 0;
  let lo = 0;
  let hi = 0;
  let maxRate = 0;
  let brushing = false;
  let prevStart = Number.NaN;
  const periods: { start: number; end: number; lo: number; hi: number }[] = [];
  for (let k = 0; k < starts.length; k++) {
    const t = starts[k]!;
    if (t === prevStart) continue;
    prevStart = t;
    const end = t + windowLength;
    while (hi < n && times[hi]! <= end) {
      if (inWindow[buyerIdx[hi]!]!++ === 0) distinct++;
      hi++;
    }
    while (lo < hi && times[lo]! < t) {
      if (--inWindow[buyerIdx[lo]!]! === 0) distinct--;
      lo++;
    }
    const count = hi - lo;
    if (count === 0) continue;
    const rate = count / distinct;
    if (rate > maxRate) maxRate = rate;
    // Integer comparison: 3 orders by 1 buyer is exactly rate 3, never 2.9999.
    if (count >= minRate * distinct) {
      brushing = true;
      cover[lo]!++;
      cover[hi]!--;
      // Every start up to the next change holds the same orders, so it brushes too.
      let next = k + 1;
      while (next < starts.length && starts[next] === t) next++;
      const lastEnd = (next < starts.length ? starts[next]! - 1 : t) + windowLength;
      const last = periods[periods.length - 1];
      if (last !== undefined && t <= last.end) {
        last.end = lastEnd;
        last.hi = hi;
      } else {
        periods.push({ start: t, end: lastEnd, lo, hi });
      }
    }
  }

  if (!brushing) return { brushing: false, brushingOrders: 0, suspiciousBuyers: [], topCount: 0, maxRate, periods: [] };

  const perBuyer = new Int32Array(buyerNames.length);
  let brushingOrders = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    run += cover[i]!;
    if (run > 0) {
      brushingOrders++;
      perBuyer[buyerIdx[i]!]!++;
    }
  }

  let topCount = 0;
  for (let b = 0; b < perBuyer.length; b++) if (perBuyer[b]! > topCount) topCount = perBuyer[b]!;
  const suspiciousBuyers: string[] = [];
  for (let b = 0; b < perBuyer.length; b++) if (perBuyer[b] === topCount) suspiciousBuyers.push(buyerNames[b]!);
  suspiciousBuyers.sort(compareBuyerIds);
  return {
    brushing: true,
    brushingOrders,
    suspiciousBuyers,
    topCount,
    maxRate,
    periods: periods.map((p) => ({ start: p.start, end: p.end, orders: p.hi - p.lo })),
  };
}
