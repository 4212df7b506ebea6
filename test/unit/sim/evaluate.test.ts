import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, formatEvaluation, type EvaluatedAlert } from '../../../src/sim/evaluate.js';
import { parseTruth, type Truth } from '../../../src/sim/truth.js';

const H = 3_600_000;

const truth: Truth = parseTruth(
  {
    schemaVersion: 1,
    scenario: { name: 'hand', seed: 1, start: 0, end: 100 * H, days: 4, sellers: 10, buyers: 100, events: 0, duplicates: 0 },
    campaigns: [
      { id: 'c1', typology: 'repeat_buyers', intensity: 'high', camouflage: [], sellerIds: ['s1'], fakeBuyerIds: ['b1', 'b2'], start: 10 * H, end: 20 * H, evidenceStart: 11 * H, fakeOrders: 9, fakeReviews: 0 },
      { id: 'c2', typology: 'collusion_ring', intensity: 'low', camouflage: ['slow_drip'], sellerIds: ['s2', 's3'], fakeBuyerIds: ['b3'], start: 0, end: 50 * H, evidenceStart: 0, fakeOrders: 6, fakeReviews: 0 },
      { id: 'c3', typology: 'empty_parcels', intensity: 'low', camouflage: [], sellerIds: ['s4'], fakeBuyerIds: ['b4'], start: 30 * H, end: 40 * H, evidenceStart: 34 * H, fakeOrders: 3, fakeReviews: 0 },
    ],
    hardNegatives: [
      { sellerId: 'n1', kind: 'flash_sale', start: 0, end: H },
      { sellerId: 'n2', kind: 'campus_nat', start: 0, end: H },
    ],
  },
  'hand-made',
);

const alert = (sellerId: string, action: EvaluatedAlert['action'], detectedAt: number, buyerIds: string[] = []): EvaluatedAlert => ({ sellerId, action, detectedAt, evidence: { buyerIds } });

test('seller precision, recall, F1, per typology and hard negatives', () => {
  const e = evaluate(truth, [
    alert('s1', 'OPEN', 12 * H, ['b1', 'x9']),
    alert('s1', 'UPDATE', 14 * H, ['b2']),
    alert('s1', 'RESOLVE', 70 * H),
    alert('s2', 'OPEN', 6 * H, ['b3']),
    alert('n1', 'OPEN', 5 * H, ['y1']),
    alert('s3', 'UPDATE', 8 * H), // no OPEN: not flagged
  ]);
  assert.deepEqual(e.sellers, { positives: 4, flagged: 3, truePositives: 2, falsePositives: 1, precision: 2 / 3, recall: 0.5, f1: (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5) });
  assert.deepEqual(e.recallByTypology.repeat_buyers, { caught: 1, planted: 1, recall: 1 });
  assert.deepEqual(e.recallByTypology.collusion_ring, { caught: 1, planted: 2, recall: 0.5 });
  assert.deepEqual(e.recallByTypology.empty_parcels, { caught: 0, planted: 1, recall: 0 });
  assert.equal(e.recallByTypology.fresh_accounts.recall, null);
  assert.deepEqual(e.recallByIntensity.high, { caught: 1, planted: 1, recall: 1 });
  assert.deepEqual(e.recallByIntensity.low, { caught: 1, planted: 3, recall: 1 / 3 });
  assert.deepEqual(e.recallByCamouflage.slow_drip, { caught: 1, planted: 2, recall: 0.5 });
  assert.deepEqual(e.recallByCamouflage.none, { caught: 1, planted: 2, recall: 0.5 });
  assert.equal(e.recallByCamouflage.paraphrase.recall, null);
  assert.deepEqual(e.hardNegatives.flash_sale, { flagged: 1, sellers: 1 });
  assert.deepEqual(e.hardNegatives.campus_nat, { flagged: 0, sellers: 1 });
  assert.equal(e.hardNegativeFalsePositives, 1);
  // Buyers named: b1, x9, b2, b3, y1 → 3 fake of 5 named; 3 of 4 fake buyers found.
  assert.deepEqual(e.buyers, { named: 5, fake: 4, correct: 3, precision: 0.6, recall: 0.75 });
  assert.deepEqual(e.alerts, { total: 6, opens: 3, perFlaggedSeller: 2 });
});

test('detection delay: first OPEN at or after the campaign start, median and p90', () => {
  const e = evaluate(truth, [alert('s1', 'OPEN', 9 * H), alert('s1', 'OPEN', 13 * H), alert('s2', 'OPEN', 1 * H), alert('s3', 'OPEN', 10 * H), alert('s4', 'OPEN', 36 * H)]);
  // Delays: s1 3 h (the 9 h OPEN predates the campaign), s2 1 h, s3 10 h, s4 6 h.
  assert.deepEqual(e.delay, { count: 4, medianMs: 3 * H, p90Ms: 10 * H });
  // From the first event showing the trait: s1 13−11 = 2 h, s2 1 h, s3 10 h, s4 36−34 = 2 h.
  assert.deepEqual(e.delayFromEvidence, { count: 4, medianMs: 2 * H, p90Ms: 10 * H });
});

test('no alerts: zero scores, no delay', () => {
  const e = evaluate(truth, []);
  assert.equal(e.sellers.f1, 0);
  assert.equal(e.delay.medianMs, null);
  assert.match(formatEvaluation(e), /seller F1\s+0\.000/);
});

test('the table is aligned and names every planted typology and hard-negative kind', () => {
  const lines = formatEvaluation(evaluate(truth, [alert('s1', 'OPEN', 12 * H, ['b1'])])).split('\n');
  const valueColumn = (l: string): number => /^\S.*?\S {2,}/.exec(l)![0].length;
  const col = valueColumn(lines[0]!);
  for (const l of lines) assert.equal(valueColumn(l), col, l);
  const text = lines.join('\n');
  for (const k of ['recall repeat_buyers', 'recall collusion_ring', 'recall empty_parcels', 'flagged flash_sale', 'flagged campus_nat']) assert.ok(text.includes(k), k);
  assert.ok(!text.includes('recall fresh_accounts'));
});

test('parseTruth rejects a file that is not a truth file, naming the field', () => {
  assert.throws(() => parseTruth({ schemaVersion: 1 }, 'x.json'), /x\.json is not a brushwatch truth file: scenario/);
});
