/**
 * The strength curve shared by signals 1–5: 0 below the threshold, `strengthAtThreshold` at it,
 * rising linearly to 1 at `saturation` × threshold. Both are per-signal config.
 */
import { z } from 'zod';

export const curveFields = {
  strengthAtThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.4)
    .describe('Strength (0–1) of a value exactly at its threshold; the score sees this much for a marginal case. Default 0.4.'),
  saturation: z
    .number()
    .gt(1)
    .default(2)
    .describe('Multiple of the threshold at which strength reaches 1 (linear in between). Default 2.'),
  minStrength: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe('Findings weaker than this are not reported at all (keeps weak evidence such as a shared IP alone out of alerts). Default 0.3.'),
};

/** Shared by the concentration signals, so that both ignore the same bulk orders. */
export const bulkQuantityField = z
  .number()
  .int()
  .min(2)
  .default(5)
  .describe('Orders of at least this many units are bulk purchases and not counted: brushing buys single units to stay cheap, while a business buyer splits a big purchase into several orders. Default 5.');

export interface Curve {
  readonly strengthAtThreshold: number;
  readonly saturation: number;
}

export function strengthOf(value: number, threshold: number, c: Curve): number {
  if (!(value >= threshold) || threshold <= 0) return 0;
  const over = (value / threshold - 1) / (c.saturation - 1);
  return Math.min(1, c.strengthAtThreshold + (1 - c.strengthAtThreshold) * over);
}

/** Rounds for display in explanations and findings (values stay comparable across replays). */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
