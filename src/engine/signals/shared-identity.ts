/**
 * Signal 3, `shared_identity` (family identity): several distinct buyers of one seller using the
 * same device, payment instrument, shipping address or IP prefix (IPv4 /24, IPv6 /64), as rented
 * or fabricated accounts run from one phone, one card, one drop address.
 *
 * Every identity value first lands in a small fingerprint table (one number per value: value
 * fingerprint, hour, 16-bit buyer fingerprint), so the thousands of values that only ever have
 * one buyer cost no strings. When a second distinct buyer shows up on a value it is promoted to
 * a short list that keeps the value and counts its distinct buyers exactly (by fingerprint, up
 * to 32). The buyer who first used a value is known only by fingerprint, so evidence lists the
 * buyers from the second on.
 *
 * IP prefixes are weak evidence (a campus or office NAT puts many honest buyers on one /24), so
 * they need many buyers and weigh far less than devices, payments and addresses; an IP prefix
 * alone stays below the reporting floor with the defaults. Two buyers on one prefix are common
 * (carrier NAT), so a prefix is promoted only at its third buyer, and its buyers are counted by
 * 8-bit fingerprints (a few collisions at 30 buyers only make weak evidence weaker).
 */
import { z } from 'zod';
import type { EvidenceLists, SellerSignal, SignalFinding } from '../types.js';
import { hash32, mix32 } from '../sketch/hash.js';
import { appendCapped, appendCappedNumbers, EMPTY } from '../sketch/lists.js';
import { bulkQuantityField, curveFields, round2, strengthOf } from './curve.js';
import { assocCreate, assocExpire, assocSlot, fingerprint } from '../sketch/assoc.js';
import { isDue, lowered, lowest, NOTHING_DUE } from './fingerprint-table.js';
import { lowOf } from './packed.js';

const HOUR_MS = 3_600_000;
const KINDS = ['device', 'payment', 'address', 'ip'] as const;
type Kind = (typeof KINDS)[number];
const DEVICE = 0;
const PAYMENT = 1;
const ADDRESS = 2;
const IP = 3;
/** Distinct seeds keep equal strings of different kinds apart in the table. */
const SEEDS = [0x811c9dc5, 0x2c1b3c6d, 0x297a2d39, 0x7fb5d329] as const;
/** Table payload: hour × 2^16 + 16-bit buyer fingerprint (for IP prefixes: two 8-bit ones). */
const BUYER_BITS = 16;
const BUYER_SCALE = 2 ** BUYER_BITS;
const PAYLOAD_BITS = 38;
const PAYLOAD_SCALE = 2 ** PAYLOAD_BITS;
/** Distinct buyers counted exactly per shared value. */
const MAX_BUYER_FPS = 32;

const perKind = (what: string, def: number) =>
  z.number().min(0).default(def).describe(`${what} Default ${def}.`);

