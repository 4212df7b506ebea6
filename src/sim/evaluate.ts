/**
 * Scores alerts against a simulation's ground truth. Pure: takes parsed alerts and truth.
 *
 * A seller counts as flagged when any alert about it has action OPEN (RING alerts count for each
 * member they name as sellerId). Positives are the sellers of planted campaigns; every other
 * flagged seller is a false positive, and those among the hard negatives are reported by kind.
 */
import type { Alert } from '../engine/types.js';
import { CAMOUFLAGES, HARD_NEGATIVE_KINDS, INTENSITIES, TYPOLOGIES, type Camouflage, type HardNegativeKind, type Intensity, type Truth, type Typology } from './truth.js';

/** The part of an alert evaluation reads; a full Alert satisfies it. */
export type EvaluatedAlert = Pick<Alert, 'sellerId' | 'action' | 'detectedAt'> & { readonly evidence: { readonly buyerIds: readonly string[] } };

export interface Evaluation {
  readonly sellers: { readonly positives: number; readonly flagged: number; readonly truePositives: number; readonly falsePositives: number; readonly precision: number; readonly recall: number; readonly f1: number };
  /** Per typology: campaign sellers caught / planted. */
  readonly recallByTypology: Readonly<Record<Typology, Recall>>;
  /** The same by intensity, and by camouflage (a campaign with two camouflages counts in both). */
  readonly recallByIntensity: Readonly<Record<Intensity, Recall>>;
  readonly recallByCamouflage: Readonly<Record<Camouflage | 'none', Recall>>;
  readonly hardNegatives: Readonly<Record<HardNegativeKind, { readonly flagged: number; readonly sellers: number }>>;
  readonly hardNegativeFalsePositives: number;
  /** Delay from campaign start to the first OPEN at or after it, per caught campaign seller (ms). */
  readonly delay: { readonly count: number; readonly medianMs: number | null; readonly p90Ms: number | null };
  /** The same, measured from the campaign's first event showing its trait (truth evidenceStart). */
  readonly delayFromEvidence: { readonly count: number; readonly medianMs: number | null; readonly p90Ms: number | null };
  readonly buyers: { readonly named: number; readonly fake: number; readonly correct: number; readonly precision: number; readonly recall: number };
  readonly alerts: { readonly total: number; readonly opens: number; readonly perFlaggedSeller: number };
}

