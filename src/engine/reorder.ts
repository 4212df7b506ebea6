/**
 * The reorder buffer and watermarks. Accepted events wait in time slots until the watermark has
 * passed their slot; each slot is then sorted into canonical order (eventTime, kind, eventId) and
 * released whole. Everything downstream therefore sees one totally ordered stream, and the output
 * cannot depend on arrival order within the allowed disorder. Sorting a slot once on release is
 * cheaper than a heap operation per event.
 */
import type { MarketEvent } from './types.js';

/** Canonical order: event time, then kind ('order' before 'review'), then eventId. Total once deduplicated. */
export function compareEvents(a: MarketEvent, b: MarketEvent): number {
  if (a.eventTime !== b.eventTime) return a.eventTime - b.eventTime;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * Sorts the first n events of a slot (all with eventTime in [start, start + slotMs)) into
 * canonical order, in place. A comparator sort pays a JS call per comparison; instead each event
 * gets one number, (eventTime − start) · 2^k + its index, and a native typed-array sort orders
 * those. Only runs of equal eventTime (rare) still go through compareEvents.
 */
let keys = new Float64Array(1024);
/** The unsorted events while sortSlot writes them back in order; emptied after each use. */
const unsorted: (MarketEvent | undefined)[] = [];
function sortSlot(events: (MarketEvent | undefined)[], n: number, start: number, slotMs: number): void {
  if (n < 2) return;
  let scale = 1;
  while (scale < n) scale *= 2;
  // Exact in a double only below 2^53; absurd slot sizes fall back to the comparator.
  if (slotMs * scale > 2 ** 53) {
    const sorted = (events.slice(0, n) as MarketEvent[]).sort(compareEvents);
    for (let i = 0; i < n; i++) events[i] = sorted[i];
    return;
  }
  if (keys.length < n) keys = new Float64Array(Math.max(n, keys.length * 2));
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    keys[i] = (e.eventTime - start) * scale + i;
    unsorted[i] = e;
  }
  const sorted = keys.subarray(0, n).sort();
  for (let i = 0; i < n; i++) {
    const k = sorted[i]!;
    events[i] = unsorted[k - Math.floor(k / scale) * scale];
  }
  unsorted.fill(undefined, 0, n);
  for (let i = 1; i < n; i++) {
    if (events[i]!.eventTime !== events[i - 1]!.eventTime) continue;
    // A run of equal times: insertion sort by kind and eventId (runs are short).
    let j = i;
    const e = events[i]!;
    while (j > 0 && compareEvents(events[j - 1]!, e) > 0) {
      events[j] = events[j - 1];
      j--;
    }
    events[j] = e;
  }
}

/**
 * One slot's events, the first n entries of `events`. Released slots' arrays are emptied and
 * reused for new slots: a fresh array per slot grew by copying as its minute filled (about 40
 * bytes of garbage per event).
 */
export interface Slot {
  readonly events: (MarketEvent | undefined)[];
  n: number;
}

/** Spare arrays kept at most, and the longest kept (a burst's huge slot is left to the GC). */
const MAX_SPARE = 64;
const MAX_SPARE_LENGTH = 1 << 16;

export class ReorderBuffer {
  /**
   * Keyed by slot number (start ÷ slotMs), a small integer for slots of 2 s or more: a start time
   * as a key was a double, boxed for every lookup (most events, as consecutive ones often fall
   * in different slots within the allowed disorder).
   */
  private readonly slots = new Map<number, Slot>();
  /** Slot numbers, ascending; new slots nearly always append at the end. */
  private readonly numbers: number[] = [];
  private readonly spare: (MarketEvent | undefined)[][] = [];
  private buffered = 0;
  private lastNumber = NaN;
  private lastSlot: Slot | undefined = undefined;

  constructor(private readonly slotMs: number) {}

  get size(): number {
    return this.buffered;
  }