export const configSchema = z.object({
  horizonDays: z.number().int().min(1).max(60).default(7).describe('Sharing is counted over this many days. Default 7.'),
  deviceBuyers: perKind('Distinct buyers on one device that fire.', 3),
  paymentBuyers: perKind('Distinct buyers on one payment instrument that fire.', 3),
  addressBuyers: perKind('Distinct buyers on one shipping address that fire (families share addresses).', 4),
  ipBuyers: perKind('Distinct buyers on one IPv4 /24 or IPv6 /64 that fire (NATs are common).', 12),
  deviceWeight: perKind('Strength multiplier of a shared device.', 1),
  paymentWeight: perKind('Strength multiplier of a shared payment instrument.', 1),
  addressWeight: perKind('Strength multiplier of a shared address.', 0.8),
  ipWeight: perKind('Strength multiplier of a shared IP prefix (kept below minStrength so IP alone never reports).', 0.2),
  cardBurstBuyers: z
    .number()
    .int()
    .min(2)
    .default(3)
    .describe(
      'Distinct buyers whose latest use of one payment instrument at this seller falls within cardBurstHours that make the card strong on its own (cardBurstStrength): an account farm pays for a session of orders with one card, while a household that shares a card spreads its few accounts over days. Default 3.',
    ),
  cardBurstHours: z
    .number()
    .int()
    .min(1)
    .max(168)
    .default(24)
    .describe('The window of cardBurstBuyers, in hours. Default 24.'),
  cardBurstStrength: z
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe(
      'Strength of a payment instrument with cardBurstBuyers distinct buyers within cardBurstHours (the curve still applies when it gives more). Default 0.8, what a lone family needs to alert: without it three accounts on one card weigh 0.4 and a farm alerted only at its fifth account, 16 h later in the median on the simulator. 0 turns the lane off.',
    ),
  placeStrength: z
    .number()
    .min(0)
    .max(1)
    .default(0.6)
    .describe(
      'Cap on what places alone weigh: shipping addresses whose buyers are not tied to each other by a shared device or payment instrument (two or more of them on one), and IP prefixes, together. A mailroom, parcel locker, pickup point or office reception is shared by many honest buyers who each have their own phone and card, while a farm runs its accounts from a few phones and cards. Default 0.6: below what one family needs alone (0.8), so a place never alerts by itself, and above what counts as a family beside another (0.5), so a drop address still corroborates young accounts or fast reviews. 1 turns the cap off.',
    ),
  slots: z
    .number()
    .int()
    .min(2)
    .max(65536)
    .refine((n) => (n & (n - 1)) === 0, 'slots must be a power of two, e.g. 32')
    .default(32)
    .describe(
      'Fingerprint slots for values seen with one buyer so far (power of two; oldest of a pair evicted; 8 bytes each). Default 32: on the simulator 64 caught no more campaigns.',
    ),
  maxShared: z.number().int().min(1).max(64).default(4).describe('Shared values tracked with strings; the one with fewest buyers, then oldest, is evicted. Default 4.'),
  evidenceBuyers: z.number().int().min(1).max(32).default(4).describe('Buyer ids kept per shared device, payment or address as evidence (none for IP prefixes, which are weak). Default 4.'),
  bulkQuantity: bulkQuantityField,
  ...curveFields,
});
export type Config = z.infer<typeof configSchema>;

/** A value with ≥ 2 distinct buyers. Its lists are exact-size and replaced, never mutated. */
export interface Shared {
  /** Index into KINDS. */
  k: number;
  v: string;
  /** Fingerprints of the distinct buyers (at most 32; 16-bit, 8-bit for IP prefixes): their count is the value. */
  fps: readonly number[];
  buyers: readonly string[];
  /** Last event hour the value was used. */
  hour: number;
  /**
   * Payment instruments only: the last hour each buyer of `fps` (same index) used it, for the
   * card-burst lane. Exact-size, replaced, never mutated. Absent in older snapshots (lane off for
   * that value).
   */
  last?: readonly number[];
  /**
   * Shipping addresses only: its buyers seen tied to another of its buyers by a shared device or
   * payment instrument, as hour × 2^16 + 16-bit fingerprint (the last hour seen so). Kept here
   * because a farm's several phones and cards evict each other from the few shared slots while
   * its drop address stays. Exact-size, replaced, never mutated. Absent until a tie is seen, and in
   * older snapshots (ties are then read from the live shared values).
   */
  tied?: readonly number[];
  /** Addresses and IP prefixes: the hour the value was promoted. Absent in older snapshots (taken as new). */
  since?: number;
}

export interface State {
  /**
   * Values with one buyer so far (sketch/assoc.ts). Dense, unlike review_timing's orders: four
   * values per order fill it quickly, and a sparse table would be copied at every new value.
   */
  table: number[];
  /** A lower bound of the hours in `table` (see fingerprint-table.ts). */
  low?: number;
  shared: readonly Shared[];
  /**
   * The last hour a place (an IP prefix or untied address) was used that had been shared without a
   * break for longer than the horizon: until a horizon after it, every place at this shop is its
   * clientele's (a campus shop's mailrooms, several of which evict each other from the slots and
   * come back as if new). Absent: none seen.
   */
  normal?: number;
}

