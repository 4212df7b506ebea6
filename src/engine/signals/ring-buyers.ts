/**
 * The ring detector's buyers: per buyer its degree, latest purchase time and a capped list of
 * recent sellers with, for each, the time of the latest purchase and of the co-buy episode it
 * last counted in. Up to hundreds of thousands of them, so they live in one open-addressing table
 * of typed arrays keyed by a 64-bit fingerprint of the buyer id (no id strings, no object per
 * buyer), the first seller inline and a list only for buyers of two sellers or more: 33 bytes per
 * table entry, the table at most three quarters full, instead of ~300 bytes per buyer for a Map
 * entry, the key string, an entry object and three arrays.
 *
 * Capacity works like the detector's other maps: two generations, an O(1) approximation of LRU.
 * A touched or new buyer is in the current generation; when that holds `half` buyers it becomes
 * the previous one and the old previous generation is dropped (its entries are marked deleted
 * and purged by the next rebuild). Which buyers are kept is therefore exactly what the Map-based
 * generations kept.
 */
import { fingerprint64 } from '../sketch/hash.js';

/**
 * Sellers of a buyer with two or more: one array holding first the sellers' times, interleaved
 * (latest purchase, episode, latest purchase, …), then the seller ids. Two arrays of exact size
 * and the times unboxed in a double array: 152 bytes for two sellers, where an object with three
 * arrays, whose times V8 boxed one by one, took about 300.
 */
export type SellerList = [number[], ...string[]];

/** One buyer in snapshot form: fingerprint halves, sellers, times, episodes, degree, last. */
export type BuyerRow = [number, number, string[], number[], number[], number, number];

const MIN_CAPACITY = 256;
/** gen of an empty slot, and of a deleted entry (swept, or in a dropped generation). */
const EMPTY = 0;
const DELETED = 1;
/** The two generations are 2 and 3 in turn: a dropped generation's entries are marked deleted at once. */
const FIRST_GEN = 2;

const fp = new Int32Array(2);
/**
 * Buyer times are kept in 6 bytes, the high 16 and low 32 bits of a whole number of ms: exact for
 * every valid event time (whole ms in [MIN_TIME_MS, MAX_TIME_MS], validate.ts, below 2⁴²). A
 * Uint32Array store takes the value mod 2³², a Uint16Array one the integer part of t / 2³².
 */
const TWO32 = 2 ** 32;

export class BuyerTable {
  private cap = MIN_CAPACITY;
  /** cap / 2³²: an entry's home slot is the high part of lo × cap, for any capacity (not only powers of two). */
  private scale = MIN_CAPACITY / 2 ** 32;
  private hi = new Int32Array(MIN_CAPACITY);
  private lo = new Int32Array(MIN_CAPACITY);
  /** Generation of the entry: the current one is `g`, the previous `g ^ 1`; or EMPTY, DELETED. */
  private gen = new Uint8Array(MIN_CAPACITY);
  /** Per entry (by slot index, valid until the next add()): latest purchase time (lastOf), degree, sellers. */
  private lastLo = new Uint32Array(MIN_CAPACITY);
  private lastHi = new Uint16Array(MIN_CAPACITY);
  deg = new Int32Array(MIN_CAPACITY);
  /**
   * The sellers: null for none, the id itself for the only one, a list from the second on (so
   * their count needs no column). One slot for both forms saves 8 bytes per entry. The only
   * seller's latest purchase is the buyer's (`lastOf`: every purchase since the buyer's start was
   * there), so only its episode has a column.
   */
  sel: (string | SellerList | null)[] = new Array<string | SellerList | null>(MIN_CAPACITY).fill(null);
  private e0Lo = new Uint32Array(MIN_CAPACITY);
  private e0Hi = new Uint16Array(MIN_CAPACITY);

  private g = FIRST_GEN;
  private curCount = 0;
  private prevCount = 0;
  /** Entries not empty: live or deleted. */
  private used = 0;

