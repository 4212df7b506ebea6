/**
 * What the engine keeps per seller: the cheap shared aggregates behind SellerContext (orders per
 * bucket over the last 24 h, a daily-orders EWMA), each signal's state (created on the seller's
 * first event for that signal, `null` before), the open incident, and bookkeeping for eviction,
 * bucket membership and the changelog. Fixed size apart from the signals' own (capped) state.
 */
import { DAY_MS } from './config.js';
import type { Incident } from './lifecycle.js';
import type { SellerContext } from './types.js';

export interface SellerSnapshot {
  readonly lastEventTime: number;
  readonly firstEventTime: number;
  readonly counts: readonly number[];
  readonly countsBucket: number;
  readonly day: number;
  readonly ordersToday: number;
  readonly ewma: number;
  readonly daysCompleted: number;
  readonly lateEvents: number;
  readonly mark: number;
  /** Signal states by signal name (null: not created yet). */
  readonly signals: Readonly<Record<string, unknown>>;
  readonly incident: Incident | null;
}

/** Bits below a packed sparse count: the bucket's position in the day (see SellerState.counts). */
function sparseShift(bucketsPerDay: number): number {
  return 32 - Math.clz32(bucketsPerDay - 1);
}

/** b mod n for bucket numbers, without % on a double (a C call in V8). */
function posInDay(b: number, n: number): number {
  return b - Math.floor(b / n) * n;
}

/** Packed entries stay below 2^30, small integers (Smis) on every V8 build. */
const SPARSE_LIMIT = 2 ** 30;

/**
 * SellerState.counts begins with the seller's latest and first event times and its daily-orders
 * EWMA, then holds the counts from index HEAD on. As fields these were three boxed doubles (a time
 * in ms is past 2^31), 16 bytes each besides the field; in the array of numbers the seller keeps
 * anyway they take 8 bytes each.
 */
const LAST = 0;
const FIRST = 1;
const EWMA = 2;
const HEAD = 3;

/**
 * SellerState.flags: these bits, bucketsPerDay above them (at most 86,400,000 · 8, a small
 * integer on every V8 build). Three booleans and a number were four fields, 24 bytes more per seller.
 */
const DENSE = 1;
const DIRTY = 2;
const EVICTED = 4;
const FLAG_BITS = 3;

/** SellerContext as the engine fills it, one object reused over evaluations. */
export type MutableContext = { -readonly [K in keyof SellerContext]: SellerContext[K] };

export function newContext(): MutableContext {
  return { sellerId: '', at: 0, bucketMs: 0, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 0, historyDays: 0 };
}

export class SellerState {
  /**
   * PLACED orders per bucket over the last day (bucketsPerDay buckets). Sparse while they fall in
   * fewer than half of them: one small integer per bucket, count · 2^k + (bucket mod
   * bucketsPerDay) with 2^k ≥ bucketsPerDay (see sparseShift), by ascending bucket in the first
   * sparseLength entries, the array growing 2, 4, 8… (most sellers order in a few hours of a day;
   * a [bucket, count] pair per entry took twice the memory). All of them lie in the day ending
   * with countsBucket, which gives the full bucket number back. Dense beyond, or for a count too
   * big to pack: a ring indexed by bucket number mod bucketsPerDay, the snapshot's form. All of
   * them after the HEAD numbers (see LAST).
   */
  private counts: number[] = [0, 0, 0, 0, 0];
  sparseLength = 0;
  /** Bucket number of the newest bucket counted; -1 before the first order. */
  countsBucket = -1;
  day = -1;
  ordersToday = 0;
  daysCompleted = 0;
  /** Events of this seller that arrived after the watermark had passed them (not windowed). */
  lateEvents = 0;
  /**
   * Number (end ÷ bucketMs) of the bucket this seller was last scheduled for evaluation in, -1 for
   * none: a small integer, where the end time was a boxed double read on every event.
   */
  mark = -1;
  /**
   * Signals (bit i: signal i, the first 31) whose last evaluation found nothing and that have not
   * observed an event since that could change that (observe did not return true), and the bucket
   * (end ÷ bucketMs) before which all of them stay quiet (the earliest of their quietUntil). Not
   * snapshotted: a restored seller evaluates everything.
   */
  quiet = 0;
  quietBucket = 0;
  incident: Incident | null = null;
  readonly states: unknown[];
  private flags: number;

