/**
 * Combines findings into one score per seller. Per family only the strongest finding counts
 * (several signals of one family are one piece of evidence); families combine by noisy-OR, so
 * independent families reinforce each other without any one of them reaching 1 alone. The alert
 * rule then asks for several strong families with a high enough score, at least one of them
 * about what buyers did rather than who they are (`minBehaviourFamilies`), or one family strong
 * enough to stand alone that is also allowed to (see `singleFamilyAllowed` in config.ts).
 */
import type { ScoringConfig } from './config.js';
import { popcount32 } from './sketch/minhash.js';
import { SIGNAL_FAMILIES } from './types.js';
import type { Severity, SignalFamily, SignalFinding } from './types.js';

export interface Score {
  /** Noisy-OR of weight × strength over families, in [0, 1]. */
  readonly score: number;
  readonly severity: Severity;
  /** Families whose strongest finding reaches minFamilyStrength, in SIGNAL_FAMILIES order. */
  readonly strongFamilies: readonly SignalFamily[];
  /** Whether the alert condition holds. */
  readonly alert: boolean;
}

const FAMILY_INDEX: Readonly<Record<SignalFamily, number>> = Object.fromEntries(
  SIGNAL_FAMILIES.map((f, i) => [f, i]),
) as Record<SignalFamily, number>;

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0; // NaN → 0
}

export function severityFor(score: number, families: number, cfg: ScoringConfig): Severity {
  const s = cfg.severity;
  if (score >= s.criticalScore && families >= s.criticalMinFamilies) return 'CRITICAL';
  if (score >= s.highScore) return 'HIGH';
  if (score >= s.mediumScore) return 'MEDIUM';
  return 'LOW';
}

/** Whether the family's findings together name at least `min` distinct buyers (lists are short). */
function namesBuyers(findings: readonly SignalFinding[], family: SignalFamily, min: number): boolean {
  if (min <= 0) return true;
  const seen = new Set<string>();
  for (const f of findings) {
    if (f.family !== family || f.evidence.buyerIds === undefined) continue;
    for (const b of f.evidence.buyerIds) if (seen.add(b).size >= min) return true;
  }
  return false;
}

export function scoreFindings(findings: readonly SignalFinding[], cfg: ScoringConfig): Score {
  const best = new Array<number>(SIGNAL_FAMILIES.length).fill(0);
  // Strong families with a finding about behaviour, as a bit set over SIGNAL_FAMILIES.
  let behaviour = 0;
  for (const f of findings) {
    const i = FAMILY_INDEX[f.family];
    const s = clamp01(f.strength);
    if (s > best[i]!) best[i] = s;
    if (f.demographic !== true && s >= cfg.minFamilyStrength) behaviour |= 1 << i;
  }
  let miss = 1;
  let single = false;
  const strong: SignalFamily[] = [];
  for (let i = 0; i < SIGNAL_FAMILIES.length; i++) {
    const s = best[i]!;
    if (s === 0) continue;
    const fam = SIGNAL_FAMILIES[i]!;
    miss *= 1 - clamp01(cfg.weights[fam]) * s;
    if (s >= cfg.minFamilyStrength) strong.push(fam);
    if (!single && s >= cfg.singleFamilyStrength && cfg.singleFamilyAllowed.includes(fam) && namesBuyers(findings, fam, cfg.singleFamilyMinBuyers))
      single = true;
  }
  const score = 1 - miss;
  // minScore guards combinations of middling families; a family allowed alone is judged on its own
  // strength, whatever its weight (unverified at 0.5 × 0.9 would otherwise never pass 0.5).
  const alert = single || (strong.length >= cfg.minFamilies && score >= cfg.minScore && popcount32(behaviour) >= cfg.minBehaviourFamilies);
  return { score, severity: severityFor(score, strong.length, cfg), strongFamilies: strong, alert };
}
