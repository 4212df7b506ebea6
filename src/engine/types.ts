/**
 * Shared types of the pure engine: the event contract (../shared/contract/events.md), alerts,
 * and the interface every signal module implements. Nothing here does I/O.
 */

export const ORDER_STATUSES = ['PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One order state change, topic `orders`. Times are epoch milliseconds (UTC). */
export interface OrderEvent {
  readonly kind: 'order';
  readonly eventId: string;
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly eventTime: number;
  readonly sellerId: string;
  readonly buyerId: string;
  readonly itemId: string;
  readonly quantity: number;
  readonly amountCents: number;
  readonly currency: string;
  readonly buyerAccountCreatedAt: number;
  readonly deviceId: string | null;
  readonly ipAddress: string | null;
  readonly shippingAddressHash: string | null;
  readonly paymentInstrumentHash: string | null;
  readonly trackingNumber: string | null;
  readonly carrier: string | null;
  readonly parcelWeightGrams: number | null;
}

/** One published review, topic `reviews`. `orderId` null means an unverified review. */
export interface ReviewEvent {
  readonly kind: 'review';
  readonly eventId: string;
  readonly reviewId: string;
  readonly eventTime: number;
  readonly orderId: string | null;
  readonly sellerId: string;
  readonly buyerId: string;
  readonly itemId: string;
  readonly rating: number;
  readonly text: string;
  readonly hasMedia: boolean;
  readonly deviceId: string | null;
  readonly ipAddress: string | null;
}

export type MarketEvent = OrderEvent | ReviewEvent;
export type EventKind = MarketEvent['kind'];

/** Why an event was rejected. Stable codes: they are metric label values and DLQ headers. */
export const INVALID_REASONS = {
  NOT_AN_OBJECT: 'NOT_AN_OBJECT',
  UNKNOWN_KIND: 'UNKNOWN_KIND',
  MISSING_FIELD: 'MISSING_FIELD',
  WRONG_TYPE: 'WRONG_TYPE',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  UNKNOWN_STATUS: 'UNKNOWN_STATUS',
  FUTURE_TIME: 'FUTURE_TIME',
  BAD_JSON: 'BAD_JSON',
  BAD_ENCODING: 'BAD_ENCODING',
} as const;
export type InvalidReason = (typeof INVALID_REASONS)[keyof typeof INVALID_REASONS];

export type Validation =
  | { readonly ok: true; readonly event: MarketEvent }
  | { readonly ok: false; readonly reason: InvalidReason; readonly detail: string };

/** What happened to one event handed to the engine. */
export const INGEST_OUTCOMES = ['accepted', 'duplicate', 'late', 'invalid'] as const;
export type IngestOutcome = (typeof INGEST_OUTCOMES)[number];

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_ACTIONS = ['OPEN', 'UPDATE', 'RESOLVE'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const ALERT_SCOPES = ['SELLER', 'RING'] as const;
export type AlertScope = (typeof ALERT_SCOPES)[number];

/**
 * Signal families. Independent families reinforce each other in the score; several signals of
 * one family count as one.
 */
export const SIGNAL_FAMILIES = [
  'concentration', // repeat buyers, purchase-edge bursts
  'account_age', // fresh accounts
  'identity', // shared devices / IP prefixes / addresses / payment instruments
  'review_timing', // reviews too soon after delivery or before it, 5-star bursts
  'review_text', // near-duplicate texts
  'fulfilment', // empty or fake parcels
  'reversal', // refunds or cancellations after a positive review
  'unverified', // bursts of unverified reviews
  'ring', // sellers sharing buyer pools
] as const;
export type SignalFamily = (typeof SIGNAL_FAMILIES)[number];

/** One signal that fired, as it appears in an alert. */
export interface SignalFinding {
  readonly name: string;
  readonly family: SignalFamily;
  /** The measured value, in the unit the signal documents (ratio, share, count, z-score …). */
  readonly value: number;
  /** The threshold the value was compared with. */
  readonly threshold: number;
  /** Strength in [0, 1] after comparing value with threshold and baselines; feeds the score. */
  readonly strength: number;
  /** The horizon over which the value was measured, in ms (e.g. 3_600_000). */
  readonly horizonMs: number;
  /** Baseline the value was judged against (seller's own or population), when there is one. */
  readonly baseline: number | null;
  /** A short human sentence: what was seen. */
  readonly explanation: string;
  readonly evidence: Partial<EvidenceLists>;
  /**
   * Set when the finding only says who the seller's buyers are (young accounts, strangers sharing a
   * place), not what they did: a campus shop's customers are both, so two such findings do not
   * corroborate each other (scoring's minBehaviourFamilies). Never serialised into alerts.
   */
  readonly demographic?: true;
}

export interface EvidenceLists {
  readonly buyerIds: readonly string[];
  readonly deviceIds: readonly string[];
  readonly ipPrefixes: readonly string[];
  readonly addressHashes: readonly string[];
  readonly paymentHashes: readonly string[];
  readonly orderIds: readonly string[];
  readonly reviewIds: readonly string[];
  readonly ringSellerIds: readonly string[];
}

export interface Alert {
  readonly schemaVersion: 1;
  /** Deterministic: a hash of (sellerId or ring id, incident start, sequence, action). */
  readonly alertId: string;
  /** Stable over an incident's OPEN, UPDATEs and RESOLVE. */
  readonly incidentId: string;
  readonly sequence: number;
  readonly action: AlertAction;
  readonly scope: AlertScope;
  readonly sellerId: string;
  readonly severity: Severity;
  readonly score: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The watermark at which the engine decided: event time, never the wall clock. */
  readonly detectedAt: number;
  readonly signals: readonly SignalFinding[];
  readonly evidence: EvidenceLists;
}

/**
 * What a signal sees of the seller when it evaluates: cheap shared aggregates kept by the core.
 * Signals keep anything else they need in their own state.
 */
export interface SellerContext {
  readonly sellerId: string;
  /** End of the bucket being closed (exclusive), event time. */
  readonly at: number;
  readonly bucketMs: number;
  /** Orders (PLACED) in the closing bucket and over the last 24 h. */
  readonly ordersInBucket: number;
  readonly orders24h: number;
  /** EWMA of this seller's daily PLACED orders (slow baseline); 0 for a new seller. */
  readonly dailyOrdersEwma: number;
  /** Days of history the seller has (for trusting its own baseline). */
  readonly historyDays: number;
}

/**
 * Hashes of one event's ids that several signals need, computed once per event by the engine
 * (see event-keys.ts) instead of once in each signal.
 */
export interface EventKeys {
  /** hash32(buyerId). */
  readonly buyer: number;
  /** hash32(orderId); 0 for a review without an order. */
  readonly order: number;
}

/** Which events a signal observes: orders of these statuses, and reviews or not. */
export interface Observes {
  readonly orders: readonly OrderStatus[];
  readonly reviews: boolean;
}

/**
 * A signal module. The engine hands each seller-level signal the seller's events in canonical
 * order (event time, then eventId), already validated and deduplicated, so the state a signal
 * builds does not depend on arrival order. `evaluate` runs when a bucket of that seller closes.
 *
 * State must be plain data (numbers, strings, booleans, arrays, plain objects, null) so that it
 * can be snapshotted with JSON and restored; every collection in it has a cap.
 */
export interface SellerSignal<S, C = unknown> {
  readonly name: string;
  readonly family: SignalFamily;
  /**
   * The events `observe` acts on; the engine calls it for these only and creates the state at the
   * seller's first such event (before it the signal is not evaluated: an unused state must find
   * nothing). Absent: every event, the state created with the seller.
   */
  readonly observes?: Observes;
  create(config: C): S;
  /**
   * Optional: turns a snapshot's state, of this or any earlier layout, into the current layout;
   * called once per restored state (a null one stays null), so that observe, evaluate, expire and
   * quietUntil see the current layout only. `saved` is the caller's own copy: it may be changed.
   */
  revive?(saved: unknown, config: C): S;
  /**
   * `keys` hashes this event's ids; like `ctx`, valid during the call only. Returns true when the
   * event cannot end a quiet period (see quietUntil): evaluate would still find nothing and the
   * time quietUntil gave still holds. Anything else ends it.
   */
  observe(state: S, event: MarketEvent, config: C, keys: EventKeys): boolean | void;
  /** `ctx` is valid during the call only: the engine refills one object for every evaluation. */
  evaluate(state: S, ctx: SellerContext, config: C): SignalFinding | null;
  /** Drops what is older than the signal's longest horizon before `now`. */
  expire(state: S, now: number, config: C): void;
  /**
   * Optional, asked after `evaluate` at `at` found nothing: a time before which, with no new
   * observed event, `expire` + `evaluate` at any later bucket end would change nothing and find
   * nothing. The engine skips them until then (or until `observe` does not return true), so the
   * answer must be provable, not likely; `at` or less means "evaluate me every time".
   */
  quietUntil?(state: S, at: number, config: C): number;
}

/** A ring finding: sellers that share one pool of buyers within a short time. */
export interface RingFinding {
  /** Deterministic id of the ring: a hash of its sorted member seller ids. */
  readonly ringId: string;
  /** Member sellers, sorted. Each member gets a RING-scope alert carrying the whole ring. */
  readonly sellerIds: readonly string[];
  readonly finding: SignalFinding;
}

/**
 * Cross-seller detection (collusion rings). Unlike seller signals it sees every seller's orders,
 * in canonical order, so its results depend on which sellers one engine instance holds: ring
 * alerts are the one output that is not per-seller shardable (see docs/rings.md).
 */
export interface RingDetector<C = unknown> {
  readonly name: string;
  observe(event: MarketEvent): void;
  /** Called when a bucket ends at `at`; returns the rings that are active now. */
  evaluate(at: number, config: C): readonly RingFinding[];
  snapshot(): unknown;
  restore(data: unknown): void;
}
