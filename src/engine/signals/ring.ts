/**
 * Signal 10, the collusion-ring detector `ring` (family ring): sellers that share a pool of
 * buyers who buy from them in lockstep (within `lockstepWindowMs` of each other). Design and the
 * scale-out plan: docs/rings.md.
 *
 * Streaming, bounded, constant work per event:
 * - per buyer, a capped list of recent (seller, time) and the buyer's seller degree;
 * - when a buyer starts buying from a seller (first time, or again after a lockstep window),
 *   each other seller in its list within the window gets the pair's co-buyer weight raised by
 *   1 / ln(degree + c): FRAUDAR's column weighting (Hooi et al., KDD 2016), taken at the time of
 *   the co-buy, so that buyers who shop everywhere count for little;
 * - pair weights, co-buyer counts, per-seller buyer counts and the active-buyer population all
 *   decay with one half-life, so "shared" means shared recently.
 * At a bucket end a pair qualifies when its shared buyers are many (count and weight) and far
 * above what independent shopping explains (lift over bA·bB / N), so two popular sellers whose
 * casual buyers overlap by chance do not. Rings are the connected groups of qualifying pairs
 * with at least `minMembers` sellers.
 */
import { z } from 'zod';
import { BrushwatchError } from '../../errors.js';
import type { MarketEvent, RingDetector, RingFinding } from '../types.js';
import { hash32, hash32b } from '../sketch/hash.js';
import { HOUR_MS, rampStrength } from './hour-counts.js';
import { BuyerTable } from './ring-buyers.js';
import type { BuyerRow } from './ring-buyers.js';

export const ringConfigSchema = z.object({
  lockstepWindowMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(96 * HOUR_MS)
    .describe(
      "Two purchases of one buyer at two sellers at most this far apart are a co-buy, ms. Default 96 h: a farm spreads each account's purchases at the pool's shops over days (an account buying at five shops in an hour is what a platform's own rules catch); at 48 h the independent world's pools of 8–24 accounts took 50 h or more to link, or never did.",
    ),
  buyerHorizonMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(7 * 24 * HOUR_MS)
    .describe("A buyer's sellers (and degree) are remembered while it buys at least this often, ms. Default 7 days."),
  halfLifeMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(72 * HOUR_MS)
    .describe('Half-life of pair weights, seller buyer counts and the buyer population, ms. Default 72 h.'),
  degreeOffset: z
    .number()
    .gt(1)
    .default(5)
    .describe("FRAUDAR's c: a co-buy weighs 1 / ln(buyer degree + c). Default 5."),
  maxSellersPerBuyer: z
    .number()
    .int()
    .min(2)
    .default(16)
    .describe('Recent sellers kept per buyer (the oldest is dropped). Default 16.'),
  maxBuyers: z
    .number()
    .int()
    .min(1)
    .default(200_000)
    .describe('Buyers tracked (two generations; buyers untouched for a generation go). Default 200000.'),
  maxSellers: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('Sellers whose buyer counts are tracked (two generations). Default 100000.'),
  maxPairs: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('Seller pairs tracked (two generations; pairs untouched for a generation go, heavy ones are kept). Default 100000.'),
  pairSample: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('Shared buyer ids kept per pair as evidence. Default 8.'),
  minSharedBuyers: z
    .number()
    .min(1)
    .default(1.5)
    .describe(
      'Decayed count of co-buys a pair needs: 1.5 is two co-buys within one half-life (three sellers each pairwise sharing two distinct lockstep buyers at 20× lift do not happen by chance). Default 1.5.',
    ),
  minDistinctBuyers: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe('Distinct co-buyers a pair needs (at most pairSample): one loyal account shopping at the same sellers again is not a ring. Default 2.'),
  chainSharedBuyers: z
    .number()
    .min(1)
    .default(2.5)
    .describe(
      'Decayed co-buys every pair of a ring needs when its pairs do not close a cycle, and (rounded up) distinct co-buyers: three within about a half-life (a pair with a busy member can miss minLift though its buyers are plainly shared). Default 2.5.',
    ),
  minPairWeight: z
    .number()
    .positive()
    .default(0.75)
    .describe('Decayed degree-weighted co-buyer weight a pair needs: two co-buys by accounts of degree 8 (1 / ln 13 each). Default 0.75.'),
  fullPairWeight: z
    .number()
    .positive()
    .default(10)
    .describe("Mean pair weight at which a ring's strength reaches 1 (0.5 at minPairWeight). Default 10."),
  minLift: z
    .number()
    .min(1)
    .default(20)
    .describe('Pair weight ÷ co-buyers expected from independent shopping (bA·bB/N) a pair needs. Default 20.'),
  minMemberShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe(
      "Distinct shared accounts a member needs, as a share of the ring's median member's (from the pair samples): an honest shop where two of a pool's accounts placed cover orders pairs with every member, but through those two only. Default 0.5.",
    ),
  minMembers: z
    .number()
    .int()
    .min(2)
    .default(3)
    .describe('Sellers a ring needs. Default 3.'),
  maxEvidenceBuyers: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Shared buyer ids listed per ring. Default 20.'),
});
export type RingConfig = z.infer<typeof ringConfigSchema>;

