/**
 * A seeded marketplace: honest traffic with daily and weekly rhythm, planted brushing campaigns
 * of every typology, and hard negatives. Generated one day at a time; each day's events are
 * bucketed by emission time, and a bucket is sorted and emitted once no later day can add to it,
 * so memory holds only the orders still in flight, never the whole stream.
 */
import type { MarketEvent, OrderEvent, OrderStatus, ReviewEvent } from '../engine/types.js';
import { AliasTable, Rng, permute32 } from './prng.js';
import { SIM_EPOCH, type Scenario } from './scenarios.js';
import { CATEGORIES, brushingText, campaignTemplate, honestText, paraphrase, type Category } from './text.js';
import {
  CAMOUFLAGES,
  HARD_NEGATIVE_KINDS,
  INTENSITIES,
  TYPOLOGIES,
  type Camouflage,
  type Campaign,
  type HardNegative,
  type HardNegativeKind,
  type Intensity,
  type Truth,
  type Typology,
} from './truth.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// Distinct salts keep id namespaces apart; ids are bijections of counters, so they never collide.
const SALT = { seller: 0x5e11e7, buyer: 0xb0b0, item: 0x17e3, order: 0x0de7, review: 0x7e71e3, event: 0xe7e7, device: 0xde71ce, addr: 0xadd7, pay: 0x9a9, trk: 0x7ac, ip: 0x1b1b } as const;
const base36 = (n: number, salt: number): string => permute32(n, salt).toString(36);

/** Relative order volume per hour of the day (UTC is the marketplace's local time here). */
const HOURS = [0.5, 0.3, 0.2, 0.15, 0.15, 0.25, 0.5, 0.8, 1, 1.1, 1.2, 1.3, 1.4, 1.3, 1.2, 1.2, 1.2, 1.3, 1.5, 1.8, 2, 2, 1.6, 1] as const;
const HOURS_TOTAL = HOURS.reduce((a, b) => a + b, 0);

/** Typologies whose trait shows on the fake order itself, and those whose trait is in the review. */
const ORDER_EVIDENCE: ReadonlySet<Typology> = new Set(['repeat_buyers', 'fresh_accounts', 'shared_identity', 'edge_bursts', 'collusion_ring']);
const REVIEW_EVIDENCE: ReadonlySet<Typology> = new Set(['review_timing', 'review_text', 'unverified_reviews']);

const CARRIERS = ['SPX', 'J&T', 'NinjaVan', 'DHL', 'FedEx'] as const;
const FIRST_OCTETS = [27, 36, 42, 49, 58, 60, 101, 103, 110, 112, 115, 116, 118, 121, 124, 175, 180, 182, 202, 203, 210, 219, 220, 223] as const;

/** Median item weight (g) and price (cents) per category. */
const CATEGORY_PROFILE: Record<Category, { weight: number; price: number; reviewRate: number }> = {
  fashion: { weight: 300, price: 2500, reviewRate: 0.14 },
  electronics: { weight: 250, price: 4500, reviewRate: 0.12 },
  home: { weight: 900, price: 3000, reviewRate: 0.1 },
  beauty: { weight: 150, price: 1800, reviewRate: 0.15 },
  grocery: { weight: 1200, price: 1200, reviewRate: 0.06 },
  toys: { weight: 500, price: 2000, reviewRate: 0.12 },
  sports: { weight: 700, price: 3500, reviewRate: 0.11 },
  books: { weight: 450, price: 1500, reviewRate: 0.1 },
};

interface Buyer {
  readonly idx: number;
  readonly createdAt: number;
  readonly device: number;
  readonly ipPrefix: number;
  readonly ipHost: number;
  readonly v6: boolean;
  /** Mobile buyers get a carrier-NAT address per session, so their IPs wander. */
  readonly mobile: boolean;
  readonly address: number;
  readonly payment: number;
}

interface Seller {
  readonly idx: number;
  readonly id: string;
  readonly category: Category;
  /** First day (from the epoch) the seller trades. */
  createdDay: number;
  readonly reviewRate: number;
  /** Probability a review is positive (4–5 stars). */
  readonly quality: number;
  readonly items: readonly number[];
  readonly carrier: number;
  /** A few recent buyers, so honest repeat purchases happen. */
  readonly recent: number[];
}

interface Session {
  readonly device: string | null;
  readonly ip: string | null;
}

interface FakeOptions {
  readonly campaign: Campaign;
  readonly reviewProb: number;
  /** Delay of the review after delivery (ms); negative puts it between shipping and delivery. */
  readonly reviewDelay: () => number;
  readonly text: () => string;
  readonly emptyParcel: boolean;
  readonly refundAfterReview: boolean;
}

interface OrderSpec {
  readonly seller: Seller;
  readonly buyer: Buyer;
  readonly t: number;
  readonly item?: number;
  readonly quantity?: number;
  readonly session?: Session;
  readonly address?: string;
  readonly payment?: string;
  readonly fake?: FakeOptions;
  readonly reviewRate?: number;
  /** Probability of 5 stars when reviewing (viral products). */
  readonly fiveStar?: number;
}

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly ev: MarketEvent;
}