export const signal: SellerSignal<State, Config> = {
  name: 'shared_identity',
  family: 'identity',
  observes: { orders: ['PLACED'], reviews: true },
  create: (c) => ({ table: assocCreate(c.slots), low: NOTHING_DUE, shared: EMPTY }),
  // Only a change to the shared values (a promotion, a new buyer on one, one starting over, a
  // buyer's renewed use of a card for the card-burst lane) can make judge find something; table entries and later hours of shared values expire after any
  // quiet period (see quietUntil).
  observe(s, e, c, keys) {
    // A bulk order is a business buying stock: colleagues on the company card, shipped to the
    // office, are that business, while a farm buys single units to stay cheap.
    if (e.kind === 'order' && (e.status !== 'PLACED' || e.quantity >= c.bulkQuantity)) return true;
    const shared = s.shared;
    const buyers = buyersOf(shared);
    const hour = Math.floor(e.eventTime / HOUR_MS);
    const bfp = keys.buyer >>> BUYER_BITS;
    // Hashes are passed as int32 (`| 0`, the same bits for the table): a call's number outside the
    // small-integer range is boxed, garbage per value.
    if (e.deviceId !== null && e.deviceId !== '') see(s, DEVICE, hash32(e.deviceId, SEEDS[DEVICE]) | 0, e.deviceId, null, e.buyerId, bfp, hour, c);
    const ip = e.ipAddress;
    if (ip !== null && ip !== '') {
      // IPv4, nearly every address: the /24's hash straight from the address; its string only if needed.
      const h = prefix24Hash(ip, SEEDS[IP]);
      if (h >= 0) see(s, IP, h | 0, null, ip, e.buyerId, bfp, hour, c);
      else {
        const prefix = ipPrefix(ip);
        if (prefix !== null) see(s, IP, hash32(prefix, SEEDS[IP]) | 0, prefix, null, e.buyerId, bfp, hour, c);
      }
    }
    let renewed = false;
    if (e.kind === 'order') {
      const pay = e.paymentInstrumentHash;
      if (pay !== null && pay !== '') renewed = see(s, PAYMENT, hash32(pay, SEEDS[PAYMENT]) | 0, pay, null, e.buyerId, bfp, hour, c);
      const addr = e.shippingAddressHash;
      if (addr !== null && addr !== '') see(s, ADDRESS, hash32(addr, SEEDS[ADDRESS]) | 0, addr, null, e.buyerId, bfp, hour, c);
    }
    if (!renewed && s.shared === shared && buyersOf(shared) === buyers) return true;
    recordTies(s, hour, c);
    return false;
  },
  evaluate(s, ctx, c) {
    return judge(s, Math.floor((ctx.at - 1) / HOUR_MS), c);
  },
  expire(s, now, c) {
    const oldest = Math.floor(now / HOUR_MS) - c.horizonDays * 24 + 1;
    if (isDue(s.low, oldest * BUYER_SCALE, BUYER_SCALE)) {
      assocExpire(s.table, oldest * BUYER_SCALE, PAYLOAD_BITS);
      s.low = lowest(s.table, 0, c.slots, PAYLOAD_BITS, BUYER_SCALE);
    }
    for (let i = 0; i < s.shared.length; i++)
      if (s.shared[i]!.hour < oldest) {
        s.shared = s.shared.filter((sh) => sh.hour >= oldest);
        break;
      }
  },
  // Without new events nothing changes until a shared value or, by the table's bound `low`, a
  // table entry leaves the horizon: expire scans or drops nothing before, and judge sees the same
  // live values. An unknown bound (an old snapshot) scans every time. At most one horizon, so that
  // entries added meanwhile (from `at`'s hour on) leave it after.
  quietUntil(s, at, c) {
    let hour = Math.min(s.low ?? -Infinity, Math.floor(at / HOUR_MS));
    for (let i = 0; i < s.shared.length; i++) hour = Math.min(hour, s.shared[i]!.hour);
    // When the shop's mark of lasting places leaves the horizon its places count again.
    if (s.normal !== undefined) hour = Math.min(hour, s.normal);
    return (hour + c.horizonDays * 24) * HOUR_MS;
  },
};