  constructor(private readonly half: number) {}

  get size(): number {
    return this.curCount + this.prevCount;
  }

  /** Table slots (for tests and the bench: the table's memory is about 33 bytes a slot). */
  get slots(): number {
    return this.cap;
  }

  private home(l: number): number {
    return ((l >>> 0) * this.scale) | 0;
  }

  /** Slot of the buyer, moving it into the current generation; -1 if not tracked. */
  get(buyerId: string): number {
    fingerprint64(buyerId, fp);
    const h = fp[0]!;
    const l = fp[1]!;
    const { hi, lo, gen, cap, g } = this;
    for (let j = this.home(l); gen[j] !== EMPTY; j = j + 1 === cap ? 0 : j + 1) {
      if (hi[j] !== h || lo[j] !== l) continue;
      const gj = gen[j]!;
      if (gj === g) return j;
      if (gj !== DELETED) {
        gen[j] = g;
        this.prevCount--;
        this.bump();
        return j;
      }
    }
    return -1;
  }

  /** Adds a buyer not tracked (get() returned -1) with no sellers; returns its slot. */
  add(buyerId: string, last: number): number {
    fingerprint64(buyerId, fp);
    const j = this.insert(fp[0]!, fp[1]!, this.g);
    this.setLast(j, last);
    this.bump();
    return j;
  }

  /** Writes an empty entry of generation g; the caller counts it. */
  private insert(h: number, l: number, g: number): number {
    if ((this.used + 1) * 4 > this.cap * 3) this.rebuild();
    const { gen, cap } = this;
    let j = this.home(l);
    while (gen[j]! > DELETED) j = j + 1 === cap ? 0 : j + 1;
    if (gen[j] === EMPTY) this.used++;
    this.hi[j] = h;
    this.lo[j] = l;
    gen[j] = g;
    this.setLast(j, 0);
    this.deg[j] = 0;
    this.sel[j] = null;
    return j;
  }

  /** One more buyer in the current generation: at `half`, it becomes the previous one. */
  private bump(): void {
    if (++this.curCount < this.half) return;
    // The previous generation is dropped; its label becomes the new current one's.
    const dropped = this.g ^ 1;
    const { gen, sel } = this;
    for (let j = 0; j < gen.length; j++)
      if (gen[j] === dropped) {
        gen[j] = DELETED;
        sel[j] = null;
      }
    this.g = dropped;
    this.prevCount = this.curCount;
    this.curCount = 0;
  }

  /** The buyer's latest purchase time. */
  lastOf(j: number): number {
    return this.lastHi[j]! * TWO32 + this.lastLo[j]!;
  }

  setLast(j: number, t: number): void {
    this.lastLo[j] = t;
    this.lastHi[j] = t / TWO32;
  }

  /** Raises the buyer's latest purchase time to t. */
  raiseLast(j: number, t: number): void {
    if (t > this.lastOf(j)) this.setLast(j, t);
  }

  private episode0(j: number): number {
    return this.e0Hi[j]! * TWO32 + this.e0Lo[j]!;
  }

  private setEpisode0(j: number, t: number): void {
    this.e0Lo[j] = t;
    this.e0Hi[j] = t / TWO32;
  }

  private listOf(j: number): SellerList | null {
    const v = this.sel[j];
    return typeof v === 'object' ? v : null;
  }

  /** Number of sellers of the buyer. */
  count(j: number): number {
    const v = this.sel[j];
    return v === null || v === undefined ? 0 : typeof v === 'string' ? 1 : v.length - 1;
  }

  /** Index of seller x among the buyer's sellers, or -1. */
  find(j: number, x: string): number {
    const v = this.sel[j];
    if (typeof v === 'string') return v === x ? 0 : -1;
    if (v === null || v === undefined) return -1;
    const k = v.indexOf(x, 1);
    return k < 0 ? -1 : k - 1;
  }

