/**
 * Building alerts: deterministic ids, evidence merged from findings (deduplicated, sorted, capped)
 * and objects whose keys are always in the same order, so NDJSON output is byte-identical between
 * runs. Numbers are rounded to 6 decimals so tiny floating-point differences never reach output.
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertAction, AlertScope, EvidenceLists, Severity, SignalFinding } from './types.js';

export const EVIDENCE_KEYS = [
  'buyerIds',
  'deviceIds',
  'ipPrefixes',
  'addressHashes',
  'paymentHashes',
  'orderIds',
  'reviewIds',
  'ringSellerIds',
] as const satisfies readonly (keyof EvidenceLists)[];
type EvidenceKey = (typeof EVIDENCE_KEYS)[number];

export interface EvidenceCaps {
  readonly maxBuyers: number;
  readonly maxOrders: number;
  readonly maxOther: number;
}

function capFor(key: EvidenceKey, caps: EvidenceCaps): number {
  if (key === 'buyerIds') return caps.maxBuyers;
  if (key === 'orderIds') return caps.maxOrders;
  // A ring alert must name the whole ring; the ring detector bounds ring size.
  if (key === 'ringSellerIds') return Infinity;
  return caps.maxOther;
}

function sha32(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/** Stable over an incident: hash of scope, key (the seller, or seller@ring), incident start. */
export function makeIncidentId(scope: AlertScope, key: string, start: number): string {
  return sha32(`${scope}|${key}|${start}`);
}

export function makeAlertId(scope: AlertScope, key: string, start: number, sequence: number, action: AlertAction): string {
  return sha32(`${scope}|${key}|${start}|${sequence}|${action}`);
}

export function round6(x: number): number {
  // Non-finite values cannot travel in JSON or Avro; a signal reporting one is clamped to 0.
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : 0;
}

function sortedCapped(values: Iterable<string>, cap: number): string[] {
  const out = [...new Set(values)].sort();
  return out.length > cap ? out.slice(0, cap) : out;
}

export interface MergedEvidence {
  readonly evidence: EvidenceLists;
  /** Distinct suspicious buyers before capping (drives "evidence grew materially"). */
  readonly buyers: number;
}

/** Union of the findings' evidence, plus `extra` lists (e.g. ring members). */
export function mergeEvidence(
  findings: readonly SignalFinding[],
  caps: EvidenceCaps,
  extra?: Partial<EvidenceLists>,
): MergedEvidence {
  const sets = new Map<EvidenceKey, Set<string>>();
  const add = (ev: Partial<EvidenceLists>) => {
    for (const k of EVIDENCE_KEYS) {
      const list = ev[k];
      if (list === undefined || list.length === 0) continue;
      let s = sets.get(k);
      if (s === undefined) sets.set(k, (s = new Set()));
      for (const v of list) s.add(v);
    }
  };
  for (const f of findings) add(f.evidence);
  if (extra) add(extra);
  const lists = {} as Record<EvidenceKey, string[]>;
  for (const k of EVIDENCE_KEYS) lists[k] = sortedCapped(sets.get(k) ?? [], capFor(k, caps));
  return { evidence: lists, buyers: sets.get('buyerIds')?.size ?? 0 };
}

/** A copy of a finding with keys in the type's order, rounded numbers and sorted, capped evidence. */
export function normaliseFinding(f: SignalFinding, caps: EvidenceCaps): SignalFinding {
  const evidence: Partial<Record<EvidenceKey, string[]>> = {};
  for (const k of EVIDENCE_KEYS) {
    const list = f.evidence[k];
    if (list !== undefined && list.length > 0) evidence[k] = sortedCapped(list, capFor(k, caps));
  }
  return {
    name: f.name,
    family: f.family,
    value: round6(f.value),
    threshold: round6(f.threshold),
    strength: round6(f.strength),
    horizonMs: f.horizonMs,
    baseline: f.baseline === null ? null : round6(f.baseline),
    explanation: f.explanation,
    evidence,
  };
}

export interface AlertParts {
  readonly scope: AlertScope;
  readonly sellerId: string;
  /** What the ids hash: the seller, or `seller@ringId` for ring alerts. */
  readonly idKey: string;
  readonly incidentStart: number;
  readonly sequence: number;
  readonly action: AlertAction;
  readonly severity: Severity;
  readonly score: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly detectedAt: number;
  readonly signals: readonly SignalFinding[];
  readonly evidence: EvidenceLists;
}

export function makeAlert(p: AlertParts, caps: EvidenceCaps): Alert {
  return {
    schemaVersion: 1,
    alertId: makeAlertId(p.scope, p.idKey, p.incidentStart, p.sequence, p.action),
    incidentId: makeIncidentId(p.scope, p.idKey, p.incidentStart),
    sequence: p.sequence,
    action: p.action,
    scope: p.scope,
    sellerId: p.sellerId,
    severity: p.severity,
    score: round6(p.score),
    windowStart: p.windowStart,
    windowEnd: p.windowEnd,
    detectedAt: p.detectedAt,
    signals: p.signals.map((f) => normaliseFinding(f, caps)),
    evidence: p.evidence,
  };
}

export function emptyEvidence(): EvidenceLists {
  return { buyerIds: [], deviceIds: [], ipPrefixes: [], addressHashes: [], paymentHashes: [], orderIds: [], reviewIds: [], ringSellerIds: [] };
}
