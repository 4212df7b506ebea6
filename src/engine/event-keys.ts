/**
 * The per-event id hashes handed to every seller signal: one hash of the buyer and one of the
 * order per event, where each signal used to hash them itself.
 */
import { hash32 } from './sketch/hash.js';
import type { EventKeys, MarketEvent } from './types.js';

export type MutableKeys = { -readonly [K in keyof EventKeys]: EventKeys[K] };

/** Fills `into` (the engine reuses one object for every event) and returns it. */
export function eventKeys(e: MarketEvent, into: MutableKeys = { buyer: 0, order: 0 }): EventKeys {
  into.buyer = hash32(e.buyerId);
  into.order = e.orderId === null ? 0 : hash32(e.orderId);
  return into;
}
