import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type EngineSnapshot } from '../../../src/engine/engine.js';
import { parseEngineConfig } from '../../../src/engine/config.js';
import { alertKey, CUT, world } from './old-snapshot-world.js';

const cfg = parseEngineConfig({});
const saved = JSON.parse(readFileSync(join(import.meta.dirname, 'old-snapshot-e30693c.json'), 'utf8')) as { snapshot: EngineSnapshot; alerts: string[] };

function signalKeys(snap: EngineSnapshot): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const [, seller] of snap.sellers)
    for (const [name, state] of Object.entries(seller.signals)) {
      const set = keys.get(name) ?? new Set<string>();
      for (const k of Object.keys(state ?? {})) set.add(k);
      keys.set(name, set);
    }
  return keys;
}

test('an engine snapshot written by e30693c (older layouts of every signal state) restores: the alerts of the code before revive, no signal error, states in the current layout', () => {
  const rest = world().filter((e) => e.eventTime >= CUT);
  const run = (snap: EngineSnapshot): Engine => {
    const e = Engine.restore(cfg, snap);
    for (const ev of rest) e.ingest(ev);
    e.finish();
    return e;
  };
  const restored = run(saved.snapshot);
  assert.equal(restored.stats().signalErrors, 0);
  assert.ok(saved.alerts.length >= 5);
  assert.deepEqual(restored.drainAlerts().map(alertKey), saved.alerts);

  // Right after the restore every state holds only fields the current code writes.
  const now = JSON.parse(JSON.stringify(Engine.restore(cfg, saved.snapshot).snapshot())) as EngineSnapshot;
  const fresh = new Engine(cfg);
  for (const ev of world()) if (ev.eventTime < CUT) fresh.ingest(ev);
  const current = signalKeys(fresh.snapshot());
  for (const [name, keys] of signalKeys(now)) assert.deepEqual([...keys].filter((k) => !current.get(name)?.has(k)), [], name);
  // Revive leaves a state already in the current layout as it is.
  const again = run(now);
  assert.deepEqual(again.drainAlerts().map(alertKey), saved.alerts);
  assert.deepEqual(again.snapshot(), restored.snapshot());
});
