import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseEngineConfig } from '../../../src/engine/config.js';
import { BrushwatchError } from '../../../src/errors.js';
import { fakeRepeat } from '../../helpers/fixtures.js';

test('defaults are documented values and the result is deeply frozen', () => {
  const c = parseEngineConfig({});
  assert.equal(c.bucketMs, 3_600_000);
  assert.equal(c.allowedDisorderMs, 900_000);
  assert.equal(c.dedupHorizonMs, 86_400_000);
  assert.equal(c.scoring.minFamilies, 2);
  assert.equal(c.scoring.singleFamilyStrength, 0.8);
  assert.equal(c.lifecycle.quietPeriodMs, 172_800_000);
  assert.ok(Object.isFrozen(c.scoring.weights));
  assert.throws(() => ((c as { bucketMs: number }).bucketMs = 1));
});

test('every problem is reported at once, naming the path and the fix', () => {
  try {
    parseEngineConfig({ bucketMs: 7_000_000, typo: 1, scoring: { minFamilies: 0 } });
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof BrushwatchError);
    assert.equal(err.code, 'BRUSH_CONFIG_INVALID');
    assert.match(err.message, /scoring\.minFamilies/);
    assert.match(err.message, /typo/);
    assert.match(err.message, /bucketMs 7000000 must divide a day/);
  }
});

test("each signal's schema nests under signals.<name> with its defaults", () => {
  const registry = { signals: [fakeRepeat], schemas: { fake_repeat: z.object({ horizonMs: z.number().default(42) }) }, ring: null };
  assert.deepEqual(parseEngineConfig({}, registry).signals, { fake_repeat: { horizonMs: 42 } });
  assert.equal((parseEngineConfig({ signals: { fake_repeat: { horizonMs: 7 } } }, registry).signals['fake_repeat'] as { horizonMs: number }).horizonMs, 7);
  assert.throws(() => parseEngineConfig({ signals: { nope: {} } }, registry), /nope/);
});
