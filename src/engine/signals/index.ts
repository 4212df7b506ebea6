/**
 * The registry of seller-level signals. Each module exports `signal` (a SellerSignal) and
 * `configSchema` (zod, every field with a documented default); the engine's config nests each
 * under `signals.<name>`. Order here is the order signals appear in alerts.
 */
import type { SellerSignal } from '../types.js';

// Populated by the signal modules; see docs/engine.md for the contract.
export const SELLER_SIGNALS: readonly SellerSignal<any, any>[] = [];