  constructor(
    readonly sellerId: string,
    signalCount: number,
    bucketsPerDay: number,
  ) {
    this.states = new Array<unknown>(signalCount).fill(null);
    // A shift, not a multiplication by 2 ** FLAG_BITS: that is a double, boxed until V8 optimises this.
    this.flags = bucketsPerDay << FLAG_BITS;
  }

  get lastEventTime(): number {
    return this.counts[LAST]!;
  }

  set lastEventTime(t: number) {
    this.counts[LAST] = t;
  }

  get firstEventTime(): number {
    return this.counts[FIRST]!;
  }

  set firstEventTime(t: number) {
    this.counts[FIRST] = t;
  }

  /** EWMA of the seller's orders per completed day. */
  get ewma(): number {
    return this.counts[EWMA]!;
  }

  set ewma(v: number) {
    this.counts[EWMA] = v;
  }

  /** Whether the counts are the dense ring (see counts). */
  get dense(): boolean {
    return (this.flags & DENSE) !== 0;
  }

  /** Changed since the engine last collected its changelog. */
  get dirty(): boolean {
    return (this.flags & DIRTY) !== 0;
  }

  set dirty(v: boolean) {
    this.flags = v ? this.flags | DIRTY : this.flags & ~DIRTY;
  }

  /** Set when the engine drops this state, so stale references (bucket lists) skip it. */
  get evicted(): boolean {
    return (this.flags & EVICTED) !== 0;
  }

  set evicted(v: boolean) {
    this.flags = v ? this.flags | EVICTED : this.flags & ~EVICTED;
  }

  private get bucketsPerDay(): number {
    return this.flags >>> FLAG_BITS;
  }

  /** Counts one PLACED order at time t (events arrive in canonical order). */
  countOrder(t: number, bucketMs: number, alpha: number): void {
    // Kept small so that V8 inlines it into the engine's apply(): a call boxed t and alpha, two
    // 16-byte heap numbers per order.
    const b = Math.floor(t / bucketMs);
    if (!this.dense) this.countSparse(b);
    if (this.dense) this.countDense(b);
    const d = Math.floor(t / DAY_MS);
    if (d !== this.day) this.rollDay(d, alpha);
    this.ordersToday++;
  }

  /** countOrder on the dense ring. */
  private countDense(b: number): void {
    const c = this.counts;
    const n = c.length - HEAD;
    if (b > this.countsBucket) {
      const from = Math.max(this.countsBucket + 1, b - n + 1);
      for (let i = from; i <= b; i++) c[HEAD + (i % n)] = 0;
      this.countsBucket = b;
    }
    c[HEAD + (b % n)]!++;
  }

