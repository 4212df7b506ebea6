/**
 * Validation of one raw event against the contract (../shared/contract/events.md). Never throws:
 * a bad event comes back as a coded reason and a detail naming the field and the rule. A good one
 * comes back as a frozen object with exactly the contract's fields, in the contract's order (extra
 * input fields dropped, missing optional fields null), so every downstream consumer sees one shape.
 */
import { INVALID_REASONS, ORDER_STATUSES } from './types.js';
import type { InvalidReason, MarketEvent, OrderEvent, OrderStatus, ReviewEvent, Validation } from './types.js';

/** 1990-01-01T00:00:00Z: older "event times" are corrupt data, not history. */
export const MIN_TIME_MS = 631_152_000_000;
/** 2100-01-01T00:00:00Z: later ones are corrupt too (relative far-future checks live in the engine). */
export const MAX_TIME_MS = 4_102_444_800_000;
/** Ids longer than this are rejected so one bad producer cannot blow up per-id memory. */
export const MAX_ID_LENGTH = 256;
/** Review texts longer than this are rejected (the platform caps reviews far below). */
export const MAX_TEXT_LENGTH = 20_000;
/** An account may appear created slightly after the event that uses it (clock skew between services). */
export const DEFAULT_ACCOUNT_SKEW_MS = 3_600_000;
const MAX_INT32 = 2_147_483_647;

const STATUS_SET: ReadonlySet<string> = new Set(ORDER_STATUSES);
const CURRENCY = /^[A-Z]{3}$/;

/** Thrown only inside this module to unwind a failed check; caught in validateEvent. */
class Reject {
  constructor(
    readonly reason: InvalidReason,
    readonly detail: string,
  ) {}
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return v.length > 40 ? `string "${v.slice(0, 40)}…"` : `string "${v}"`;
  if (typeof v === 'number') return `number ${v}`;
  return typeof v;
}

function missing(field: string): never {
  throw new Reject(INVALID_REASONS.MISSING_FIELD, `${field} is required by the contract but missing`);
}

function id(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v === 'string') {
    if (v.length === 0) throw new Reject(INVALID_REASONS.OUT_OF_RANGE, `${field} must be a non-empty string`);
    if (v.length > MAX_ID_LENGTH)
      throw new Reject(INVALID_REASONS.OUT_OF_RANGE, `${field} is ${v.length} chars, more than the ${MAX_ID_LENGTH} allowed`);
    return v;
  }
  if (v === undefined) missing(field);
  throw new Reject(INVALID_REASONS.WRONG_TYPE, `${field} must be a string, got ${describe(v)}`);
}

function optId(o: Record<string, unknown>, field: string): string | null {
  const v = o[field];
  if (v === undefined || v === null) return null;
  return id(o, field);
}

function int(o: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = o[field];
  if (typeof v !== 'number') {
    if (v === undefined) missing(field);
    throw new Reject(INVALID_REASONS.WRONG_TYPE, `${field} must be an integer, got ${describe(v)}`);
  }
  if (!Number.isInteger(v)) throw new Reject(INVALID_REASONS.WRONG_TYPE, `${field} must be an integer, got ${v}`);
  if (v < min || v > max) throw new Reject(INVALID_REASONS.OUT_OF_RANGE, `${field} must be in ${min}..${max}, got ${v}`);
  return v;
}

function time(o: Record<string, unknown>, field: string): number {
  return int(o, field, MIN_TIME_MS, MAX_TIME_MS);
}