interface CampaignPlan {
  readonly truth: Campaign;
  readonly sellers: readonly Seller[];
  readonly firstDay: number;
  readonly lastDay: number;
  readonly rate: number;
  readonly pool: Buyer[];
  /** Shared identities of an account farm. */
  readonly farm: { devices: string[]; prefix: number; addresses: string[]; payments: string[]; traits: Set<string> };
  readonly template: string;
  readonly camo: ReadonlySet<Camouflage>;
  /** Next unused pool account, for typologies that use each account once. */
  cursor: number;
}

interface NegativePlan {
  readonly truth: HardNegative;
  readonly seller: Seller;
  readonly firstDay: number;
  readonly lastDay: number;
  readonly people: Buyer[];
  readonly item: number;
}

export interface Simulation {
  /** Ground truth; `start`/`end` of campaigns and the event counts are final once events() is exhausted. */
  readonly truth: Truth;
  /** Every event in emission order (jittered, some late, a few duplicated). */
  events(): Generator<MarketEvent>;
}

export function createSimulation(scenario: Scenario, seed: number): Simulation {
  return new Simulator(scenario, seed);
}

/** The simulation as an async stream, for the demo and the Kafka producer. */
export async function* simulate(scenario: Scenario, seed: number): AsyncGenerator<MarketEvent> {
  let n = 0;
  for (const ev of createSimulation(scenario, seed).events()) {
    yield ev;
    // Yield the event loop now and then so servers (e.g. /metrics) stay responsive.
    if (++n % 4096 === 0) await new Promise<void>((r) => setImmediate(r));
  }
}

class Simulator implements Simulation {
  readonly truth: Truth;
  private readonly rng: Rng;
  private readonly sellers: Seller[] = [];
  private readonly buyers: Buyer[] = [];
  private readonly itemWeight: number[] = [];
  private readonly itemPrice: number[] = [];
  private readonly itemCategory: Category[] = [];
  private sellerTable!: AliasTable;
  private buyerTable!: AliasTable;
  private honestBuyerCount = 0;
  private campaigns: CampaignPlan[] = [];
  private negatives: NegativePlan[] = [];
  private counters = { order: 0, review: 0, event: 0, device: 0, address: 0, payment: 0, prefix: 0, seq: 0 };
  private buckets = new Map<number, Pending[]>();
  private readonly end: number;

  constructor(
    private readonly scenario: Scenario,
    private readonly seed: number,
  ) {
    this.rng = new Rng(seed, 0);
    this.end = SIM_EPOCH + scenario.days * DAY;
    this.buildWorld();
    this.truth = {
      schemaVersion: 1,
      scenario: {
        name: scenario.name,
        seed,
        start: SIM_EPOCH,
        end: this.end,
        days: scenario.days,
        sellers: this.sellers.length,
        buyers: this.buyers.length,
        events: 0,
        duplicates: 0,
      },
      campaigns: this.campaigns.map((c) => c.truth),
      hardNegatives: this.negatives.map((n) => n.truth),
    };
  }

  // ---- world ---------------------------------------------------------------------------------

  private buildWorld(): void {
    const { rng, scenario } = this;
    const weights: number[] = [];
    for (let i = 0; i < scenario.sellers; i++) {
      // 3% of sellers open during the run: honest cold starts.
      const createdDay = rng.chance(0.03) ? rng.range(1, scenario.days - 1) : -rng.range(30, 2000);
      this.addSeller(rng.pick(CATEGORIES), createdDay);
      weights.push(Math.min(400, rng.pareto(1, 1.15)));
    }
    const prefixes = Math.max(8, Math.floor(scenario.buyers / 25));
    const buyerWeights: number[] = [];
    for (let i = 0; i < scenario.buyers; i++) {
      // A household: the next person shares the address, often the device, the wifi, sometimes the card.
      const prev = this.buyers[this.buyers.length - 1];
      if (prev !== undefined && rng.chance(0.15)) {
        this.buyers.push({
          ...prev,
          idx: this.buyers.length,
          createdAt: SIM_EPOCH - Math.min(4000, Math.max(1, rng.logNormal(500, 1.1))) * DAY,
          device: rng.chance(0.5) ? prev.device : this.counters.device++,
          payment: rng.chance(0.3) ? prev.payment : this.counters.payment++,
        });
      } else {
        // Mostly aged accounts, a few created during the run (honest newcomers).
        const createdAt = rng.chance(0.04)
          ? SIM_EPOCH + rng.uniform(-14, scenario.days) * DAY
          : SIM_EPOCH - Math.min(4000, Math.max(1, rng.logNormal(500, 1.1))) * DAY;
        this.buyers.push(this.newBuyer(createdAt, rng.int(prefixes)));
      }
      buyerWeights.push(rng.logNormal(1, 1));
    }
    this.honestBuyerCount = this.buyers.length;
    this.counters.prefix = prefixes + 1000;
    this.buyerTable = new AliasTable(buyerWeights);

    this.planNegatives(weights);
    this.sellerTable = new AliasTable(weights);
    this.planCampaigns(weights);
  }