  /** countOrder on the sparse form; turns dense instead when that no longer fits it. */
  private countSparse(b: number): void {
    const c = this.counts;
    const len = this.sparseLength;
    const n = this.bucketsPerDay;
    const shift = sparseShift(n);
    if (b === this.countsBucket) {
      const v = c[HEAD + len - 1]! + (1 << shift);
      if (v >= SPARSE_LIMIT) return this.densify();
      c[HEAD + len - 1] = v;
      return;
    }
    // An older bucket than the newest does not occur in canonical order: the ring handles it.
    if (b < this.countsBucket) return this.densify();
    // Buckets that leave the day ending with b.
    const oldest = b - n + 1;
    const mask = (1 << shift) - 1;
    const newestPos = posInDay(this.countsBucket, n);
    const base = this.countsBucket - newestPos;
    let from = 0;
    while (from < len) {
      const pos = c[HEAD + from]! & mask;
      if (base + pos - (pos > newestPos ? n : 0) >= oldest) break;
      from++;
    }
    const keep = len - from;
    if (2 * keep >= n) return this.densify();
    // Written in place: a new array per new bucket cost more (promotion, write barriers) than it saved.
    let into = c;
    if (HEAD + keep + 1 > c.length) {
      into = new Array<number>(HEAD + Math.max(keep + 1, Math.min(2 * (c.length - HEAD), Math.ceil(n / 2)))).fill(0);
      for (let i = 0; i < HEAD; i++) into[i] = c[i]!;
      this.counts = into;
    }
    for (let i = 0; i < keep; i++) into[HEAD + i] = c[HEAD + from + i]!;
    into[HEAD + keep] = (1 << shift) | posInDay(b, n);
    this.sparseLength = keep + 1;
    this.countsBucket = b;
  }

  /** The current counts as the dense ring, after the HEAD numbers if `head` (else a copy of the ring alone). */
  private ring(head: boolean): number[] {
    const n = this.bucketsPerDay;
    const c = this.counts;
    const at = head ? HEAD : 0;
    if (this.dense) return c.slice(HEAD - at);
    const ring = new Array<number>(at + n).fill(0);
    for (let i = 0; i < at; i++) ring[i] = c[i]!;
    const shift = sparseShift(n);
    for (let i = 0; i < this.sparseLength; i++) ring[at + (c[HEAD + i]! & ((1 << shift) - 1))] = c[HEAD + i]! >>> shift;
    return ring;
  }

  private densify(): void {
    this.counts = this.ring(true);
    this.flags |= DENSE;
  }

  /** Folds completed days into the EWMA (empty days decay it) and starts day `d`. */
  rollDay(d: number, alpha: number): void {
    if (d <= this.day) return;
    if (this.day >= 0) {
      this.ewma = this.daysCompleted === 0 ? this.ordersToday : alpha * this.ordersToday + (1 - alpha) * this.ewma;
      this.daysCompleted++;
      // Empty days in between; past ~400 of them the baseline is gone anyway.
      const gap = Math.min(d - this.day - 1, 400);
      for (let i = 0; i < gap; i++) this.ewma *= 1 - alpha;
      this.daysCompleted += d - this.day - 1;
    }
    this.day = d;
    this.ordersToday = 0;
  }

  /**
   * The shared aggregates as of the end of the bucket ending at `at`, written into `into` (the
   * engine passes one object for every evaluation, so closing a bucket allocates no context).
   */
  context(at: number, bucketMs: number, alpha: number, into: MutableContext = newContext()): SellerContext {
    const closing = at / bucketMs - 1;
    // At a day boundary the day just ended is complete and joins the baseline.
    if (this.day >= 0) this.rollDay(Math.floor(at / DAY_MS), alpha);
    const c = this.counts;
    let orders24h = 0;
    let ordersInBucket = 0;
    if (this.dense) {
      const n = c.length - HEAD;
      const newest = Math.min(this.countsBucket, closing);
      for (let b = Math.max(newest - n + 1, closing - n + 1, 0); b <= newest; b++) orders24h += c[HEAD + (b % n)]!;
      if (this.countsBucket === closing) ordersInBucket = c[HEAD + (closing % n)]!;
    } else {
      // Every entry is within the day ending with countsBucket: keep those of the day ending with closing.
      // An entry's bucket is the one at its position in the day ending with countsBucket.
      const n = this.bucketsPerDay;
      const oldest = closing - n + 1;
      const shift = sparseShift(n);
      const mask = (1 << shift) - 1;
      const newestPos = posInDay(this.countsBucket, n);
      const base = this.countsBucket - newestPos;
      for (let i = HEAD; i < HEAD + this.sparseLength; i++) {
        const pos = c[i]! & mask;
        const b = base + pos - (pos > newestPos ? n : 0);
        if (b >= oldest && b <= closing) orders24h += c[i]! >>> shift;
      }
      if (this.countsBucket === closing) ordersInBucket = c[HEAD + this.sparseLength - 1]! >>> shift;
    }
    into.sellerId = this.sellerId;
    into.at = at;
    into.bucketMs = bucketMs;
    into.ordersInBucket = ordersInBucket;
    into.orders24h = orders24h;
    into.dailyOrdersEwma = this.ewma;
    into.historyDays = Math.floor((at - this.firstEventTime) / DAY_MS);
    return into;
  }

