/**
 * An independent second world for measuring how the detection engine generalises beyond the
 * simulator it was tuned on (a script that prints figures, not a test; it asserts nothing).
 *
 * Written from the detection issue's text and the event contract only, without reading
 * src/sim/simulator.ts, scenarios.ts, text.ts, the engine's signals or its config defaults. Every
 * constant below is this file's own guess at how a marketplace and brushing farms behave, with a
 * one-line reason beside it.
 *
 * What it models
 * - Honest marketplace: ~2,200 sellers in 8 categories with Pareto (heavy-tailed) order rates,
 *   ~65k buyers with log-normal account ages plus new sign-ups during the run, households
 *   (shared address, home IP, family tablet, sometimes a shared card), offices (one egress IP),
 *   mobile carrier NAT (a few hundred public IPs shared by everyone on a carrier), dynamic home
 *   IPs, a local-time daily rhythm (UTC+7), a weekly rhythm and one platform-wide sale day. The
 *   order lifecycle PLACED → PAID → SHIPPED (declared weight, sometimes undeclared) → DELIVERED
 *   with unpaid and buyer cancellations, lost parcels, refunds (some after a good review); light
 *   categories (phone cases, jewellery) ship 12–80 g honestly. Reviews for a minority of orders:
 *   on receipt, a day or two later, or after the platform's reminder; ratings by category and
 *   seller quality; empty, short and long texts; some honest unverified reviews (gifts).
 * - Brushing campaigns: every typology × intensity (2 campaigns each, 60 in all), each carrying
 *   its trait the way a farm would, with camouflage drawn per campaign from CAMOUFLAGES.
 * - Hard negatives: 5 sellers of each HARD_NEGATIVE_KINDS kind.
 * - Disorder: 70 % of events arrive within seconds, 25 % up to 6 min late, 4.7 % 6–40 min late,
 *   0.3 % 1–10 h late (offline devices), 0.15 % delivered twice; lines are sorted by arrival.
 *
 * Run (seed as argument or SEED, output directory as argument or OUT):
 *   npx tsx bench/independent-world.ts 101 /tmp/iw-101
 *   npx tsx src/cli/main.ts replay --input /tmp/iw-101/events.ndjson --output /tmp/iw-101/alerts.ndjson
 *   npx tsx src/cli/main.ts evaluate --truth /tmp/iw-101/truth.json --alerts /tmp/iw-101/alerts.ndjson
 */
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { AliasTable, permute32, Rng } from '../src/sim/prng.js';
import { CAMOUFLAGES, HARD_NEGATIVE_KINDS, INTENSITIES, TYPOLOGIES, type Camouflage, type HardNegativeKind, type Intensity, type Typology } from '../src/sim/truth.js';

const seed = Number(process.argv[2] ?? process.env['SEED'] ?? 101);
const outDir = process.argv[3] ?? process.env['OUT'] ?? `/tmp/independent-world-${seed}`;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DAYS = 24; // three and a half weeks: enough for reminder-driven reviews and slow drips to show
const T0 = Date.UTC(2026, 4, 4); // a Monday, 00:00 UTC
const END = T0 + DAYS * DAY;
const TZ = 7; // marketplace local time UTC+7 (a South-East-Asian market, where brushing is common)

// Nearby seeds give correlated first draws of Rng (seeds 101, 202, 303 all drew the same sale day),
// so the seed is scrambled through a bijection first.
const worldSeed = permute32(seed, 0x5eed1e55);
const rng = new Rng(worldSeed, 9001);
const rngCamp = new Rng(worldSeed, 9002);
const rngHard = new Rng(worldSeed, 9003);
const rngOut = new Rng(worldSeed, 9004);

// ---------------------------------------------------------------- ids

const counters = new Map<string, number>();
const salts: Record<string, number> = { s: 0x51ed27, b: 0xb0b5, i: 0x17e3, o: 0x0dde7, r: 0x4e71e, e: 0xe7e7e, d: 0xdec1, a: 0xadd4, p: 0x9a7, t: 0x7ac };
function newId(prefix: string): string {
  const n = counters.get(prefix) ?? 0;
  counters.set(prefix, n + 1);
  return `${prefix}-${permute32(n, (salts[prefix] ?? 1) ^ worldSeed).toString(36)}`;
}

// ---------------------------------------------------------------- time shapes

// Local-hour weights: night trough, lunch bump, evening peak 20–22 h (mobile shopping after work).
const DIURNAL = [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.75, 0.9, 1.0, 1.05, 1.15, 1.05, 0.95, 0.95, 1.0, 1.05, 1.1, 1.3, 1.5, 1.55, 1.25, 0.7];
const diurnalTable = new AliasTable(DIURNAL);
// Mon..Sun: weekends busier (leisure shopping), Friday a little quieter.
const WEEKLY = [1.05, 1.0, 0.98, 0.97, 0.93, 1.12, 1.2];
// One platform-wide sale day (a "double-date" campaign) multiplies traffic for everyone.
const SALE_DAY = rng.range(9, 17);
const SALE_BOOST = 2.3;
const dayFactor = (d: number): number => (WEEKLY[d % 7] ?? 1) * (d === SALE_DAY ? SALE_BOOST : 1);
/** A UTC time on day `d` whose local hour follows the diurnal curve. */
function timeOnDay(r: Rng, d: number): number {
  const localHour = diurnalTable.sample(r);
  return T0 + d * DAY + (localHour - TZ) * HOUR + Math.floor(r.next() * HOUR);
}
/** A time in local working hours (09–23 h), as farm workers in shifts keep. */
function farmTime(r: Rng, from: number, to: number): number {
  for (let i = 0; i < 20; i++) {
    const t = Math.floor(r.uniform(from, to));
    const h = (((Math.floor(t / HOUR) + TZ) % 24) + 24) % 24;
    if (h >= 9 && h < 23) return t;
  }
  return Math.floor(r.uniform(from, to));
}

// ---------------------------------------------------------------- network identities