export interface Recall {
  readonly caught: number;
  readonly planted: number;
  readonly recall: number | null;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function evaluate(truth: Truth, alerts: Iterable<EvaluatedAlert>): Evaluation {
  const opens = new Map<string, number[]>();
  const named = new Set<string>();
  let total = 0;
  let openCount = 0;
  for (const a of alerts) {
    total++;
    for (const b of a.evidence.buyerIds) named.add(b);
    if (a.action !== 'OPEN') continue;
    openCount++;
    let list = opens.get(a.sellerId);
    if (list === undefined) opens.set(a.sellerId, (list = []));
    list.push(a.detectedAt);
  }

  // A seller planted in several campaigns is caught as soon as it is flagged; its delay is
  // measured from its earliest campaign start.
  const campaignStart = new Map<string, number>();
  const evidenceStart = new Map<string, number>();
  const fake = new Set<string>();
  for (const c of truth.campaigns) {
    for (const s of c.sellerIds) {
      campaignStart.set(s, Math.min(campaignStart.get(s) ?? Infinity, c.start));
      evidenceStart.set(s, Math.min(evidenceStart.get(s) ?? Infinity, c.evidenceStart || c.start));
    }
    for (const b of c.fakeBuyerIds) fake.add(b);
  }

  let tp = 0;
  for (const s of opens.keys()) if (campaignStart.has(s)) tp++;
  const flagged = opens.size;
  const positives = campaignStart.size;
  const precision = ratio(tp, flagged);
  const recall = ratio(tp, positives);

  type Row = { caught: number; planted: number; recall: number | null };
  const rows = <K extends string>(keys: readonly K[]): Record<K, Row> => Object.fromEntries(keys.map((k) => [k, { caught: 0, planted: 0, recall: null }])) as Record<K, Row>;
  const byTypology = rows(TYPOLOGIES);
  const byIntensity = rows(INTENSITIES);
  const byCamouflage = rows([...CAMOUFLAGES, 'none'] as const);
  for (const c of truth.campaigns) {
    const into = [byTypology[c.typology], byIntensity[c.intensity], ...(c.camouflage.length === 0 ? [byCamouflage.none] : c.camouflage.map((k) => byCamouflage[k]))];
    for (const s of c.sellerIds) {
      for (const row of into) {
        row.planted++;
        if (opens.has(s)) row.caught++;
      }
    }
  }
  for (const table of [byTypology, byIntensity, byCamouflage]) for (const row of Object.values<Row>(table)) row.recall = row.planted === 0 ? null : row.caught / row.planted;

  const hard = Object.fromEntries(HARD_NEGATIVE_KINDS.map((k) => [k, { flagged: 0, sellers: 0 }])) as Record<HardNegativeKind, { flagged: number; sellers: number }>;
  let hardFp = 0;
  for (const n of truth.hardNegatives) {
    hard[n.kind].sellers++;
    if (opens.has(n.sellerId)) {
      hard[n.kind].flagged++;
      hardFp++;
    }
  }

  const delays = (starts: ReadonlyMap<string, number>) => {
    const out: number[] = [];
    for (const [seller, start] of starts) {
      const times = opens.get(seller);
      if (times === undefined) continue;
      let first = Infinity;
      for (const t of times) if (t >= start && t < first) first = t;
      if (first !== Infinity) out.push(first - start);
    }
    out.sort((a, b) => a - b);
    return { count: out.length, medianMs: quantile(out, 0.5), p90Ms: quantile(out, 0.9) };
  };

  let correct = 0;
  for (const b of named) if (fake.has(b)) correct++;

  return {
    sellers: { positives, flagged, truePositives: tp, falsePositives: flagged - tp, precision, recall, f1: ratio(2 * precision * recall, precision + recall) },
    recallByTypology: byTypology,
    recallByIntensity: byIntensity,
    recallByCamouflage: byCamouflage,
    hardNegatives: hard,
    hardNegativeFalsePositives: hardFp,
    delay: delays(campaignStart),
    delayFromEvidence: delays(evidenceStart),
    buyers: { named: named.size, fake: fake.size, correct, precision: ratio(correct, named.size), recall: ratio(correct, fake.size) },
    alerts: { total, opens: openCount, perFlaggedSeller: ratio(total, flagged) },
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const hours = (ms: number | null): string => (ms === null ? '—' : `${(ms / 3_600_000).toFixed(1)} h`);

/** The scorecard as an aligned plain-text table. */
export function formatEvaluation(e: Evaluation): string {
  const rows: [string, string][] = [
    ['seller precision', `${pct(e.sellers.precision)}  (${e.sellers.truePositives}/${e.sellers.flagged} flagged)`],
    ['seller recall', `${pct(e.sellers.recall)}  (${e.sellers.truePositives}/${e.sellers.positives} planted)`],
    ['seller F1', e.sellers.f1.toFixed(3)],
    ['false positives', `${e.sellers.falsePositives} sellers, ${e.hardNegativeFalsePositives} of them hard negatives`],
    ['delay from start', `median ${hours(e.delay.medianMs)}, p90 ${hours(e.delay.p90Ms)}  (${e.delay.count} sellers)`],
    ['delay from evidence', `median ${hours(e.delayFromEvidence.medianMs)}, p90 ${hours(e.delayFromEvidence.p90Ms)}  (first event showing the trait)`],
    ['buyer precision', `${pct(e.buyers.precision)}  (${e.buyers.correct}/${e.buyers.named} named)`],
    ['buyer recall', `${pct(e.buyers.recall)}  (${e.buyers.correct}/${e.buyers.fake} fake)`],
    ['alerts', `${e.alerts.total} (${e.alerts.opens} OPEN), ${e.alerts.perFlaggedSeller.toFixed(2)} per flagged seller`],
  ];
  for (const t of TYPOLOGIES) {
    const r = e.recallByTypology[t];
    if (r.planted > 0) rows.push([`recall ${t}`, `${pct(r.recall ?? 0)}  (${r.caught}/${r.planted})`]);
  }
  for (const [k, r] of [...Object.entries(e.recallByIntensity), ...Object.entries(e.recallByCamouflage)]) {
    if (r.planted > 0) rows.push([`recall ${k === 'none' ? 'no camouflage' : k}`, `${pct(r.recall ?? 0)}  (${r.caught}/${r.planted})`]);
  }
  for (const k of HARD_NEGATIVE_KINDS) {
    const r = e.hardNegatives[k];
    if (r.sellers > 0) rows.push([`flagged ${k}`, `${r.flagged}/${r.sellers}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