  private addSeller(category: Category, createdDay: number): Seller {
    const { rng } = this;
    const profile = CATEGORY_PROFILE[category];
    const items: number[] = [];
    const count = Math.min(40, Math.max(1, Math.round(rng.logNormal(5, 0.8))));
    for (let k = 0; k < count; k++) {
      items.push(this.itemWeight.length);
      this.itemWeight.push(Math.max(20, Math.round(rng.logNormal(profile.weight, 0.6))));
      this.itemPrice.push(Math.max(99, Math.round(rng.logNormal(profile.price, 0.7))));
      this.itemCategory.push(category);
    }
    const idx = this.sellers.length;
    const seller: Seller = {
      idx,
      id: `s-${base36(idx, SALT.seller)}`,
      category,
      createdDay,
      reviewRate: profile.reviewRate * rng.uniform(0.6, 1.5),
      quality: rng.uniform(0.7, 0.95),
      items,
      carrier: rng.int(CARRIERS.length),
      recent: [],
    };
    this.sellers.push(seller);
    return seller;
  }

  private newBuyer(createdAt: number, ipPrefix: number, v6 = this.rng.chance(0.15)): Buyer {
    const { rng } = this;
    return {
      idx: this.buyers.length,
      createdAt,
      device: this.counters.device++,
      ipPrefix,
      ipHost: rng.range(2, 254),
      v6,
      mobile: rng.chance(0.3),
      address: this.counters.address++,
      payment: this.counters.payment++,
    };
  }

  /** A fake account: its own identity unless the campaign shares one. */
  private fakeBuyer(createdAt: number): Buyer {
    const b = this.newBuyer(createdAt, this.rng.int(this.counters.prefix), false);
    this.buyers.push(b);
    return b;
  }

  private buyerId(b: Buyer): string {
    return `b-${base36(b.idx, SALT.buyer)}`;
  }

  private ip(prefix: number, host: number, v6: boolean): string {
    const q = permute32(prefix, SALT.ip);
    if (v6) return `2400:${(q & 0xffff).toString(16)}:${(q >>> 16).toString(16)}:${(prefix & 0xffff).toString(16)}::${host.toString(16)}`;
    return `${FIRST_OCTETS[q % FIRST_OCTETS.length]}.${(q >>> 8) & 255}.${(q >>> 16) & 255}.${host}`;
  }

  private session(b: Buyer, rng: Rng): Session {
    const device = `d-${base36(b.device, SALT.device)}`;
    if (b.mobile && rng.chance(0.7)) return { device, ip: this.ip(900_000 + rng.int(300), rng.range(1, 254), false) };
    return { device, ip: this.ip(b.ipPrefix, b.ipHost, b.v6) };
  }

  private addressOf(n: number): string {
    return `a-${base36(n, SALT.addr)}${base36(n + 1, SALT.addr)}`;
  }

  private paymentOf(n: number): string {
    return `p-${base36(n, SALT.pay)}`;
  }

  // ---- plans ---------------------------------------------------------------------------------

  private planNegatives(weights: number[]): void {
    const { rng, scenario } = this;
    const categoryOf: Record<HardNegativeKind, Category> = {
      flash_sale: 'fashion',
      viral_product: 'beauty',
      loyal_grocery: 'grocery',
      bulk_corporate: 'electronics',
      campus_nat: 'books',
      new_seller_friends: 'home',
    };
    for (const kind of HARD_NEGATIVE_KINDS) {
      for (let k = 0; k < scenario.hardNegativesPerKind; k++) {
        const wholeRun = kind === 'loyal_grocery' || kind === 'campus_nat';
        const firstDay = wholeRun ? 0 : rng.range(scenario.warmupDays, scenario.days - 2);
        const lastDay = wholeRun ? scenario.days - 1 : kind === 'viral_product' ? Math.min(scenario.days - 1, firstDay + 4) : kind === 'new_seller_friends' ? firstDay + 2 : firstDay;
        const seller = this.addSeller(categoryOf[kind], kind === 'new_seller_friends' ? firstDay : -rng.range(60, 900));
        // Mid-sized: 3–10 honest orders a day of their own.
        weights.push((rng.uniform(3, 10) / scenario.ordersPerDay) * scenario.sellers * 3.5);
        const people: Buyer[] = [];
        const count = kind === 'loyal_grocery' ? rng.range(40, 80) : kind === 'bulk_corporate' ? rng.range(1, 2) : kind === 'campus_nat' ? rng.range(150, 300) : kind === 'new_seller_friends' ? rng.range(10, 20) : 0;
        const campusPrefix = this.counters.prefix++;
        for (let p = 0; p < count; p++) {
          if (kind === 'campus_nat') {
            // Students: distinct devices and dorm rooms, one campus NAT /24 with a few exit IPs.
            const b = this.newBuyer(SIM_EPOCH - rng.uniform(20, 1200) * DAY, campusPrefix, false);
            this.buyers.push({ ...b, ipHost: rng.range(10, 13), mobile: false });
            people.push(this.buyers[this.buyers.length - 1]!);
          } else {
            // Regulars, colleagues and friends have accounts from before the run.
            let b = this.buyers[rng.int(this.honestBuyerCount)]!;
            while (b.createdAt >= SIM_EPOCH) b = this.buyers[rng.int(this.honestBuyerCount)]!;
            people.push(b);
          }
        }
        const item = seller.items[0]!;
        this.negatives.push({ truth: { sellerId: seller.id, kind, start: SIM_EPOCH + firstDay * DAY, end: SIM_EPOCH + (lastDay + 1) * DAY }, seller, firstDay, lastDay, people, item });
      }
    }
  }