/** Distinct buyers over the shared values: each gains one at a time (fps are replaced, never mutated). */
function buyersOf(shared: readonly Shared[]): number {
  let n = 0;
  for (let i = 0; i < shared.length; i++) n += shared[i]!.fps.length;
  return n;
}

/**
 * One value of kind `k` and table hash `h` used by a buyer: `value`, or for an IPv4 address `ipv4`
 * (the value is then its /24, built only when it is compared or kept). True when a known buyer's
 * use of a shared card moved its last hour (the card-burst lane counts it anew).
 */
function see(s: State, k: number, h: number, v: string | null, ipv4: string | null, buyer: string, bfp: number, hour: number, c: Config): boolean {
  const oldest = hour - c.horizonDays * 24 + 1;
  const id = k === IP ? (bfp % 255) + 1 : bfp;
  // The rare shared values apart, so that this common path stays small enough for V8 to inline
  // the hash and table calls (a call's double arguments and results are boxed: garbage per value).
  if (s.shared.length > 0) {
    const found = seeShared(s, k, v, ipv4, buyer, id, hour, oldest, c);
    if (found !== NOT_SHARED) return found === RENEWED;
  }
  // One look at the key's pair of slots, for the read and the write.
  const t = s.table;
  const at = assocSlot(t, h, PAYLOAD_BITS);
  let low = k === IP ? id * 256 : id;
  if (at >= 0) {
    const payload = lowOf(t[at]!, PAYLOAD_SCALE);
    if (Math.floor(payload / BUYER_SCALE) >= oldest) {
      const seen = lowOf(payload, BUYER_SCALE);
      if (k === IP) {
        low = ipBuyers(s, v, ipv4, seen, id, hour, c);
        if (low < 0) return false;
      } else if (seen !== id) {
        const entry: Shared = { k, v: v!, fps: [seen, id], buyers: [buyer], hour };
        if (k === ADDRESS) entry.since = hour;
        // The first buyer's last use is the hour in its table entry.
        if (k === PAYMENT) entry.last = [Math.floor(payload / BUYER_SCALE), hour];
        promote(s, entry, hour, c);
        return false;
      }
    }
  }
  t[at >= 0 ? at : -1 - at] = fingerprint(h, PAYLOAD_BITS) * PAYLOAD_SCALE + hour * BUYER_SCALE + low;
  s.low = lowered(s.low, hour * BUYER_SCALE + low, BUYER_SCALE);
  return false;
}

const NOT_SHARED = -1;
const UNCHANGED = 0;
const RENEWED = 1;

/**
 * see() for a value among the shared ones: NOT_SHARED when it is not (or it has just started over),
 * else whether a known buyer's use of a shared card moved its last hour (RENEWED).
 */
function seeShared(s: State, k: number, value: string | null, ipv4: string | null, buyer: string, id: number, hour: number, oldest: number, c: Config): number {
  let v = value;
  for (let i = 0; i < s.shared.length; i++) {
    const sh = s.shared[i]!;
    if (sh.k !== k) continue;
    v ??= ipPrefix(ipv4!)!;
    if (sh.v !== v) continue;
    // Past the horizon the value starts over, whether or not expire has run yet.
    if (sh.hour < oldest) {
      s.shared = s.shared.filter((x) => x !== sh);
      return NOT_SHARED;
    }
    sh.hour = hour;
    // A place (as judge sees one) that has outlasted the horizon marks the shop's places (State.normal).
    if (sh.since !== undefined && hour - sh.since >= c.horizonDays * 24 && isPlace(s, sh, oldest, c.addressBuyers)) s.normal = hour;
    const at = sh.fps.indexOf(id);
    if (at >= 0) {
      if (sh.last === undefined || sh.last[at] === hour) return UNCHANGED;
      // In place: a copy and a closure per renewed card use were garbage.
      (sh.last as number[])[at] = hour;
      return RENEWED;
    }
    if (sh.fps.length >= MAX_BUYER_FPS) return UNCHANGED;
    sh.fps = appendCappedNumbers(sh.fps, id, MAX_BUYER_FPS);
    if (sh.last !== undefined) sh.last = appendCappedNumbers(sh.last, hour, MAX_BUYER_FPS);
    if (k !== IP && sh.buyers.length < c.evidenceBuyers) sh.buyers = appendCapped(sh.buyers, buyer, c.evidenceBuyers);
    return UNCHANGED;
  }
  return NOT_SHARED;
}

