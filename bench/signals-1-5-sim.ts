/**
 * Per-signal detection of signals 1–5 on the simulator (a script, not a test): each signal runs
 * alone over every seller's events (deduplicated, canonical order, evaluated hourly), and the
 * script prints, per signal, how many planted campaign sellers of each typology and how many
 * hard-negative sellers got at least one finding, and how many other sellers did.
 * Run: npx tsx bench/signals-1-5-sim.ts [scenario=small] [seed=1]
 * Config per signal: BENCH_SIGNALS='{"duplicate_text":{"minWords":6}}'; BENCH_ONLY=duplicate_text.
 */
import { eventKeys } from '../src/engine/event-keys.js';
import * as repeatBuyers from '../src/engine/signals/repeat-buyers.js';
import * as freshAccounts from '../src/engine/signals/fresh-accounts.js';
import * as sharedIdentity from '../src/engine/signals/shared-identity.js';
import * as reviewTiming from '../src/engine/signals/review-timing.js';
import * as duplicateText from '../src/engine/signals/duplicate-text.js';
import { createSimulation } from '../src/sim/simulator.js';
import { SCENARIOS, type ScenarioName } from '../src/sim/scenarios.js';
import type { MarketEvent, SellerContext, SellerSignal } from '../src/engine/types.js';

const HOUR = 3_600_000;
const name = (process.argv[2] ?? 'small') as ScenarioName;
const seed = Number(process.argv[3] ?? 1);
const sim = createSimulation(SCENARIOS[name], seed);
const OVERRIDES = JSON.parse(process.env.BENCH_SIGNALS ?? '{}') as Record<string, unknown>;
const ONLY = process.env.BENCH_ONLY;

const bySeller = new Map<string, MarketEvent[]>();
const seen = new Set<string>();
for (const e of sim.events()) {
  if (seen.has(e.eventId)) continue;
  seen.add(e.eventId);
  let list = bySeller.get(e.sellerId);
  if (list === undefined) bySeller.set(e.sellerId, (list = []));
  list.push(e);
}
for (const list of bySeller.values()) list.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));

const truth = sim.truth;
const typologyOf = new Map<string, string>();
for (const c of truth.campaigns) for (const s of c.sellerIds) typologyOf.set(s, c.typology);
const negativeOf = new Map<string, string>();
for (const h of truth.hardNegatives) negativeOf.set(h.sellerId, h.kind);

function ctx(sellerId: string, at: number): SellerContext {
  return { sellerId, at, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 0, historyDays: 0 };
}

function fires(signal: SellerSignal<unknown, unknown>, config: unknown, sellerId: string, events: readonly MarketEvent[]): boolean {
  const state = signal.create(config);
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  let fired = false;
  for (const e of events) {
    while (boundary <= e.eventTime) {
      if (signal.evaluate(state, ctx(sellerId, boundary), config) !== null) fired = true;
      signal.expire(state, boundary, config);
      boundary += HOUR;
    }
    signal.observe(state, e, config, eventKeys(e));
  }
  return signal.evaluate(state, ctx(sellerId, boundary), config) !== null || fired;
}

console.log(`${name} seed ${seed}: ${bySeller.size} sellers, ${seen.size} distinct events, ${truth.campaigns.length} campaigns`);
for (const m of [repeatBuyers, freshAccounts, sharedIdentity, reviewTiming, duplicateText]) {
  const signal = m.signal as SellerSignal<unknown, unknown>;
  if (ONLY !== undefined && ONLY !== signal.name) continue;
  const config = m.configSchema.parse(OVERRIDES[signal.name] ?? {});
  const hit = new Map<string, number>();
  const planted = new Map<string, number>();
  let others = 0;
  for (const [sellerId, events] of bySeller) {
    const label = typologyOf.get(sellerId) ?? (negativeOf.has(sellerId) ? `neg:${negativeOf.get(sellerId)}` : null);
    if (label !== null) planted.set(label, (planted.get(label) ?? 0) + 1);
    if (!fires(signal, config, sellerId, events)) continue;
    if (label === null) others++;
    else hit.set(label, (hit.get(label) ?? 0) + 1);
  }
  const parts = [...planted.keys()].sort().map((k) => `${k} ${hit.get(k) ?? 0}/${planted.get(k)}`);
  console.log(`${signal.name.padEnd(16)} other sellers ${others}; ${parts.join(', ')}`);
}