  private planCampaigns(weights: number[]): void {
    const { rng, scenario } = this;
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const candidates = this.sellers.filter((s) => {
      const perDay = (weights[s.idx]! / totalWeight) * scenario.ordersPerDay;
      return s.createdDay < 0 && perDay >= 0.3 && perDay <= 15 && !this.negatives.some((n) => n.seller === s);
    });
    const used = new Set<number>();
    const take = (filter: (s: Seller) => boolean): Seller => {
      for (let tries = 0; tries < 1000; tries++) {
        const s = rng.pick(candidates);
        if (!used.has(s.idx) && filter(s)) {
          used.add(s.idx);
          return s;
        }
      }
      throw new Error('simulator: not enough candidate sellers for the campaigns; use more sellers');
    };
    const applicable: Record<Typology, readonly Camouflage[]> = {
      repeat_buyers: ['honest_purchases', 'aged_accounts', 'rotating_devices', 'slow_drip'],
      fresh_accounts: ['honest_purchases', 'rotating_devices', 'slow_drip'],
      shared_identity: ['honest_purchases', 'aged_accounts', 'slow_drip'],
      review_timing: ['honest_purchases', 'aged_accounts', 'rotating_devices', 'slow_drip'],
      review_text: ['honest_purchases', 'aged_accounts', 'rotating_devices', 'paraphrase', 'slow_drip'],
      empty_parcels: ['honest_purchases', 'aged_accounts', 'rotating_devices', 'slow_drip'],
      refund_after_review: ['honest_purchases', 'aged_accounts', 'rotating_devices', 'slow_drip'],
      unverified_reviews: ['aged_accounts', 'rotating_devices', 'paraphrase'],
      edge_bursts: ['honest_purchases', 'aged_accounts', 'rotating_devices'],
      collusion_ring: ['honest_purchases', 'aged_accounts', 'rotating_devices', 'slow_drip'],
    };
    let n = 0;
    for (const typology of TYPOLOGIES) {
      for (let k = 0; k < scenario.campaignsPerTypology; k++) {
        const intensity: Intensity = INTENSITIES[k % INTENSITIES.length]!;
        const camo = new Set<Camouflage>();
        if (k % 4 !== 0) for (const c of applicable[typology]) if (rng.chance(0.35)) camo.add(c);
        const drip = camo.has('slow_drip');
        const length = drip ? rng.range(10, 18) : rng.range(3, 6);
        const firstDay = rng.range(scenario.warmupDays, Math.max(scenario.warmupDays, scenario.days - Math.min(length, 4) - 1));
        const lastDay = Math.min(scenario.days - 1, firstDay + length - 1);
        const heavy = (s: Seller): boolean => typology !== 'empty_parcels' || ['home', 'sports', 'books', 'grocery'].includes(s.category);
        const sellers = typology === 'collusion_ring' ? Array.from({ length: rng.range(3, 5) }, () => take(() => true)) : [take(heavy)];
        const rate = { low: 0.5, medium: 1, high: 2 }[intensity] * (drip ? 0.4 : 1);
        const start = SIM_EPOCH + firstDay * DAY;
        const ageDays = (): number => (camo.has('aged_accounts') ? rng.uniform(400, 1500) : typology === 'fresh_accounts' ? rng.uniform(0.1, 4) : rng.uniform(15, 200));
        const poolSize = {
          repeat_buyers: rng.range(3, 8),
          fresh_accounts: Math.ceil(7 * rate * (lastDay - firstDay + 1) * 1.3) + 2,
          shared_identity: rng.range(10, 30),
          review_timing: rng.range(15, 40),
          review_text: rng.range(15, 40),
          empty_parcels: rng.range(10, 30),
          refund_after_review: rng.range(8, 25),
          unverified_reviews: rng.range(20, 50),
          edge_bursts: Math.ceil(25 * rate) * Math.ceil((lastDay - firstDay + 1) / 2) + 5,
          collusion_ring: rng.range(15, 40),
        }[typology];
        const pool: Buyer[] = [];
        for (let p = 0; p < poolSize; p++) {
          // Fresh accounts are opened just before their first use; others exist well before.
          const createdAt = typology === 'fresh_accounts' && !camo.has('aged_accounts') ? start + rng.uniform(-2, lastDay - firstDay) * DAY : start - ageDays() * DAY;
          pool.push(this.fakeBuyer(createdAt));
        }
        const traitsAll = ['device', 'ip', 'address', 'payment'];
        const traits = new Set(rng.sample(4, rng.range(2, 4)).map((i) => traitsAll[i]!));
        const farm = {
          devices: Array.from({ length: rng.range(1, 3) }, () => `d-${base36(this.counters.device++, SALT.device)}`),
          prefix: this.counters.prefix++,
          addresses: Array.from({ length: rng.range(1, 2) }, () => this.addressOf(this.counters.address++)),
          payments: Array.from({ length: rng.range(1, 3) }, () => this.paymentOf(this.counters.payment++)),
          traits,
        };
        const truth: Campaign = {
          id: `c-${String(++n).padStart(3, '0')}-${typology}`,
          typology,
          intensity,
          camouflage: CAMOUFLAGES.filter((c) => camo.has(c)),
          sellerIds: sellers.map((s) => s.id),
          fakeBuyerIds: pool.map((b) => this.buyerId(b)),
          start: 0,
          evidenceStart: 0,
          end: 0,
          fakeOrders: 0,
          fakeReviews: 0,
        };
        this.campaigns.push({ truth, sellers, firstDay, lastDay, rate, pool, farm, template: campaignTemplate(rng, sellers[0]!.category), camo, cursor: 0 });
      }
    }
  }