interface PairEntry {
  readonly a: string;
  readonly b: string;
  /** Decayed weighted and plain co-buyer counts, as of `last`. */
  w: number;
  n: number;
  last: number;
  sample: string[];
}

const SEP = '\u0001';
/** 3: buyers by id fingerprint (ring-buyers.ts); version 2 snapshots (buyers by id) still restore. */
const RING_SNAPSHOT_VERSION = 3;

/** Pairs and sellers idle for this many half-lives have decayed to ≤ 1/64: dropped. */
const IDLE_HALF_LIVES = 6;
const SWEEP_EVERY_MS = 24 * HOUR_MS;

/**
 * `a` plus `v` in a new array of exact size: V8 gives arrays grown by push up to 16 spare slots,
 * which for millions of buyers holding one or two sellers would triple their memory.
 */
function append<T>(a: readonly T[], v: T): T[] {
  const out = new Array<T>(a.length + 1);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  out[a.length] = v;
  return out;
}

function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}

/** Deterministic ring id: 64 bits of hash over the sorted member ids. */
/**
 * Drops members that share few of the accounts the ring's median member shares (pair samples):
 * a pool account links every shop it buys from, so an honest shop where two of the pool's
 * accounts placed cover orders (the camouflage the issue names) pairs with every member, but
 * through those two accounts only.
 */
function dropCoverShops(g: { members: string[]; pairs: { p: { a: string; b: string; sample: readonly string[] } }[] }, minShare: number): void {
  const shared = new Map<string, Set<string>>();
  for (const { p } of g.pairs) {
    for (const s of [p.a, p.b]) {
      let set = shared.get(s);
      if (set === undefined) shared.set(s, (set = new Set()));
      for (const b of p.sample) set.add(b);
    }
  }
  const sizes = g.members.map((s) => shared.get(s)?.size ?? 0).sort((x, y) => x - y);
  const floor = minShare * sizes[(sizes.length - 1) >> 1]!;
  const keep = (s: string): boolean => (shared.get(s)?.size ?? 0) >= floor;
  if (g.members.every(keep)) return;
  g.members = g.members.filter(keep);
  g.pairs = g.pairs.filter((q) => keep(q.p.a) && keep(q.p.b));
}

export function ringIdOf(sortedMembers: readonly string[]): string {
  const joined = sortedMembers.join(SEP);
  return `ring-${hex8(hash32(joined))}${hex8(hash32b(joined))}`;
}

/**
 * A capped map with two generations, an O(1) approximation of LRU: new and touched entries live
 * in `cur`; when `cur` reaches half the cap it becomes `prev` and the old `prev` is dropped
 * (`onDrop` may carry some of it over). Re-inserting on every touch instead (Map delete + set)
 * leaves holes at the front of V8's ordered hash table that every new iterator walks over, which
 * made front-of-map eviction O(holes) and the detector 100× slower.
 */
class Generations<V> {
  cur = new Map<string, V>();
  prev = new Map<string, V>();
  constructor(
    private readonly half: number,
    private readonly onDrop: ((dropped: Map<string, V>, into: Map<string, V>) => void) | null = null,
  ) {}

  get size(): number {
    return this.cur.size + this.prev.size;
  }

  get(key: string): V | undefined {
    const v = this.cur.get(key);
    if (v !== undefined) return v;
    const old = this.prev.get(key);
    if (old !== undefined) {
      this.prev.delete(key);
      this.add(key, old);
    }
    return old;
  }

  /** Reads without counting as a touch. */
  peek(key: string): V | undefined {
    return this.cur.get(key) ?? this.prev.get(key);
  }

  add(key: string, v: V): void {
    this.cur.set(key, v);
    if (this.cur.size < this.half) return;
    const dropped = this.prev;
    this.prev = this.cur;
    this.cur = new Map();
    this.onDrop?.(dropped, this.cur);
  }

