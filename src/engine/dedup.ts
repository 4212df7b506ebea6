/**
 * Exactly-once by eventId, with bounded memory. Ids are kept in event-time slots; a slot is
 * dropped whole once the watermark has passed its end by the horizon, and the oldest slots go
 * first when the hard cap is reached. Deterministic: what is remembered depends only on the event
 * times and the watermark, never on the wall clock. The contract makes an eventId one event, so a
 * redelivery carries the same eventTime and lands in the same slot.
 *
 * Memory: not the id strings but a 64-bit fingerprint of each (two independent 32-bit hashes),
 * in one open-addressing table of typed arrays tagged with the id's slot, filled between half and
 * three quarters: 16–24 bytes per id instead of a Set entry plus the string (55 bytes per id for
 * the bench's 8-character ids, more for longer ones). Two different ids are taken for one only if
 * both hashes collide (about n²/2⁶⁵: 10⁻⁵ at the 20 M cap). Dropping a slot only marks it dead;
 * its entries are skipped and reused, and purged when the table is rebuilt.
 */
import { fingerprint64 } from './sketch/hash.js';
import type { MarketEvent } from './types.js';

export interface DedupSnapshot {
  /** Per slot start, its ids as fingerprints [hi, lo, hi, lo, …] (older snapshots: id strings). */
  readonly slots: ReadonlyArray<readonly [number, readonly (number | string)[]]>;
  readonly droppedEarly: number;
}

const MIN_CAPACITY = 1024;

/** Scratch for the fingerprint of the id being looked up. */
const fp = new Int32Array(2);

export class Dedup {
  private mask = MIN_CAPACITY - 1;
  private hi = new Int32Array(MIN_CAPACITY);
  private lo = new Int32Array(MIN_CAPACITY);
  /** Per entry: 1 + the id of its slot (below), 0 for a never-used entry. */
  private tag = new Int32Array(MIN_CAPACITY);
  /** Entries in use, live or dead (dead ones still lengthen probes until a rebuild). */
  private used = 0;

  /** Slot ids: start time, live ids, live or dropped. Ids of dropped slots are freed by a rebuild. */
  private slotStart: number[] = [];
  private slotCount: number[] = [];
  private slotLive: boolean[] = [];
  private freeIds: number[] = [];
  private readonly deadIds: number[] = [];
  /** Live slots by start, and their starts in ascending order (slots are created mostly in time order). */
  private readonly byStart = new Map<number, number>();
  private readonly order: number[] = [];
  private size = 0;
  private lastStart = NaN;
  private lastId = -1;
  /** Slots dropped by the cap before their horizon: duplicates of those may pass. */
  droppedEarly = 0;

  constructor(
    private readonly slotMs: number,
    private readonly horizonMs: number,
    private readonly maxIds: number,
  ) {}

  get ids(): number {
    return this.size;
  }

  /** True if the id was already seen; otherwise remembers it. */
  seen(eventId: string, eventTime: number): boolean {
    fingerprint64(eventId, fp);
    return this.seenFp(fp[0]!, fp[1]!, eventTime);
  }

  /**
   * seen(e.eventId, e.eventTime) for the engine: an event time passed to a call V8 does not inline
   * is boxed, a 16-byte heap number per event; read from the event here, it is not.
   */
  seenEvent(e: MarketEvent): boolean {
    fingerprint64(e.eventId, fp);
    return this.seenFp(fp[0]!, fp[1]!, e.eventTime);
  }

  /** Forgets slots that ended more than the horizon before the watermark. */
  expire(watermark: number): void {
    const limit = watermark - this.horizonMs;
    while (this.order.length > 0 && this.order[0]! + this.slotMs <= limit) this.dropFirst();
  }

  snapshot(): DedupSnapshot {
    const ids = new Map<number, number[]>();
    for (const start of this.order) ids.set(this.byStart.get(start)!, []);
    const { tag, hi, lo } = this;
    for (let i = 0; i < tag.length; i++) {
      const t = tag[i]!;
      if (t !== 0) ids.get(t - 1)?.push(hi[i]!, lo[i]!);
    }
    return { slots: this.order.map((s) => [s, ids.get(this.byStart.get(s)!)!] as const), droppedEarly: this.droppedEarly };
  }

