/**
 * One incident per seller at a time: OPEN when the alert condition first holds; UPDATE only when
 * the severity rises above what was last published, a new family joins, or the suspicious buyers
 * grow materially, and never more than once per cooldown; RESOLVE after a quiet period without the
 * condition. This is what keeps a seller that stays suspicious for days from producing an alert
 * every hour. Pure functions over plain data, so incidents snapshot as JSON.
 */
import type { LifecycleConfig } from './config.js';
import { SEVERITY_RANK } from './scoring.js';
import type { AlertAction, Severity, SignalFamily } from './types.js';

export interface Incident {
  /** Start of the bucket in which the incident opened (event time). */
  readonly start: number;
  /** Sequence of the last alert published for it: 0 for OPEN, +1 per UPDATE / RESOLVE. */
  readonly sequence: number;
  /** Highest severity published so far. */
  readonly severity: Severity;
  readonly score: number;
  /** Suspicious buyers in the last published alert. */
  readonly buyers: number;
  /** Every family published so far, in SIGNAL_FAMILIES order. */
  readonly families: readonly SignalFamily[];
  /** Last bucket end at which the alert condition held. */
  readonly lastConditionAt: number;
  /** Bucket end of the last OPEN / UPDATE. */
  readonly lastEmitAt: number;
}

export interface Observation {
  readonly alert: boolean;
  readonly severity: Severity;
  readonly score: number;
  readonly buyers: number;
  readonly families: readonly SignalFamily[];
}

export interface Step {
  readonly action: AlertAction | null;
  /** The incident after this step; null when none is open (never opened, or just resolved). */
  readonly incident: Incident | null;
}

function unionFamilies(a: readonly SignalFamily[], b: readonly SignalFamily[], order: readonly SignalFamily[]): SignalFamily[] {
  return order.filter((f) => a.includes(f) || b.includes(f));
}

/**
 * Decides what happens to one seller's incident at the bucket ending at `at`. `bucketStart` is
 * where a new incident starts; `familyOrder` fixes the order families are stored in.
 */
export function stepIncident(
  inc: Incident | null,
  obs: Observation,
  at: number,
  bucketStart: number,
  cfg: LifecycleConfig,
  familyOrder: readonly SignalFamily[],
): Step {
  if (inc === null) {
    if (!obs.alert) return { action: null, incident: null };
    return {
      action: 'OPEN',
      incident: {
        start: bucketStart,
        sequence: 0,
        severity: obs.severity,
        score: obs.score,
        buyers: obs.buyers,
        families: unionFamilies(obs.families, [], familyOrder),
        lastConditionAt: at,
        lastEmitAt: at,
      },
    };
  }
  if (!obs.alert) {
    if (at - inc.lastConditionAt >= cfg.quietPeriodMs)
      return { action: 'RESOLVE', incident: null };
    return { action: null, incident: inc };
  }
  const held = { ...inc, lastConditionAt: at };
  const rises = SEVERITY_RANK[obs.severity] > SEVERITY_RANK[inc.severity];
  const newFamily = obs.families.some((f) => !inc.families.includes(f));
  const moreBuyers = obs.buyers > inc.buyers && obs.buyers >= inc.buyers * (1 + cfg.buyerGrowth);
  if ((rises || newFamily || moreBuyers) && at - inc.lastEmitAt >= cfg.updateCooldownMs) {
    return {
      action: 'UPDATE',
      incident: {
        ...held,
        sequence: inc.sequence + 1,
        severity: rises ? obs.severity : inc.severity,
        score: obs.score,
        buyers: Math.max(obs.buyers, inc.buyers),
        families: unionFamilies(inc.families, obs.families, familyOrder),
        lastEmitAt: at,
      },
    };
  }
  return { action: null, incident: held };
}