  /** Deletes the entries `stale` says are stale, in both generations. */
  sweep(stale: (v: V) => boolean): void {
    // forEach, not for-of over entries: no [key, value] array per entry swept (deleting the
    // entry being visited is allowed and keeps the order).
    const drop = (v: V, k: string, m: Map<string, V>): void => {
      if (stale(v)) m.delete(k);
    };
    this.prev.forEach(drop);
    this.cur.forEach(drop);
  }

  entries(): [string, V][] {
    return [...this.prev, ...this.cur];
  }

  /** Snapshot form: [older generation, newer generation]. */
  dump<T>(f: (k: string, v: V) => T): [T[], T[]] {
    return [[...this.prev].map(([k, v]) => f(k, v)), [...this.cur].map(([k, v]) => f(k, v))];
  }

  load(prev: Iterable<[string, V]>, cur: Iterable<[string, V]>): void {
    this.prev = new Map(prev);
    this.cur = new Map(cur);
  }
}

class Ring implements RingDetector<RingConfig> {
  readonly name = 'ring';
  private readonly buyers: BuyerTable;
  /**
   * Sellers: each Map entry names a slot of the columns below (its id as the detector keeps it,
   * the decayed count of buyer episodes, i.e. buyers starting to buy there, and the latest time).
   * Numbers in columns rather than an object per seller: an object and two boxed doubles each.
   */
  private readonly sellers: Generations<number>;
  private readonly sellerId: string[] = [];
  private readonly sellerB: number[] = [];
  private readonly sellerLast: number[] = [];
  /** Slots of sellers dropped, for reuse. */
  private freeSlots: number[] = [];
  private readonly pairs: Generations<PairEntry>;
  private popN = 0;
  private popLast = 0;
  /** Latest event time seen (for decaying pairs when a generation is dropped). */
  private now = 0;
  /** Bucket end of the last sweep of idle entries (daily, not hourly: it walks every entry). */
  private lastSweep = 0;
  /**
   * Pairs that reached the count and weight thresholds when last updated: all that evaluate
   * needs to look at, instead of every tracked pair each hour. Rebuilt from the pairs on restore.
   */
  private readonly candidates = new Set<PairEntry>();
  /** ln 2 / half-life, once. */
  private readonly lambda: number;

  constructor(private readonly cfg: RingConfig) {
    this.lambda = Math.LN2 / cfg.halfLifeMs;
    this.buyers = new BuyerTable(Math.ceil(cfg.maxBuyers / 2));
    this.sellers = new Generations<number>(Math.ceil(cfg.maxSellers / 2), (dropped) => dropped.forEach((j) => this.freeSeller(j)));
    const half = Math.ceil(cfg.maxPairs / 2);
    // Heavy pairs survive a dropped generation (up to a quarter of the cap): a ring's pairs are
    // not lost to a flood of one-off casual pairs.
    this.pairs = new Generations<PairEntry>(half, (dropped, into) => {
      const keep = cfg.minPairWeight / 2;
      let room = Math.floor(half / 2);
      for (const [k, p] of dropped) {
        if (room === 0) break;
        if (p.w * this.decay(this.now - p.last) >= keep) {
          into.set(k, p);
          room--;
        }
      }
    });
  }

  private decay(dt: number): number {
    return dt <= 0 ? 1 : Math.exp(-this.lambda * dt);
  }

