/**
 * Monte Carlo of honest shops that look like brushing, through the whole engine (a script that
 * prints figures, not a test; docs/evaluation.md, "Honest look-alikes beyond the simulator"). The
 * simulator's honest sellers never put more than 2 accounts on one card, device or address, so the
 * false positives of `shared_identity`, `fresh_accounts` and the concentration signals on such
 * shops are argued there, not measured. Here each setting is SHOPS shops in one engine (default
 * config, rings on), every shop with background orders from distinct aged accounts (own device,
 * IP, address, card) at a rate of its own of 1–10 a day, delivered 2–4 days later, a third
 * reviewed 0.2–4 days after delivery (65 % 5★, 20 % 4★, 15 % 1–3★). The look-alike runs from day
 * 14 of 28 (the new seller's from day 0), so baselines exist. Prints, per look-alike and
 * intensity, how many shops get an OPEN alert, the signals on those OPENs and the first one's
 * explanation.
 * Run: npx tsx bench/honest-lookalikes.ts ['{"signals":{...}}'] (engine config, default {})
 * Settings: BENCH_SHOPS=100, BENCH_ONLY=card,office (parts of look-alike names; default all),
 * BENCH_EVIDENCE=1 (add each example finding's named buyers). About 20 s for all settings.
 */
import { Engine } from '../src/engine/engine.js';
import { parseEngineConfig } from '../src/engine/config.js';
import type { MarketEvent, OrderEvent } from '../src/engine/types.js';
import { canonical, DAY, HOUR, MIN, order, review, rng, T0 } from '../test/unit/engine/signals/fixtures.js';

const SHOPS = Number(process.env['BENCH_SHOPS'] ?? 100);
const DAYS = 28;
const START = 14;
const only = process.env['BENCH_ONLY']?.split(',');
const config = parseEngineConfig(JSON.parse(process.argv[2] ?? '{}'));