  seller(j: number, i: number): string {
    const v = this.sel[j];
    return typeof v === 'string' ? v : (v![i + 1] as string);
  }

  time(j: number, i: number): number {
    const list = this.listOf(j);
    return list !== null ? list[0][2 * i]! : this.lastOf(j);
  }

  setTime(j: number, i: number, t: number): void {
    const list = this.listOf(j);
    if (list !== null) list[0][2 * i] = t;
    else this.setLast(j, t);
  }

  episode(j: number, i: number): number {
    const list = this.listOf(j);
    return list !== null ? list[0][2 * i + 1]! : this.episode0(j);
  }

  setEpisode(j: number, i: number, t: number): void {
    const list = this.listOf(j);
    if (list !== null) list[0][2 * i + 1] = t;
    else this.setEpisode0(j, t);
  }

  /** Appends seller x (latest purchase and episode at t); returns its index. */
  append(j: number, x: string, t: number): number {
    const v = this.sel[j];
    if (v === null || v === undefined) {
      this.sel[j] = x;
      this.raiseLast(j, t);
      this.setEpisode0(j, t);
      return 0;
    }
    if (typeof v === 'string') {
      this.sel[j] = [[this.lastOf(j), this.episode0(j), t, t], v, x];
      return 1;
    }
    // Exact-size arrays: V8 gives arrays grown by push up to 16 spare slots.
    const k = v.length - 1;
    const list = new Array<number[] | string>(k + 2) as SellerList;
    list[0] = appendTimes(v[0], t);
    for (let i = 1; i <= k; i++) list[i] = v[i]!;
    list[k + 1] = x;
    this.sel[j] = list;
    return k;
  }

  /** Drops the seller with the oldest latest purchase (the first of equals); only with a list. */
  removeOldest(j: number): void {
    const list = this.listOf(j)!;
    const times = list[0];
    let oldest = 0;
    for (let i = 2; i < times.length; i += 2) if (times[i]! < times[oldest]!) oldest = i;
    times.splice(oldest, 2);
    list.splice(oldest / 2 + 1, 1);
  }

  /** Forgets the buyer's sellers and degree (back after a long pause). */
  reset(j: number): void {
    this.deg[j] = 0;
    this.sel[j] = null;
  }

  /** Deletes every live buyer whose latest purchase is before `from`. */
  sweep(from: number): void {
    for (let j = 0; j < this.cap; j++) {
      if (this.gen[j]! <= DELETED || this.lastOf(j) >= from) continue;
      if (this.gen[j] === this.g) this.curCount--;
      else this.prevCount--;
      this.gen[j] = DELETED;
      this.sel[j] = null;
    }
  }

  maxSellersOfABuyer(): number {
    let m = 0;
    for (let j = 0; j < this.cap; j++) if (this.gen[j]! > DELETED) m = Math.max(m, this.count(j));
    return m;
  }

  /** Snapshot rows [older generation, newer generation], each sorted by fingerprint (history-independent). */
  dump(): [BuyerRow[], BuyerRow[]] {
    const prev: BuyerRow[] = [];
    const cur: BuyerRow[] = [];
    for (let j = 0; j < this.cap; j++) {
      if (this.gen[j]! <= DELETED) continue;
      const v = this.sel[j];
      const s: string[] = [];
      const t: number[] = [];
      const e: number[] = [];
      if (typeof v === 'string') {
        s.push(v);
        t.push(this.lastOf(j));
        e.push(this.episode0(j));
      } else if (v !== null && v !== undefined)
        for (let i = 1; i < v.length; i++) {
          s.push(v[i] as string);
          t.push(v[0][2 * i - 2]!);
          e.push(v[0][2 * i - 1]!);
        }
      (this.gen[j] === this.g ? cur : prev).push([this.hi[j]!, this.lo[j]!, s, t, e, this.deg[j]!, this.lastOf(j)]);
    }
    const byFp = (a: BuyerRow, b: BuyerRow) => a[0] - b[0] || a[1] - b[1];
    return [prev.sort(byFp), cur.sort(byFp)];
  }

