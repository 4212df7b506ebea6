import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEngineConfig } from '../../../src/engine/config.js';
import { scoreFindings } from '../../../src/engine/scoring.js';
import type { SignalFamily, SignalFinding } from '../../../src/engine/types.js';

const cfg = parseEngineConfig({}).scoring;
const f = (family: SignalFamily, strength: number, name: string = family, buyerIds: readonly string[] = ['b-1', 'b-2']): SignalFinding => ({
  name,
  family,
  value: 1,
  threshold: 1,
  strength,
  horizonMs: 3_600_000,
  baseline: null,
  explanation: '',
  evidence: { buyerIds },
});

test('nothing fired → score 0, no alert', () => {
  const s = scoreFindings([], cfg);
  assert.equal(s.score, 0);
  assert.equal(s.alert, false);
});

test('a family that is not allowed alone never alerts alone, even at full strength', () => {
  const only = parseEngineConfig({ scoring: { singleFamilyAllowed: ['fulfilment'] } }).scoring;
  const s = scoreFindings([f('concentration', 1), f('concentration', 1, 'concentration-2')], only);
  assert.equal(s.alert, false);
  assert.deepEqual(s.strongFamilies, ['concentration']);
  assert.equal(scoreFindings([f('fulfilment', 1)], only).alert, true);
});

test('concentration, identity or account age alone alert only when strong: a NAT prefix (≤ 0.2) or a middling ratio do not', () => {
  for (const fam of ['concentration', 'identity', 'account_age'] as const) {
    assert.equal(scoreFindings([f(fam, 0.2)], cfg).alert, false, fam);
    assert.equal(scoreFindings([f(fam, 0.6)], cfg).alert, false, fam);
    assert.equal(scoreFindings([f(fam, 0.9)], cfg).alert, true, fam);
  }
});

test('several signals of one family count as one; the strongest wins', () => {
  const one = scoreFindings([f('identity', 0.6)], cfg);
  const many = scoreFindings([f('identity', 0.6, 'a'), f('identity', 0.3, 'b'), f('identity', 0.6, 'c')], cfg);
  assert.equal(many.score, one.score);
});

test('independent families reinforce each other (noisy-OR) and two strong ones alert', () => {
  const a = scoreFindings([f('concentration', 0.8)], cfg);
  const ab = scoreFindings([f('concentration', 0.8), f('identity', 0.8)], cfg);
  assert.ok(ab.score > a.score);
  assert.ok(Math.abs(ab.score - (1 - (1 - 0.7 * 0.8) * (1 - 0.8 * 0.8))) < 1e-12);
  assert.equal(ab.alert, true);
  const weak = scoreFindings([f('concentration', 0.3), f('identity', 0.3)], cfg);
  assert.equal(weak.alert, false, 'two weak families are below minFamilyStrength');
});

test('a family allowed to stand alone alerts at singleFamilyStrength', () => {
  assert.equal(scoreFindings([f('fulfilment', 0.85)], cfg).alert, true);
  assert.equal(scoreFindings([f('fulfilment', 0.75)], cfg).alert, false);
});

test('a family allowed alone alerts on its strength even when its weight keeps the score below minScore', () => {
  const s = scoreFindings([f('unverified', 0.85)], cfg);
  assert.ok(s.score < cfg.minScore);
  assert.equal(s.alert, true);
  const two = scoreFindings([f('reversal', 0.5), f('unverified', 0.5)], cfg);
  assert.ok(two.score < cfg.minScore);
  assert.equal(two.alert, false, 'two middling families still need minScore');
});

test('a lone family must name singleFamilyMinBuyers distinct buyers: one busy account is a loyal or business customer', () => {
  assert.equal(scoreFindings([f('concentration', 1, 'c', ['b-regular'])], cfg).alert, false);
  assert.equal(scoreFindings([f('concentration', 1, 'c', ['b-regular', 'b-regular'])], cfg).alert, false);
  assert.equal(scoreFindings([f('concentration', 1, 'c', [])], cfg).alert, false);
  assert.equal(scoreFindings([f('concentration', 1, 'c', ['b-1', 'b-2'])], cfg).alert, true);
  // Two families still alert on one buyer: the rule only guards the lone-family path.
  assert.equal(scoreFindings([f('concentration', 0.8, 'c', ['b-1']), f('account_age', 0.8, 'a', ['b-1'])], cfg).alert, true);
});

test('two findings about who the buyers are, not what they did, do not alert together: a campus shop has young accounts at shared places', () => {
  const young = { ...f('account_age', 0.6, 'fresh_accounts'), demographic: true as const };
  const place = { ...f('identity', 0.6, 'shared_identity'), demographic: true as const };
  const both = scoreFindings([young, place], cfg);
  assert.deepEqual(both.strongFamilies, ['account_age', 'identity']);
  assert.ok(both.score >= cfg.minScore);
  assert.equal(both.alert, false);
  // Any behaviour beside them alerts: a burst of young accounts, a drop address with fast reviews.
  assert.equal(scoreFindings([young, f('concentration', 0.5, 'edge_burst')], cfg).alert, true);
  assert.equal(scoreFindings([place, f('review_timing', 0.6)], cfg).alert, true);
  // A weak behavioural finding in a demographic family does not count as behaviour.
  assert.equal(scoreFindings([young, place, f('identity', 0.3, 'shared_identity-2')], cfg).alert, false);
  assert.equal(scoreFindings([young, place], parseEngineConfig({ scoring: { minBehaviourFamilies: 0 } }).scoring).alert, true);
});

test('severity bands: CRITICAL needs score and several families', () => {
  const three = scoreFindings([f('concentration', 1), f('identity', 1), f('account_age', 1)], cfg);
  assert.equal(three.severity, 'CRITICAL');
  const two = scoreFindings([f('identity', 1), f('fulfilment', 1)], cfg);
  assert.ok(two.score >= cfg.severity.criticalScore);
  assert.equal(two.severity, 'HIGH');
  assert.equal(scoreFindings([f('concentration', 0.5), f('account_age', 0.5)], cfg).severity, 'LOW');
});