/**
 * An IP prefix's table entry holds two 8-bit buyer ids, so the common case of two honest buyers
 * on one carrier /24 costs no strings; the third distinct buyer promotes it. Returns the new low
 * payload bits, or −1 when promoted.
 */
function ipBuyers(s: State, v: string | null, ipv4: string | null, seen: number, id: number, hour: number, c: Config): number {
  const a = Math.floor(seen / 256);
  const b = seen % 256;
  if (id === a || id === b) return seen;
  if (b === 0) return a * 256 + id;
  promote(s, { k: IP, v: v ?? ipPrefix(ipv4!)!, fps: [a, b, id], buyers: EMPTY, hour, since: hour }, hour, c);
  return -1;
}

/**
 * Adds `entry` to the shared values; when they are full, one goes: a place first (an IP prefix or
 * an address none of whose buyers share a device or card), since places are judged together
 * under one cap and a fourth mailroom adds nothing, while a phone or card, or an address whose
 * accounts share them, is what a farm leaves. Then the one with fewest buyers, then the oldest.
 */
function promote(s: State, entry: Shared, hour: number, c: Config): void {
  if (s.shared.length >= c.maxShared) {
    const oldest = hour - c.horizonDays * 24 + 1;
    // Here an address is a place only if none of its buyers is tied (ties come in pairs).
    const place = (x: Shared): boolean => isPlace(s, x, oldest, 2);
    let victim = 0;
    let victimPlace = place(s.shared[0]!);
    for (let i = 1; i < s.shared.length; i++) {
      const a = s.shared[i]!;
      const b = s.shared[victim]!;
      const aPlace = place(a);
      if (aPlace !== victimPlace ? aPlace : a.fps.length < b.fps.length || (a.fps.length === b.fps.length && a.hour < b.hour)) {
        victim = i;
        victimPlace = aPlace;
      }
    }
    s.shared = s.shared.map((x, i) => (i === victim ? entry : x));
    return;
  }
  s.shared = appendCapped(s.shared, entry, c.maxShared);
}

/**
 * `hash32(ipPrefix(ip), seed)` for an IPv4 address (one with a '.' after its first character and
 * no ':'), without building the prefix string: the same FNV-1a steps over the address up to its
 * last dot and then over ".0/24". −1 for any other address. One pass, which also tells IPv4 apart:
 * lastIndexOf is a runtime call, about as dear as the hash.
 */
export function prefix24Hash(ip: string, seed: number): number {
  let h = seed >>> 0;
  let dot = -1;
  let atDot = 0;
  for (let i = 0; i < ip.length; i++) {
    const ch = ip.charCodeAt(i);
    if (ch === DOT) {
      dot = i;
      atDot = h;
    } else if (ch === COLON) return -1;
    h = Math.imul(h ^ ch, 0x01000193);
  }
  if (dot <= 0) return -1;
  h = atDot;
  for (let i = 0; i < SUFFIX24.length; i++) h = Math.imul(h ^ SUFFIX24.charCodeAt(i), 0x01000193);
  return mix32(h);
}
const DOT = 46;
const COLON = 58;
const SUFFIX24 = '.0/24';

/** The /24 of an IPv4 address or the /64 of an IPv6 address, canonical; null if unparsable. */
export function ipPrefix(ip: string): string | null {
  if (ip.indexOf(':') < 0) {
    const dot = ip.lastIndexOf('.');
    return dot > 0 ? `${ip.slice(0, dot)}.0/24` : null;
  }
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address.
  if (ip.indexOf('.') >= 0) return ipPrefix(ip.slice(ip.lastIndexOf(':') + 1));
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups = halves.length === 2 ? [...head, ...new Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail] : head;
  if (groups.length !== 8) return null;
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16).toString(16));
  }
  return `${out.join(':')}::/64`;
}