  /** Replaces the content with snapshot rows (fingerprints given, or ids to fingerprint). */
  load(prev: readonly BuyerRow[], cur: readonly BuyerRow[]): void {
    this.resize(MIN_CAPACITY);
    this.used = 0;
    this.g = FIRST_GEN;
    this.curCount = 0;
    this.prevCount = 0;
    for (const [rows, g] of [
      [prev, FIRST_GEN ^ 1],
      [cur, FIRST_GEN],
    ] as const)
      for (const [h, l, s, t, e, d, last] of rows) {
        const j = this.insert(h, l, g);
        if (g === FIRST_GEN) this.curCount++;
        else this.prevCount++;
        this.setLast(j, last);
        this.deg[j] = d;
        // A one-seller row's time is the buyer's `last` (the two are equal in every snapshot).
        if (s.length === 1) {
          this.sel[j] = s[0]!;
          this.setEpisode0(j, e[0]!);
        } else if (s.length > 1) {
          const times = new Array<number>(2 * s.length);
          for (let i = 0; i < s.length; i++) {
            times[2 * i] = t[i]!;
            times[2 * i + 1] = e[i]!;
          }
          this.sel[j] = [times, ...s];
        }
      }
  }

  /** Whether the table keeps time t exactly (whole ms in [0, 2⁴⁸): every valid event time). */
  static keeps(t: number): boolean {
    return Number.isInteger(t) && t >= 0 && t < 2 ** 48;
  }

  /** Fingerprint of a buyer id, for restoring snapshots that name buyers by id. */
  static fingerprint(buyerId: string): [number, number] {
    fingerprint64(buyerId, fp);
    return [fp[0]!, fp[1]!];
  }

  private resize(cap: number): void {
    this.cap = cap;
    this.scale = cap / 2 ** 32;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.gen = new Uint8Array(cap);
    this.lastLo = new Uint32Array(cap);
    this.lastHi = new Uint16Array(cap);
    this.deg = new Int32Array(cap);
    this.sel = new Array<string | SellerList | null>(cap).fill(null);
    this.e0Lo = new Uint32Array(cap);
    this.e0Hi = new Uint16Array(cap);
  }

  /**
   * Re-inserts the live entries (purging the deleted) into a table where they fill half, but no
   * bigger than the most buyers the generations hold (2 × half) need at three quarters full: a
   * table sized for the peak stays there instead of doubling at every rebuild near the cap.
   */
  private rebuild(): void {
    const { hi, lo, gen, lastLo, lastHi, deg, sel, e0Lo, e0Hi } = this;
    const need = this.size + 1;
    // A snapshot taken with a bigger cap may hold more than 2 × half: then room for what it holds.
    this.resize(Math.max(MIN_CAPACITY, Math.min(2 * need, Math.ceil((8 * this.half) / 3)), Math.ceil((4 * need) / 3)));
    for (let j = 0; j < gen.length; j++) {
      if (gen[j]! <= DELETED) continue;
      let k = this.home(lo[j]!);
      while (this.gen[k] !== EMPTY) k = k + 1 === this.cap ? 0 : k + 1;
      this.hi[k] = hi[j]!;
      this.lo[k] = lo[j]!;
      this.gen[k] = gen[j]!;
      this.lastLo[k] = lastLo[j]!;
      this.lastHi[k] = lastHi[j]!;
      this.deg[k] = deg[j]!;
      this.sel[k] = sel[j]!;
      this.e0Lo[k] = e0Lo[j]!;
      this.e0Hi[k] = e0Hi[j]!;
    }
    this.used = this.size;
  }
}

/** `a` plus one seller's times (latest purchase and episode at t) in a new double array of exact size. */
function appendTimes(a: readonly number[], t: number): number[] {
  const out = new Array<number>(a.length + 2);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  out[a.length] = t;
  out[a.length + 1] = t;
  return out;
}
