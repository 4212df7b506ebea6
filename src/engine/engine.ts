/**
 * The detection engine: pure, deterministic, driven by event time only.
 *
 *   ingest → validate → far-future check → dedup → late check → reorder buffer
 *   watermark advances → slots released in canonical order → per-seller aggregates + signals
 *   bucket boundary passed → evaluate sellers → score → incident lifecycle → alerts
 *
 * Nothing here reads the clock, does I/O or draws random numbers: the same input gives the same
 * alerts, byte for byte. See docs/engine.md.
 */
import { BrushwatchError } from '../errors.js';
import { emptyEvidence, makeAlert, mergeEvidence } from './alert.js';
import type { EvidenceCaps } from './alert.js';
import { DAY_MS, DEFAULT_REGISTRY } from './config.js';
import type { EngineConfig } from './config.js';
import { Dedup } from './dedup.js';
import { eventKeys } from './event-keys.js';
import type { DedupSnapshot } from './dedup.js';
import { stepIncident } from './lifecycle.js';
import { ReorderBuffer } from './reorder.js';
import { SEVERITY_RANK, scoreFindings, severityFor } from './scoring.js';
import { SellerState, newContext } from './seller-state.js';
import type { SellerSnapshot } from './seller-state.js';
import { INVALID_REASONS, ORDER_STATUSES, SIGNAL_FAMILIES } from './types.js';
import type {
  Alert,
  AlertAction,
  IngestOutcome,
  InvalidReason,
  MarketEvent,
  OrderStatus,
  RingDetector,
  RingFinding,
  SellerSignal,
  Severity,
  SignalFinding,
} from './types.js';
import { adoptEvent, checkEvent, validateEvent } from './validate.js';
import type { Rejection } from './validate.js';

export interface EngineOptions {
  /** Seller signals; default: the registry's SELLER_SIGNALS. */
  readonly signals?: readonly SellerSignal<any, any>[];
  /** Ring detector; default: a new one from the registry's RING_MODULE. `null` disables rings. */
  readonly ring?: RingDetector<any> | null;
  /**
   * 'self' (default): the watermark follows max event time − allowedDisorderMs.
   * 'external': only advanceWatermark() moves it (e.g. the min over Kafka partitions).
   */
  readonly watermark?: 'self' | 'external';
  /**
   * Track which sellers changed, for takeDirtySellers() (the state changelog). Off by default:
   * without a consumer calling takeDirtySellers() the list would only grow.
   */
  readonly trackChanges?: boolean;
}

export interface IngestResult {
  readonly outcome: IngestOutcome;
  /** For 'invalid': the coded reason and a detail naming the field and the rule. */
  readonly reason?: InvalidReason;
  readonly detail?: string;
  /** For 'late': whose event it was and its time, so adapters can report it. */
  readonly sellerId?: string;
  readonly eventTime?: number;
}

export interface EngineStats {
  /** Everything handed to ingest(). */
  readonly eventsIn: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly late: number;
  readonly invalid: Readonly<Record<InvalidReason, number>>;
  /** Accepted events still waiting in the reorder buffer for the watermark. */
  readonly buffered: number;
  readonly alerts: Readonly<Record<AlertAction, number>>;
  readonly alertsBySeverity: Readonly<Record<Severity, number>>;
  readonly sellersTracked: number;
  readonly sellersEvicted: number;
  readonly dedupIds: number;
  /** Dedup slots dropped by the dedupMaxIds cap before their horizon. */
  readonly dedupDroppedEarly: number;
  readonly bucketsClosed: number;
  /** Times the reorder buffer hit maxBufferedEvents and its oldest slot was released early. */
  readonly forcedReleases: number;
  /** Exceptions thrown by signals or the ring detector (bugs; the engine carried on), and the last one. */
  readonly signalErrors: number;
  readonly lastSignalError: string | null;
  /** null before the first accepted event. */
  readonly watermark: number | null;
  readonly maxEventTime: number | null;
}

/**
 * One seller's open ring incident. Keyed by seller, not by ring id: a ring that gains or loses a
 * member gets a new id, and the same sellers must not be told OPEN again for it.
 */
interface RingIncident {
  readonly sellerId: string;
  /** Every seller seen in a ring with this one during the incident, sorted. */
  sellerIds: string[];
  readonly start: number;
  sequence: number;
  severity: Severity;
  score: number;
  lastSeenAt: number;
  lastEmitAt: number;
}