interface PerKind {
  /** Buyers that fire and strength multiplier, indexed like KINDS. */
  readonly thresholds: readonly number[];
  readonly weights: readonly number[];
}
const kindTables = new WeakMap<Config, PerKind>();
function kindsOf(c: Config): PerKind {
  let k = kindTables.get(c);
  if (k === undefined) {
    k = {
      thresholds: [c.deviceBuyers, c.paymentBuyers, c.addressBuyers, c.ipBuyers],
      weights: [c.deviceWeight, c.paymentWeight, c.addressWeight, c.ipWeight],
    };
    kindTables.set(c, k);
  }
  return k;
}

/** Distinct buyers of a payment instrument whose last use is within cardBurstHours of `hour` (0 for other kinds). */
function cardBurst(sh: Shared, hour: number, c: Config): number {
  if (sh.last === undefined || c.cardBurstStrength <= 0) return 0;
  const from = hour - c.cardBurstHours + 1;
  let n = 0;
  for (let i = 0; i < sh.last.length; i++) if (sh.last[i]! >= from) n++;
  return n;
}

/** Calls `tie(fp)` for each buyer of `a` that shares a live device or card with another of its buyers. */
function eachTied(s: State, a: Shared, oldest: number, tie: (fp: number) => void): void {
  for (let i = 0; i < s.shared.length; i++) {
    const x = s.shared[i]!;
    if ((x.k !== DEVICE && x.k !== PAYMENT) || x.hour < oldest) continue;
    let common = 0;
    for (let j = 0; j < a.fps.length; j++) if (x.fps.indexOf(a.fps[j]!) >= 0) common++;
    if (common < 2) continue;
    for (let j = 0; j < a.fps.length; j++) if (x.fps.indexOf(a.fps[j]!) >= 0) tie(a.fps[j]!);
  }
}

/** After a change to the shared values: the ties of each shared address's buyers, as of `hour`. */
function recordTies(s: State, hour: number, c: Config): void {
  const oldest = hour - c.horizonDays * 24 + 1;
  for (let i = 0; i < s.shared.length; i++) {
    const a = s.shared[i]!;
    if (a.k !== ADDRESS) continue;
    let tied = a.tied ?? EMPTY;
    eachTied(s, a, oldest, (fp) => {
      const at = tied.findIndex((t) => lowOf(t, BUYER_SCALE) === fp);
      const packed = hour * BUYER_SCALE + fp;
      if (at < 0) tied = appendCappedNumbers(tied, packed, MAX_BUYER_FPS);
      else if (tied[at] !== packed) tied = tied.map((t, k) => (k === at ? packed : t));
    });
    if (tied !== EMPTY && tied !== a.tied) a.tied = tied;
  }
}

/** A place: an IP prefix, or a shipping address with fewer than `minTied` tied buyers (tiedBuyers). */
function isPlace(s: State, sh: Shared, oldest: number, minTied: number): boolean {
  return sh.k === IP || (sh.k === ADDRESS && tiedBuyers(s, sh, oldest) < minTied);
}

/**
 * Distinct buyers of shared address `a` tied to another of its buyers by a shared device or
 * payment instrument within the horizon: the accounts of a farm's few phones and cards, not the
 * strangers who share a mailroom.
 */
function tiedBuyers(s: State, a: Shared, oldest: number): number {
  if (a.tied !== undefined) {
    let n = 0;
    for (let i = 0; i < a.tied.length; i++) if (Math.floor(a.tied[i]! / BUYER_SCALE) >= oldest) n++;
    return n;
  }
  const live: number[] = [];
  eachTied(s, a, oldest, (fp) => {
    if (live.indexOf(fp) < 0) live.push(fp);
  });
  return live.length;
}

