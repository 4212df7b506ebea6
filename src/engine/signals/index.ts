/**
 * The registry of seller-level signals. Each module exports `signal` (a SellerSignal) and
 * `configSchema` (zod, every field with a documented default); the engine's config nests each
 * under `signals.<name>`. Order here is the order signals appear in alerts.
 */
import type { ZodType } from 'zod';
import type { RingDetector, SellerSignal } from '../types.js';

// Populated by the signal modules; see docs/engine.md for the contract.
export const SELLER_SIGNALS: readonly SellerSignal<any, any>[] = [];

/**
 * Each registered signal's `configSchema`, keyed by the signal's `name`: the engine config nests
 * it under `signals.<name>` (parsed with `.prefault({})`, so every field needs a default).
 */
export const SIGNAL_CONFIG_SCHEMAS: Readonly<Record<string, ZodType>> = {};

/** The collusion-ring detector, if one is registered: a factory (it is stateful) and its config. */
export interface RingModule {
  create(): RingDetector<any>;
  readonly configSchema: ZodType;
}
export const RING_MODULE: RingModule | null = null;