  snapshot(signalNames: readonly string[]): SellerSnapshot {
    const signals: Record<string, unknown> = {};
    signalNames.forEach((name, i) => (signals[name] = this.states[i] ?? null));
    return {
      lastEventTime: this.lastEventTime,
      firstEventTime: this.firstEventTime,
      counts: this.ring(false),
      countsBucket: this.countsBucket,
      day: this.day,
      ordersToday: this.ordersToday,
      ewma: this.ewma,
      daysCompleted: this.daysCompleted,
      lateEvents: this.lateEvents,
      mark: this.mark < 0 ? this.mark : (this.mark * DAY_MS) / this.bucketsPerDay,
      signals: JSON.parse(JSON.stringify(signals)) as Record<string, unknown>,
      incident: this.incident,
    };
  }

  /** Takes the snapshot's ring, sparse when few of its buckets hold orders. */
  private restoreCounts(ring: readonly number[], newest: number): void {
    const n = this.bucketsPerDay;
    const shift = sparseShift(n);
    const sparse: number[] = [];
    let fits = true;
    for (let b = Math.max(newest - n + 1, 0); b <= newest; b++) {
      const count = ring[b % n]!;
      if (count === 0) continue;
      if (count >= SPARSE_LIMIT >>> shift) fits = false;
      sparse.push(count * 2 ** shift + (b % n));
    }
    const head = this.counts.slice(0, HEAD);
    // The newest bucket must lead the sparse form (as after countOrder): else the ring is kept.
    if (fits && 2 * sparse.length < n && ring[newest % n] !== 0) {
      this.counts = [...head, ...sparse];
      this.sparseLength = sparse.length;
    } else {
      this.counts = [...head, ...ring];
      this.flags |= DENSE;
    }
    this.countsBucket = newest;
  }

  /**
   * `revive(i, saved)`: signal i's state in the current layout (see SellerSignal.revive), given a
   * copy of the saved one; absent, the states are taken as they are.
   */
  static fromSnapshot(
    sellerId: string,
    s: SellerSnapshot,
    signalNames: readonly string[],
    bucketsPerDay: number,
    revive?: (i: number, saved: unknown) => unknown,
  ): SellerState {
    const st = new SellerState(sellerId, signalNames.length, bucketsPerDay);
    st.lastEventTime = s.lastEventTime;
    st.firstEventTime = s.firstEventTime;
    if (s.counts.length === bucketsPerDay && s.countsBucket >= 0) st.restoreCounts(s.counts, s.countsBucket);
    st.day = s.day;
    st.ordersToday = s.ordersToday;
    st.ewma = s.ewma;
    st.daysCompleted = s.daysCompleted;
    st.lateEvents = s.lateEvents;
    // Floored (exact already) to keep the field a small integer, as Engine.apply does.
    st.mark = s.mark < 0 ? s.mark : Math.floor((s.mark * bucketsPerDay) / DAY_MS);
    signalNames.forEach((name, i) => {
      const saved = structuredClone(s.signals[name] ?? null);
      st.states[i] = saved === null || revive === undefined ? saved : revive(i, saved);
    });
    st.incident = s.incident;
    return st;
  }
}