  // ---- events --------------------------------------------------------------------------------

  private push(ev: MarketEvent, rng: Rng): void {
    if (ev.eventTime >= this.end) return;
    // Emission: seconds of jitter, minutes now and then, hours for an offline device.
    let at = ev.eventTime + rng.exponential(15_000);
    const r = rng.next();
    if (r < 0.003) at += rng.uniform(1, 6) * HOUR;
    else if (r < 0.1) at += rng.uniform(0, 5) * MIN;
    this.enqueue(at, ev);
    if (rng.chance(0.0015)) {
      this.enqueue(at + rng.uniform(1_000, 20 * MIN), ev);
      this.truth.scenario.duplicates++;
    }
  }

  private enqueue(at: number, ev: MarketEvent): void {
    const day = Math.floor((at - SIM_EPOCH) / DAY);
    let bucket = this.buckets.get(day);
    if (bucket === undefined) this.buckets.set(day, (bucket = []));
    bucket.push({ at, seq: this.counters.seq++, ev });
  }

  private eventId(): string {
    return `e-${base36(this.counters.event++, SALT.event)}${(this.counters.event >>> 24).toString(36)}`;
  }

  private order(spec: OrderSpec, rng: Rng): void {
    const { seller, buyer, t, fake } = spec;
    const item = spec.item ?? seller.items[Math.min(seller.items.length - 1, Math.floor(rng.exponential(1.5)))]!;
    const quantity = spec.quantity ?? (rng.chance(0.8) ? 1 : rng.chance(0.6) ? 2 : rng.range(3, 5));
    const orderIdx = this.counters.order++;
    const orderId = `o-${base36(orderIdx, SALT.order)}`;
    const session = spec.session ?? this.session(buyer, rng);
    const buyerId = this.buyerId(buyer);
    const common = {
      orderId,
      sellerId: seller.id,
      buyerId,
      itemId: `i-${base36(item, SALT.item)}`,
      quantity,
      amountCents: this.itemPrice[item]! * quantity,
      currency: 'USD',
      buyerAccountCreatedAt: Math.floor(buyer.createdAt),
      shippingAddressHash: spec.address ?? this.addressOf(buyer.address),
      paymentInstrumentHash: spec.payment ?? this.paymentOf(buyer.payment),
    };
    const emit = (status: OrderStatus, at: number, withSession: boolean, parcel?: { tracking: string; carrier: string; weight: number }): void => {
      const ev: OrderEvent = {
        kind: 'order',
        eventId: this.eventId(),
        orderId: common.orderId,
        status,
        eventTime: Math.floor(at),
        sellerId: common.sellerId,
        buyerId: common.buyerId,
        itemId: common.itemId,
        quantity: common.quantity,
        amountCents: common.amountCents,
        currency: common.currency,
        buyerAccountCreatedAt: common.buyerAccountCreatedAt,
        deviceId: withSession ? session.device : null,
        ipAddress: withSession ? session.ip : null,
        shippingAddressHash: common.shippingAddressHash,
        paymentInstrumentHash: common.paymentInstrumentHash,
        trackingNumber: parcel?.tracking ?? null,
        carrier: parcel?.carrier ?? null,
        parcelWeightGrams: parcel?.weight ?? null,
      };
      this.push(ev, rng);
    };

    emit('PLACED', t, true);
    if (fake !== undefined) {
      fake.campaign.fakeOrders++;
      if (fake.campaign.start === 0 || t < fake.campaign.start) fake.campaign.start = Math.floor(t);
      if (ORDER_EVIDENCE.has(fake.campaign.typology)) this.evidence(fake.campaign, t);
      fake.campaign.end = Math.max(fake.campaign.end, Math.min(this.end - 1, Math.floor(t)));
    } else {
      if (rng.chance(0.04)) {
        emit('CANCELLED', t + rng.uniform(30 * MIN, 24 * HOUR), false);
        return;
      }
      seller.recent.push(buyer.idx);
      if (seller.recent.length > 6) seller.recent.shift();
    }
    const paid = t + Math.max(10_000, rng.exponential(fake ? 3 * MIN : 8 * MIN));
    emit('PAID', paid, true);
    if (fake === undefined && rng.chance(0.015)) {
      emit('CANCELLED', paid + rng.uniform(1, 24) * HOUR, false);
      return;
    }
    const shipped = paid + Math.min(96, Math.max(2, rng.logNormal(20, 0.5))) * HOUR;
    const carrierIdx = rng.chance(0.85) ? seller.carrier : rng.int(CARRIERS.length);
    const carrier = CARRIERS[carrierIdx]!;
    const weight = fake?.emptyParcel
      ? rng.range(5, 40)
      : Math.round((this.itemWeight[item]! * quantity + rng.uniform(30, 200)) * rng.uniform(0.92, 1.08));
    const tracking = `${carrier.replace(/[^A-Z]/g, '').slice(0, 3)}${String(permute32(this.counters.order, SALT.trk)).padStart(10, '0')}`;
    emit('SHIPPED', shipped, false, { tracking, carrier, weight });
    if (fake?.emptyParcel) this.evidence(fake.campaign, shipped);
    const delivered = shipped + Math.min(10, Math.max(0.4, rng.logNormal(2.5, 0.45))) * DAY;
    emit('DELIVERED', delivered, false);

    if (fake !== undefined) {
      if (!rng.chance(fake.reviewProb)) return;
      const delay = fake.reviewDelay();
      const at = delay < 0 ? shipped + rng.uniform(0.2, 0.9) * (delivered - shipped) : delivered + delay;
      this.review({ seller, buyer, item, orderId, at, rating: 5, text: fake.text(), session, hasMedia: rng.chance(0.05) }, rng, fake.campaign);
      if (fake.refundAfterReview) {
        const refunded = at + rng.uniform(1, 4) * DAY;
        emit('REFUNDED', refunded, false);
        this.evidence(fake.campaign, refunded);
      }
      return;
    }
    const refunded = rng.chance(0.02);
    if (refunded) emit('REFUNDED', delivered + rng.uniform(1, 10) * DAY, false);
    if (!rng.chance(spec.reviewRate ?? seller.reviewRate)) return;
    const rating = refunded
      ? rng.range(1, 2)
      : rng.chance(spec.fiveStar ?? 0)
        ? 5
        : rng.chance(seller.quality)
          ? rng.chance(0.65) ? 5 : 4
          : rng.range(1, 3);
    const at = delivered + Math.min(25, Math.max(0.1, rng.logNormal(3, 0.9))) * DAY;
    this.review({ seller, buyer, item, orderId, at, rating, text: honestText(rng, this.itemCategory[item]!, rating), session: this.session(buyer, rng), hasMedia: rng.chance(0.12) }, rng);
  }