function judge(s: State, hour: number, c: Config): SignalFinding | null {
  if (s.shared.length === 0) return null;
  const oldest = hour - c.horizonDays * 24 + 1;
  const { thresholds, weights } = kindsOf(c);
  // Devices, cards and tied addresses are independent evidence; places (IP prefixes, addresses
  // whose buyers share nothing else) are one piece of it together, capped at placeStrength.
  let miss = 1;
  let placeMiss = 1;
  let best: Shared | null = null;
  let bestStrength = 0;
  let bestIsPlace = false;
  // Built only once a value counts: most evaluations find none.
  let hits: Shared[] | null = null;
  for (let i = 0; i < s.shared.length; i++) {
    const sh = s.shared[i]!;
    if (sh.hour < oldest) continue;
    const full = weights[sh.k]! * strengthOf(sh.fps.length, thresholds[sh.k]!, c);
    const place = isPlace(s, sh, oldest, c.addressBuyers);
    // A place shared without a break for longer than the horizon is the shop's clientele (a campus
    // shop's mailrooms week after week), not a campaign's new drop.
    if (place && ((sh.since !== undefined && hour - sh.since >= c.horizonDays * 24) || (s.normal !== undefined && s.normal >= oldest))) continue;
    const st = place ? Math.min(full, c.placeStrength) : Math.max(full, cardBurst(sh, hour, c) >= c.cardBurstBuyers ? c.cardBurstStrength : 0);
    if (st <= 0) continue;
    (hits ??= []).push(sh);
    // Independent shared values reinforce each other: 1 − Π(1 − s).
    if (place) placeMiss *= 1 - full;
    else miss *= 1 - st;
    if (st > bestStrength || (st === bestStrength && best !== null && (sh.k < best.k || (sh.k === best.k && sh.v < best.v)))) {
      best = sh;
      bestStrength = st;
      bestIsPlace = place;
    }
  }
  const placesOnly = miss === 1;
  miss *= 1 - Math.min(1 - placeMiss, c.placeStrength);
  const strength = Math.min(1, 1 - miss);
  if (best === null || hits === null || strength < c.minStrength) return null;

  hits.sort((a, b) => b.fps.length - a.fps.length || a.k - b.k || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  const lists: Record<Kind, string[]> = { device: [], payment: [], address: [], ip: [] };
  const buyerIds: string[] = [];
  for (const sh of hits) {
    lists[KINDS[sh.k]!].push(sh.v);
    for (const b of sh.buyers) if (buyerIds.indexOf(b) < 0) buyerIds.push(b);
  }
  const evidence: Partial<EvidenceLists> = {
    buyerIds,
    ...(lists.device.length > 0 ? { deviceIds: lists.device } : {}),
    ...(lists.payment.length > 0 ? { paymentHashes: lists.payment } : {}),
    ...(lists.address.length > 0 ? { addressHashes: lists.address } : {}),
    ...(lists.ip.length > 0 ? { ipPrefixes: lists.ip } : {}),
  };
  const kind = KINDS[best.k]!;
  const burst = cardBurst(best, hour, c);
  const byBurst = burst >= c.cardBurstBuyers && c.cardBurstStrength > weights[best.k]! * strengthOf(best.fps.length, thresholds[best.k]!, c);
  const more = hits.length > 1 ? ` and ${hits.length - 1} more shared value${hits.length > 2 ? 's' : ''}` : '';
  return {
    name: 'shared_identity',
    family: 'identity',
    value: byBurst ? burst : best.fps.length,
    threshold: byBurst ? c.cardBurstBuyers : thresholds[best.k]!,
    strength: round2(strength),
    horizonMs: (byBurst ? c.cardBurstHours : c.horizonDays * 24) * HOUR_MS,
    baseline: null,
    explanation: byBurst
      ? `${burst} distinct buyers paid with one card (${best.v}) within ${c.cardBurstHours} h${more}; ${c.cardBurstBuyers} within ${c.cardBurstHours} h make a card strong alone.`
      : `${best.fps.length} distinct buyers used one ${kind} (${best.v})${more} within ${c.horizonDays} days; ${thresholds[best.k]} fire.${
          bestIsPlace && best.k === ADDRESS ? ` They share no device or card, as strangers at a mailroom, locker or pickup point do: the places weigh at most ${c.placeStrength}.` : ''
        }`,
    evidence,
    ...(placesOnly ? { demographic: true as const } : {}),
  };
}