function validateOrder(o: Record<string, unknown>, skewMs: number): OrderEvent {
  const eventId = id(o, 'eventId');
  const orderId = id(o, 'orderId');
  const rawStatus = o['status'];
  if (typeof rawStatus !== 'string') {
    if (rawStatus === undefined) missing('status');
    throw new Reject(INVALID_REASONS.WRONG_TYPE, `status must be a string, got ${describe(rawStatus)}`);
  }
  if (!STATUS_SET.has(rawStatus))
    throw new Reject(INVALID_REASONS.UNKNOWN_STATUS, `status "${rawStatus.slice(0, 40)}" is not one of ${ORDER_STATUSES.join(', ')}`);
  const eventTime = time(o, 'eventTime');
  const sellerId = id(o, 'sellerId');
  const buyerId = id(o, 'buyerId');
  const itemId = id(o, 'itemId');
  const quantity = int(o, 'quantity', 1, MAX_INT32);
  const amountCents = int(o, 'amountCents', 0, Number.MAX_SAFE_INTEGER);
  const currency = o['currency'];
  if (typeof currency !== 'string') {
    if (currency === undefined) missing('currency');
    throw new Reject(INVALID_REASONS.WRONG_TYPE, `currency must be a string, got ${describe(currency)}`);
  }
  if (!CURRENCY.test(currency))
    throw new Reject(INVALID_REASONS.OUT_OF_RANGE, `currency must be an ISO 4217 code (3 capital letters), got "${currency.slice(0, 40)}"`);
  const buyerAccountCreatedAt = time(o, 'buyerAccountCreatedAt');
  if (buyerAccountCreatedAt > eventTime + skewMs)
    throw new Reject(
      INVALID_REASONS.OUT_OF_RANGE,
      `buyerAccountCreatedAt ${buyerAccountCreatedAt} is after eventTime ${eventTime} by more than ${skewMs} ms`,
    );
  const w = o['parcelWeightGrams'];
  const parcelWeightGrams = w === undefined || w === null ? null : int(o, 'parcelWeightGrams', 0, MAX_INT32);
  return Object.freeze({
    kind: 'order',
    eventId,
    orderId,
    status: rawStatus as OrderStatus,
    eventTime,
    sellerId,
    buyerId,
    itemId,
    quantity,
    amountCents,
    currency,
    buyerAccountCreatedAt,
    deviceId: optId(o, 'deviceId'),
    ipAddress: optId(o, 'ipAddress'),
    shippingAddressHash: optId(o, 'shippingAddressHash'),
    paymentInstrumentHash: optId(o, 'paymentInstrumentHash'),
    trackingNumber: optId(o, 'trackingNumber'),
    carrier: optId(o, 'carrier'),
    parcelWeightGrams,
  });
}

function validateReview(o: Record<string, unknown>): ReviewEvent {
  const eventId = id(o, 'eventId');
  const reviewId = id(o, 'reviewId');
  const eventTime = time(o, 'eventTime');
  const orderId = optId(o, 'orderId');
  const sellerId = id(o, 'sellerId');
  const buyerId = id(o, 'buyerId');
  const itemId = id(o, 'itemId');
  const rating = int(o, 'rating', 1, 5);
  const text = o['text'];
  if (typeof text !== 'string') {
    if (text === undefined) missing('text');
    throw new Reject(INVALID_REASONS.WRONG_TYPE, `text must be a string, got ${describe(text)}`);
  }
  if (text.length > MAX_TEXT_LENGTH)
    throw new Reject(INVALID_REASONS.OUT_OF_RANGE, `text is ${text.length} chars, more than the ${MAX_TEXT_LENGTH} allowed`);
  const hasMedia = o['hasMedia'];
  if (typeof hasMedia !== 'boolean') {
    if (hasMedia === undefined) missing('hasMedia');
    throw new Reject(INVALID_REASONS.WRONG_TYPE, `hasMedia must be a boolean, got ${describe(hasMedia)}`);
  }
  return Object.freeze({
    kind: 'review',
    eventId,
    reviewId,
    eventTime,
    orderId,
    sellerId,
    buyerId,
    itemId,
    rating,
    text,
    hasMedia,
    deviceId: optId(o, 'deviceId'),
    ipAddress: optId(o, 'ipAddress'),
  });
}

/** A non-empty string of at most MAX_ID_LENGTH chars. */
function okId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}

function okOptId(v: unknown): v is string | null | undefined {
  return v === null || v === undefined || okId(v);
}

function okInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function okCurrency(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 3) return false;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(1);
  const c = v.charCodeAt(2);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90 && c >= 65 && c <= 90;
}

/**
 * The common case, valid input, with each field read once by name (monomorphic loads for
 * records of one shape) and no closures: whether the record is valid, and then the checks above
 * run to name the first problem. Both accept exactly the same records.
 */
function okOrder(o: Record<string, unknown>, skewMs: number): boolean {
  const eventTime = o['eventTime'];
  const buyerAccountCreatedAt = o['buyerAccountCreatedAt'];
  const status = o['status'];
  const w = o['parcelWeightGrams'];
  return (
    okId(o['eventId']) &&
    okId(o['orderId']) &&
    typeof status === 'string' &&
    STATUS_SET.has(status) &&
    okInt(eventTime, MIN_TIME_MS, MAX_TIME_MS) &&
    okId(o['sellerId']) &&
    okId(o['buyerId']) &&
    okId(o['itemId']) &&
    okInt(o['quantity'], 1, MAX_INT32) &&
    okInt(o['amountCents'], 0, Number.MAX_SAFE_INTEGER) &&
    okCurrency(o['currency']) &&
    okInt(buyerAccountCreatedAt, MIN_TIME_MS, MAX_TIME_MS) &&
    buyerAccountCreatedAt <= eventTime + skewMs &&
    (w === undefined || w === null || okInt(w, 0, MAX_INT32)) &&
    okOptId(o['deviceId']) &&
    okOptId(o['ipAddress']) &&
    okOptId(o['shippingAddressHash']) &&
    okOptId(o['paymentInstrumentHash']) &&
    okOptId(o['trackingNumber']) &&
    okOptId(o['carrier'])
  );
}

function okReview(o: Record<string, unknown>): boolean {
  const text = o['text'];
  return (
    okId(o['eventId']) &&
    okId(o['reviewId']) &&
    okInt(o['eventTime'], MIN_TIME_MS, MAX_TIME_MS) &&
    okOptId(o['orderId']) &&
    okId(o['sellerId']) &&
    okId(o['buyerId']) &&
    okId(o['itemId']) &&
    okInt(o['rating'], 1, 5) &&
    typeof text === 'string' &&
    text.length <= MAX_TEXT_LENGTH &&
    typeof o['hasMedia'] === 'boolean' &&
    okOptId(o['deviceId']) &&
    okOptId(o['ipAddress'])
  );
}

/** A valid order's copy in the contract's shape (okOrder has checked every field). */
function copyOrder(o: Record<string, unknown>): OrderEvent {
  return Object.freeze({
    kind: 'order',
    eventId: o['eventId'] as string,
    orderId: o['orderId'] as string,
    status: o['status'] as OrderStatus,
    eventTime: o['eventTime'] as number,
    sellerId: o['sellerId'] as string,
    buyerId: o['buyerId'] as string,
    itemId: o['itemId'] as string,
    quantity: o['quantity'] as number,
    amountCents: o['amountCents'] as number,
    currency: o['currency'] as string,
    buyerAccountCreatedAt: o['buyerAccountCreatedAt'] as number,
    deviceId: (o['deviceId'] as string | undefined) ?? null,
    ipAddress: (o['ipAddress'] as string | undefined) ?? null,
    shippingAddressHash: (o['shippingAddressHash'] as string | undefined) ?? null,
    paymentInstrumentHash: (o['paymentInstrumentHash'] as string | undefined) ?? null,
    trackingNumber: (o['trackingNumber'] as string | undefined) ?? null,
    carrier: (o['carrier'] as string | undefined) ?? null,
    parcelWeightGrams: (o['parcelWeightGrams'] as number | undefined) ?? null,
  } as const);
}