  /** The first event that shows the campaign's typology (an empty parcel ships a day after the order). */
  private evidence(campaign: Campaign, at: number): void {
    const t = Math.floor(at);
    if (t < this.end && (campaign.evidenceStart === 0 || t < campaign.evidenceStart)) campaign.evidenceStart = t;
  }

  private review(
    r: { seller: Seller; buyer: Buyer; item: number; orderId: string | null; at: number; rating: number; text: string; session: Session; hasMedia: boolean },
    rng: Rng,
    campaign?: Campaign,
  ): void {
    const ev: ReviewEvent = {
      kind: 'review',
      eventId: this.eventId(),
      reviewId: `r-${base36(this.counters.review++, SALT.review)}`,
      eventTime: Math.floor(r.at),
      orderId: r.orderId,
      sellerId: r.seller.id,
      buyerId: this.buyerId(r.buyer),
      itemId: `i-${base36(r.item, SALT.item)}`,
      rating: r.rating,
      text: r.text,
      hasMedia: r.hasMedia,
      deviceId: r.session.device,
      ipAddress: r.session.ip,
    };
    if (campaign !== undefined && ev.eventTime < this.end) {
      campaign.fakeReviews++;
      if (campaign.start === 0 || ev.eventTime < campaign.start) campaign.start = ev.eventTime;
      if (REVIEW_EVIDENCE.has(campaign.typology)) this.evidence(campaign, ev.eventTime);
      campaign.end = Math.max(campaign.end, ev.eventTime);
    }
    this.push(ev, rng);
  }

  /** A time within day `d` following the daily rhythm (quiet nights, evening peak). */
  private timeOfDay(d: number, rng: Rng): number {
    let u = rng.next() * HOURS_TOTAL;
    let h = 0;
    while (h < 23 && u >= HOURS[h]!) u -= HOURS[h++]!;
    return SIM_EPOCH + d * DAY + h * HOUR + rng.next() * HOUR;
  }

  private honestBuyer(t: number, rng: Rng): Buyer {
    for (;;) {
      const b = this.buyers[this.buyerTable.sample(rng)]!;
      if (b.createdAt < t - HOUR) return b;
    }
  }

  private honestDay(d: number, rng: Rng): void {
    const weekday = (d % 7) as number;
    const weekly = weekday >= 5 ? 1.15 : weekday === 0 ? 0.95 : 1;
    const trend = 1 + 0.004 * d;
    const n = rng.poisson(this.scenario.ordersPerDay * weekly * trend);
    for (let i = 0; i < n; i++) {
      const t = this.timeOfDay(d, rng);
      let seller = this.sellers[this.sellerTable.sample(rng)]!;
      for (let tries = 0; seller.createdDay > d && tries < 8; tries++) seller = this.sellers[this.sellerTable.sample(rng)]!;
      if (seller.createdDay > d) continue;
      const recent = seller.recent.length > 0 && rng.chance(0.06) ? this.buyers[rng.pick(seller.recent)] : undefined;
      const buyer = recent !== undefined && recent.createdAt < t ? recent : this.honestBuyer(t, rng);
      this.order({ seller, buyer, t }, rng);
    }
  }