export interface EngineSnapshot {
  readonly version: 1;
  readonly maxSeen: number | null;
  readonly watermark: number | null;
  readonly releasedThrough: number | null;
  readonly nextBucketEnd: number | null;
  readonly jump: { readonly at: number | null; readonly count: number };
  readonly counters: Omit<
    EngineStats,
    'buffered' | 'sellersTracked' | 'dedupIds' | 'dedupDroppedEarly' | 'watermark' | 'maxEventTime' | 'lastSignalError'
  >;
  readonly dedup: DedupSnapshot;
  readonly buffered: readonly MarketEvent[];
  readonly sellers: ReadonlyArray<readonly [string, SellerSnapshot]>;
  readonly ringIncidents: readonly RingIncident[];
  readonly ring: unknown;
  readonly pendingAlerts: readonly Alert[];
}

const ACCEPTED: IngestResult = Object.freeze({ outcome: 'accepted' });
const DUPLICATE: IngestResult = Object.freeze({ outcome: 'duplicate' });

function zeroed<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/**
 * Signals are skipped while quiet only when idle sellers leave within this: a skipped state catches
 * up at its next evaluation in one step, which equals closing hour by hour only within a year
 * (decay.ts: longer is fully decayed). A seller not evaluated for idleEvictMs is evicted, and
 * quiet periods on decayed counters last at most a week (QUIET_MAX_MS).
 */
const QUIET_MAX_IDLE_MS = 300 * DAY_MS;

/** SellerState.quietBucket when no signal is quiet: a small integer beyond any hour bucket. */
const QUIET_NEVER = 2 ** 30 - 1;

/** Dispatch keys: an order's index in ORDER_STATUSES, reviews after them. */
const REVIEW_KEY = ORDER_STATUSES.length;

function statusKey(status: OrderStatus): number {
  switch (status) {
    case 'PLACED':
      return 0;
    case 'PAID':
      return 1;
    case 'SHIPPED':
      return 2;
    case 'DELIVERED':
      return 3;
    case 'CANCELLED':
      return 4;
    default:
      return 5;
  }
}