  observe(event: MarketEvent): void {
    if (event.kind !== 'order' || event.status !== 'PLACED') return;
    const cfg = this.cfg;
    const t = event.eventTime;
    if (t > this.now) this.now = t;
    const x = event.sellerId;
    const B = this.buyers;
    let j = B.get(event.buyerId);
    if (j < 0 || B.lastOf(j) < t - cfg.buyerHorizonMs) {
      // New, or back after a long pause: a new start for its sellers and degree.
      if (j < 0) j = B.add(event.buyerId, t);
      else B.reset(j);
      this.popN = this.popN * this.decay(t - this.popLast) + 1;
      this.popLast = Math.max(this.popLast, t);
    }
    // The buyer's latest purchase (`lastOf`) is also its only seller's (ring-buyers.ts): it moves
    // once the seller bookkeeping below has read the seller's time.
    // A buyer counts again for the same sellers once per lockstep window: fake accounts that keep
    // buying keep the ring's weight up, while one shopping session counts once.
    let idx = B.find(j, x);
    if (idx >= 0 && t - B.episode(j, idx) <= cfg.lockstepWindowMs) {
      if (t > B.time(j, idx)) B.setTime(j, idx, t);
      B.raiseLast(j, t);
      return;
    }
    // The seller's own id string is kept, not this event's copy: one string per seller, not per buyer.
    const xs = this.bumpSeller(x, t);
    if (idx < 0) {
      if (B.count(j) >= cfg.maxSellersPerBuyer) B.removeOldest(j);
      idx = B.append(j, xs, t);
      B.deg[j]!++;
    } else if (t > B.time(j, idx)) B.setTime(j, idx, t);
    B.setEpisode(j, idx, t);
    B.raiseLast(j, t);

    const weight = 1 / Math.log(B.deg[j]! + cfg.degreeOffset);
    const n = B.count(j);
    for (let i = 0; i < n; i++) {
      if (i === idx || Math.abs(t - B.time(j, i)) > cfg.lockstepWindowMs) continue;
      this.bumpPair(xs, B.seller(j, i), event.buyerId, weight, t);
    }
  }

  /** Counts a buyer episode at seller x; returns the seller's id as the detector keeps it. */
  private bumpSeller(x: string, t: number): string {
    let j = this.sellers.get(x);
    if (j === undefined) {
      j = this.newSeller(x, 0, t);
      this.sellers.add(x, j);
    }
    this.sellerB[j] = this.sellerB[j]! * this.decay(t - this.sellerLast[j]!) + 1;
    this.sellerLast[j] = Math.max(this.sellerLast[j]!, t);
    return this.sellerId[j]!;
  }

  /** A slot for a seller (a freed one if any); the caller adds it to the map. */
  private newSeller(id: string, b: number, last: number): number {
    const j = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.sellerId.length;
    this.sellerId[j] = id;
    this.sellerB[j] = b;
    this.sellerLast[j] = last;
    return j;
  }

  private freeSeller(j: number): void {
    this.sellerId[j] = '';
    this.freeSlots.push(j);
  }

  private bumpPair(x: string, y: string, buyer: string, weight: number, t: number): void {
    const a = x < y ? x : y;
    const b = x < y ? y : x;
    const key = a + SEP + b;
    let p = this.pairs.get(key);
    if (p === undefined) {
      p = { a, b, w: 0, n: 0, last: t, sample: [] };
      this.pairs.add(key, p);
    }
    const f = this.decay(t - p.last);
    p.w = p.w * f + weight;
    p.n = p.n * f + 1;
    p.last = Math.max(p.last, t);
    if (p.sample.length < this.cfg.pairSample && !p.sample.includes(buyer)) p.sample = append(p.sample, buyer);
    if (this.isCandidate(p)) this.candidates.add(p);
  }

  private isCandidate(p: PairEntry): boolean {
    return p.n >= this.cfg.minSharedBuyers && p.w >= this.cfg.minPairWeight && p.sample.length >= Math.min(this.cfg.minDistinctBuyers, this.cfg.pairSample);
  }

  /** Drops buyers, sellers and pairs idle long enough to no longer matter at `at`. */
  private expire(at: number, cfg: RingConfig): void {
    const buyerFrom = at - cfg.buyerHorizonMs;
    this.buyers.sweep(buyerFrom);
    const idleFrom = at - IDLE_HALF_LIVES * cfg.halfLifeMs;
    this.sellers.sweep((j) => {
      if (this.sellerLast[j]! >= idleFrom) return false;
      this.freeSeller(j);
      return true;
    });
    this.pairs.sweep((p) => p.last < idleFrom);
  }

