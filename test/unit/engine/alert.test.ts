import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAlert, makeAlertId, makeIncidentId, mergeEvidence, normaliseFinding, round6 } from '../../../src/engine/alert.js';
import type { SignalFinding } from '../../../src/engine/types.js';

const caps = { maxBuyers: 3, maxOrders: 2, maxOther: 2 };
const f = (p: Partial<SignalFinding>): SignalFinding => ({
  name: 'x',
  family: 'identity',
  value: 1,
  threshold: 1,
  strength: 1,
  horizonMs: 1,
  baseline: null,
  explanation: '',
  evidence: {},
  ...p,
});

test('evidence is the union of findings, deduplicated, sorted and capped; the buyer count is before the cap', () => {
  const m = mergeEvidence(
    [f({ evidence: { buyerIds: ['b3', 'b1'], orderIds: ['o9', 'o1', 'o5'] } }), f({ evidence: { buyerIds: ['b1', 'b2', 'b0'], deviceIds: ['d'] } })],
    caps,
    { ringSellerIds: ['s3', 's1', 's2'] },
  );
  assert.deepEqual(m.evidence.buyerIds, ['b0', 'b1', 'b2']);
  assert.equal(m.buyers, 4);
  assert.deepEqual(m.evidence.orderIds, ['o1', 'o5']);
  assert.deepEqual(m.evidence.deviceIds, ['d']);
  assert.deepEqual(m.evidence.ringSellerIds, ['s1', 's2', 's3'], 'ring members are never cut');
  assert.deepEqual(Object.keys(m.evidence), ['buyerIds', 'deviceIds', 'ipPrefixes', 'addressHashes', 'paymentHashes', 'orderIds', 'reviewIds', 'ringSellerIds']);
});

test('findings are normalised: fixed key order, rounded numbers, non-finite values clamped', () => {
  const n = normaliseFinding({ evidence: { deviceIds: ['b', 'a'] }, explanation: 'e', baseline: 1 / 3, horizonMs: 5, strength: 0.1 + 0.2, threshold: 2, value: Infinity, family: 'identity', name: 'n' }, caps);
  assert.deepEqual(Object.keys(n), ['name', 'family', 'value', 'threshold', 'strength', 'horizonMs', 'baseline', 'explanation', 'evidence']);
  assert.equal(n.strength, 0.3);
  assert.equal(n.baseline, 0.333333);
  assert.equal(n.value, 0);
  assert.deepEqual(n.evidence, { deviceIds: ['a', 'b'] });
  assert.equal(round6(NaN), 0);
});

test('ids: 32 hex, stable, different for every part that differs', () => {
  const id = makeAlertId('SELLER', 's', 100, 0, 'OPEN');
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(id, makeAlertId('SELLER', 's', 100, 0, 'OPEN'));
  const others = [makeAlertId('RING', 's', 100, 0, 'OPEN'), makeAlertId('SELLER', 't', 100, 0, 'OPEN'), makeAlertId('SELLER', 's', 101, 0, 'OPEN'), makeAlertId('SELLER', 's', 100, 1, 'UPDATE')];
  assert.equal(new Set([id, ...others]).size, 5);
  assert.equal(makeIncidentId('SELLER', 's', 100), makeIncidentId('SELLER', 's', 100));
  assert.notEqual(makeIncidentId('SELLER', 's', 100), id);
});

test('an alert serialises with the Alert key order', () => {
  const a = makeAlert(
    { scope: 'SELLER', sellerId: 's', idKey: 's', incidentStart: 0, sequence: 0, action: 'OPEN', severity: 'LOW', score: 0.1234567, windowStart: 0, windowEnd: 1, detectedAt: 2, signals: [f({})], evidence: mergeEvidence([], caps).evidence },
    caps,
  );
  assert.deepEqual(Object.keys(a), ['schemaVersion', 'alertId', 'incidentId', 'sequence', 'action', 'scope', 'sellerId', 'severity', 'score', 'windowStart', 'windowEnd', 'detectedAt', 'signals', 'evidence']);
  assert.equal(a.score, 0.123457);
});
