/**
 * The ring detector's buyers: per buyer its degree, latest purchase time and a capped list of
 * recent sellers with, for each, the time of the latest purchase and of the co-buy episode it
 * last counted in. Up to hundreds of thousands of them, so they live in one open-addressing table
 * of typed arrays keyed by a 64-bit fingerprint of the buyer id (no id strings, no object per
 * buyer), the first seller inline and a list object only for buyers of two sellers or more:
 * 41 bytes per table entry, the table a quarter to three quarters full, instead of ~300 bytes per
 * buyer for a Map entry, the key string, an entry object and three arrays.
 *
 * Capacity works like the detector's other maps: two generations, an O(1) approximation of LRU.
 * A touched or new buyer is in the current generation; when that holds `half` buyers it becomes
 * the previous one and the old previous generation is dropped (its entries are only marked dead
 * and purged by the next rebuild). Which buyers are kept is therefore exactly what the Map-based
 * generations kept.
 */
import { fingerprint64 } from '../sketch/hash.js';

/** Sellers of a buyer with two or more: parallel exact-size arrays. */
export interface SellerList {
  s: string[];
  t: number[];
  e: number[];
}

/** One buyer in snapshot form: fingerprint halves, sellers, times, episodes, degree, last. */
export type BuyerRow = [number, number, string[], number[], number[], number, number];

const MIN_CAPACITY = 256;
/** gen value of an entry deleted by a sweep (generations start at 1; 0 is never used). */
const DELETED = -1;

const fp = new Int32Array(2);

export class BuyerTable {
  private mask = MIN_CAPACITY - 1;
  private hi = new Int32Array(MIN_CAPACITY);
  private lo = new Int32Array(MIN_CAPACITY);
  /** Generation of the entry: the current one is `g`, the previous `g - 1`; older ones are dead. */
  private gen = new Int32Array(MIN_CAPACITY);
  /** Per entry (by slot index, valid until the next add()): latest purchase time, degree, sellers. */
  last = new Float64Array(MIN_CAPACITY);
  deg = new Int32Array(MIN_CAPACITY);
  n = new Uint8Array(MIN_CAPACITY);
  /**
   * The sellers: null for none, the id itself for the only one, a list from the second on. One
   * slot for both forms saves 8 bytes per entry. The only seller's latest purchase is the buyer's
   * (`last`: every purchase since the buyer's start was there), so only its episode has a column.
   */
  sel: (string | SellerList | null)[] = new Array<string | SellerList | null>(MIN_CAPACITY).fill(null);
  e0 = new Float64Array(MIN_CAPACITY);

  private g = 1;
  private curCount = 0;
  private prevCount = 0;
  /** Entries not empty: live, dead or deleted. */
  private used = 0;

  constructor(private readonly half: number) {}

  get size(): number {
    return this.curCount + this.prevCount;
  }

  private live(j: number): boolean {
    const gj = this.gen[j]!;
    return gj === this.g || (gj === this.g - 1 && gj > 0);
  }

