/**
 * The engine's one config schema. Every threshold and weight is here with its default and why;
 * each registered signal's own schema nests under `signals.<name>`, the ring detector's under
 * `ring`. `parseEngineConfig` reports every problem at once and returns a deeply frozen object.
 */
import { z } from 'zod';
import type { ZodType } from 'zod';
import { BrushwatchError } from '../errors.js';
import { RING_MODULE, SELLER_SIGNALS, SIGNAL_CONFIG_SCHEMAS } from './signals/index.js';
import type { RingModule } from './signals/index.js';
import { SIGNAL_FAMILIES } from './types.js';
import type { SellerSignal, SignalFamily } from './types.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const ms = (def: number, what: string) => z.number().int().min(0).default(def).describe(what);
const positiveMs = (def: number, what: string) => z.number().int().min(1).default(def).describe(what);
const unit = (def: number, what: string) => z.number().min(0).max(1).default(def).describe(what);

/** Default weight per family: how much one family at full strength moves the score on its own. */
export const DEFAULT_FAMILY_WEIGHTS: Readonly<Record<SignalFamily, number>> = {
  concentration: 0.7,
  account_age: 0.6,
  identity: 0.8,
  review_timing: 0.6,
  review_text: 0.8,
  fulfilment: 0.9,
  reversal: 0.6,
  unverified: 0.5,
  ring: 0.9,
};

const weightsShape = Object.fromEntries(
  SIGNAL_FAMILIES.map((f) => [f, unit(DEFAULT_FAMILY_WEIGHTS[f], `weight of the ${f} family in the noisy-OR score`)]),
) as Record<SignalFamily, z.ZodDefault<z.ZodNumber>>;

const ScoringSchema = z.strictObject({
  weights: z.strictObject(weightsShape).prefault({}),
  minFamilies: z.number().int().min(1).default(2).describe('independent families needed for an alert (each ≥ minFamilyStrength)'),
  minFamilyStrength: unit(0.5, 'strength a family needs to count towards minFamilies'),
  singleFamilyStrength: unit(0.8, 'strength at which one family alone may alert, if it is in singleFamilyAllowed'),
  /**
   * Families that may stand alone at singleFamilyStrength: each signal keeps its honest look-alikes
   * below it by itself (an IP prefix reaches 0.2, a 5-star burst 0.25, friends of a new seller have
   * old accounts; concentration ignores bulk orders, a flash sale's buyers are distinct and a loyal
   * customer's second basket makes 2 orders an hour, not 3).
   */
  singleFamilyAllowed: z
    .array(z.enum(SIGNAL_FAMILIES))
    .default(['concentration', 'account_age', 'identity', 'review_timing', 'review_text', 'fulfilment', 'reversal', 'unverified']),
  singleFamilyMinBuyers: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe(
      "distinct buyers a lone family's findings must name together: one account, however busy, is a loyal or business customer as often as a brusher",
    ),
  minBehaviourFamilies: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe(
      'families on the minFamilies path that must show what buyers did, not only who they are: young accounts and strangers sharing a place describe a campus shop\'s students as well as a farm, so together they do not alert; 0 turns the rule off',
    ),
  minScore: unit(0.5, 'score the minFamilies path needs on top of the family rule (a single allowed family is judged on its strength)'),
  severity: z
    .strictObject({
      mediumScore: unit(0.6, 'score from which an alert is MEDIUM'),
      highScore: unit(0.8, 'score from which an alert is HIGH'),
      criticalScore: unit(0.93, 'score from which an alert is CRITICAL (with criticalMinFamilies)'),
      criticalMinFamilies: z.number().int().min(1).default(3).describe('families needed for CRITICAL'),
    })
    .prefault({}),
});

const LifecycleSchema = z.strictObject({
  updateCooldownMs: ms(6 * HOUR_MS, 'at most one UPDATE per incident per this much event time'),
  quietPeriodMs: ms(48 * HOUR_MS, 'RESOLVE after this long without the alert condition'),
  buyerGrowth: z.number().min(0).default(0.5).describe('UPDATE when suspicious buyers grow by this fraction (0.5 = +50 %)'),
});

const EvidenceSchema = z.strictObject({
  maxBuyers: z.number().int().min(1).default(50).describe('buyer ids kept in one alert'),
  maxOrders: z.number().int().min(1).default(20).describe('order ids kept in one alert'),
  maxOther: z.number().int().min(1).default(20).describe('devices, IP prefixes, addresses, payment hashes, reviews kept per list (ring members are never cut)'),
});