const RESIDENTIAL_A = [24, 27, 36, 42, 49, 58, 61, 73, 81, 86, 101, 103, 110, 112, 115, 116, 118, 125, 171, 180, 182, 183, 202, 203];
function residentialIp(r: Rng): string {
  if (r.chance(0.25)) {
    // a quarter of home connections are IPv6 (dual-stack ISPs)
    const h = (): string => r.int(65536).toString(16);
    return `2001:${h()}:${h()}:${h()}::${(1 + r.int(0xfff)).toString(16)}`;
  }
  return `${r.pick(RESIDENTIAL_A)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
}
// Carrier-grade NAT: each mobile carrier egresses through a small pool of public IPs shared by
// all its subscribers, so one mobile IP carries thousands of unrelated buyers.
const CARRIERS = [
  { share: 0.45, ips: Array.from({ length: 48 }, (_, i) => `117.${20 + (i >> 4)}.${(i * 37) % 256}.${10 + (i % 16)}`) },
  { share: 0.35, ips: Array.from({ length: 32 }, (_, i) => `14.${160 + (i >> 3)}.${(i * 53) % 256}.${20 + (i % 8)}`) },
  { share: 0.2, ips: Array.from({ length: 20 }, (_, i) => `49.${212 + (i >> 2)}.${(i * 71) % 256}.${5 + (i % 4)}`) },
];
const carrierTable = new AliasTable(CARRIERS.map((c) => c.share));

// ---------------------------------------------------------------- buyers

interface Household { address: string; staticIp: string | null; ipSalt: number; tablet: string | null; sharedCard: string | null }
interface Office { ip: string; address: string }
interface Buyer {
  id: string;
  createdAt: number; // NaN until first order for sign-ups during the run
  joinAt: number; // sign-ups: not before this
  phone: string;
  devices: string[];
  carrier: number;
  household: Household;
  office: Office | null;
  cards: string[];
  activity: number;
}

function newHousehold(r: Rng): Household {
  return {
    address: newId('a'),
    // 55 % of homes keep an IP for the whole run; the rest get a new one each week (dynamic DHCP)
    staticIp: r.chance(0.55) ? residentialIp(r) : null,
    ipSalt: r.u32(),
    tablet: r.chance(0.3) ? newId('d') : null, // a family tablet everybody shops from
    sharedCard: r.chance(0.25) ? newId('p') : null, // couples sharing one card
  };
}
const weeklyIps = new Map<string, string>();
function homeIp(h: Household, t: number): string {
  if (h.staticIp !== null) return h.staticIp;
  const week = Math.floor((t - T0) / (7 * DAY));
  const key = `${h.ipSalt}:${week}`;
  let ip = weeklyIps.get(key);
  if (ip === undefined) weeklyIps.set(key, (ip = residentialIp(new Rng(h.ipSalt, week + 1))));
  return ip;
}

function accountAge(r: Rng): number {
  // 12 % opened in the three months before the run, the rest a log-normal around 2.5 years
  if (r.chance(0.12)) return r.uniform(1, 90) * DAY;
  return Math.min(12 * 365, Math.max(90, r.logNormal(900, 0.9))) * DAY;
}

function makeBuyer(r: Rng, household: Household, office: Office | null, createdAt: number): Buyer {
  const phone = newId('d');
  const devices = [phone];
  if (r.chance(0.45)) devices.push(newId('d')); // a laptop
  if (household.tablet !== null) devices.push(household.tablet);
  const cards = [household.sharedCard !== null && r.chance(0.6) ? household.sharedCard : newId('p')];
  if (r.chance(0.35)) cards.push(newId('p')); // a second card or wallet
  return { id: newId('b'), createdAt, joinAt: T0, phone, devices, carrier: carrierTable.sample(r), household, office, cards, activity: r.logNormal(1, 1.1) };
}

const N_BUYERS = 65_000;
const buyers: Buyer[] = [];
const offices: Office[] = Array.from({ length: 320 }, () => ({ ip: residentialIp(rng), address: newId('a') }));
{
  while (buyers.length < N_BUYERS) {
    const h = newHousehold(rng);
    const x = rng.next();
    const size = x < 0.6 ? 1 : x < 0.85 ? 2 : x < 0.95 ? 3 : rng.range(4, 5); // household sizes
    for (let k = 0; k < size; k++) {
      const office = rng.chance(0.15) ? rng.pick(offices) : null; // one in seven shops from work too
      const b = makeBuyer(rng, h, office, T0 - accountAge(rng));
      // 8 % of the buyers sign up during the run and buy minutes after signing up
      if (rng.chance(0.08)) {
        b.createdAt = NaN;
        b.joinAt = T0 + rng.next() * DAYS * DAY;
      }
      buyers.push(b);
    }
  }
}
const buyerTable = new AliasTable(buyers.map((b) => b.activity));

interface Session { device: string; ip: string }
function session(r: Rng, b: Buyer, t: number): Session {
  const x = r.next();
  // 55 % app on cellular (carrier NAT), 35 % home wifi, 10 % office if any
  if (x < 0.55) return { device: b.phone, ip: r.pick(CARRIERS[b.carrier]!.ips) };
  if (x < 0.9 || b.office === null) return { device: r.pick(b.devices), ip: homeIp(b.household, t) };
  return { device: b.devices[1] ?? b.phone, ip: b.office.ip };
}
const shipTo = (r: Rng, b: Buyer): string => (b.office !== null && r.chance(0.2) ? b.office.address : b.household.address);

// ---------------------------------------------------------------- sellers

type Category = 'grocery' | 'fashion' | 'electronics' | 'beauty' | 'home' | 'accessories' | 'books' | 'toys';
interface CategorySpec {
  share: number; // share of sellers
  repeat: number; // chance an order comes from one of the shop's past customers
  reviewRate: number; // share of delivered orders reviewed
  fiveStar: number; // share of reviews that are 5★ for a typical shop
  refund: number; // share of delivered orders refunded
  weight: [number, number]; // item weight range (g)
  price: number; // median price (cents)
}
const CATEGORIES: Record<Category, CategorySpec> = {
  grocery: { share: 0.1, repeat: 0.4, reviewRate: 0.12, fiveStar: 0.72, refund: 0.015, weight: [400, 6000], price: 1800 }, // weekly baskets, few reviews
  fashion: { share: 0.22, repeat: 0.12, reviewRate: 0.22, fiveStar: 0.52, refund: 0.08, weight: [150, 900], price: 2400 }, // sizing returns
  electronics: { share: 0.12, repeat: 0.05, reviewRate: 0.25, fiveStar: 0.58, refund: 0.04, weight: [120, 3500], price: 4500 },
  beauty: { share: 0.14, repeat: 0.25, reviewRate: 0.28, fiveStar: 0.66, refund: 0.02, weight: [60, 450], price: 1500 }, // replenishment buys
  home: { share: 0.14, repeat: 0.08, reviewRate: 0.18, fiveStar: 0.6, refund: 0.03, weight: [300, 9000], price: 3200 },
  accessories: { share: 0.12, repeat: 0.1, reviewRate: 0.2, fiveStar: 0.55, refund: 0.03, weight: [12, 80], price: 700 }, // phone cases, jewellery: envelopes of a few tens of grams
  books: { share: 0.06, repeat: 0.15, reviewRate: 0.15, fiveStar: 0.7, refund: 0.01, weight: [180, 1400], price: 1300 },
  toys: { share: 0.1, repeat: 0.08, reviewRate: 0.2, fiveStar: 0.63, refund: 0.03, weight: [100, 2500], price: 2100 },
};
const CATEGORY_NAMES = Object.keys(CATEGORIES) as Category[];
const categoryTable = new AliasTable(CATEGORY_NAMES.map((c) => CATEGORIES[c].share));
const CARRIER_NAMES = ['JNT', 'NinjaVan', 'SPX', 'Flash', 'Kerry', 'DHL', 'BestExpress'];

interface Item { id: string; price: number; weight: number }
interface Seller {
  id: string;
  cat: Category;
  spec: CategorySpec;
  rate: number; // honest orders per day
  items: Item[];
  itemTable: AliasTable;
  quality: number; // multiplies the 5★ share
  handlingH: number; // median hours to ship
  declaresWeight: boolean;
  carriers: string[];
  currency: string;
  opensAt: number; // first day with honest orders (new shops open during the run)
  customers: Buyer[];
  customerSet: Set<Buyer>;
  role: 'honest' | 'campaign' | 'hard';
}

function makeSeller(r: Rng, cat: Category, rate: number, role: Seller['role'], opensAt = T0): Seller {
  const spec = CATEGORIES[cat];
  const nItems = Math.min(200, Math.floor(r.pareto(1, 0.9))); // catalogue sizes: most shops list a few items, some hundreds
  const items: Item[] = [];
  for (let i = 0; i < nItems; i++) items.push({ id: newId('i'), price: Math.max(99, Math.round(r.logNormal(spec.price, 0.7))), weight: Math.round(r.uniform(spec.weight[0], spec.weight[1])) });
  return {
    id: newId('s'),
    cat,
    spec,
    rate,
    items,
    itemTable: new AliasTable(items.map((_, i) => 1 / Math.pow(i + 1, 1.1))), // Zipf: a bestseller or two
    quality: Math.min(1.35, r.logNormal(1, 0.15)),
    handlingH: r.logNormal(20, 0.6), // same-day shippers to three-day shippers
    declaresWeight: r.chance(0.95), // a few shops never declare weights
    carriers: r.sample(CARRIER_NAMES.length, r.range(1, 2)).map((i) => CARRIER_NAMES[i]!),
    currency: r.chance(0.93) ? 'USD' : 'EUR', // a few cross-border shops
    opensAt,
    customers: [],
    customerSet: new Set(),
    role,
  };
}

const N_SELLERS = 2_200;
const sellers: Seller[] = [];
for (let i = 0; i < N_SELLERS; i++) {
  // Pareto(0.27, 1.2): median ~0.5 orders/day, a few shops with hundreds a day (capped)
  const rate = Math.min(250, rng.pareto(0.27, 1.2));
  // 5 % of shops open during the run (their first sale is in the window)
  const opens = rng.chance(0.05) ? T0 + rng.range(1, DAYS - 3) * DAY : T0;
  sellers.push(makeSeller(rng, CATEGORY_NAMES[categoryTable.sample(rng)]!, rate, 'honest', opens));
}

// ---------------------------------------------------------------- event emission

type Status = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'REFUNDED';
interface Out { arrival: number; ev: Record<string, unknown> }
const out: Out[] = [];
let duplicates = 0;

/** Arrival disorder: most events within seconds, a quarter minutes late, a few hours late (offline devices). */
function emit(ev: Record<string, unknown> & { eventTime: number }): void {
  const x = rngOut.next();
  let lag: number;
  if (x < 0.7) lag = rngOut.exponential(3000);
  else if (x < 0.95) lag = rngOut.uniform(0, 6 * MIN);
  else if (x < 0.997) lag = rngOut.uniform(6 * MIN, 40 * MIN);
  else lag = rngOut.uniform(1 * HOUR, 10 * HOUR);
  out.push({ arrival: ev.eventTime + lag, ev });
  // 0.15 % delivered twice (at-least-once producers)
  if (rngOut.chance(0.0015)) {
    out.push({ arrival: ev.eventTime + lag + rngOut.uniform(0, 30 * MIN), ev });
    duplicates++;
  }
}

interface Order {
  id: string;
  seller: Seller;
  buyer: Buyer;
  item: Item;
  qty: number;
  amount: number;
  address: string;
  card: string;
  placedAt: number;
  deliveredAt: number | null;
}

/** Tracks what a campaign planted: called with every planted event's time at a campaign seller. */
interface Tally { start: number; end: number; orders: number; reviews: number; buyers: Set<string> }
const tally = (): Tally => ({ start: Infinity, end: -Infinity, orders: 0, reviews: 0, buyers: new Set() });
function mark(t: Tally | null, time: number): void {
  if (t === null) return;
  t.start = Math.min(t.start, time);
  t.end = Math.max(t.end, time);
}

function orderEvent(o: Order, status: Status, time: number, s: Session | null, ship?: { tracking: string; carrier: string; weight: number | null }): Record<string, unknown> & { eventTime: number } {
  return {
    kind: 'order',
    eventId: newId('e'),
    orderId: o.id,
    status,
    eventTime: Math.floor(time),
    sellerId: o.seller.id,
    buyerId: o.buyer.id,
    itemId: o.item.id,
    quantity: o.qty,
    amountCents: o.amount,
    currency: o.seller.currency,
    buyerAccountCreatedAt: Math.floor(o.buyer.createdAt),
    deviceId: s?.device ?? null,
    ipAddress: s?.ip ?? null,
    shippingAddressHash: o.address,
    paymentInstrumentHash: o.card,
    trackingNumber: ship?.tracking ?? null,
    carrier: ship?.carrier ?? null,
    parcelWeightGrams: ship?.weight ?? null,
  };
}

interface PlaceArgs { seller: Seller; buyer: Buyer; item?: Item; qty?: number; at: number; session?: Session; address?: string; card?: string; price?: number; t?: Tally | null; fake?: boolean }
function place(r: Rng, a: PlaceArgs): Order | null {
  if (a.at >= END || a.at < T0) return null;
  const item = a.item ?? a.seller.items[a.seller.itemTable.sample(r)]!;
  const qty = a.qty ?? (r.chance(0.86) ? 1 : r.chance(0.7) ? 2 : r.range(3, 6));
  const o: Order = {
    id: newId('o'),
    seller: a.seller,
    buyer: a.buyer,
    item,
    qty,
    amount: Math.round((a.price ?? item.price) * qty) + (r.chance(0.6) ? 0 : 150 + r.int(250)), // some orders pay shipping
    address: a.address ?? shipTo(r, a.buyer),
    card: a.card ?? r.pick(a.buyer.cards),
    placedAt: a.at,
    deliveredAt: null,
  };
  const s = a.session ?? session(r, a.buyer, a.at);
  emit(orderEvent(o, 'PLACED', a.at, s));
  mark(a.t ?? null, a.at);
  // fake accounts never become the shop's organic repeat customers
  if (a.fake !== true && !a.seller.customerSet.has(a.buyer)) {
    a.seller.customerSet.add(a.buyer);
    a.seller.customers.push(a.buyer);
  }
  return o;
}
function step(o: Order, status: Status, at: number, s: Session | null = null, t: Tally | null = null, ship?: { tracking: string; carrier: string; weight: number | null }): boolean {
  if (at >= END) return false;
  emit(orderEvent(o, status, at, s, ship));
  mark(t, at);
  if (status === 'DELIVERED') o.deliveredAt = at;
  return true;
}
function trackingNo(r: Rng, carrier: string): string {
  return `${carrier.slice(0, 2).toUpperCase()}${(1e11 + r.int(9e11)).toString()}`;
}

interface ReviewArgs { seller: Seller; buyer: Buyer; item: Item; orderId: string | null; at: number; rating: number; text: string; media: boolean; session?: Session; t?: Tally | null }
function postReview(r: Rng, a: ReviewArgs): boolean {
  if (a.at >= END) return false;
  const s = a.session ?? session(r, a.buyer, a.at);
  emit({ kind: 'review', eventId: newId('e'), reviewId: newId('r'), eventTime: Math.floor(a.at), orderId: a.orderId, sellerId: a.seller.id, buyerId: a.buyer.id, itemId: a.item.id, rating: a.rating, text: a.text, hasMedia: a.media, deviceId: s.device, ipAddress: s.ip });
  mark(a.t ?? null, a.at);
  return true;
}

// ---------------------------------------------------------------- texts (this file's own banks)

const OPEN_POS = ['Really happy with this', 'Exactly as described', 'Good value for the price', 'Arrived quickly', 'Second time buying', 'My wife loves it', 'Works fine so far', 'Better than I expected', 'Nice quality', 'ok', 'good', 'Packed well', 'fast delivery', 'Great seller', 'recommended', 'thank you seller', 'Bought as a gift', 'Same as the pictures'];
const DETAIL: Record<Category, string[]> = {
  grocery: ['fresh and well packed', 'expiry date is far away', 'the rice is good', 'eggs arrived unbroken', 'coffee smells great', 'cheaper than the supermarket'],
  fashion: ['fits true to size', 'a bit tight around the shoulders', 'fabric is soft', 'colour slightly darker than the photo', 'stitching is neat', 'size M fits my 60kg'],
  electronics: ['battery lasts all day', 'charges fast', 'pairing was easy', 'sound is decent for the price', 'cable feels sturdy', 'the manual is only in Chinese'],
  beauty: ['smells nice', 'not sticky', 'did not break me out', 'original product, checked the code', 'lasts the whole day', 'a little goes a long way'],
  home: ['easy to assemble', 'sturdy enough', 'looks nice in my kitchen', 'the screws were missing but seller sent them', 'bigger than I thought', 'easy to clean'],
  accessories: ['case fits my phone perfectly', 'the necklace is cute', 'colour as shown', 'a bit thin but ok for the price', 'came in a small envelope', 'cute stickers'],
  books: ['pages in good condition', 'no damage to the cover', 'my kid loves it', 'original print', 'wrapped in plastic', 'arrived before the weekend'],
  toys: ['my son plays with it every day', 'safe material', 'batteries not included', 'bright colours', 'smaller than expected', 'good for 3 year olds'],
};
const NEG = ['Item broken on arrival', 'not as described', 'very slow shipping', 'seller did not reply', 'wrong colour sent', 'cheap quality, would not buy again', 'size runs small', 'stopped working after two days', 'missing parts'];
const MID = ['it is ok', 'average', 'acceptable for the price', 'delivery took long but item fine', 'decent'];

function decorate(r: Rng, s: string): string {
  let t = s;
  if (r.chance(0.3)) t = t.toLowerCase();
  if (r.chance(0.25)) t += r.pick(['!', '!!', '.', ' :)', ' 👍', '...', ' 5 stars']);
  return t;
}
function honestText(r: Rng, cat: Category, rating: number): string {
  if (r.chance(0.33)) return ''; // star-only reviews
  if (rating <= 2) return decorate(r, r.chance(0.5) ? `${r.pick(NEG)}. ${r.pick(DETAIL[cat])}` : r.pick(NEG));
  if (rating === 3) return decorate(r, `${r.pick(MID)}, ${r.pick(DETAIL[cat])}`);
  const n = r.chance(0.4) ? 1 : r.chance(0.7) ? 2 : 3;
  const parts = [r.pick(OPEN_POS)];
  for (let i = 1; i < n; i++) parts.push(r.pick(DETAIL[cat]));
  return decorate(r, parts.join(r.pick([', ', '. ', ' - ', ' and '])));
}
function honestRating(r: Rng, s: Seller, fiveStar = s.spec.fiveStar * s.quality): number {
  if (r.chance(Math.min(0.97, fiveStar))) return 5;
  const x = r.next();
  return x < 0.5 ? 4 : x < 0.65 ? 3 : x < 0.77 ? 2 : 1; // the remainder: mostly 4★, a J-shaped 1★ tail
}
/** Review delay after delivery: a fifth on receipt, half within days, the rest after the reminder. */
function honestReviewDelay(r: Rng, onReceipt = 0.2): number {
  const x = r.next();
  if (x < onReceipt) return Math.max(MIN, r.logNormal(14 * MIN, 0.9));
  if (x < onReceipt + 0.5) return r.logNormal(30 * HOUR, 0.9);
  return r.uniform(5, 7) * DAY + r.logNormal(3 * HOUR, 1); // platform reminder at day 5–7
}

// Farm texts: generic praise without product detail, in the register farms pay for.
const FARM_PRAISE = ['Excellent product', 'Very good quality', 'Highly recommended', 'Fast shipping', 'Seller very responsive', 'Original product', 'Will order again', 'Best seller', 'Packaging very neat', 'Satisfied with the purchase', 'Product matches the picture', 'Trusted shop', 'Super fast delivery', 'Good price good quality', 'Thank you, very satisfied'];
function farmText(r: Rng): string {
  if (r.chance(0.08)) return '';
  const k = r.range(2, 3);
  const parts = r.sample(FARM_PRAISE.length, k).map((i) => FARM_PRAISE[i]!);
  return parts.join(r.pick([', ', '. ', '!! ', ' '])) + r.pick(['', '!', '!!', ' 👍👍', ' ⭐⭐⭐⭐⭐']);
}
// review_text farms: one script pasted with micro-edits; paraphrased ones swap synonyms.
const SCRIPTS = [
  'The product is very good and original, delivery was fast and the seller is very friendly. Recommended shop!',
  'Item arrived safely, well packed, quality exceeds expectations. Thank you seller, will buy again!',
  'Very satisfied, product as in the photo, fast response from seller, fast delivery. Top!',
];
const SYN: Record<string, string[]> = {
  product: ['item', 'goods', 'product'],
  item: ['product', 'package', 'item'],
  very: ['really', 'super', 'very', 'so'],
  good: ['nice', 'great', 'good', 'excellent'],
  fast: ['quick', 'speedy', 'fast', 'rapid'],
  delivery: ['shipping', 'delivery', 'courier'],
  seller: ['shop', 'seller', 'store owner'],
  friendly: ['kind', 'helpful', 'friendly'],
  recommended: ['recommend it', 'must buy', 'recommended'],
  satisfied: ['happy', 'pleased', 'satisfied'],
  quality: ['material', 'quality', 'build'],
};
function scriptText(r: Rng, base: string, paraphrase: boolean): string {
  let t = base;
  if (paraphrase) {
    const words = t.split(' ').map((w) => {
      const core = w.replace(/[^A-Za-z]/g, '').toLowerCase();
      const alts = SYN[core];
      return alts !== undefined && r.chance(0.7) ? w.toLowerCase().replace(core, r.pick(alts)) : w;
    });
    t = words.join(' ');
    if (r.chance(0.5)) {
      const sentences = t.split('. ');
      t = sentences.reverse().join('. ');
    }
  }
  if (r.chance(0.3)) t = t.replace(/!$/, '!!');
  if (r.chance(0.2)) t = t.toLowerCase();
  if (r.chance(0.2)) t += ' 👍';
  return t;
}

// ---------------------------------------------------------------- honest lifecycle

interface LifeOpts { reviewP?: number; fiveStar?: number; onReceipt?: number; textFn?: (r: Rng, rating: number) => string; media?: number }
/** The honest continuation of a placed order: payment, cancellations, shipping, delivery, refunds, review. */
function honestLife(r: Rng, o: Order, opts: LifeOpts = {}): void {
  const s = o.seller;
  let t = o.placedAt;
  if (r.chance(0.025)) {
    step(o, 'CANCELLED', t + r.uniform(15 * MIN, 24 * HOUR)); // never paid (abandoned bank transfer)
    return;
  }
  t += r.chance(0.94) ? r.logNormal(90_000, 1.1) : r.logNormal(3 * HOUR, 0.8); // card/wallet in seconds, transfers in hours
  if (!step(o, 'PAID', t, session(r, o.buyer, t))) return;
  if (r.chance(0.015)) {
    step(o, 'CANCELLED', t + r.uniform(1 * HOUR, 20 * HOUR)); // buyer changed mind before shipping
    return;
  }
  t += r.logNormal(s.handlingH * HOUR, 0.5);
  const carrier = r.pick(s.carriers);
  const weight = s.declaresWeight ? Math.round(o.item.weight * o.qty * r.uniform(1.0, 1.15) + r.uniform(20, 150)) : null;
  if (!step(o, 'SHIPPED', t, null, null, { tracking: trackingNo(r, carrier), carrier, weight })) return;
  if (r.chance(0.006)) {
    step(o, 'REFUNDED', t + r.uniform(8, 14) * DAY); // lost in transit, refunded after the claim
    return;
  }
  t += r.logNormal(2.2 * DAY, 0.45);
  if (!step(o, 'DELIVERED', t)) return;
  const delivered = t;
  const refunded = r.chance(s.spec.refund);
  const refundAt = delivered + r.logNormal(3 * DAY, 0.6);
  if (r.chance((opts.reviewP ?? s.spec.reviewRate) * (refunded ? 1.6 : 1))) {
    const at = delivered + honestReviewDelay(r, opts.onReceipt);
    // a refunded order's review is mostly angry; some were happy first and returned later (changed mind, broke later)
    const rating = refunded && at < refundAt && r.chance(0.55) ? r.range(1, 2) : honestRating(r, s, opts.fiveStar);
    const text = opts.textFn !== undefined ? opts.textFn(r, rating) : honestText(r, s.cat, rating);
    postReview(r, { seller: s, buyer: o.buyer, item: o.item, orderId: o.id, at, rating, text, media: r.chance(opts.media ?? (rating === 5 ? 0.14 : 0.1)) });
  }
  if (refunded) step(o, 'REFUNDED', refundAt);
}

// ---------------------------------------------------------------- honest traffic (chronological buyer assignment)

function pickBuyer(r: Rng, s: Seller, at: number, repeat = s.spec.repeat): Buyer {
  if (s.customers.length > 0 && r.chance(repeat)) {
    const c = r.pick(s.customers);
    if (c.createdAt < at) return c; // (a customer first seen later in event time cannot come back earlier)
  }
  for (let i = 0; i < 6; i++) {
    const b = buyers[buyerTable.sample(r)]!;
    if (!Number.isNaN(b.createdAt)) {
      if (b.createdAt < at) return b;
      continue;
    }
    if (b.joinAt <= at) {
      b.createdAt = at - Math.max(MIN, r.logNormal(25 * MIN, 1.0)); // signed up minutes before the first order
      return b;
    }
  }
  return buyers[0]!.createdAt < at ? buyers[0]! : r.pick(buyers.filter((b) => b.createdAt < at).slice(0, 100));
}

// Honest orders of every non-campaign-only seller (campaign sellers that were honest shops keep theirs).
function honestPlacements(r: Rng, list: Seller[]): { s: Seller; at: number }[] {
  const placements: { s: Seller; at: number }[] = [];
  for (const s of list) {
    for (let d = 0; d < DAYS; d++) {
      const dayStart = T0 + d * DAY;
      if (dayStart + DAY <= s.opensAt) continue;
      // a new shop ramps up over its first two weeks
      const ramp = s.opensAt > T0 ? Math.min(1, (dayStart - s.opensAt) / (14 * DAY) + 0.2) : 1;
      const n = r.poisson(s.rate * dayFactor(d) * ramp);
      for (let k = 0; k < n; k++) {
        const at = timeOnDay(r, d);
        if (at >= s.opensAt && at < END && at >= T0) placements.push({ s, at });
      }
    }
  }
  return placements;
}

// ---------------------------------------------------------------- campaigns

interface CampaignTruth {
  id: string;
  typology: Typology;
  intensity: Intensity;
  camouflage: Camouflage[];
  sellers: Seller[];
  t: Tally;
  evidence: number;
}
const campaigns: CampaignTruth[] = [];
const honestPool = sellers.slice();

interface FarmAccount { buyer: Buyer; session: () => Session; address: string; card: string }

/** Accounts of a farm, per the campaign's typology and camouflage. */
function farmAccounts(r: Rng, n: number, typ: Typology, cam: Camouflage[], firstUse: number): FarmAccount[] {
  const shared = typ === 'shared_identity';
  const rotating = cam.includes('rotating_devices');
  // a phone farm: one handset per ~6 accounts; a couple of home lines; 1–4 drop addresses; 2–3 cards
  const phones = Array.from({ length: Math.max(2, Math.ceil(n / 6)) }, () => newId('d'));
  const farmIps = Array.from({ length: r.range(1, 3) }, () => residentialIp(r));
  const drops = Array.from({ length: r.range(1, 4) }, () => newId('a'));
  const farmCards = Array.from({ length: r.range(2, 3) }, () => newId('p'));
  const accs: FarmAccount[] = [];
  for (let i = 0; i < n; i++) {
    let age: number;
    if (typ === 'fresh_accounts') age = r.uniform(0.5 * HOUR, 4 * DAY); // registered for the job
    else if (cam.includes('aged_accounts')) age = r.logNormal(1100, 0.5) * DAY; // rented real accounts, years old
    else age = Math.max(20, r.logNormal(120, 1.0)) * DAY; // bought farm stock, weeks to a year old
    const h = newHousehold(r);
    const b = makeBuyer(r, h, null, firstUse - age);
    buyers.push(b);
    const ownDevice = newId('d');
    const ownIp = residentialIp(r);
    const sess = (): Session => {
      if (rotating) return { device: newId('d'), ip: residentialIp(r) }; // new emulator fingerprint and proxy exit per session
      if (shared) return { device: r.pick(phones), ip: r.chance(0.8) ? r.pick(farmIps) : residentialIp(r) };
      // otherwise one device per account and residential proxies (the exit changes per session)
      return { device: ownDevice, ip: r.chance(0.3) ? ownIp : residentialIp(r) };
    };
    accs.push({ buyer: b, session: sess, address: shared ? r.pick(drops) : h.address, card: shared ? r.pick(farmCards) : b.cards[0]! });
  }
  return accs;
}

interface FakeOrderOpts {
  weight?: 'empty';
  reviewP: number;
  reviewDelay: (r: Rng) => number;
  text: (r: Rng) => string;
  refundAfterReview?: boolean;
  item?: Item;
}
/** One fake order: real payment, real (or empty) parcel, delivery, usually a 5★ review. Returns the events that show traits. */
function fakeOrder(r: Rng, c: CampaignTruth, s: Seller, acc: FarmAccount, at: number, o: FakeOrderOpts): { placed: number | null; shipped: number | null; review: number | null; refund: number | null } {
  const res = { placed: null as number | null, shipped: null as number | null, review: null as number | null, refund: null as number | null };
  const sess = acc.session();
  const order = place(r, { seller: s, buyer: acc.buyer, item: o.item, qty: 1, at, session: sess, address: acc.address, card: acc.card, t: c.t, fake: true });
  if (order === null) return res;
  res.placed = at;
  c.t.orders++;
  c.t.buyers.add(acc.buyer.id);
  let t = at + r.logNormal(60_000, 0.8);
  if (!step(order, 'PAID', t, sess, c.t)) return res;
  t += r.logNormal((o.weight === 'empty' ? 6 : s.handlingH) * HOUR, 0.5);
  const carrier = o.weight === 'empty' ? r.pick(['BestExpress', 'Flash', 'JNT']) : r.pick(s.carriers);
  // empty parcels: an envelope with a slip or a tissue, a few grams, whatever the listing weighs
  const weight = o.weight === 'empty' ? r.range(4, 35) : s.declaresWeight ? Math.round(order.item.weight * r.uniform(1.0, 1.15) + r.uniform(20, 150)) : null;
  if (!step(order, 'SHIPPED', t, null, c.t, { tracking: trackingNo(r, carrier), carrier, weight })) return res;
  res.shipped = t;
  t += r.logNormal((o.weight === 'empty' ? 1.4 : 2.2) * DAY, 0.4);
  if (!step(order, 'DELIVERED', t, null, c.t)) return res;
  if (r.chance(o.reviewP)) {
    const at2 = t + o.reviewDelay(r);
    if (postReview(r, { seller: s, buyer: acc.buyer, item: order.item, orderId: order.id, at: at2, rating: r.chance(0.94) ? 5 : 4, text: o.text(r), media: r.chance(0.2), session: acc.session(), t: c.t })) {
      c.t.reviews++;
      res.review = at2;
      if (o.refundAfterReview === true && r.chance(0.85)) {
        const at3 = at2 + r.uniform(0.3, 4) * DAY; // the "cashback": the seller refunds through the platform once the review is up
        if (step(order, 'REFUNDED', at3, null, c.t)) res.refund = at3;
      }
    }
  }
  return res;
}

/** The fake accounts' own purchases at honest shops (camouflage), or a rented account's owner buying. */
function honestCover(r: Rng, accs: FarmAccount[], from: number, to: number): void {
  const shops = honestPool.filter((x) => x.role === 'honest' && x.rate > 1); // cover buys go to busy honest shops
  for (const acc of accs) {
    const n = r.range(1, 4);
    for (let k = 0; k < n; k++) {
      const s = r.pick(shops);
      const at = Math.floor(r.uniform(Math.max(T0, from - 7 * DAY), Math.min(END, to + 7 * DAY)));
      if (at <= acc.buyer.createdAt) continue;
      const o = place(r, { seller: s, buyer: acc.buyer, at, session: acc.session(), address: acc.address, card: acc.card });
      if (o !== null) honestLife(r, o, { reviewP: 0.3 });
    }
  }
}

const defaultDelay = (r: Rng): number => r.logNormal(20 * HOUR, 1.0); // a farm worker reviews when the job list says so
const fastDelay = (r: Rng): number => r.uniform(1 * MIN, 25 * MIN); // a script watching the delivery status

function planCampaign(r: Rng, typ: Typology, intensity: Intensity, idx: number): void {
  // camouflage: a third none, half one, the rest two; slow drips make no sense for a burst, nor aged accounts for fresh ones
  const allowed = CAMOUFLAGES.filter((k) => !(typ === 'edge_bursts' && k === 'slow_drip') && !(typ === 'fresh_accounts' && k === 'aged_accounts'));
  const x = r.next();
  const nCam = x < 0.35 ? 0 : x < 0.8 ? 1 : 2;
  const cam = r.sample(allowed.length, nCam).map((i) => allowed[i]!);
  const drip = cam.includes('slow_drip');
  const paraphrase = cam.includes('paraphrase');
  const nOrders = intensity === 'low' ? r.range(5, 9) : intensity === 'medium' ? r.range(12, 25) : r.range(30, 70);
  const start = T0 + r.uniform(1.5, 19) * DAY; // some start late and show little before the run ends
  const end = Math.min(END, start + (drip ? r.uniform(12, 22) : r.uniform(3, 10)) * DAY);

  // The brushing shop: half are small or mid honest shops boosting a listing, half new shops bootstrapping.
  const ringSize = typ === 'collusion_ring' ? r.range(3, 5) : 1;
  const shops: Seller[] = [];
  for (let k = 0; k < ringSize; k++) {
    if (r.chance(0.5)) {
      let s: Seller | undefined;
      for (let tries = 0; tries < 50 && s === undefined; tries++) {
        const cand = r.pick(honestPool);
        if (cand.role === 'honest' && cand.opensAt === T0 && cand.rate < (r.chance(0.1) ? 30 : 5)) s = cand;
      }
      if (s === undefined) s = makeSeller(r, CATEGORY_NAMES[categoryTable.sample(r)]!, 0.5, 'campaign');
      s.role = 'campaign';
      shops.push(s);
    } else {
      const s = makeSeller(r, CATEGORY_NAMES[categoryTable.sample(r)]!, r.uniform(0.1, 1.5), 'campaign', Math.max(T0, start - r.uniform(0, 5) * DAY));
      sellers.push(s);
      shops.push(s);
    }
  }
  const c: CampaignTruth = { id: `iw-${typ}-${intensity}-${idx}`, typology: typ, intensity, camouflage: cam, sellers: shops, t: tally(), evidence: Infinity };
  campaigns.push(c);
  const ev = (t: number | null): void => {
    if (t !== null && t < c.evidence) c.evidence = t;
  };
  const orderTimes = (n: number): number[] => Array.from({ length: n }, () => farmTime(r, start, end)).sort((a, b) => a - b);
  const boosted = (s: Seller): Item => s.items[Math.min(s.items.length - 1, r.int(2))]!; // the listing being pushed
  const text = (r2: Rng): string => (paraphrase ? scriptText(r2, r2.pick(SCRIPTS), true) : farmText(r2));
  const base: FakeOrderOpts = { reviewP: 0.75, reviewDelay: defaultDelay, text };
  const shop = shops[0]!;

  switch (typ) {
    case 'repeat_buyers': {
      // a handful of accounts order the same listing again and again, every day or two
      const accs = farmAccounts(r, Math.max(2, Math.round(nOrders / r.uniform(3, 6))), typ, cam, start);
      const seen = new Set<Buyer>();
      orderTimes(nOrders).forEach((at, i) => {
        const acc = accs[i % accs.length]!;
        const res = fakeOrder(r, c, shop, acc, at, { ...base, item: boosted(shop), reviewP: 0.6 });
        if (seen.has(acc.buyer)) ev(res.placed);
        if (res.placed !== null) seen.add(acc.buyer);
      });
      if (cam.includes('honest_purchases') || cam.includes('aged_accounts')) honestCover(r, accs, start, end);
      break;
    }
    case 'fresh_accounts':
    case 'shared_identity':
    case 'review_timing':
    case 'empty_parcels':
    case 'refund_after_review':
    case 'review_text': {
      const accs = farmAccounts(r, Math.max(2, Math.round(nOrders / r.uniform(1, 1.5))), typ, cam, start);
      const script = r.pick(SCRIPTS);
      const opts: FakeOrderOpts = { ...base, item: boosted(shop) };
      if (typ === 'review_timing') Object.assign(opts, { reviewP: 0.85, reviewDelay: (r2: Rng) => (r2.chance(0.9) ? fastDelay(r2) : defaultDelay(r2)) });
      if (typ === 'review_text') Object.assign(opts, { reviewP: 0.85, text: (r2: Rng) => scriptText(r2, script, paraphrase) });
      if (typ === 'empty_parcels') Object.assign(opts, { weight: 'empty', reviewP: 0.8 });
      if (typ === 'refund_after_review') Object.assign(opts, { reviewP: 0.95, refundAfterReview: true, reviewDelay: (r2: Rng) => r2.logNormal(8 * HOUR, 1) });
      const sharedSeen = new Set<string>();
      let firstReviewSeen = false;
      orderTimes(nOrders).forEach((at, i) => {
        const acc = accs[i % accs.length]!;
        const res = fakeOrder(r, c, shop, acc, at, opts);
        if (typ === 'fresh_accounts') ev(res.placed);
        if (typ === 'shared_identity' && res.placed !== null) {
          if (sharedSeen.has(acc.address) || sharedSeen.has(acc.card)) ev(res.placed);
          sharedSeen.add(acc.address).add(acc.card);
        }
        if (typ === 'review_timing' && res.review !== null) ev(res.review);
        if (typ === 'review_text' && res.review !== null) {
          if (firstReviewSeen) ev(res.review);
          firstReviewSeen = true;
        }
        if (typ === 'empty_parcels') ev(res.shipped);
        if (typ === 'refund_after_review') ev(res.refund);
      });
      if (cam.includes('honest_purchases') || cam.includes('aged_accounts')) honestCover(r, accs, start, end);
      break;
    }
    case 'unverified_reviews': {
      // reviews with no order behind them, from accounts that never bought there
      const accs = farmAccounts(r, Math.max(2, Math.round(nOrders / r.uniform(1, 1.3))), typ, cam, start);
      orderTimes(nOrders).forEach((at, i) => {
        const acc = accs[i % accs.length]!;
        if (postReview(r, { seller: shop, buyer: acc.buyer, item: boosted(shop), orderId: null, at, rating: r.chance(0.95) ? 5 : 4, text: text(r), media: r.chance(0.15), session: acc.session(), t: c.t })) {
          c.t.reviews++;
          c.t.buyers.add(acc.buyer.id);
          ev(at);
        }
      });
      if (cam.includes('honest_purchases') || cam.includes('aged_accounts')) honestCover(r, accs, start, end);
      break;
    }
    case 'edge_bursts': {
      // many first-time buyers inside a few hours, once or twice; each then reviews
      const bursts = nOrders > 20 && r.chance(0.5) ? 2 : 1;
      const accs = farmAccounts(r, nOrders, typ, cam, start);
      let i = 0;
      for (let b = 0; b < bursts; b++) {
        const bStart = farmTime(r, start + b * 2 * DAY, start + b * 2 * DAY + DAY);
        const len = r.uniform(1, 6) * HOUR;
        const n = b === bursts - 1 ? nOrders - i : Math.floor(nOrders / bursts);
        for (let k = 0; k < n; k++, i++) {
          const res = fakeOrder(r, c, shop, accs[i]!, bStart + r.next() * len, { ...base, item: boosted(shop), reviewP: 0.8 });
          ev(res.placed);
        }
      }
      if (cam.includes('honest_purchases') || cam.includes('aged_accounts')) honestCover(r, accs, start, end);
      break;
    }
    case 'collusion_ring': {
      // one pool of accounts shared by the ring's shops: every account buys from two to four of them
      const perShop = nOrders;
      const accs = farmAccounts(r, Math.max(4, Math.round(perShop * 1.2)), typ, cam, start);
      const used = new Map<Buyer, number>();
      for (const s of shops) {
        const item = boosted(s);
        for (const at of orderTimes(perShop)) {
          const acc = r.pick(accs);
          const res = fakeOrder(r, c, s, acc, at, { ...base, item });
          if (res.placed !== null) {
            used.set(acc.buyer, (used.get(acc.buyer) ?? 0) + 1);
            if ((used.get(acc.buyer) ?? 0) >= 2) ev(res.placed);
          }
        }
      }
      if (cam.includes('honest_purchases') || cam.includes('aged_accounts')) honestCover(r, accs, start, end);
      break;
    }
  }
}

{
  let idx = 0;
  for (const typ of TYPOLOGIES) for (const intensity of INTENSITIES) for (let k = 0; k < 2; k++) planCampaign(rngCamp, typ, intensity, idx++);
}

// ---------------------------------------------------------------- hard negatives

interface HardTruth { seller: Seller; kind: HardNegativeKind; start: number; end: number }
const hards: HardTruth[] = [];

// A campus: a couple of NAT gateways in front of thousands of students; dorm mailrooms as addresses;
// many accounts opened at the start of semester. Two campuses, shared by the campus sellers.
const campuses = Array.from({ length: 2 }, () => {
  const gateways = Array.from({ length: rngHard.range(2, 3) }, () => residentialIp(rngHard));
  const dorms = Array.from({ length: rngHard.range(3, 6) }, () => newId('a'));
  const students: Buyer[] = [];
  for (let i = 0; i < 500; i++) {
    const h: Household = { address: rngHard.pick(dorms), staticIp: rngHard.pick(gateways), ipSalt: 0, tablet: null, sharedCard: null };
    const age = rngHard.chance(0.45) ? rngHard.uniform(3, 70) * DAY : accountAge(rngHard);
    const b = makeBuyer(rngHard, h, null, T0 - age);
    b.activity = rngHard.logNormal(1.5, 0.8);
    students.push(b);
    buyers.push(b);
  }
  return { gateways, students };
});
function campusSession(r: Rng, b: Buyer, t: number): Session {
  return r.chance(0.7) ? { device: r.pick(b.devices), ip: homeIp(b.household, t) } : session(r, b, t); // on campus wifi most of the time
}

function newSignup(r: Rng, at: number, h = newHousehold(r)): Buyer {
  const b = makeBuyer(r, h, null, at - Math.max(MIN, r.logNormal(30 * MIN, 1.0)));
  buyers.push(b);
  return b;
}

const FRIEND_TEXTS = ['Congrats on the new shop!! Love it', 'So proud of you sis, the quality is amazing', 'Beautiful work, my whole family loves it', 'Ordered to support a friend, but honestly it is great', 'Good luck with the business! Fast delivery too', 'Wow, even better than in the photos. Proud of you!', ''];
const VIRAL_TEXTS = ['Saw this on TikTok and had to get it, worth the hype', 'Viral for a reason!!', 'Everyone on my feed has it, now me too', 'it really works like in the video', 'bought 2 more for my friends', 'Totally worth it, the hype is real', ''];
const GROCERY_TEXTS = ['fresh as always', 'good as usual', 'always reliable', 'thanks, same as every week', 'veggies fresh', 'on time as usual', ''];
const CORPORATE_TEXTS = ['Delivered to the office as usual', 'Bulk order complete, thank you', 'Good for office use', ''];

function hardNegative(kind: HardNegativeKind): void {
  const r = rngHard;
  const ep = tally();
  let s: Seller;
  switch (kind) {
    case 'flash_sale': {
      s = makeSeller(r, r.pick(['fashion', 'electronics', 'beauty', 'home'] as Category[]), r.uniform(3, 20), 'hard');
      sellers.push(s);
      // a 1–3 h flash sale at lunch or evening: 60–250 orders of one discounted item
      const day = r.range(3, DAYS - 5);
      const startAt = T0 + day * DAY + ((r.chance(0.5) ? 12 : 20) - TZ) * HOUR;
      const len = r.uniform(1, 3) * HOUR;
      const item = s.items[0]!;
      const n = r.range(60, 250);
      for (let k = 0; k < n; k++) {
        const at = startAt + Math.min(len, r.exponential(len / 3)); // most orders in the first minutes
        const b = r.chance(0.12) ? newSignup(r, at) : pickBuyer(r, s, at, 0.05); // some sign up for the sale
        const o = place(r, { seller: s, buyer: b, item: r.chance(0.75) ? item : undefined, at, price: Math.round(item.price * 0.55), t: ep });
        if (o !== null) honestLife(r, o);
      }
      break;
    }
    case 'viral_product': {
      s = makeSeller(r, r.pick(['beauty', 'home', 'toys', 'accessories'] as Category[]), r.uniform(0.5, 3), 'hard');
      sellers.push(s);
      // one item goes viral on social media: ramps to 40–150 orders/day over ~5 days, then slowly decays
      const v = r.range(3, 12);
      const peak = r.uniform(40, 150);
      const item = s.items[0]!;
      for (let d = v; d < DAYS; d++) {
        const x = d - v;
        const rate = x < 5 ? peak * ((x + 1) / 5) : peak * Math.exp(-(x - 5) / 8);
        const n = r.poisson(rate * dayFactor(d));
        for (let k = 0; k < n; k++) {
          const at = timeOnDay(r, d);
          const b = r.chance(0.25) ? newSignup(r, at) : pickBuyer(r, s, at, 0.02);
          const o = place(r, { seller: s, buyer: b, item, at, t: ep });
          if (o !== null) honestLife(r, o, { reviewP: 0.35, fiveStar: 0.86, media: 0.3, onReceipt: 0.3, textFn: (r2, rating) => (rating >= 4 && r2.chance(0.5) ? r2.pick(VIRAL_TEXTS) : honestText(r2, s.cat, rating)) });
        }
      }
      break;
    }
    case 'loyal_grocery': {
      s = makeSeller(r, 'grocery', r.uniform(1, 4), 'hard');
      sellers.push(s);
      // 40–90 regulars from one neighbourhood, every 2–5 days, the same few items; couples share a home
      const regulars: Buyer[] = [];
      const nReg = r.range(40, 90);
      while (regulars.length < nReg) {
        const h = newHousehold(r);
        const members = r.chance(0.25) ? 2 : 1;
        for (let m = 0; m < members; m++) {
          const b = makeBuyer(r, h, null, T0 - accountAge(r));
          buyers.push(b);
          regulars.push(b);
        }
      }
      for (const b of regulars) {
        const every = r.uniform(2, 5) * DAY;
        const basket = s.items.slice(0, Math.min(s.items.length, 3));
        for (let t = T0 + r.next() * every; t < END; t += every * r.uniform(0.8, 1.25)) {
          const d = Math.floor((t - T0) / DAY);
          const at = T0 + d * DAY + (r.range(7, 21) - TZ) * HOUR + r.int(HOUR);
          const o = place(r, { seller: s, buyer: b, item: r.pick(basket), at, qty: r.range(1, 4), t: ep });
          if (o !== null) honestLife(r, o, { reviewP: 0.15, fiveStar: 0.82, textFn: (r2, rating) => (rating >= 4 ? r2.pick(GROCERY_TEXTS) : honestText(r2, 'grocery', rating)) });
        }
      }
      break;
    }
    case 'bulk_corporate': {
      s = makeSeller(r, r.pick(['home', 'books', 'electronics'] as Category[]), r.uniform(0.5, 3), 'hard');
      sellers.push(s);
      // 1–3 companies: a few procurement accounts each (some opened for the job), one office IP, address and corporate card
      const companies = r.range(1, 3);
      for (let c = 0; c < companies; c++) {
        const office: Office = { ip: residentialIp(r), address: newId('a') };
        const card = newId('p');
        const staff: Buyer[] = [];
        for (let k = r.range(3, 10); k > 0; k--) {
          const b = makeBuyer(r, newHousehold(r), office, T0 - (r.chance(0.3) ? r.uniform(1, 20) * DAY : accountAge(r)));
          buyers.push(b);
          staff.push(b);
        }
        for (let d = 0; d < DAYS; d++) {
          if (d % 7 >= 5 || !r.chance(0.45)) continue; // weekdays only
          for (let k = r.range(1, 4); k > 0; k--) {
            const b = r.pick(staff);
            const at = T0 + d * DAY + (r.range(9, 16) - TZ) * HOUR + r.int(HOUR);
            const o = place(r, { seller: s, buyer: b, at, qty: r.range(10, 200), session: { device: b.devices[1] ?? b.phone, ip: office.ip }, address: office.address, card, t: ep });
            if (o !== null) honestLife(r, o, { reviewP: 0.08, fiveStar: 0.8, textFn: (r2) => r2.pick(CORPORATE_TEXTS) });
          }
        }
      }
      break;
    }
    case 'campus_nat': {
      s = makeSeller(r, r.pick(['accessories', 'books', 'fashion', 'grocery'] as Category[]), r.uniform(1, 4), 'hard');
      sellers.push(s);
      const campus = r.pick(campuses);
      const rate = r.uniform(4, 15); // students' orders per day
      for (let d = 0; d < DAYS; d++) {
        const n = r.poisson(rate * dayFactor(d));
        for (let k = 0; k < n; k++) {
          const at = timeOnDay(r, d);
          const b = r.pick(campus.students);
          const sess = campusSession(r, b, at);
          const o = place(r, { seller: s, buyer: b, at, session: sess, t: ep });
          if (o !== null) honestLife(r, o, { reviewP: 0.25, onReceipt: 0.3 });
        }
      }
      break;
    }
    case 'new_seller_friends': {
      const opens = T0 + r.range(2, 12) * DAY;
      s = makeSeller(r, r.pick(['fashion', 'beauty', 'home', 'accessories', 'grocery'] as Category[]), r.uniform(0.3, 1.5), 'hard', opens + r.uniform(3, 7) * DAY);
      sellers.push(s);
      // first buyers are friends and family: some open an account that day just to support, relatives
      // use the seller's home wifi and the family tablet; they review fast and glowingly
      const family = newHousehold(r);
      const n = r.range(10, 25);
      for (let k = 0; k < n; k++) {
        const at = opens + r.uniform(0, 6) * DAY;
        const relative = r.chance(0.25);
        const b = r.chance(0.35) ? newSignup(r, at, relative ? family : newHousehold(r)) : (() => {
          const x = makeBuyer(r, relative ? family : newHousehold(r), null, T0 - accountAge(r));
          buyers.push(x);
          return x;
        })();
        const o = place(r, { seller: s, buyer: b, at, t: ep });
        if (o !== null) honestLife(r, o, { reviewP: 0.7, fiveStar: 0.95, onReceipt: 0.4, textFn: (r2, rating) => (rating >= 4 ? r2.pick(FRIEND_TEXTS) : honestText(r2, s.cat, rating)) });
      }
      break;
    }
  }
  hards.push({ seller: s, kind, start: ep.start, end: ep.end });
}
for (const kind of HARD_NEGATIVE_KINDS) for (let k = 0; k < 5; k++) hardNegative(kind);

// ---------------------------------------------------------------- honest traffic for all shops

{
  const placements = honestPlacements(rng, sellers);
  placements.sort((a, b) => a.at - b.at);
  for (const p of placements) {
    const b = pickBuyer(rng, p.s, p.at);
    const o = place(rng, { seller: p.s, buyer: b, at: p.at });
    if (o !== null) honestLife(rng, o);
  }
  // honest unverified reviews: gifts and purchases made elsewhere (~1 % of reviews)
  const nUnverified = Math.round(placements.length * 0.002);
  for (let k = 0; k < nUnverified; k++) {
    const p = rng.pick(placements);
    const b = buyers[buyerTable.sample(rng)]!;
    const at = p.at + rng.uniform(1, 6) * DAY;
    if (Number.isNaN(b.createdAt) || b.createdAt >= at) continue;
    const rating = honestRating(rng, p.s);
    postReview(rng, { seller: p.s, buyer: b, item: p.s.items[p.s.itemTable.sample(rng)]!, orderId: null, at, rating, text: honestText(rng, p.s.cat, rating), media: rng.chance(0.1) });
  }
}

// ---------------------------------------------------------------- write

for (const o of out) {
  const v = o.ev['buyerAccountCreatedAt'];
  if (o.ev['kind'] === 'order' && (typeof v !== 'number' || Number.isNaN(v) || v > (o.ev['eventTime'] as number))) throw new Error(`generator bug: buyer without a creation time ${JSON.stringify(o.ev)}`);
}
out.sort((a, b) => a.arrival - b.arrival);
mkdirSync(outDir, { recursive: true });
const activeSellers = new Set<string>();
const activeBuyers = new Set<string>();
for (const o of out) {
  activeSellers.add(o.ev['sellerId'] as string);
  activeBuyers.add(o.ev['buyerId'] as string);
}
const truth = {
  schemaVersion: 1,
  scenario: { name: 'independent-world', seed, start: T0, end: END, days: DAYS, sellers: activeSellers.size, buyers: activeBuyers.size, events: out.length, duplicates },
  campaigns: campaigns
    .filter((c) => c.t.orders + c.t.reviews > 0)
    .map((c) => ({
      id: c.id,
      typology: c.typology,
      intensity: c.intensity,
      camouflage: c.camouflage,
      sellerIds: c.sellers.map((s) => s.id),
      fakeBuyerIds: [...c.t.buyers],
      start: Math.floor(c.t.start),
      end: Math.floor(c.t.end),
      evidenceStart: Number.isFinite(c.evidence) ? Math.floor(c.evidence) : 0,
      fakeOrders: c.t.orders,
      fakeReviews: c.t.reviews,
    })),
  hardNegatives: hards.map((h) => ({ sellerId: h.seller.id, kind: h.kind, start: Math.floor(h.start), end: Math.floor(h.end) })),
};
writeFileSync(join(outDir, 'truth.json'), JSON.stringify(truth, null, 2));
const ws = createWriteStream(join(outDir, 'events.ndjson'));
let buf: string[] = [];
for (const o of out) {
  buf.push(JSON.stringify(o.ev));
  if (buf.length >= 5000) {
    ws.write(buf.join('\n') + '\n');
    buf = [];
  }
}
if (buf.length > 0) ws.write(buf.join('\n') + '\n');
ws.end();

const orders = out.filter((o) => o.ev['kind'] === 'order' && o.ev['status'] === 'PLACED').length;
const reviews = out.filter((o) => o.ev['kind'] === 'review').length;
const sizes = sellers.map((s) => s.rate).sort((a, b) => a - b);
console.log(`independent world seed ${seed} -> ${outDir}`);
console.log(`  ${DAYS} days from ${new Date(T0).toISOString()}, sale day ${SALE_DAY}`);
console.log(`  sellers ${activeSellers.size} (rate median ${sizes[Math.floor(sizes.length / 2)]!.toFixed(2)}/day, p99 ${sizes[Math.floor(sizes.length * 0.99)]!.toFixed(1)}/day), buyers ${activeBuyers.size}`);
console.log(`  events ${out.length} (${duplicates} duplicates), orders ${orders}, reviews ${reviews}`);
console.log(`  campaigns ${truth.campaigns.length} (${truth.campaigns.filter((c) => c.evidenceStart === 0).length} with no trait before the end), hard negatives ${hards.length}`);
