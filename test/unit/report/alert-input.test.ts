import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlert } from '../../../src/report/alert-input.js';
import { makeAlerts } from './fixtures.js';

test('an alert survives a JSON round trip unchanged', () => {
  for (const a of makeAlerts()) {
    const r = parseAlert(JSON.parse(JSON.stringify(a)));
    assert.ok(r.ok, r.ok ? '' : r.detail);
    assert.deepEqual(r.alert, a);
  }
});

test('Avro-style null evidence lists of a signal are dropped, missing alert lists become empty', () => {
  const [a] = makeAlerts();
  const raw = JSON.parse(JSON.stringify(a)) as Record<string, unknown> & { signals: { evidence: Record<string, unknown> }[]; evidence: Record<string, unknown> };
  const s0 = raw.signals[0];
  assert.ok(s0);
  s0.evidence = { buyerIds: ['b-1'], deviceIds: null };
  delete raw.evidence.ringSellerIds;
  const r = parseAlert(raw);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.deepEqual(r.alert.signals[0]?.evidence, { buyerIds: ['b-1'] });
  assert.deepEqual(r.alert.evidence.ringSellerIds, []);
});

test('a broken alert is refused with the field that is wrong', () => {
  const [a] = makeAlerts();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...a, severity: 'SEVERE' }, /^severity: /],
    [{ ...a, sellerId: undefined }, /^sellerId: /],
    [{ ...a, windowStart: 'yesterday' }, /^windowStart: /],
    [{ ...a, windowEnd: 1, windowStart: 2 }, /windowEnd 1 is before windowStart 2/],
    [{ ...a, signals: [{ name: 'x' }] }, /^signals\.0\./],
  ];
  for (const [raw, want] of cases) {
    const r = parseAlert(raw);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.detail, want);
  }
  for (const raw of [null, 42, 'alert', []]) assert.equal(parseAlert(raw).ok, false);
});
