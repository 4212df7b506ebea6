/**
 * Ground truth written next to a simulated event stream (truth.json): the planted campaigns and
 * the hard-negative sellers. `parseTruth` validates a file before evaluation.
 */
import { z } from 'zod';
import { BrushwatchError } from '../errors.js';

export const TYPOLOGIES = [
  'repeat_buyers',
  'fresh_accounts',
  'shared_identity',
  'review_timing',
  'review_text',
  'empty_parcels',
  'refund_after_review',
  'unverified_reviews',
  'edge_bursts',
  'collusion_ring',
] as const;
export type Typology = (typeof TYPOLOGIES)[number];

export const INTENSITIES = ['low', 'medium', 'high'] as const;
export type Intensity = (typeof INTENSITIES)[number];

export const CAMOUFLAGES = ['honest_purchases', 'aged_accounts', 'rotating_devices', 'paraphrase', 'slow_drip'] as const;
export type Camouflage = (typeof CAMOUFLAGES)[number];

export const HARD_NEGATIVE_KINDS = ['flash_sale', 'viral_product', 'loyal_grocery', 'bulk_corporate', 'campus_nat', 'new_seller_friends'] as const;
export type HardNegativeKind = (typeof HARD_NEGATIVE_KINDS)[number];

const campaignSchema = z.object({
  id: z.string(),
  typology: z.enum(TYPOLOGIES),
  intensity: z.enum(INTENSITIES),
  camouflage: z.array(z.enum(CAMOUFLAGES)),
  sellerIds: z.array(z.string()).min(1),
  fakeBuyerIds: z.array(z.string()),
  /** Event time of the first and last planted event (epoch ms). */
  start: z.number(),
  end: z.number(),
  /**
   * Event time of the first planted event that shows the typology's trait: the order for
   * order-side typologies, the review for review-side ones, the SHIPPED of an empty parcel, the
   * REFUNDED after a review. No detector can see the campaign for what it is before this.
   * 0 when the trait never shows before the run ends.
   */
  evidenceStart: z.number(),
  fakeOrders: z.number().int(),
  fakeReviews: z.number().int(),
});

const truthSchema = z.object({
  schemaVersion: z.literal(1),
  scenario: z.object({
    name: z.string(),
    seed: z.number().int(),
    start: z.number(),
    end: z.number(),
    days: z.number().int(),
    sellers: z.number().int(),
    buyers: z.number().int(),
    events: z.number().int(),
    duplicates: z.number().int(),
  }),
  campaigns: z.array(campaignSchema),
  hardNegatives: z.array(z.object({ sellerId: z.string(), kind: z.enum(HARD_NEGATIVE_KINDS), start: z.number(), end: z.number() })),
});

export type Campaign = z.infer<typeof campaignSchema>;
export type Truth = z.infer<typeof truthSchema>;
export type HardNegative = Truth['hardNegatives'][number];

export function parseTruth(data: unknown, source: string): Truth {
  const r = truthSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BrushwatchError(
      'INPUT_UNREADABLE',
      `${source} is not a brushwatch truth file: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}; write one with \`brushwatch simulate\``,
    );
  }
  return r.data;
}