  evaluate(at: number, cfg: RingConfig): readonly RingFinding[] {
    if (at - this.lastSweep >= SWEEP_EVERY_MS) {
      this.expire(at, cfg);
      this.lastSweep = at;
    }
    const population = this.popN * this.decay(at - this.popLast);
    if (population <= 0) return [];
    const parent = new Map<string, string>();
    const find = (s: string): string => {
      let r = s;
      while (parent.get(r) !== r) r = parent.get(r)!;
      // Path compression keeps later finds short.
      let c = s;
      while (c !== r) {
        const next = parent.get(c)!;
        parent.set(c, r);
        c = next;
      }
      return r;
    };
    const qualifying: { p: PairEntry; w: number; expected: number }[] = [];
    for (const p of this.candidates) {
      const f = this.decay(at - p.last);
      const w = p.w * f;
      if (p.n * f < cfg.minSharedBuyers || w < cfg.minPairWeight || this.pairs.peek(p.a + SEP + p.b) !== p) {
        this.candidates.delete(p);
        continue;
      }
      const sa = this.sellers.peek(p.a);
      const sb = this.sellers.peek(p.b);
      if (sa === undefined || sb === undefined) continue;
      const expected =
        (this.sellerB[sa]! * this.decay(at - this.sellerLast[sa]!) * this.sellerB[sb]! * this.decay(at - this.sellerLast[sb]!)) / population;
      if (w < cfg.minLift * expected) continue;
      qualifying.push({ p, w, expected });
      for (const s of [p.a, p.b]) if (!parent.has(s)) parent.set(s, s);
      const ra = find(p.a);
      const rb = find(p.b);
      if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
    }
    const groups = new Map<string, { members: string[]; pairs: typeof qualifying }>();
    for (const q of qualifying) {
      const root = find(q.p.a);
      let g = groups.get(root);
      if (g === undefined) groups.set(root, (g = { members: [], pairs: [] }));
      g.pairs.push(q);
    }
    for (const s of parent.keys()) groups.get(find(s))!.members.push(s);

    const out: RingFinding[] = [];
    for (const g of groups.values()) {
      dropCoverShops(g, cfg.minMemberShare);
      // A pool of accounts shared by the members links them all pairwise (one account buys from
      // every member); a chain of pairs with no cycle is what unrelated overlaps look like, unless
      // every link is heavy (a pair with a busy member can miss the lift test).
      const m = g.members.length;
      if (m < cfg.minMembers) continue;
      if (g.pairs.length < Math.min(m, (m * (m - 1)) / 2) && !g.pairs.every((q) => q.p.n * this.decay(at - q.p.last) >= cfg.chainSharedBuyers && q.p.sample.length >= Math.min(Math.ceil(cfg.chainSharedBuyers), cfg.pairSample)))
        continue;
      const members = g.members.sort();
      // Pairs in id order so the evidence does not depend on which generation holds them.
      g.pairs.sort((l, r) => (l.p.a + SEP + l.p.b < r.p.a + SEP + r.p.b ? -1 : 1));
      let wSum = 0;
      let expSum = 0;
      let minLift = Infinity;
      const buyerIds: string[] = [];
      for (const q of g.pairs) {
        wSum += q.w;
        expSum += q.expected;
        minLift = Math.min(minLift, q.expected > 0 ? q.w / q.expected : Infinity);
        for (const b of q.p.sample) if (buyerIds.length < cfg.maxEvidenceBuyers && !buyerIds.includes(b)) buyerIds.push(b);
      }
      const meanW = wSum / g.pairs.length;
      const ringId = ringIdOf(members);
      out.push({
        ringId,
        sellerIds: members,
        finding: {
          name: 'ring',
          family: 'ring',
          value: Math.round(meanW * 100) / 100,
          threshold: cfg.minPairWeight,
          strength: rampStrength(meanW, cfg.minPairWeight, cfg.fullPairWeight),
          horizonMs: cfg.lockstepWindowMs,
          baseline: Math.round((expSum / g.pairs.length) * 1000) / 1000,
          explanation:
            `${members.length} sellers share buyers in lockstep (within ${cfg.lockstepWindowMs / HOUR_MS} h): ` +
            `${g.pairs.length} linked pairs, ${meanW.toFixed(1)} degree-weighted shared buyers per pair, ` +
            `at least ${Number.isFinite(minLift) ? minLift.toFixed(0) : '∞'}× what independent shopping explains`,
          evidence: { ringSellerIds: members, buyerIds },
        },
      });
    }
    out.sort((a, b) => (a.ringId < b.ringId ? -1 : a.ringId > b.ringId ? 1 : 0));
    return out;
  }

  snapshot(): unknown {
    return {
      version: RING_SNAPSHOT_VERSION,
      pop: [this.popN, this.popLast, this.now, this.lastSweep],
      buyers: this.buyers.dump(),
      sellers: this.sellers.dump((id, j) => [id, this.sellerB[j]!, this.sellerLast[j]!]),
      pairs: this.pairs.dump((_, p) => [p.a, p.b, p.w, p.n, p.last, p.sample]),
    };
  }

