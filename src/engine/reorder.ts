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
 * Sorts one slot's events (all with eventTime in [start, start + slotMs)) into canonical order.
 * A comparator sort pays a JS call per comparison; instead each event gets one number,
 * (eventTime − start) · 2^k + its index, and a native typed-array sort orders those. Only runs of
 * equal eventTime (rare) still go through compareEvents.
 */
let keys = new Float64Array(1024);
function sortSlot(events: MarketEvent[], start: number, slotMs: number): MarketEvent[] {
  const n = events.length;
  if (n < 2) return events;
  let scale = 1;
  while (scale < n) scale *= 2;
  // Exact in a double only below 2^53; absurd slot sizes fall back to the comparator.
  if (slotMs * scale > 2 ** 53) return events.sort(compareEvents);
  if (keys.length < n) keys = new Float64Array(Math.max(n, keys.length * 2));
  for (let i = 0; i < n; i++) keys[i] = (events[i]!.eventTime - start) * scale + i;
  const sorted = keys.subarray(0, n).sort();
  const out = new Array<MarketEvent>(n);
  for (let i = 0; i < n; i++) {
    const k = sorted[i]!;
    out[i] = events[k - Math.floor(k / scale) * scale]!;
  }
  for (let i = 1; i < n; i++) {
    if (out[i]!.eventTime !== out[i - 1]!.eventTime) continue;
    // A run of equal times: insertion sort by kind and eventId (runs are short).
    let j = i;
    const e = out[i]!;
    while (j > 0 && compareEvents(out[j - 1]!, e) > 0) {
      out[j] = out[j - 1]!;
      j--;
    }
    out[j] = e;
  }
  return out;
}

export class ReorderBuffer {
  private readonly slots = new Map<number, MarketEvent[]>();
  /** Slot starts, ascending; new slots nearly always append at the end. */
  private readonly starts: number[] = [];
  private buffered = 0;
  private lastStart = NaN;
  private lastSlot: MarketEvent[] | undefined = undefined;

  constructor(private readonly slotMs: number) {}

  get size(): number {
    return this.buffered;
  }

  push(e: MarketEvent): void {
    // floor × slotMs, not % (a C call on a double, as event times are): the same for times ≥ 0.
    const start = Math.floor(e.eventTime / this.slotMs) * this.slotMs;
    // Consecutive events nearly always share a slot: skip the map lookup then.
    const slot = start === this.lastStart ? this.lastSlot : this.slots.get(start);
    if (slot !== undefined) {
      slot.push(e);
      this.lastStart = start;
      this.lastSlot = slot;
    } else {
      const fresh = [e];
      this.slots.set(start, fresh);
      this.lastStart = start;
      this.lastSlot = fresh;
      const s = this.starts;
      let i = s.length;
      while (i > 0 && s[i - 1]! > start) i--;
      s.splice(i, 0, start);
    }
    this.buffered++;
  }

  /** Start of the oldest buffered slot, or undefined when empty. */
  firstStart(): number | undefined {
    return this.starts[0];
  }

  /** Removes the oldest slot and returns its events in canonical order. */
  takeFirst(): MarketEvent[] {
    const start = this.starts.shift();
    if (start === undefined) return [];
    const events = this.slots.get(start)!;
    this.slots.delete(start);
    if (start === this.lastStart) this.lastSlot = undefined;
    this.buffered -= events.length;
    return sortSlot(events, start, this.slotMs);
  }

  /** Every buffered event in canonical order (for snapshots). */
  all(): MarketEvent[] {
    const out: MarketEvent[] = [];
    for (const s of this.starts) out.push(...sortSlot([...this.slots.get(s)!], s, this.slotMs));
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