  private negativeDay(p: NegativePlan, d: number, rng: Rng): void {
    const { seller } = p;
    const dayStart = SIM_EPOCH + d * DAY;
    switch (p.truth.kind) {
      case 'flash_sale': {
        if (d !== p.firstDay) return;
        const at = dayStart + (rng.chance(0.5) ? 12 : 20) * HOUR;
        const n = rng.range(60, 150);
        for (let i = 0; i < n; i++) {
          const t = at + rng.next() * 2 * HOUR;
          const buyer = this.honestBuyer(t, rng);
          this.order({ seller, buyer, t, item: p.item }, rng);
          if (rng.chance(0.15)) this.order({ seller, buyer, t: t + rng.uniform(2, 30) * MIN, item: seller.items[rng.int(seller.items.length)]! }, rng);
        }
        return;
      }
      case 'viral_product': {
        if (d < p.firstDay || d > p.lastDay) return;
        const n = rng.range(20, 40);
        for (let i = 0; i < n; i++) {
          const t = this.timeOfDay(d, rng);
          this.order({ seller, buyer: this.honestBuyer(t, rng), t, item: p.item, reviewRate: 0.5, fiveStar: 0.9 }, rng);
        }
        return;
      }
      case 'loyal_grocery': {
        for (const buyer of p.people) {
          if (!rng.chance(0.4)) continue;
          const t = this.timeOfDay(d, rng);
          this.order({ seller, buyer, t, quantity: rng.range(1, 4) }, rng);
          // Forgot something: a second basket minutes later.
          if (rng.chance(0.1)) this.order({ seller, buyer, t: t + rng.uniform(10, 40) * MIN }, rng);
        }
        return;
      }
      case 'bulk_corporate': {
        if (d % 7 !== 2 && d % 7 !== 4) return;
        const buyer = p.people[rng.int(p.people.length)]!;
        const at = dayStart + rng.uniform(9, 15) * HOUR;
        const n = rng.range(6, 14);
        const office = { address: this.addressOf(buyer.address), payment: this.paymentOf(buyer.payment) };
        for (let i = 0; i < n; i++) {
          this.order({ seller, buyer, t: at + rng.next() * 1.5 * HOUR, quantity: rng.range(5, 50), reviewRate: 0.02, ...office }, rng);
        }
        return;
      }
      case 'campus_nat': {
        const n = rng.range(8, 20);
        for (let i = 0; i < n; i++) {
          const t = this.timeOfDay(d, rng);
          this.order({ seller, buyer: p.people[rng.int(p.people.length)]!, t }, rng);
        }
        return;
      }
      case 'new_seller_friends': {
        if (d !== p.firstDay) return;
        for (const buyer of p.people) {
          const t = dayStart + rng.uniform(8, 46) * HOUR;
          this.order({ seller, buyer, t, reviewRate: 0.8, fiveStar: 0.85 }, rng);
          if (rng.chance(0.3)) this.order({ seller, buyer, t: t + rng.uniform(1, 20) * HOUR, reviewRate: 0.5, fiveStar: 0.85 }, rng);
        }
        return;
      }
    }
  }

