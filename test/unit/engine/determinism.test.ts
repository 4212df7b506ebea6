/**
 * The engine's determinism guarantees, end to end: the same input gives byte-identical alerts;
 * the input reordered within the allowed disorder gives the same alerts; the input split into
 * shards by sellerId gives the same per-seller alerts (ring alerts aside: they need every seller);
 * partitions consumed in any interleaving under a min-over-partitions watermark give the same alerts;
 * seller shards without the ring detector plus one ring-only engine give the alerts of one engine
 * (the `sellers` / `rings` roles of docs/scale-out.md).
 * Run with small fake signals (core only) and with the registered real signals.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/engine.js';
import { PartitionWatermarks } from '../../../src/engine/reorder.js';
import { parseEngineConfig } from '../../../src/engine/config.js';
import { SELLER_SIGNALS } from '../../../src/engine/signals/index.js';
import type { Alert, MarketEvent, SellerSignal } from '../../../src/engine/types.js';
import { replayFile } from '../../../src/io/file/replay.js';
import { createSimulation } from '../../../src/sim/simulator.js';
import { SCENARIOS } from '../../../src/sim/scenarios.js';
import { FAKE_SIGNALS, generateStream, jitter, rng, toNdjson } from '../../helpers/fixtures.js';

const cfg = parseEngineConfig({});
const MIN = 60_000;
// Jitter stays well inside allowedDisorderMs (15 min), so no event is ever late.
const events = generateStream({ seed: 42, honest: 40, brushers: 4, hours: 24 * 4, ordersPerHour: 2, jitterMs: 10 * MIN, hardNegatives: true });
const END = Math.max(...events.map((e) => e.eventTime));

const dir = await mkdtemp(join(tmpdir(), 'brushwatch-determinism-'));
after(() => rm(dir, { recursive: true, force: true }));

const suites: ReadonlyArray<[string, readonly SellerSignal<any, any>[], boolean]> = [
  ['fake signals', FAKE_SIGNALS, false],
  ['registered signals', SELLER_SIGNALS, true],
];

function run(input: readonly MarketEvent[], signals: readonly SellerSignal<any, any>[], withRing: boolean, end = END): Alert[] {
  const engine = new Engine(cfg, withRing ? { signals } : { signals, ring: null });
  for (const e of input) engine.ingest(e);
  engine.finish(end);
  assert.equal(engine.stats().late, 0);
  return engine.drainAlerts();
}

const bySeller = (alerts: readonly Alert[]) => {
  const m = new Map<string, string[]>();
  for (const a of alerts) if (a.scope === 'SELLER') m.set(a.sellerId, [...(m.get(a.sellerId) ?? []), JSON.stringify(a)]);
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
};

for (const [name, signals, withRing] of suites) {
  test(`${name}: the same file replayed twice gives byte-identical alert files`, { skip: signals.length === 0 }, async () => {
    const input = join(dir, `${name}-events.ndjson`);
    await writeFile(input, toNdjson(events));
    const outputs: Buffer[] = [];
    for (const i of [1, 2]) {
      const output = join(dir, `${name}-alerts-${i}.ndjson`);
      await replayFile({ input, output, config: cfg, engine: withRing ? { signals } : { signals, ring: null } });
      outputs.push(await readFile(output));
    }
    assert.ok(outputs[0]!.length > 0, 'the fixture must produce alerts');
    assert.ok(outputs[0]!.equals(outputs[1]!));
  });

  test(`${name}: reordering within the allowed disorder gives the same alerts`, { skip: signals.length === 0 }, () => {
    const base = run(events, signals, withRing);
    assert.ok(base.length > 0);
    const sorted = [...events].sort((a, b) => a.eventTime - b.eventTime);
    for (const seed of [1, 2, 3]) {
      const shuffled = jitter(sorted, 14 * MIN, rng(seed));
      assert.notDeepEqual(shuffled.map((e) => e.eventId), events.map((e) => e.eventId));
      assert.equal(JSON.stringify(run(shuffled, signals, withRing)), JSON.stringify(base), `seed ${seed}`);
    }
  });

  test(`${name}: partitions read in any interleaving, watermark = min over partitions, give the same alerts`, { skip: signals.length === 0 }, () => {
    const base = run(events, signals, withRing);
    for (const [parts, seed] of [[3, 1], [4, 2], [6, 3]] as const) {
      // Like a Kafka consumer: each partition in its own order, batches of random size taken
      // from random partitions, the engine's watermark held back by the slowest partition.
      const partitions: MarketEvent[][] = Array.from({ length: parts }, () => []);
      events.forEach((e, i) => partitions[(i * 7 + e.sellerId.length) % parts]!.push(e));
      const engine = new Engine(cfg, withRing ? { signals, watermark: 'external' } : { signals, ring: null, watermark: 'external' });
      const marks = new PartitionWatermarks(cfg.allowedDisorderMs);
      for (let i = 0; i < parts; i++) marks.assign(String(i));
      const next = rng(seed);
      const pos = partitions.map(() => 0);
      while (pos.some((p, i) => p < partitions[i]!.length)) {
        const i = Math.floor(next() * parts);
        const batch = partitions[i]!.slice(pos[i], pos[i]! + 1 + Math.floor(next() * 200));
        pos[i] = pos[i]! + batch.length;
        if (pos[i] === partitions[i]!.length) marks.setIdle(String(i), true);
        for (const e of batch) if (engine.ingest(e).outcome === 'accepted') marks.observe(String(i), e.eventTime);
        const wm = marks.watermark();
        if (wm !== undefined) engine.advanceWatermark(wm);
      }
      engine.finish(END);
      assert.equal(engine.stats().late, 0, `${parts} partitions`);
      assert.equal(JSON.stringify(engine.drainAlerts()), JSON.stringify(base), `${parts} partitions, seed ${seed}`);
    }
  });

  test(`${name}: sharding by sellerId gives the same per-seller alerts`, { skip: signals.length === 0 }, () => {
    const whole = bySeller(run(events, signals, false));
    assert.ok(whole.size >= 4, 'every brusher alerts');
    for (const n of [2, 3, 5]) {
      const shards: MarketEvent[][] = Array.from({ length: n }, () => []);
      for (const e of events) {
        let h = 0;
        for (let i = 0; i < e.sellerId.length; i++) h = (h * 31 + e.sellerId.charCodeAt(i)) >>> 0;
        shards[h % n]!.push(e);
      }
      const merged = new Map<string, string[]>();
      for (const shard of shards) for (const [k, v] of bySeller(run(shard, signals, false))) merged.set(k, v);
      assert.deepEqual(new Map([...merged].sort(([a], [b]) => (a < b ? -1 : 1))), whole, `${n} shards`);
    }
  });
}

for (const [name, signals, withRing] of suites)
  test(`${name}: every brusher alerts; hard negatives (flash sale, campus NAT, loyal customer) never do`, { skip: signals.length === 0 }, () => {
    const sellers = new Set(run(events, signals, withRing).map((a) => a.sellerId));
    for (const s of ['flash', 'campus', 'loyal']) assert.ok(!sellers.has(s), s);
    for (let i = 0; i < 4; i++) assert.ok(sellers.has(`brush-${i}`), `brush-${i}`);
  });

test('roles: seller shards without the ring detector plus one ring-only engine over the orders give the alerts of one engine with both', () => {
  // The tiny simulation has rings; events the whole engine finds late are left out, as the
  // service tests do (lateness depends on the interleaving, docs/service.md).
  const probe = new Engine(cfg);
  const input = [...createSimulation(SCENARIOS.tiny, 1).events()].filter((e) => {
    const late = probe.ingest(e).outcome === 'late';
    probe.drainAlerts();
    return !late;
  });
  const end = Math.max(...input.map((e) => e.eventTime));
  const alertsOf = (evs: readonly MarketEvent[], opts: ConstructorParameters<typeof Engine>[1]): Alert[] => {
    const engine = new Engine(cfg, opts);
    for (const e of evs) engine.ingest(e);
    engine.finish(end);
    return engine.drainAlerts();
  };
  const sorted = (alerts: readonly Alert[]) => alerts.map((a) => JSON.stringify(a)).sort();
  const whole = alertsOf(input, {});
  assert.ok(whole.some((a) => a.scope === 'RING') && whole.some((a) => a.scope === 'SELLER'), 'the scenario has ring and seller alerts');
  const shards: MarketEvent[][] = Array.from({ length: 3 }, () => []);
  for (const e of input) {
    let h = 0;
    for (let i = 0; i < e.sellerId.length; i++) h = (h * 31 + e.sellerId.charCodeAt(i)) >>> 0;
    shards[h % 3]!.push(e);
  }
  const sellers = shards.flatMap((shard) => alertsOf(shard, { ring: null }));
  // The ring instance reads orders only: the detector sees PLACED orders alone.
  const rings = alertsOf(input.filter((e) => e.kind === 'order'), { signals: [] });
  assert.ok(sellers.every((a) => a.scope === 'SELLER') && rings.every((a) => a.scope === 'RING'));
  assert.deepEqual(sorted([...sellers, ...rings]), sorted(whole));
});