type Rand = () => number;
const between = (r: Rand, lo: number, hi: number): number => lo + r() * (hi - lo);
const int = (r: Rand, lo: number, hi: number): number => Math.floor(between(r, lo, hi + 1));
const WORDS = 'good great fine nice quick slow box arrived fits small large colour soft hard works cheap price quality gift again would buy love ok well packed late early size battery cable screen sound light heavy strong thin warm cool fresh tasty sweet salty broke returned friend son daughter office desk kitchen garden shoes shirt bag phone case lamp mug tea coffee bread cheese rice pasta sauce fruit apples milk eggs'.split(' ');
const text = (r: Rand): string => Array.from({ length: int(r, 6, 16) }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(' ');
const ip = (r: Rand): string => `${int(r, 11, 220)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
const stars = (r: Rand): number => {
  const x = r();
  return x < 0.65 ? 5 : x < 0.85 ? 4 : int(r, 1, 3);
};

/** One shop under construction: its id, its draw and the events so far. */
interface Shop {
  readonly id: string;
  readonly r: Rand;
  readonly out: MarketEvent[];
  n: number;
}
/** A buyer's identity: who orders with which device, IP, address and card. */
interface Who {
  readonly buyerId: string;
  readonly created: number;
  readonly device: string;
  readonly ip: string;
  readonly address: string;
  readonly card: string;
}

function person(s: Shop, tag: string, created: number): Who {
  const b = `${s.id}-${tag}${s.n++}`;
  return { buyerId: b, created: Math.floor(created), device: `d-${b}`, ip: ip(s.r), address: `a-${b}`, card: `p-${b}` };
}
const aged = (s: Shop, tag: string, at: number): Who => person(s, tag, at - Math.floor(between(s.r, 200, 3000) * DAY));

/** A PLACED order, its delivery 2–4 days later and, for a third of orders, a review 0.2–4 days after it. */
function buy(s: Shop, w: Who, at: number, o: { quantity?: number; reviewed?: number; rating?: number; reviewAfter?: [number, number] } = {}): OrderEvent {
  const r = s.r;
  const placed = order({
    sellerId: s.id,
    buyerId: w.buyerId,
    eventTime: Math.floor(at),
    itemId: `${s.id}-i${int(r, 1, 6)}`,
    quantity: o.quantity ?? (r() < 0.8 ? 1 : int(r, 2, 3)),
    buyerAccountCreatedAt: Math.min(w.created, Math.floor(at)),
    deviceId: w.device,
    ipAddress: w.ip,
    shippingAddressHash: w.address,
    paymentInstrumentHash: w.card,
  });
  const delivered = placed.eventTime + Math.floor(between(r, 2, 4) * DAY);
  s.out.push(placed, order({ ...placed, eventId: `x-${placed.eventId}`, status: 'DELIVERED', eventTime: delivered, ipAddress: null, deviceId: null }));
  if (r() < (o.reviewed ?? 1 / 3)) {
    const [lo, hi] = o.reviewAfter ?? [0.2, 4];
    s.out.push(
      review({
        sellerId: s.id,
        buyerId: w.buyerId,
        orderId: placed.orderId,
        itemId: placed.itemId,
        eventTime: Math.floor(delivered + between(r, lo, hi) * DAY),
        rating: o.rating ?? stars(r),
        text: text(r),
        deviceId: w.device,
        ipAddress: w.ip,
      }),
    );
  }
  return placed;
}

/** A random time of day d, weighted to waking hours (8:00–23:00). */
const dayTime = (r: Rand, d: number): number => T0 + d * DAY + between(r, 8, 23) * HOUR;
/** A working-hours time (9:00–18:00) on a weekday at or after day d (T0 is a Thursday). */
function workTime(r: Rand, d: number): number {
  let day = d;
  while ((day + 4) % 7 >= 5) day++;
  return T0 + day * DAY + between(r, 9, 18) * HOUR;
}

/** Background: distinct aged accounts at the shop's own rate of 1–10 orders a day, from `from` on. */
function background(s: Shop, from = 0): void {
  const rate = between(s.r, 1, 10);
  for (let d = from; d < DAYS; d++) {
    const n = Math.max(0, Math.round(rate * between(s.r, 0.5, 1.5)));
    for (let i = 0; i < n; i++) {
      const at = dayTime(s.r, d);
      buy(s, aged(s, 'b', at), at);
    }
  }
}

interface Setting {
  readonly look: string;
  readonly intensity: string;
  readonly build: (s: Shop) => void;
}
const settings: Setting[] = [];
const add = (look: string, intensity: string, build: (s: Shop) => void): void => {
  settings.push({ look, intensity, build });
};

add('control', 'background only', (s) => background(s));

// 1. Campus or office NAT and a shared PC. A campus shop (canteen, bookshop, print shop) sells
// mostly to people behind the campus NAT: a handful of exit IPs in one /24. A lab or library PC,
// or an office's shared tablet, is used by a few accounts that each order from it now and then; a
// lab seat is used by dozens of students a week, so 2–8 accounts ordering at one shop from it within
// a few days is what a popular campus shop sees. Accounts are aged; addresses and cards their own.
const natIps = (s: Shop): string[] => {
  const net = `${int(s.r, 11, 220)}.${int(s.r, 0, 255)}.${int(s.r, 0, 255)}`;
  return Array.from({ length: 4 }, () => `${net}.${int(s.r, 1, 254)}`);
};
for (const k of [0, 2, 3, 4, 5, 6, 8])
  for (const spreadDays of k === 0 ? [0] : [2, 6])
    add('campus PC', k === 0 ? 'NAT share 60 %, no shared PC' : `${k} accounts on one PC over ${spreadDays} d`, (s) => {
      background(s);
      const nat = natIps(s);
      // 60 % of the shop's buyers from day 14 on sit behind the campus NAT.
      for (const e of s.out) if (e.kind === 'order' && e.eventTime >= T0 + START * DAY && s.r() < 0.6) Object.assign(e, { ipAddress: nat[int(s.r, 0, 3)] });
      const pc = `d-${s.id}-labpc`;
      for (let i = 0; i < k; i++) {
        const at = T0 + (START + between(s.r, 0, spreadDays)) * DAY + between(s.r, 9, 20) * HOUR;
        const w = { ...aged(s, 'lab', at), device: pc, ip: nat[int(s.r, 0, 3)]! };
        buy(s, w, at);
        // Some come back a few days later, from the same seat.
        if (s.r() < 0.3) buy(s, w, at + between(s.r, 1, 4) * DAY);
      }
    });

// 2. Household or company card: 2–4 accounts pay with one card at one shop on one day (a parent
// paying for three children's accounts at a school-supplies or games shop; a company card used by
// colleagues for a team order). Devices, IPs and addresses their own. Also spread over days.
for (const [k, hours] of [[2, 10], [3, 2], [3, 10], [4, 10], [3, 72], [4, 168]] as const)
  add('shared card', `${k} accounts, one card, within ${hours} h`, (s) => {
    background(s);
    const card = `p-${s.id}-family`;
    const t = dayTime(s.r, START);
    for (let i = 0; i < k; i++) {
      const at = t + between(s.r, 0, hours) * HOUR;
      buy(s, { ...aged(s, 'fam', at), card }, at);
    }
  });

// 3. Office address: colleagues ship to the office (parcels are safer there than at home). An
// office of 50–300 people and a popular shop (snacks, stationery, phone accessories) give a few to
// a dozen colleagues within a working week. 60 % order from the office network (one /24).
for (const n of [3, 4, 5, 6, 8, 10, 15])
  add('office address', `${n} colleagues within 5 working days`, (s) => {
    background(s);
    const office = `a-${s.id}-office`;
    const nat = natIps(s);
    for (let i = 0; i < n; i++) {
      const at = workTime(s.r, START + int(s.r, 0, 6));
      const w = aged(s, 'col', at);
      buy(s, { ...w, address: office, ip: s.r() < 0.6 ? nat[int(s.r, 0, 3)]! : w.ip }, at);
    }
  });

// 4. New seller whose friends just registered: a new shop's first 10–20 buyers, a share of them
// friends who signed up 0–6 days before ordering to support it, over its first 1–4 days, most
// (80 %) leaving 5★ reviews 0.2–2 days after delivery. Background starts on day 1 (the shop is
// new: customers find it once it has sold something).
for (const first of [10, 20])
  for (const share of [0.2, 0.4, 0.6, 0.8])
    add('new seller, friends', `first ${first} buyers, ${share * 100} % registered days ago`, (s) => {
      background(s, 1);
      for (let i = 0; i < first; i++) {
        const at = T0 + between(s.r, 0, between(s.r, 1, 4)) * DAY + between(s.r, 8, 23) * HOUR;
        const fresh = s.r() < share;
        const w = fresh ? person(s, 'fr', at - Math.floor(between(s.r, 0, 6) * DAY + HOUR)) : aged(s, 'fr', at);
        buy(s, w, at, { reviewed: 0.8, rating: 5, reviewAfter: [0.2, 2] });
      }
    });

// 5. Grocery regulars: a few dozen loyal households ordering every 1–3 days, and now and then a
// second order 5–55 min later (forgot something). Baskets of 1–4 units.
for (const regulars of [20, 40, 60])
  for (const again of [0.1, 0.3])
    add('grocery regulars', `${regulars} regulars, ${again * 100} % forget something`, (s) => {
      background(s);
      for (let i = 0; i < regulars; i++) {
        const w = aged(s, 'reg', T0);
        for (let t = T0 + between(s.r, 0, 3) * DAY; t < T0 + DAYS * DAY; t += between(s.r, 1, 3) * DAY) {
          const at = Math.floor(t - (t % DAY) + between(s.r, 8, 21) * HOUR);
          buy(s, w, at, { quantity: int(s.r, 1, 4) });
          if (s.r() < again) buy(s, w, at + between(s.r, 5, 55) * MIN, { quantity: int(s.r, 1, 4) });
        }
      }
    });

// 6. A business buyer splitting a large purchase into orders of 4 units (just under bulkQuantity 5:
// cart limits, per-order shipping caps or a buyer who noticed that 5 triggers a review) within 1–2 h,
// on several days; one or two such customers per shop (a shop selling to small businesses). The
// business pays with its card and ships to its premises, the same for each of its orders.
for (const buyers of [1, 2])
  for (const [orders, days] of [[4, 2], [8, 3], [15, 4]] as const)
    add('split bulk order', `${buyers} business buyer${buyers > 1 ? 's' : ''}, ${orders} orders of 4 units on ${days} days`, (s) => {
      background(s);
      for (let b = 0; b < buyers; b++) {
        const w = aged(s, 'biz', T0);
        for (let d = 0; d < days; d++) {
          const t = workTime(s.r, START + int(s.r, 0, 13));
          const span = between(s.r, 1, 2) * HOUR;
          for (let i = 0; i < orders; i++) buy(s, w, t + (span * i) / orders + between(s.r, 0, 3) * MIN, { quantity: 4, reviewed: 0.1 });
        }
      }
    });

// 7. A corporate team buying in bulk: 3–6 employees with accounts of their own order for the office
// on one working day (or over a week) with the company card, shipped to the office, from the office
// network, each order 5–50 units (stock for the team, not single items).
for (const [k, spreadDays] of [[3, 0], [4, 0], [6, 0], [6, 5]] as const)
  add('corporate team', `${k} employees, company card, bulk orders within ${spreadDays === 0 ? 'one day' : `${spreadDays} working days`}`, (s) => {
    background(s);
    const office = `a-${s.id}-hq`;
    const card = `p-${s.id}-corp`;
    const nat = natIps(s);
    const day = START + int(s.r, 0, 6);
    for (let i = 0; i < k; i++) {
      const at = workTime(s.r, day + int(s.r, 0, spreadDays));
      buy(s, { ...aged(s, 'emp', at), address: office, card, ip: nat[int(s.r, 0, 3)]! }, at, { quantity: int(s.r, 5, 50), reviewed: 0.05 });
    }
  });

interface Row {
  readonly alerted: number;
  readonly signals: Map<string, number>;
  readonly example: string;
}

function run(setting: Setting, seed: number): Row {
  const events: MarketEvent[] = [];
  const shops: string[] = [];
  for (let k = 0; k < SHOPS; k++) {
    const s: Shop = { id: `s${seed}-${k}`, r: rng((seed * 1_000 + k) * 2_654_435_761), out: [], n: 0 };
    for (let i = 0; i < 5; i++) s.r(); // warm the generator up (small seeds start correlated)
    setting.build(s);
    shops.push(s.id);
    // The observation ends with day 28: later deliveries and reviews are not seen.
    for (const e of s.out) if (e.eventTime < T0 + DAYS * DAY) events.push(e);
  }
  const engine = new Engine(config, {});
  for (const e of canonical(events)) if (engine.ingest(e).outcome !== 'accepted') throw new Error(`event ${e.eventId} not accepted`);
  engine.finish();
  const opened = new Set<string>();
  const signals = new Map<string, number>();
  let example = '';
  for (const a of engine.drainAlerts()) {
    if (a.action !== 'OPEN' || opened.has(a.sellerId)) continue;
    opened.add(a.sellerId);
    for (const name of new Set(a.signals.filter((f) => f.strength >= 0.3).map((f) => f.name))) signals.set(name, (signals.get(name) ?? 0) + 1);
    if (example === '') example = a.signals.map((f) => `${f.name} ${f.strength}: ${f.explanation}${process.env['BENCH_EVIDENCE'] === undefined ? '' : ` [${f.evidence.buyerIds?.join(' ')}]`}`).join(' | ');
  }
  return { alerted: opened.size, signals, example };
}

console.log(`shops with an OPEN alert, of ${SHOPS} per setting (28 days; look-alike from day ${START}, the new seller's from day 0)`);
console.log('| look-alike | intensity | alerted | signals on the OPENs |');
console.log('|---|---|---|---|');
const examples: string[] = [];
settings.forEach((st, i) => {
  if (only !== undefined && !only.some((o) => st.look.includes(o))) return;
  const row = run(st, i + 1);
  const sig = [...row.signals].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ');
  console.log(`| ${st.look} | ${st.intensity} | ${row.alerted} | ${sig} |`);
  if (row.example !== '') examples.push(`${st.look}, ${st.intensity}: ${row.example}`);
});
console.log('\nfirst OPEN per setting:');
for (const e of examples) console.log(`- ${e}`);
