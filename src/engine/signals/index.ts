/**
 * The registry of seller-level signals. Each module exports `signal` (a SellerSignal) and
 * `configSchema` (zod, every field with a documented default); the engine's config nests each
 * under `signals.<name>`. Order here is the order signals appear in alerts.
 */
import type { ZodType } from 'zod';
import type { RingDetector, SellerSignal } from '../types.js';
import * as repeatBuyers from './repeat-buyers.js';
import * as freshAccounts from './fresh-accounts.js';
import * as sharedIdentity from './shared-identity.js';
import * as reviewTiming from './review-timing.js';
import * as duplicateText from './duplicate-text.js';
import * as emptyParcels from './empty-parcels.js';
import * as reversalAfterReview from './reversal-after-review.js';
import * as unverifiedReviews from './unverified-reviews.js';
import * as edgeBurst from './edge-burst.js';
import { ringConfigSchema, ringDetector, type RingConfig } from './ring.js';

// Populated by the signal modules; see docs/engine.md for the contract.
export const SELLER_SIGNALS: readonly SellerSignal<any, any>[] = [repeatBuyers.signal, freshAccounts.signal, sharedIdentity.signal, reviewTiming.signal, duplicateText.signal, emptyParcels.signal, reversalAfterReview.signal, unverifiedReviews.signal, edgeBurst.signal];

/**
 * Each registered signal's `configSchema`, keyed by the signal's `name`: the engine config nests
 * it under `signals.<name>` (parsed with `.prefault({})`, so every field needs a default).
 */
export const SIGNAL_CONFIG_SCHEMAS: Readonly<Record<string, ZodType>> = {
  repeat_buyers: repeatBuyers.configSchema,
  fresh_accounts: freshAccounts.configSchema,
  shared_identity: sharedIdentity.configSchema,
  review_timing: reviewTiming.configSchema,
  duplicate_text: duplicateText.configSchema,
  empty_parcels: emptyParcels.configSchema,
  reversal_after_review: reversalAfterReview.configSchema,
  unverified_reviews: unverifiedReviews.configSchema,
  edge_burst: edgeBurst.configSchema,
};

/** The collusion-ring detector, if one is registered: a factory (it is stateful) and its config. */
export interface RingModule {
  /** `config`: the parsed `ring` section (windows and caps apply from the first event); defaults when omitted. */
  create(config?: any): RingDetector<any>;
  readonly configSchema: ZodType;
}
export const RING_MODULE: RingModule | null = {
  create: (config?: RingConfig) => ringDetector(config),
  configSchema: ringConfigSchema,
};
