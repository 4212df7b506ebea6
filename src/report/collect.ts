/**
 * Keeps the events a report needs, with bounded memory: only events of alerted sellers, only
 * within their alert windows widened by a margin (the timeline's context), and at most
 * `maxEventsPerSeller` per seller, first come first kept. Everything else is counted, not stored.
 */
import type { Alert, MarketEvent } from '../engine/types.js';

export interface CollectOptions {
  readonly maxEventsPerSeller: number;
  /** Context kept before the first and after the last alert window of a seller. */
  readonly marginMs: number;
}

export const DEFAULT_COLLECT_OPTIONS: CollectOptions = {
  maxEventsPerSeller: 20_000,
  marginMs: 2 * 86_400_000,
};

export interface Collected {
  readonly eventsBySeller: ReadonlyMap<string, readonly MarketEvent[]>;
  /** Events of an alerted seller, inside its span, dropped because the seller's cap was reached. */
  readonly droppedBySeller: ReadonlyMap<string, number>;
  readonly kept: number;
  /** Events of sellers without alerts, or outside their seller's span. */
  readonly ignored: number;
}

interface Slot {
  readonly from: number;
  readonly to: number;
  readonly events: MarketEvent[];
  dropped: number;
}

export class EventCollector {
  private readonly slots = new Map<string, Slot>();
  private readonly max: number;
  private kept = 0;
  private ignored = 0;

  constructor(alerts: readonly Alert[], opts: CollectOptions = DEFAULT_COLLECT_OPTIONS) {
    this.max = opts.maxEventsPerSeller;
    const spans = new Map<string, { from: number; to: number }>();
    for (const a of alerts) {
      const s = spans.get(a.sellerId);
      const from = a.windowStart - opts.marginMs;
      const to = Math.max(a.windowEnd, a.detectedAt) + opts.marginMs;
      spans.set(a.sellerId, s === undefined ? { from, to } : { from: Math.min(s.from, from), to: Math.max(s.to, to) });
    }
    for (const [seller, { from, to }] of spans) this.slots.set(seller, { from, to, events: [], dropped: 0 });
  }

  add(event: MarketEvent): void {
    const slot = this.slots.get(event.sellerId);
    if (slot === undefined || event.eventTime < slot.from || event.eventTime > slot.to) {
      this.ignored++;
    } else if (slot.events.length >= this.max) {
      slot.dropped++;
    } else {
      slot.events.push(event);
      this.kept++;
    }
  }

  result(): Collected {
    const eventsBySeller = new Map<string, readonly MarketEvent[]>();
    const droppedBySeller = new Map<string, number>();
    for (const [seller, slot] of this.slots) {
      eventsBySeller.set(seller, slot.events);
      if (slot.dropped > 0) droppedBySeller.set(seller, slot.dropped);
    }
    return { eventsBySeller, droppedBySeller, kept: this.kept, ignored: this.ignored };
  }
}
