import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEngineConfig } from '../../../src/engine/config.js';
import { stepIncident } from '../../../src/engine/lifecycle.js';
import type { Incident, Observation } from '../../../src/engine/lifecycle.js';
import { SIGNAL_FAMILIES } from '../../../src/engine/types.js';

const cfg = parseEngineConfig({}).lifecycle;
const H = 3_600_000;
const obs = (p: Partial<Observation> = {}): Observation => ({
  alert: true,
  severity: 'MEDIUM',
  score: 0.7,
  buyers: 10,
  families: ['concentration', 'identity'],
  ...p,
});
const step = (inc: Incident | null, o: Observation, at: number) => stepIncident(inc, o, at, at - H, cfg, SIGNAL_FAMILIES);

test('OPEN when the condition first holds; nothing without it', () => {
  assert.deepEqual(step(null, obs({ alert: false }), H), { action: null, incident: null });
  const s = step(null, obs(), 10 * H);
  assert.equal(s.action, 'OPEN');
  assert.equal(s.incident!.start, 9 * H);
  assert.equal(s.incident!.sequence, 0);
});

test('no UPDATE for the same evidence, hour after hour (no storm)', () => {
  let inc = step(null, obs(), H).incident!;
  for (let h = 2; h < 50; h++) {
    const s = step(inc, obs({ buyers: 12 }), h * H);
    assert.equal(s.action, null);
    inc = s.incident!;
  }
  assert.equal(inc.lastConditionAt, 49 * H);
});

test('UPDATE on a severity rise, a new family or +50 % buyers, at most once per cooldown', () => {
  const inc = step(null, obs(), H).incident!;
  assert.equal(step(inc, obs({ severity: 'HIGH' }), 2 * H).action, null, 'inside the cooldown');
  const up = step(inc, obs({ severity: 'HIGH' }), H + cfg.updateCooldownMs);
  assert.equal(up.action, 'UPDATE');
  assert.equal(up.incident!.sequence, 1);
  assert.equal(up.incident!.severity, 'HIGH');
  const later = H + cfg.updateCooldownMs;
  assert.equal(step(inc, obs({ families: ['concentration', 'identity', 'review_text'] }), later).action, 'UPDATE');
  assert.equal(step(inc, obs({ buyers: 15 }), later).action, 'UPDATE');
  assert.equal(step(inc, obs({ buyers: 14 }), later).action, null);
  assert.equal(step(inc, obs({ severity: 'LOW' }), later).action, null, 'a drop is not news');
});

test('RESOLVE only after the quiet period without the condition', () => {
  const inc = step(null, obs(), H).incident!;
  const quiet = step(inc, obs({ alert: false }), H + cfg.quietPeriodMs - H);
  assert.equal(quiet.action, null);
  assert.equal(quiet.incident, inc);
  const r = step(inc, obs({ alert: false }), H + cfg.quietPeriodMs);
  assert.equal(r.action, 'RESOLVE');
  assert.equal(r.incident, null);
});