  restore(snap: DedupSnapshot): void {
    for (const [start, ids] of snap.slots) {
      if (ids.length > 0 && typeof ids[0] === 'string') for (const id of ids) this.seen(id as string, start);
      else for (let i = 0; i + 1 < ids.length; i += 2) this.seenFp(ids[i] as number, ids[i + 1] as number, start);
    }
    this.droppedEarly = snap.droppedEarly;
  }

  private seenFp(h: number, l: number, eventTime: number): boolean {
    // floor × slotMs, not eventTime − eventTime % slotMs: V8 compiles % on a double (event times
    // are beyond 2^31) to a C call; the quotient of integers below 2^53 floors exactly.
    const start = Math.floor(eventTime / this.slotMs) * this.slotMs;
    // Consecutive events nearly always share a slot: skip the map lookup then.
    const sid = start === this.lastStart ? this.lastId : this.slotFor(start);
    const { hi, lo, tag, mask, slotLive } = this;
    const own = sid + 1;
    let i = l & mask;
    let reuse = -1;
    for (;;) {
      const t = tag[i]!;
      if (t === 0) break;
      // An id counts as seen within its own slot only, as with one Set per slot: the same id
      // under another eventTime's slot is another event.
      if (slotLive[t - 1] === true) {
        if (t === own && hi[i] === h && lo[i] === l) return true;
      } else if (reuse < 0) reuse = i;
      i = (i + 1) & mask;
    }
    if (reuse >= 0) i = reuse;
    else this.used++;
    hi[i] = h;
    lo[i] = l;
    tag[i] = sid + 1;
    this.slotCount[sid]!++;
    this.size++;
    if (this.used * 4 > tag.length * 3) this.rebuild();
    if (this.size > this.maxIds) this.dropOldest();
    return false;
  }

  private slotFor(start: number): number {
    let sid = this.byStart.get(start);
    if (sid === undefined) {
      sid = this.freeIds.pop() ?? this.slotStart.length;
      this.slotStart[sid] = start;
      this.slotCount[sid] = 0;
      this.slotLive[sid] = true;
      this.byStart.set(start, sid);
      const o = this.order;
      let i = o.length;
      while (i > 0 && o[i - 1]! > start) i--;
      o.splice(i, 0, start);
    }
    this.lastStart = start;
    this.lastId = sid;
    return sid;
  }

  /** Re-inserts the live entries into a table they fill at most half, purging dead ones. */
  private rebuild(): void {
    let cap = MIN_CAPACITY;
    while (cap < this.size * 2) cap *= 2;
    const { hi, lo, tag, slotLive } = this;
    const nhi = new Int32Array(cap);
    const nlo = new Int32Array(cap);
    const ntag = new Int32Array(cap);
    const mask = cap - 1;
    for (let j = 0; j < tag.length; j++) {
      const t = tag[j]!;
      if (t === 0 || slotLive[t - 1] !== true) continue;
      let i = lo[j]! & mask;
      while (ntag[i] !== 0) i = (i + 1) & mask;
      nhi[i] = hi[j]!;
      nlo[i] = lo[j]!;
      ntag[i] = t;
    }
    this.hi = nhi;
    this.lo = nlo;
    this.tag = ntag;
    this.mask = mask;
    this.used = this.size;
    for (const sid of this.deadIds) this.freeIds.push(sid);
    this.deadIds.length = 0;
  }

  private dropOldest(): void {
    // Never drop the slot just written to: with a single slot the cap is simply exceeded.
    if (this.order.length > 1) {
      this.dropFirst();
      this.droppedEarly++;
    }
  }

  private dropFirst(): void {
    const start = this.order.shift()!;
    const sid = this.byStart.get(start)!;
    this.byStart.delete(start);
    if (start === this.lastStart) this.lastStart = NaN;
    this.size -= this.slotCount[sid]!;
    this.slotLive[sid] = false;
    this.deadIds.push(sid);
  }
}