  /** Slot of the buyer, moving it into the current generation; -1 if not tracked. */
  get(buyerId: string): number {
    fingerprint64(buyerId, fp);
    const h = fp[0]!;
    const l = fp[1]!;
    const { hi, lo, gen, mask } = this;
    for (let j = l & mask; gen[j] !== 0; j = (j + 1) & mask) {
      if (hi[j] !== h || lo[j] !== l) continue;
      const gj = gen[j]!;
      if (gj === this.g) return j;
      if (gj === this.g - 1) {
        gen[j] = this.g;
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
    this.last[j] = last;
    this.bump();
    return j;
  }

  /** Writes an empty entry of generation g; the caller counts it. */
  private insert(h: number, l: number, g: number): number {
    if ((this.used + 1) * 4 > this.gen.length * 3) this.rebuild();
    const { gen, mask } = this;
    let j = l & mask;
    while (gen[j] !== 0 && this.live(j)) j = (j + 1) & mask;
    if (gen[j] === 0) this.used++;
    this.hi[j] = h;
    this.lo[j] = l;
    gen[j] = g;
    this.last[j] = 0;
    this.deg[j] = 0;
    this.n[j] = 0;
    this.sel[j] = null;
    return j;
  }

  /** One more buyer in the current generation: at `half`, it becomes the previous one. */
  private bump(): void {
    if (++this.curCount < this.half) return;
    this.g++;
    this.prevCount = this.curCount;
    this.curCount = 0;
  }

  /** Index of seller x among the buyer's sellers, or -1. */
  private listOf(j: number): SellerList | null {
    const v = this.sel[j];
    return typeof v === 'object' ? v : null;
  }

  find(j: number, x: string): number {
    const v = this.sel[j];
    if (typeof v === 'string') return v === x ? 0 : -1;
    return v === null || v === undefined ? -1 : v.s.indexOf(x);
  }

  seller(j: number, i: number): string {
    const v = this.sel[j];
    return typeof v === 'string' ? v : v!.s[i]!;
  }

  time(j: number, i: number): number {
    const list = this.listOf(j);
    return list !== null ? list.t[i]! : this.last[j]!;
  }

  setTime(j: number, i: number, t: number): void {
    const list = this.listOf(j);
    if (list !== null) list.t[i] = t;
    else this.last[j] = t;
  }

  episode(j: number, i: number): number {
    const list = this.listOf(j);
    return list !== null ? list.e[i]! : this.e0[j]!;
  }

  setEpisode(j: number, i: number, t: number): void {
    const list = this.listOf(j);
    if (list !== null) list.e[i] = t;
    else this.e0[j] = t;
  }

  /** Appends seller x (latest purchase and episode at t); returns its index. */
  append(j: number, x: string, t: number): number {
    const k = this.n[j]!;
    if (k === 0) {
      this.sel[j] = x;
      if (t > this.last[j]!) this.last[j] = t;
      this.e0[j] = t;
    } else {
      const v = this.sel[j]!;
      let list: SellerList;
      if (typeof v === 'string') {
        list = { s: [v], t: [this.last[j]!], e: [this.e0[j]!] };
        this.sel[j] = list;
      } else list = v;
      // Exact-size arrays: V8 gives arrays grown by push up to 16 spare slots.
      list.s = append(list.s, x);
      list.t = append(list.t, t);
      list.e = append(list.e, t);
    }
    this.n[j] = k + 1;
    return k;
  }

  /** Drops the seller with the oldest latest purchase (the first of equals); only with a list. */
  removeOldest(j: number): void {
    const list = this.listOf(j)!;
    let oldest = 0;
    for (let i = 1; i < list.t.length; i++) if (list.t[i]! < list.t[oldest]!) oldest = i;
    list.s.splice(oldest, 1);
    list.t.splice(oldest, 1);
    list.e.splice(oldest, 1);
    this.n[j]!--;
  }

  /** Forgets the buyer's sellers and degree (back after a long pause). */
  reset(j: number): void {
    this.n[j] = 0;
    this.deg[j] = 0;
    this.sel[j] = null;
  }

  /** Deletes every live buyer whose latest purchase is before `from`. */
  sweep(from: number): void {
    for (let j = 0; j < this.gen.length; j++) {
      if (this.gen[j] === 0 || !this.live(j) || this.last[j]! >= from) continue;
      if (this.gen[j] === this.g) this.curCount--;
      else this.prevCount--;
      this.gen[j] = DELETED;
      this.sel[j] = null;
    }
  }

  maxSellersOfABuyer(): number {
    let m = 0;
    for (let j = 0; j < this.gen.length; j++) if (this.gen[j] !== 0 && this.live(j) && this.n[j]! > m) m = this.n[j]!;
    return m;
  }

  /** Snapshot rows [older generation, newer generation], each sorted by fingerprint (history-independent). */
  dump(): [BuyerRow[], BuyerRow[]] {
    const prev: BuyerRow[] = [];
    const cur: BuyerRow[] = [];
    for (let j = 0; j < this.gen.length; j++) {
      if (this.gen[j] === 0 || !this.live(j)) continue;
      const k = this.n[j]!;
      const list = this.listOf(j);
      const one = this.sel[j];
      const s = list !== null ? [...list.s] : typeof one === 'string' ? [one] : [];
      const t = list !== null ? [...list.t] : k === 1 ? [this.last[j]!] : [];
      const e = list !== null ? [...list.e] : k === 1 ? [this.e0[j]!] : [];
      (this.gen[j] === this.g ? cur : prev).push([this.hi[j]!, this.lo[j]!, s, t, e, this.deg[j]!, this.last[j]!]);
    }
    const byFp = (a: BuyerRow, b: BuyerRow) => a[0] - b[0] || a[1] - b[1];
    return [prev.sort(byFp), cur.sort(byFp)];
  }

  /** Replaces the content with snapshot rows (fingerprints given, or ids to fingerprint). */
  load(prev: readonly BuyerRow[], cur: readonly BuyerRow[]): void {
    this.mask = MIN_CAPACITY - 1;
    this.resize(MIN_CAPACITY);
    this.used = 0;
    this.g = 2;
    this.curCount = 0;
    this.prevCount = 0;
    for (const [rows, g] of [
      [prev, 1],
      [cur, 2],
    ] as const)
      for (const [h, l, s, t, e, d, last] of rows) {
        const j = this.insert(h, l, g);
        if (g === 1) this.prevCount++;
        else this.curCount++;
        this.last[j] = last;
        this.deg[j] = d;
        this.n[j] = s.length;
        // A one-seller row's time is the buyer's `last` (the two are equal in every snapshot).
        if (s.length === 1) {
          this.sel[j] = s[0]!;
          this.e0[j] = e[0]!;
        } else if (s.length > 1) this.sel[j] = { s: [...s], t: [...t], e: [...e] };
      }
  }

  /** Fingerprint of a buyer id, for restoring snapshots that name buyers by id. */
  static fingerprint(buyerId: string): [number, number] {
    fingerprint64(buyerId, fp);
    return [fp[0]!, fp[1]!];
  }

  private resize(cap: number): void {
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.last = new Float64Array(cap);
    this.deg = new Int32Array(cap);
    this.n = new Uint8Array(cap);
    this.sel = new Array<string | SellerList | null>(cap).fill(null);
    this.e0 = new Float64Array(cap);
  }

  /** Re-inserts the live entries into a table where they fill at most half (purging the dead). */
  private rebuild(): void {
    let cap = MIN_CAPACITY;
    while (cap < (this.size + 1) * 2) cap *= 2;
    const { hi, lo, gen, last, deg, n, sel, e0 } = this;
    const old = gen.length;
    const alive = new Uint8Array(old);
    for (let j = 0; j < old; j++) alive[j] = gen[j] !== 0 && this.live(j) ? 1 : 0;
    this.resize(cap);
    this.mask = cap - 1;
    for (let j = 0; j < old; j++) {
      if (alive[j] === 0) continue;
      let k = lo[j]! & this.mask;
      while (this.gen[k] !== 0) k = (k + 1) & this.mask;
      this.hi[k] = hi[j]!;
      this.lo[k] = lo[j]!;
      this.gen[k] = gen[j]!;
      this.last[k] = last[j]!;
      this.deg[k] = deg[j]!;
      this.n[k] = n[j]!;
      this.sel[k] = sel[j]!;
      this.e0[k] = e0[j]!;
    }
    this.used = this.size;
  }
}

/** `a` plus `v` in a new array of exact size. */
function append<T>(a: readonly T[], v: T): T[] {
  const out = new Array<T>(a.length + 1);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  out[a.length] = v;
  return out;
}