  push(e: MarketEvent): void {
    // Math.floor, not %: a C call on a double, as event times are.
    const k = Math.floor(e.eventTime / this.slotMs);
    // Consecutive events often share a slot: skip the map lookup then.
    let slot = k === this.lastNumber ? this.lastSlot : this.slots.get(k);
    if (slot === undefined) {
      slot = { events: this.spare.pop() ?? [], n: 0 };
      this.slots.set(k, slot);
      const s = this.numbers;
      let i = s.length;
      while (i > 0 && s[i - 1]! > k) i--;
      s.splice(i, 0, k);
    }
    slot.events[slot.n++] = e;
    this.lastNumber = k;
    this.lastSlot = slot;
    this.buffered++;
  }

  /** Start of the oldest buffered slot, or undefined when empty. */
  firstStart(): number | undefined {
    const k = this.numbers[0];
    return k === undefined ? undefined : k * this.slotMs;
  }

  /**
   * Removes the oldest slot and sorts its events into canonical order. Read them before handing
   * the slot to recycle(). An empty slot when the buffer is empty.
   */
  takeFirst(): Slot {
    const k = this.numbers.shift();
    if (k === undefined) return { events: [], n: 0 };
    const slot = this.slots.get(k)!;
    this.slots.delete(k);
    if (k === this.lastNumber) this.lastSlot = undefined;
    this.buffered -= slot.n;
    sortSlot(slot.events, slot.n, k * this.slotMs, this.slotMs);
    return slot;
  }

  /** Gives back a slot from takeFirst(), read: its array, emptied, serves a later slot. */
  recycle(slot: Slot): void {
    const a = slot.events;
    // Emptied so that the spare arrays do not keep applied events alive.
    a.fill(undefined, 0, slot.n);
    slot.n = 0;
    if (a.length > 0 && a.length <= MAX_SPARE_LENGTH && this.spare.length < MAX_SPARE) this.spare.push(a);
  }

  /** Every buffered event in canonical order (for snapshots). */
  all(): MarketEvent[] {
    const out: MarketEvent[] = [];
    for (const k of this.numbers) {
      const slot = this.slots.get(k)!;
      const events = slot.events.slice(0, slot.n);
      sortSlot(events, slot.n, k * this.slotMs, this.slotMs);
      for (const e of events) out.push(e!);
    }
    return out;
  }
}

/**
 * The watermark of a partitioned input: per partition the max event time seen; the watermark is
 * the min over active partitions minus the allowed disorder, so one slow partition holds windows
 * open. The adapter marks partitions idle (no records for a while, or caught up) so that they do
 * not stall everything; when every partition is idle the max over all of them is used.
 */
export class PartitionWatermarks {
  private readonly maxTime = new Map<string, number>();
  private readonly idle = new Set<string>();
  /** Assigned partitions that have shown no event yet: until then they hold the watermark. */
  private readonly waiting = new Set<string>();

  constructor(private readonly allowedDisorderMs: number) {}

  /**
   * Declares a partition before its first event (on assignment). Without this, the first
   * partition read would move the watermark past events the others have not delivered yet.
   */
  assign(partition: string): void {
    if (!this.maxTime.has(partition)) this.waiting.add(partition);
  }

  observe(partition: string, eventTime: number): void {
    const cur = this.maxTime.get(partition);
    if (cur === undefined || eventTime > cur) this.maxTime.set(partition, eventTime);
    this.idle.delete(partition);
    this.waiting.delete(partition);
  }

  setIdle(partition: string, idle: boolean): void {
    if (idle) this.idle.add(partition);
    else this.idle.delete(partition);
  }

  /** Forgets a partition (revoked in a rebalance). */
  remove(partition: string): void {
    this.maxTime.delete(partition);
    this.idle.delete(partition);
    this.waiting.delete(partition);
  }

  /** Undefined until some partition has data, and while an assigned, non-idle one has none. */
  watermark(): number | undefined {
    for (const p of this.waiting) if (!this.idle.has(p)) return undefined;
    let minActive = Infinity;
    let maxAll = -Infinity;
    for (const [p, t] of this.maxTime) {
      if (t > maxAll) maxAll = t;
      if (!this.idle.has(p) && t < minActive) minActive = t;
    }
    if (maxAll === -Infinity) return undefined;
    return (minActive === Infinity ? maxAll : minActive) - this.allowedDisorderMs;
  }
}