function copyReview(o: Record<string, unknown>): ReviewEvent {
  return Object.freeze({
    kind: 'review',
    eventId: o['eventId'] as string,
    reviewId: o['reviewId'] as string,
    eventTime: o['eventTime'] as number,
    orderId: (o['orderId'] as string | undefined) ?? null,
    sellerId: o['sellerId'] as string,
    buyerId: o['buyerId'] as string,
    itemId: o['itemId'] as string,
    rating: o['rating'] as number,
    text: o['text'] as string,
    hasMedia: o['hasMedia'] as boolean,
    deviceId: (o['deviceId'] as string | undefined) ?? null,
    ipAddress: (o['ipAddress'] as string | undefined) ?? null,
  } as const);
}

export interface ValidateOptions {
  /** How far after eventTime buyerAccountCreatedAt may be (clock skew); default 1 h. */
  readonly accountSkewMs?: number;
}

/** A rejected event, as returned by checkEvent. */
export interface Rejection {
  readonly ok: false;
  readonly reason: InvalidReason;
  readonly detail: string;
}

/**
 * The engine's hot-path form of validateEvent: the event itself when valid (no wrapper object
 * per event), a Rejection otherwise. Never throws.
 */
export function checkEvent(raw: unknown, accountSkewMs: number): MarketEvent | Rejection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, reason: INVALID_REASONS.NOT_AN_OBJECT, detail: `an event must be a JSON object, got ${describe(raw)}` };
  const o = raw as Record<string, unknown>;
  try {
    const kind = o['kind'];
    if (kind === 'order') return okOrder(o, accountSkewMs) ? copyOrder(o) : validateOrder(o, accountSkewMs);
    if (kind === 'review') return okReview(o) ? copyReview(o) : validateReview(o);
    if (kind === undefined) return { ok: false, reason: INVALID_REASONS.MISSING_FIELD, detail: 'kind is required: "order" or "review"' };
    return { ok: false, reason: INVALID_REASONS.UNKNOWN_KIND, detail: `kind must be "order" or "review", got ${describe(kind)}` };
  } catch (err) {
    if (err instanceof Reject) return { ok: false, reason: err.reason, detail: err.detail };
    // A getter or proxy on the input threw: still never escape the engine.
    return { ok: false, reason: INVALID_REASONS.NOT_AN_OBJECT, detail: `reading the event failed: ${String(err)}` };
  }
}

/**
 * checkEvent for a record its caller built for the engine and hands over for good (an adapter's
 * parser, never user objects): exactly the contract's fields of its kind, in the contract's
 * order (values unchecked, absent optional ones undefined), which the caller never reads or
 * writes again. A valid one is completed in place (absent optionals set to null, the kind to the
 * literal) and frozen instead of copied: the same fields, order and hidden class as
 * checkEvent's copies, one object fewer per event. Anything else goes through checkEvent.
 */
export function adoptEvent(rec: Record<string, unknown>, accountSkewMs: number): MarketEvent | Rejection {
  const kind = rec['kind'];
  if (kind === 'order' && okOrder(rec, accountSkewMs)) {
    rec['kind'] = 'order';
    rec['deviceId'] ??= null;
    rec['ipAddress'] ??= null;
    rec['shippingAddressHash'] ??= null;
    rec['paymentInstrumentHash'] ??= null;
    rec['trackingNumber'] ??= null;
    rec['carrier'] ??= null;
    rec['parcelWeightGrams'] ??= null;
    return Object.freeze(rec) as unknown as OrderEvent;
  }
  if (kind === 'review' && okReview(rec)) {
    rec['kind'] = 'review';
    rec['orderId'] ??= null;
    rec['deviceId'] ??= null;
    rec['ipAddress'] ??= null;
    return Object.freeze(rec) as unknown as ReviewEvent;
  }
  return checkEvent(rec, accountSkewMs);
}

/** Checks one decoded record (a parsed NDJSON line or an Avro record plus `kind`). */
export function validateEvent(raw: unknown, opts?: ValidateOptions): Validation {
  const r = checkEvent(raw, opts?.accountSkewMs ?? DEFAULT_ACCOUNT_SKEW_MS);
  return 'kind' in r ? { ok: true, event: r } : r;
}