/** A late event as applied: its time moved forward to `at`, the oldest time still open. */
function lateCopy(e: MarketEvent, at: number): MarketEvent {
  return Object.freeze({ ...e, eventTime: at });
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
const orNegInf = (x: number | null): number => (x === null ? -Infinity : x);

export class Engine {
  private readonly signals: readonly SellerSignal<any, any>[];
  private readonly signalNames: readonly string[];
  private readonly signalCfgs: readonly unknown[];
  /**
   * Per dispatch key (statusKey, REVIEW_KEY): the indices of the signals observing such events, in
   * registry order, so an event reaches only the signals that act on it.
   */
  private readonly observers: readonly Uint16Array[];
  private readonly ring: RingDetector<any> | null;
  private readonly external: boolean;
  private readonly applyLate: boolean;
  private readonly trackChanges: boolean;
  private readonly bucketMs: number;
  private readonly slotMs: number;
  private readonly bucketsPerDay: number;
  private readonly evictScanMs: number;
  private readonly caps: EvidenceCaps;
  private readonly vopts: { accountSkewMs: number };
  private readonly accountSkewMs: number;
  private readonly quietSkip: boolean;

  private readonly dedup: Dedup;
  private readonly buffer: ReorderBuffer;
  private readonly sellers = new Map<string, SellerState>();
  /** Sellers with an open incident: evaluated at every close until RESOLVE. */
  private readonly incidentSellers = new Map<string, SellerState>();
  private readonly ringIncidents = new Map<string, RingIncident>();
  /**
   * Sellers to evaluate at the next close, the first nBucketSellers entries. One array, emptied
   * after each close: a fresh one per close grew by copying, a slot per active seller.
   */
  private readonly bucketSellers: (SellerState | undefined)[] = [];
  private nBucketSellers = 0;
  /**
   * Scratch of evaluateSeller, reused by every evaluation: signals read the context only during
   * evaluate, and alerts copy the findings (makeAlert), so neither outlives one evaluation.
   */
  private readonly ctx = newContext();
  private readonly findings: SignalFinding[] = [];
  /** The id hashes of the event being applied, refilled per event. */
  private readonly keys = { buyer: 0, order: 0 };
  private alerts: Alert[] = [];
  private dirty: string[] = [];
  private readonly dirtyGone = new Set<string>();

  private maxSeen = -Infinity;
  private wm = -Infinity;
  /** Every event with eventTime < this has been released; older arrivals are late. */
  private releasedThrough = -Infinity;
  private nextBucketEnd: number | null = null;
  private jumpAt = -Infinity;
  private jumpCount = 0;

  private eventsIn = 0;
  private nAccepted = 0;
  private nDuplicates = 0;
  private nLate = 0;
  private readonly invalid = zeroed(Object.values(INVALID_REASONS));
  private readonly alertCounts = zeroed(['OPEN', 'UPDATE', 'RESOLVE'] as const);
  private readonly severityCounts = zeroed(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const);
  private sellersEvicted = 0;
  private bucketsClosed = 0;
  private signalErrors = 0;
  private forcedReleases = 0;
  private lastSignalError: string | null = null;

  constructor(
    readonly config: EngineConfig,
    opts: EngineOptions = {},
  ) {
    this.signals = opts.signals ?? DEFAULT_REGISTRY.signals;
    this.signalNames = this.signals.map((s) => s.name);
    if (new Set(this.signalNames).size !== this.signalNames.length)
      throw new BrushwatchError('CONFIG_INVALID', `signal names must be unique, got ${this.signalNames.join(', ')}`);
    this.signalCfgs = this.signalNames.map((n) => config.signals[n] ?? {});
    const observing = (key: number) => (sig: SellerSignal<any, any>) =>
      sig.observes === undefined || (key === REVIEW_KEY ? sig.observes.reviews : sig.observes.orders.includes(ORDER_STATUSES[key]!));
    this.observers = Array.from({ length: REVIEW_KEY + 1 }, (_, key) =>
      Uint16Array.from(this.signals.flatMap((sig, i) => (observing(key)(sig) ? [i] : []))),
    );
    this.ring = opts.ring === undefined ? (DEFAULT_REGISTRY.ring?.create(config.ring) ?? null) : opts.ring;
    this.external = opts.watermark === 'external';
    this.applyLate = config.lateEvents === 'apply';
    this.trackChanges = opts.trackChanges === true;
    this.bucketMs = config.bucketMs;
    this.slotMs = config.reorderSlotMs;
    this.bucketsPerDay = DAY_MS / config.bucketMs;
    // A multiple of bucketMs dividing a day, so scans fall on bucket boundaries.
    let scan = DAY_MS;
    while (scan > config.bucketMs && scan / 2 >= config.idleEvictMs && (scan / 2) % config.bucketMs === 0) scan /= 2;
    this.evictScanMs = scan;
    this.caps = config.evidence;
    this.vopts = { accountSkewMs: config.accountSkewMs };
    this.accountSkewMs = config.accountSkewMs;
    this.quietSkip = config.idleEvictMs <= QUIET_MAX_IDLE_MS;
    this.dedup = new Dedup(config.bucketMs, config.dedupHorizonMs, config.dedupMaxIds);
    this.buffer = new ReorderBuffer(config.reorderSlotMs);
  }

  /** The current watermark (event time), -Infinity before the first event. */
  get watermark(): number {
    return this.wm;
  }

  /** Hands one decoded record to the engine. Never throws on bad input. */
  ingest(raw: unknown): IngestResult {
    this.eventsIn++;
    return this.admit(checkEvent(raw, this.accountSkewMs));
  }

  /**
   * ingest() for a record the caller built for the engine and gives up: exactly the contract's
   * fields of its kind in the contract's order (absent optional ones may be undefined), as the
   * NDJSON event parser builds them, never read or written by the caller afterwards. A valid
   * record becomes the event itself (completed and frozen in place, see adoptEvent) instead of
   * being copied; outcomes are those of ingest(). Objects a caller may still use go to ingest().
   */
  ingestOwned(rec: Record<string, unknown>): IngestResult {
    this.eventsIn++;
    return this.admit(adoptEvent(rec, this.accountSkewMs));
  }

  private admit(e: MarketEvent | Rejection): IngestResult {
    if (!('kind' in e)) {
      this.invalid[e.reason]++;
      return { outcome: 'invalid', reason: e.reason, detail: e.detail };
    }
    const t = e.eventTime;
    const ref = this.maxSeen > this.wm ? this.maxSeen : this.wm;
    if (ref !== -Infinity && t > ref + this.config.futureToleranceMs) {
      // A lone far-future event must not drag the watermark ahead (everything else would turn
      // late); a run of them close together is a real jump in time (a gap in the data).
      if (this.jumpCount > 0 && Math.abs(t - this.jumpAt) <= this.config.futureToleranceMs) this.jumpCount++;
      else {
        this.jumpAt = t;
        this.jumpCount = 1;
      }
      if (this.jumpCount < this.config.futureConfirmEvents) {
        this.invalid.FUTURE_TIME++;
        return {
          outcome: 'invalid',
          reason: INVALID_REASONS.FUTURE_TIME,
          detail: `eventTime ${t} is more than futureToleranceMs ${this.config.futureToleranceMs} after the latest event time ${ref}`,
        };
      }
    }
    this.jumpCount = 0;
    if (this.dedup.seenEvent(e)) {
      this.nDuplicates++;
      return DUPLICATE;
    }
    if (t < this.releasedThrough) {
      this.nLate++;
      const st = this.sellers.get(e.sellerId);
      if (st !== undefined) {
        st.lateEvents++;
        this.markDirty(st);
      }
      // Mobile clients deliver minutes to hours late: dropping those loses a share of every
      // campaign's evidence, so by default the event counts from the oldest time still open.
      if (this.applyLate) this.buffer.push(lateCopy(e, this.releasedThrough));
      return { outcome: 'late', sellerId: e.sellerId, eventTime: t };
    }
    this.buffer.push(e);
    this.nAccepted++;
    if (t > this.maxSeen) {
      this.maxSeen = t;
      if (!this.external) this.moveWatermark(t - this.config.allowedDisorderMs);
    }
    // A watermark that stops moving (a stalled partition, an adapter bug) must not grow the
    // buffer without bound: release the oldest slot early and count it.
    if (this.buffer.size > this.config.maxBufferedEvents) {
      this.forcedReleases++;
      this.moveWatermark(this.buffer.firstStart()! + this.slotMs - 1);
    }
    return ACCEPTED;
  }

  /** Moves the watermark forward (never back): releases events and closes buckets it passes. */
  advanceWatermark(wm: number): void {
    this.moveWatermark(wm);
  }

  /** Alerts produced since the last call, in decision order. */
  drainAlerts(): Alert[] {
    const out = this.alerts;
    this.alerts = [];
    return out;
  }

  /**
   * End of input: releases everything and closes buckets through the one holding the latest
   * event, or `endTime` if later (shards of one input pass the input's end so their last
   * evaluations line up with an unsharded run).
   */
  finish(endTime?: number): void {
    const top = Math.max(this.maxSeen, endTime ?? -Infinity);
    if (top === -Infinity) return;
    const end = top - (top % this.bucketMs) + this.bucketMs;
    this.moveWatermark(end - 1);
  }

  stats(): EngineStats {
    return {
      eventsIn: this.eventsIn,
      accepted: this.nAccepted,
      duplicates: this.nDuplicates,
      late: this.nLate,
      invalid: { ...this.invalid },
      buffered: this.buffer.size,
      alerts: { ...this.alertCounts },
      alertsBySeverity: { ...this.severityCounts },
      sellersTracked: this.sellers.size,
      sellersEvicted: this.sellersEvicted,
      dedupIds: this.dedup.ids,
      dedupDroppedEarly: this.dedup.droppedEarly,
      bucketsClosed: this.bucketsClosed,
      forcedReleases: this.forcedReleases,
      signalErrors: this.signalErrors,
      lastSignalError: this.lastSignalError,
      watermark: orNull(this.wm),
      maxEventTime: orNull(this.maxSeen),
    };
  }

  /** Late events seen for a tracked seller (0 when not tracked). */
  sellerLateEvents(sellerId: string): number {
    return this.sellers.get(sellerId)?.lateEvents ?? 0;
  }

  // ---- snapshots (changelog / restore) ----

  /** Sellers whose state changed since the last call, sorted (evicted ones included). */
  takeDirtySellers(): string[] {
    if (!this.trackChanges)
      throw new BrushwatchError('USAGE', 'takeDirtySellers() needs the engine built with { trackChanges: true }');
    const ids = new Set(this.dirty);
    for (const id of this.dirtyGone) ids.add(id);
    for (const id of this.dirty) {
      const st = this.sellers.get(id);
      if (st !== undefined) st.dirty = false;
    }
    this.dirty = [];
    this.dirtyGone.clear();
    return [...ids].sort();
  }

  /** JSON-able state of one seller, or null if it is not tracked (evicted or never seen). */
  sellerSnapshot(sellerId: string): SellerSnapshot | null {
    return this.sellers.get(sellerId)?.snapshot(this.signalNames) ?? null;
  }

  /** Installs (or with null removes) one seller's state, e.g. from a changelog. */
  restoreSeller(sellerId: string, data: SellerSnapshot | null): void {
    const old = this.sellers.get(sellerId);
    if (old !== undefined) {
      old.evicted = true;
      this.sellers.delete(sellerId);
      this.incidentSellers.delete(sellerId);
      const list = this.bucketSellers;
      let n = 0;
      for (let i = 0; i < this.nBucketSellers; i++) if (list[i] !== old) list[n++] = list[i];
      list.fill(undefined, n, this.nBucketSellers);
      this.nBucketSellers = n;
    }
    if (data === null) return;
    const st = SellerState.fromSnapshot(sellerId, data, this.signalNames, this.bucketsPerDay, (i, saved) => {
      const sig = this.signals[i]!;
      return sig.revive === undefined ? saved : sig.revive(saved, this.signalCfgs[i]);
    });
    this.sellers.set(sellerId, st);
    if (st.incident !== null) this.incidentSellers.set(sellerId, st);
    if (this.nextBucketEnd !== null && st.mark === this.nextBucketEnd / this.bucketMs) this.bucketSellers[this.nBucketSellers++] = st;
  }

  /**
   * The whole engine as JSON-able data (call after drainAlerts() to keep it small). With
   * `sellers: false` the seller list is left empty: the engine-global part a per-seller changelog
   * stores beside the sellerSnapshot() records.
   */
  snapshot(opts: { readonly sellers?: boolean } = {}): EngineSnapshot {
    const ids = opts.sellers === false ? [] : [...this.sellers.keys()].sort();
    return {
      version: 1,
      maxSeen: orNull(this.maxSeen),
      watermark: orNull(this.wm),
      releasedThrough: orNull(this.releasedThrough),
      nextBucketEnd: this.nextBucketEnd,
      jump: { at: orNull(this.jumpAt), count: this.jumpCount },
      counters: {
        eventsIn: this.eventsIn,
        accepted: this.nAccepted,
        duplicates: this.nDuplicates,
        late: this.nLate,
        invalid: { ...this.invalid },
        alerts: { ...this.alertCounts },
        alertsBySeverity: { ...this.severityCounts },
        sellersEvicted: this.sellersEvicted,
        bucketsClosed: this.bucketsClosed,
        signalErrors: this.signalErrors,
        forcedReleases: this.forcedReleases,
      },
      dedup: this.dedup.snapshot(),
      buffered: this.buffer.all(),
      sellers: ids.map((id) => [id, this.sellers.get(id)!.snapshot(this.signalNames)] as const),
      ringIncidents: [...this.ringIncidents.values()].map((r) => ({ ...r, sellerIds: [...r.sellerIds] })),
      ring: this.ring?.snapshot() ?? null,
      pendingAlerts: [...this.alerts],
    };
  }

  /** Rebuilds an engine from snapshot() output (possibly after a JSON round trip). */
  static restore(config: EngineConfig, snap: EngineSnapshot, opts: EngineOptions = {}): Engine {
    if (snap?.version !== 1) throw new BrushwatchError('STATE_CORRUPT', `engine snapshot version must be 1, got ${String(snap?.version)}`);
    const e = new Engine(config, opts);
    e.maxSeen = orNegInf(snap.maxSeen);
    e.wm = orNegInf(snap.watermark);
    e.releasedThrough = orNegInf(snap.releasedThrough);
    e.nextBucketEnd = snap.nextBucketEnd;
    e.jumpAt = orNegInf(snap.jump.at);
    e.jumpCount = snap.jump.count;
    const c = snap.counters;
    e.eventsIn = c.eventsIn;
    e.nAccepted = c.accepted;
    e.nDuplicates = c.duplicates;
    e.nLate = c.late;
    Object.assign(e.invalid, c.invalid);
    Object.assign(e.alertCounts, c.alerts);
    Object.assign(e.severityCounts, c.alertsBySeverity);
    e.sellersEvicted = c.sellersEvicted;
    e.bucketsClosed = c.bucketsClosed;
    e.signalErrors = c.signalErrors;
    e.forcedReleases = c.forcedReleases;
    e.dedup.restore(snap.dedup);
    for (const raw of snap.buffered) {
      const v = validateEvent(raw, e.vopts);
      if (!v.ok) throw new BrushwatchError('STATE_CORRUPT', `buffered event in snapshot is invalid: ${v.detail}`);
      e.buffer.push(v.event);
    }
    for (const [id, s] of snap.sellers) e.restoreSeller(id, s);
    for (const r of snap.ringIncidents) e.ringIncidents.set(r.sellerId, { ...r, sellerIds: [...r.sellerIds] });
    if (e.ring !== null && snap.ring !== null) e.ring.restore(snap.ring);
    e.alerts = [...snap.pendingAlerts];
    return e;
  }

  // ---- internals ----

  private markDirty(st: SellerState): void {
    if (this.trackChanges && !st.dirty) {
      st.dirty = true;
      this.dirty.push(st.sellerId);
    }
  }

  private moveWatermark(wm: number): void {
    if (!(wm > this.wm)) return;
    this.wm = wm;
    // Release whole reorder slots only: everything with eventTime < through is final.
    const through = wm + 1 - ((wm + 1) % this.slotMs);
    if (through <= this.releasedThrough) return;
    let start: number | undefined;
    while ((start = this.buffer.firstStart()) !== undefined && start + this.slotMs <= through) {
      this.closeBucketsThrough(start);
      const slot = this.buffer.takeFirst();
      const events = slot.events;
      for (let i = 0; i < slot.n; i++) this.apply(events[i]!);
      this.buffer.recycle(slot);
    }
    this.closeBucketsThrough(through);
    this.releasedThrough = through;
    this.dedup.expire(through);
  }

  /** One released event, in canonical order: aggregates, signals, ring. */
  private apply(e: MarketEvent): void {
    const t = e.eventTime;
    if (this.nextBucketEnd === null) this.nextBucketEnd = t - (t % this.bucketMs) + this.bucketMs;
    let st = this.sellers.get(e.sellerId);
    if (st === undefined) st = this.addSeller(e.sellerId, t);
    st.lastEventTime = t;
    if (e.kind === 'order' && e.status === 'PLACED') st.countOrder(t, this.bucketMs, this.config.dailyEwmaAlpha);
    // Math.floor of the exact quotient: a division's result, stored once, made the field a double,
    // a 16-byte box on every seller; a floored one is stored as a small integer.
    const mark = Math.floor(this.nextBucketEnd / this.bucketMs);
    if (st.mark !== mark) {
      st.mark = mark;
      this.bucketSellers[this.nBucketSellers++] = st;
    }
    this.markDirty(st);
    const observers = this.observers[e.kind === 'review' ? REVIEW_KEY : statusKey(e.status)]!;
    if (observers.length > 0) {
      const states = st.states;
      const keys = eventKeys(e, this.keys);
      for (let j = 0; j < observers.length; j++) {
        const i = observers[j]!;
        const sig = this.signals[i]!;
        const cfg = this.signalCfgs[i];
        let s = states[i];
        try {
          if (s === null) states[i] = s = sig.create(cfg);
          if (sig.observe(s, e, cfg, keys) !== true) st.quiet &= ~(1 << i);
        } catch (err) {
          st.quiet &= ~(1 << i);
          this.signalFailed(sig.name, err);
        }
      }
    }
    if (this.ring !== null)
      try {
        this.ring.observe(e);
      } catch (err) {
        this.signalFailed(this.ring.name, err);
      }
  }

  /**
   * A signal that throws on a valid event is a bug, but one seller's odd data must not stop the
   * engine: the failure is counted (stats().signalErrors) and that signal's say is skipped.
   */
  private signalFailed(name: string, err: unknown): void {
    this.signalErrors++;
    this.lastSignalError = `${name}: ${err instanceof Error ? err.message : String(err)}`;
  }

  private addSeller(sellerId: string, t: number): SellerState {
    if (this.sellers.size >= this.config.maxSellers) this.evictForCap();
    const st = new SellerState(sellerId, this.signals.length, this.bucketsPerDay);
    st.firstEventTime = t;
    this.sellers.set(sellerId, st);
    this.dirtyGone.delete(sellerId);
    return st;
  }

  /**
   * Hard cap: evicts the longest-idle 1 % (at least one), sellers without an open incident first,
   * ties by sellerId, so the choice is deterministic. Batched to keep the scan amortised.
   */
  private evictForCap(): void {
    const all = [...this.sellers.values()].sort(
      (a, b) =>
        Number(a.incident !== null) - Number(b.incident !== null) ||
        a.lastEventTime - b.lastEventTime ||
        (a.sellerId < b.sellerId ? -1 : 1),
    );
    const n = Math.max(1, Math.floor(this.config.maxSellers / 100));
    for (let i = 0; i < n && i < all.length; i++) this.evict(all[i]!);
  }

  private evict(st: SellerState): void {
    st.evicted = true;
    this.sellers.delete(st.sellerId);
    this.incidentSellers.delete(st.sellerId);
    if (this.trackChanges) this.dirtyGone.add(st.sellerId);
    this.sellersEvicted++;
  }

  private closeBucketsThrough(x: number): void {
    if (this.nextBucketEnd === null) return;
    while (this.nextBucketEnd <= x) {
      // A long gap with nothing to evaluate: jump straight to the last boundary.
      if (this.nBucketSellers === 0 && this.incidentSellers.size === 0 && this.ring === null) {
        const last = x - (x % this.bucketMs);
        if (last > this.nextBucketEnd) {
          this.bucketsClosed += (last - this.nextBucketEnd) / this.bucketMs;
          this.nextBucketEnd = last;
        }
      }
      this.closeBucket(this.nextBucketEnd);
      this.nextBucketEnd += this.bucketMs;
    }
  }

  private closeBucket(at: number): void {
    // Evaluation never schedules a seller, so the list is read and emptied in place.
    const list = this.bucketSellers;
    let n = this.nBucketSellers;
    const mark = at / this.bucketMs;
    for (const st of this.incidentSellers.values()) if (st.mark !== mark) list[n++] = st;
    // Sellers are independent, so evaluation order does not matter; only the few alerts of this
    // close are sorted by seller, which keeps output order independent of arrival and restores.
    const first = this.alerts.length;
    for (let i = 0; i < n; i++) {
      const st = list[i]!;
      if (!st.evicted) this.evaluateSeller(st, at);
    }
    // Emptied so that evicted sellers are not kept alive until the array's next use.
    list.fill(undefined, 0, n);
    this.nBucketSellers = 0;
    if (this.alerts.length - first > 1) {
      const mine = this.alerts.splice(first).sort((a, b) => (a.sellerId < b.sellerId ? -1 : a.sellerId > b.sellerId ? 1 : 0));
      for (const a of mine) this.alerts.push(a);
    }
    if (this.ring !== null) this.evaluateRings(at);
    // A full scan per close would cost O(sellers) every hour: scan once per evictScanMs instead
    // (a day, or less when idleEvictMs is shorter), so eviction is at most that much late.
    if (at % this.evictScanMs === 0) this.evictIdle(at);
    this.bucketsClosed++;
  }

  private evaluateSeller(st: SellerState, at: number): void {
    const cfg = this.config;
    const findings = this.findings;
    findings.length = 0;
    if (this.signals.length > 0) {
      const ctx = st.context(at, this.bucketMs, cfg.dailyEwmaAlpha, this.ctx);
      const bucket = at / this.bucketMs;
      // The earliest quiet period is over: every signal is evaluated and says anew how long it is quiet.
      if (bucket >= st.quietBucket) st.quiet = 0;
      if (st.quiet === 0) st.quietBucket = QUIET_NEVER;
      for (let i = 0; i < this.signals.length; i++) {
        const s = st.states[i];
        if (s === null || (st.quiet & (1 << i)) !== 0) continue;
        const sig = this.signals[i]!;
        const sc = this.signalCfgs[i];
        try {
          sig.expire(s, at, sc);
          const f = sig.evaluate(s, ctx, sc);
          if (f !== null) findings.push(f);
          else if (sig.quietUntil !== undefined && i < 31 && this.quietSkip) {
            const until = Math.ceil(sig.quietUntil(s, at, sc) / this.bucketMs);
            if (until > bucket + 1) {
              st.quiet |= 1 << i;
              if (until < st.quietBucket) st.quietBucket = until;
            }
          }
        } catch (err) {
          this.signalFailed(sig.name, err);
        }
      }
    }
    // The common case: nothing fired and nothing open, so there is nothing to decide.
    if (findings.length === 0 && st.incident === null) return;
    const score = scoreFindings(findings, cfg.scoring);
    const merged = mergeEvidence(findings, this.caps);
    const inc = st.incident;
    const step = stepIncident(
      inc,
      { alert: score.alert, severity: score.severity, score: score.score, buyers: merged.buyers, families: score.strongFamilies },
      at,
      at - this.bucketMs,
      cfg.lifecycle,
      SIGNAL_FAMILIES,
    );
    if (step.incident !== inc) {
      st.incident = step.incident;
      if (step.incident === null) this.incidentSellers.delete(st.sellerId);
      else this.incidentSellers.set(st.sellerId, st);
      this.markDirty(st);
    }
    if (step.action === null) return;
    const detectedAt = at + cfg.allowedDisorderMs;
    if (step.action === 'RESOLVE') {
      const prev = inc!;
      this.emit(
        makeAlert(
          {
            scope: 'SELLER',
            sellerId: st.sellerId,
            idKey: st.sellerId,
            incidentStart: prev.start,
            sequence: prev.sequence + 1,
            action: 'RESOLVE',
            severity: prev.severity,
            score: score.score,
            windowStart: prev.start,
            windowEnd: at,
            detectedAt,
            signals: findings,
            evidence: emptyEvidence(),
          },
          this.caps,
        ),
      );
      return;
    }
    const next = step.incident!;
    let horizon = this.bucketMs;
    for (const f of findings) if (f.horizonMs > horizon) horizon = f.horizonMs;
    this.emit(
      makeAlert(
        {
          scope: 'SELLER',
          sellerId: st.sellerId,
          idKey: st.sellerId,
          incidentStart: next.start,
          sequence: next.sequence,
          action: step.action,
          severity: score.severity,
          score: score.score,
          windowStart: at - horizon,
          windowEnd: at,
          detectedAt,
          signals: findings,
          evidence: merged.evidence,
        },
        this.caps,
      ),
    );
  }

  private evaluateRings(at: number): void {
    const cfg = this.config;
    let rings: readonly RingFinding[];
    try {
      rings = this.ring!.evaluate(at, cfg.ring);
    } catch (err) {
      this.signalFailed(this.ring!.name, err);
      rings = [];
    }
    // Per member seller: its strongest ring finding now, and every seller it is ringed with.
    const now = new Map<string, { finding: RingFinding; members: Set<string> }>();
    for (const r of rings)
      for (const sellerId of r.sellerIds) {
        const cur = now.get(sellerId);
        if (cur === undefined) now.set(sellerId, { finding: r, members: new Set(r.sellerIds) });
        else {
          for (const m of r.sellerIds) cur.members.add(m);
          if (r.finding.strength > cur.finding.finding.strength || (r.finding.strength === cur.finding.finding.strength && r.ringId < cur.finding.ringId)) cur.finding = r;
        }
      }
    const detectedAt = at + cfg.allowedDisorderMs;
    for (const sellerId of [...now.keys()].sort()) {
      const { finding: r, members } = now.get(sellerId)!;
      const score = cfg.scoring.weights.ring * Math.min(1, Math.max(0, r.finding.strength));
      const severity = severityFor(score, 1, cfg.scoring);
      let inc = this.ringIncidents.get(sellerId);
      if (inc === undefined) {
        inc = { sellerId, sellerIds: [...members].sort(), start: at - this.bucketMs, sequence: 0, severity, score, lastSeenAt: at, lastEmitAt: at };
        this.ringIncidents.set(sellerId, inc);
        this.emitRing(inc, 'OPEN', r, at, detectedAt);
        continue;
      }
      inc.lastSeenAt = at;
      const known = new Set(inc.sellerIds);
      const joined = [...members].filter((m) => !known.has(m));
      const rises = SEVERITY_RANK[severity] > SEVERITY_RANK[inc.severity];
      if ((rises || joined.length > 0) && at - inc.lastEmitAt >= cfg.lifecycle.updateCooldownMs) {
        inc.sequence++;
        if (rises) inc.severity = severity;
        inc.score = Math.max(inc.score, score);
        inc.sellerIds = [...inc.sellerIds, ...joined].sort();
        inc.lastEmitAt = at;
        this.emitRing(inc, 'UPDATE', r, at, detectedAt);
      }
    }
    for (const sellerId of [...this.ringIncidents.keys()].sort()) {
      const inc = this.ringIncidents.get(sellerId)!;
      if (now.has(sellerId) || at - inc.lastSeenAt < cfg.lifecycle.quietPeriodMs) continue;
      this.ringIncidents.delete(sellerId);
      inc.sequence++;
      this.emitRing(inc, 'RESOLVE', null, at, detectedAt);
    }
  }

  private emitRing(inc: RingIncident, action: AlertAction, r: RingFinding | null, at: number, detectedAt: number): void {
    const merged = r === null ? null : mergeEvidence([r.finding], this.caps, { ringSellerIds: inc.sellerIds });
    this.emit(
      makeAlert(
        {
          scope: 'RING',
          sellerId: inc.sellerId,
          idKey: inc.sellerId,
          incidentStart: inc.start,
          sequence: inc.sequence,
          action,
          severity: inc.severity,
          score: inc.score,
          windowStart: r === null ? inc.start : at - Math.max(this.bucketMs, r.finding.horizonMs),
          windowEnd: at,
          detectedAt,
          signals: r === null ? [] : [r.finding],
          evidence: merged === null ? { ...emptyEvidence(), ringSellerIds: [...inc.sellerIds] } : merged.evidence,
        },
        this.caps,
      ),
    );
  }

  private emit(a: Alert): void {
    this.alerts.push(a);
    this.alertCounts[a.action]++;
    this.severityCounts[a.severity]++;
  }

  /** Sellers idle for idleEvictMs with no open incident leave memory; their next event starts afresh. */
  private evictIdle(at: number): void {
    const limit = at - this.config.idleEvictMs;
    for (const st of this.sellers.values()) if (st.lastEventTime <= limit && st.incident === null) this.evict(st);
  }
}