const baseShape = {
  bucketMs: positiveMs(HOUR_MS, 'bucket length; buckets are aligned to the epoch and must divide a day'),
  allowedDisorderMs: ms(15 * 60_000, 'watermark = max event time − this (self-driven mode)'),
  lateEvents: z
    .enum(['apply', 'drop'])
    .default('apply')
    .describe(
      "an event older than what was already released: 'apply' adds it at the oldest time still open (its information is kept, its time moved forward by its lateness), 'drop' keeps it out of every window; late events are counted and reported either way",
    ),
  reorderSlotMs: positiveMs(60_000, 'granularity of the reorder buffer (release and lateness are decided per slot); must divide bucketMs'),
  futureToleranceMs: ms(DAY_MS, 'events beyond max event time seen + this are FUTURE_TIME'),
  futureConfirmEvents: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('this many consecutive far-future events close to each other are taken as a real jump in time'),
  accountSkewMs: ms(HOUR_MS, 'buyerAccountCreatedAt may be this much after eventTime (clock skew)'),
  dedupHorizonMs: ms(DAY_MS, 'eventIds are remembered until the watermark passes them by this much'),
  maxBufferedEvents: z
    .number()
    .int()
    .min(1)
    .default(5_000_000)
    .describe('hard cap on events waiting for the watermark; beyond it the oldest slot is released early'),
  dedupMaxIds: z.number().int().min(1).default(20_000_000).describe('hard cap on remembered eventIds; oldest slots go first'),
  idleEvictMs: ms(14 * DAY_MS, 'sellers without events for this long and no open incident are evicted'),
  maxSellers: z.number().int().min(1).default(1_000_000).describe('hard cap on sellers in memory; longest idle evicted first'),
  dailyEwmaAlpha: unit(0.1, "smoothing of each seller's daily-orders baseline"),
  scoring: ScoringSchema.prefault({}),
  lifecycle: LifecycleSchema.prefault({}),
  evidence: EvidenceSchema.prefault({}),
};

const BaseSchema = z.strictObject(baseShape);
type Base = z.output<typeof BaseSchema>;

export interface EngineConfig extends Base {
  /** Each signal's parsed config, by signal name. */
  readonly signals: Readonly<Record<string, unknown>>;
  /** The ring detector's parsed config (undefined when no ring module is registered). */
  readonly ring: unknown;
}
export type ScoringConfig = Base['scoring'];
export type LifecycleConfig = Base['lifecycle'];

export interface SignalRegistry {
  readonly signals: readonly SellerSignal<any, any>[];
  readonly schemas: Readonly<Record<string, ZodType>>;
  readonly ring: RingModule | null;
}

export const DEFAULT_REGISTRY: SignalRegistry = { signals: SELLER_SIGNALS, schemas: SIGNAL_CONFIG_SCHEMAS, ring: RING_MODULE };

/** Builds the full schema for a set of signals (tests pass their own). */
export function buildEngineConfigSchema(registry: SignalRegistry = DEFAULT_REGISTRY) {
  const signalShape: Record<string, ZodType> = {};
  for (const s of registry.signals) {
    const schema = registry.schemas[s.name];
    // A signal without a schema takes no options; a stray key there is still caught as unknown.
    signalShape[s.name] = schema ? (schema as z.ZodType<unknown, any>).prefault({}) : z.strictObject({}).prefault({});
  }
  return z
    .strictObject({
      ...baseShape,
      signals: z.strictObject(signalShape).prefault({}),
      ring: registry.ring ? (registry.ring.configSchema as z.ZodType<unknown, any>).prefault({}) : z.undefined().optional(),
    })
    .superRefine((c, ctx) => {
      if (DAY_MS % c.bucketMs !== 0)
        ctx.addIssue({ code: 'custom', path: ['bucketMs'], message: `bucketMs ${c.bucketMs} must divide a day (86400000 ms): use e.g. 3600000` });
      if (c.bucketMs % c.reorderSlotMs !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['reorderSlotMs'],
          message: `reorderSlotMs ${c.reorderSlotMs} must divide bucketMs ${c.bucketMs}: use e.g. 60000`,
        });
      if (c.scoring.severity.mediumScore > c.scoring.severity.highScore || c.scoring.severity.highScore > c.scoring.severity.criticalScore)
        ctx.addIssue({
          code: 'custom',
          path: ['scoring', 'severity'],
          message: 'severity bands must rise: mediumScore ≤ highScore ≤ criticalScore',
        });
    });
}

export const EngineConfigSchema = buildEngineConfigSchema();

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** zod's message plus the offending value and how to fix it. */
function explain(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'custom') return issue.message;
  if (issue.code === 'unrecognized_keys') return `${issue.message}: remove it or fix the spelling (see docs/engine.md)`;
  const got = valueAt(input, issue.path);
  return `${issue.message}, got ${JSON.stringify(got) ?? 'undefined'}: fix the value, or remove the key to use the documented default`;
}

/** Parses and validates; throws BRUSH_CONFIG_INVALID listing every problem with its path. */
export function parseEngineConfig(input: unknown = {}, registry: SignalRegistry = DEFAULT_REGISTRY): EngineConfig {
  const schema = registry === DEFAULT_REGISTRY ? EngineConfigSchema : buildEngineConfigSchema(registry);
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${explain(i, input)}`);
    throw new BrushwatchError('CONFIG_INVALID', `engine config has ${lines.length} problem(s):\n${lines.join('\n')}`, {
      cause: r.error,
    });
  }
  return deepFreeze(r.data as EngineConfig);
}