  private campaignDay(c: CampaignPlan, d: number, rng: Rng): void {
    if (d < c.firstDay || d > c.lastDay) return;
    const { truth, camo, farm, pool } = c;
    const typology = truth.typology;
    const seller = c.sellers[0]!;
    const rotating = camo.has('rotating_devices');
    const sessionOf = (b: Buyer): Session => {
      if (typology === 'shared_identity') {
        const device = farm.traits.has('device') ? rng.pick(farm.devices) : rotating ? `d-${base36(this.counters.device++, SALT.device)}` : `d-${base36(b.device, SALT.device)}`;
        const ip = farm.traits.has('ip') ? this.ip(farm.prefix, rng.range(2, 254), false) : this.ip(b.ipPrefix, b.ipHost, false);
        return { device, ip };
      }
      if (rotating) return { device: `d-${base36(this.counters.device++, SALT.device)}`, ip: this.ip(900_000 + rng.int(300), rng.range(1, 254), false) };
      return this.session(b, rng);
    };
    const identity = (b: Buyer): { session: Session; address?: string; payment?: string } => {
      const session = sessionOf(b);
      if (typology !== 'shared_identity') return { session };
      return {
        session,
        ...(farm.traits.has('address') ? { address: rng.pick(farm.addresses) } : {}),
        ...(farm.traits.has('payment') ? { payment: rng.pick(farm.payments) } : {}),
      };
    };
    const baseFake: FakeOptions = {
      campaign: truth,
      reviewProb: 0.6,
      reviewDelay: () => Math.min(6 * DAY, rng.logNormal(20 * HOUR, 0.8)),
      text: () => brushingText(rng),
      emptyParcel: false,
      refundAfterReview: false,
    };
    const fake: FakeOptions = {
      ...baseFake,
      ...(typology === 'review_timing' ? { reviewProb: 1, reviewDelay: () => (rng.chance(0.4) ? -1 : rng.uniform(5, 60) * MIN) } : {}),
      ...(typology === 'review_text'
        ? { reviewProb: 1, reviewDelay: () => rng.logNormal(2 * DAY, 0.6), text: () => paraphrase(rng, c.template, camo.has('paraphrase') ? rng.range(2, 4) : rng.int(2)) }
        : {}),
      ...(typology === 'empty_parcels' ? { emptyParcel: true, reviewProb: 0.5 } : {}),
      ...(typology === 'refund_after_review' ? { reviewProb: 1, reviewDelay: () => rng.uniform(0.5, 2) * DAY, refundAfterReview: true } : {}),
    };
    const heavyItem = (s: Seller): number => s.items.reduce((best, i) => (this.itemWeight[i]! > this.itemWeight[best]! ? i : best), s.items[0]!);
    const count = (base: number): number => rng.poisson(base * c.rate);
    const ready = (b: Buyer, t: number): boolean => b.createdAt < t;

    switch (typology) {
      case 'repeat_buyers': {
        const sessions = Math.max(1, count(2));
        for (let s = 0; s < sessions; s++) {
          const buyer = rng.pick(pool);
          const t0 = this.timeOfDay(d, rng);
          const span = rng.uniform(5, 45) * MIN;
          const n = rng.range(3, 5);
          const id = identity(buyer);
          for (let i = 0; i < n; i++) this.order({ seller, buyer, t: t0 + (span * i) / (n - 1), ...id, fake }, rng);
        }
        break;
      }
      case 'fresh_accounts':
      case 'shared_identity':
      case 'review_timing':
      case 'review_text':
      case 'empty_parcels':
      case 'refund_after_review': {
        const n = Math.max(1, count(typology === 'refund_after_review' ? 4 : 6));
        for (let i = 0; i < n; i++) {
          const t = this.timeOfDay(d, rng);
          let buyer: Buyer;
          if (typology === 'fresh_accounts') {
            // Each fresh account is used within days of its creation, then dropped.
            const fresh = pool.filter((b) => ready(b, t) && t - b.createdAt < 5 * DAY);
            buyer = fresh.length > 0 ? rng.pick(fresh) : pool[Math.min(pool.length - 1, c.cursor++)]!;
            if (!ready(buyer, t)) continue;
          } else {
            buyer = rng.pick(pool);
          }
          this.order({ seller, buyer, t, ...(typology === 'empty_parcels' ? { item: heavyItem(seller) } : {}), ...identity(buyer), fake }, rng);
        }
        break;
      }
      case 'unverified_reviews': {
        const every = c.rate >= 1 ? 1 : 2;
        if ((d - c.firstDay) % every !== 0) break;
        const at = this.timeOfDay(d, rng);
        const n = Math.max(5, count(20));
        for (let i = 0; i < n; i++) {
          const buyer = rng.pick(pool);
          const text = camo.has('paraphrase') ? paraphrase(rng, c.template, rng.range(2, 4)) : brushingText(rng);
          const item = seller.items[rng.int(seller.items.length)]!;
          this.review({ seller, buyer, item, orderId: null, at: at + rng.next() * rng.uniform(1, 3) * HOUR, rating: 5, text, session: sessionOf(buyer), hasMedia: false }, rng, truth);
        }
        break;
      }
      case 'edge_bursts': {
        if ((d - c.firstDay) % 2 !== 0) break;
        const at = this.timeOfDay(d, rng);
        const n = Math.max(8, count(25));
        for (let i = 0; i < n && c.cursor < pool.length; i++) {
          const buyer = pool[c.cursor++]!;
          this.order({ seller, buyer, t: at + rng.next() * 1.5 * HOUR, ...identity(buyer), fake }, rng);
        }
        break;
      }
      case 'collusion_ring': {
        // Lockstep: one account buys from every ring member within the hour.
        const rounds = Math.max(1, count(4));
        for (let r = 0; r < rounds; r++) {
          const buyer = rng.pick(pool);
          const t0 = this.timeOfDay(d, rng);
          for (const member of c.sellers) this.order({ seller: member, buyer, t: t0 + rng.uniform(0, 50) * MIN, ...identity(buyer), fake }, rng);
        }
        break;
      }
    }

    // Camouflage: the fake accounts also shop at honest sellers like anyone else.
    if (camo.has('honest_purchases')) {
      for (const buyer of pool) {
        if (!rng.chance(0.15)) continue;
        const t = this.timeOfDay(d, rng);
        if (!ready(buyer, t)) continue;
        this.order({ seller: this.sellers[this.sellerTable.sample(rng)]!, buyer, t }, rng);
      }
    }
  }

  *events(): Generator<MarketEvent> {
    const { scenario } = this;
    for (let d = 0; d < scenario.days; d++) {
      const rng = new Rng(this.seed, 1000 + d);
      this.honestDay(d, rng);
      for (const p of this.negatives) this.negativeDay(p, d, rng);
      for (const c of this.campaigns) this.campaignDay(c, d, rng);
      // Everything generated later has event time ≥ the next day, so bucket d is complete.
      yield* this.flush(d);
    }
    const rest = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const day of rest) yield* this.flush(day);
  }

  private *flush(day: number): Generator<MarketEvent> {
    const bucket = this.buckets.get(day);
    if (bucket === undefined) return;
    this.buckets.delete(day);
    bucket.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.truth.scenario.events += bucket.length;
    for (const p of bucket) yield p.ev;
  }
}