  restore(data: unknown): void {
    const d = data as Record<string, unknown> | null;
    const gens = (v: unknown): v is [unknown[], unknown[]] => Array.isArray(v) && v.length === 2 && Array.isArray(v[0]) && Array.isArray(v[1]);
    if (d === null || typeof d !== 'object' || (d.version !== RING_SNAPSHOT_VERSION && d.version !== 2) || !Array.isArray(d.pop) || !gens(d.buyers) || !gens(d.sellers) || !gens(d.pairs))
      throw new BrushwatchError(
        'STATE_CORRUPT',
        `ring snapshot must be an object with version ${RING_SNAPSHOT_VERSION}, pop and two-generation arrays buyers, sellers, pairs; discard it and rebuild from the input`,
      );
    const fail = (what: string): never => {
      throw new BrushwatchError('STATE_CORRUPT', `ring snapshot has a malformed ${what}; discard it and rebuild from the input`);
    };
    const str = (v: unknown): v is string => typeof v === 'string';
    const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    const byId = d.version === 2;
    const buyer = (row: unknown): BuyerRow => {
      const r = Array.isArray(row) ? row : [];
      const [h, l] = byId ? (str(r[0]) ? BuyerTable.fingerprint(r[0]) : [NaN, NaN]) : [r[0], r[1]];
      const [s, t, ep, deg, last] = r.slice(byId ? 1 : 2);
      const int32 = (v: unknown): v is number => num(v) && (v | 0) === v;
      // Buyer times are event times, which the table keeps in 6 bytes (ring-buyers.ts).
      const time = (v: unknown): v is number => num(v) && BuyerTable.keeps(v);
      if (!int32(h) || !int32(l) || !Array.isArray(s) || !Array.isArray(t) || !Array.isArray(ep) || s.length !== t.length || s.length !== ep.length || !num(deg) || !time(last))
        return fail('buyer');
      if (!s.every(str) || !t.every(time) || !ep.every(time)) return fail('buyer');
      return [h, l, s, t, ep, deg, last];
    };
    const seller = (row: unknown): [string, number, number] => {
      const [id, b, last] = Array.isArray(row) ? row : [];
      if (!str(id) || !num(b) || !num(last)) return fail('seller');
      return [id, b, last];
    };
    const pair = (row: unknown): [string, PairEntry] => {
      const [a, b, w, n, last, sample] = Array.isArray(row) ? row : [];
      if (!str(a) || !str(b) || !num(w) || !num(n) || !num(last) || !Array.isArray(sample) || !sample.every(str)) return fail('pair');
      return [a + SEP + b, { a, b, w, n, last, sample: [...sample] }];
    };
    const [popN, popLast, now, lastSweep] = d.pop as unknown[];
    if (!num(popN) || !num(popLast) || !num(now) || !num(lastSweep)) fail('pop');
    const [bp, bc] = d.buyers;
    const [sp, sc] = d.sellers;
    const [pp, pc] = d.pairs;
    const buyers = [bp.map(buyer), bc.map(buyer)] as const;
    const sellers = [sp.map(seller), sc.map(seller)] as const;
    const pairs = [pp.map(pair), pc.map(pair)] as const;
    this.buyers.load(...buyers);
    this.sellerId.length = this.sellerB.length = this.sellerLast.length = 0;
    this.freeSlots = [];
    const slots = (rows: readonly [string, number, number][]): [string, number][] => rows.map(([id, b, last]) => [id, this.newSeller(id, b, last)]);
    this.sellers.load(slots(sellers[0]), slots(sellers[1]));
    this.pairs.load(...pairs);
    this.popN = popN as number;
    this.popLast = popLast as number;
    this.now = now as number;
    this.lastSweep = lastSweep as number;
    this.candidates.clear();
    for (const [, p] of this.pairs.entries()) if (this.isCandidate(p)) this.candidates.add(p);
  }

  /** Sizes of the bounded structures (for tests and the bench). */
  sizes(): { buyers: number; sellers: number; sellerSlots: number; pairs: number; maxSellersOfABuyer: number } {
    return {
      buyers: this.buyers.size,
      sellers: this.sellers.size,
      sellerSlots: this.sellerId.length,
      pairs: this.pairs.size,
      maxSellersOfABuyer: this.buyers.maxSellersOfABuyer(),
    };
  }
}

export type RingDetectorInstance = RingDetector<RingConfig> & { sizes(): ReturnType<Ring['sizes']> };

/**
 * A new ring detector. `config` governs what is kept as events arrive (windows, caps); the
 * config passed to `evaluate` governs thresholds (and expiry), so pass the same parsed config to
 * both.
 */
export function ringDetector(config: RingConfig = ringConfigSchema.parse({})): RingDetectorInstance {
  return new Ring(config);
}
