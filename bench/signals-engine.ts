/**
 * What each seller signal costs inside the engine, on bench/engine.ts's marketplace (a script, not
 * a test: it prints figures and asserts nothing). For the core alone, each signal alone and all of
 * them (no ring): CPU µs per event (best of BENCH_REPS interleaved runs, CPU time of this process:
 * on a shared machine the better estimate of one core) and heap bytes per tracked seller (dedup
 * horizon 0, so only seller state counts; V8 heap plus typed-array contents).
 *
 *   node --expose-gc --import tsx bench/signals-engine.ts
 *   BENCH_EVENTS=300000 BENCH_REPS=3 BENCH_ONLY=review_timing,edge_burst node --expose-gc --import tsx bench/signals-engine.ts
 */
import { Engine } from '../src/engine/engine.js';
import { parseEngineConfig } from '../src/engine/config.js';
import { SELLER_SIGNALS } from '../src/engine/signals/index.js';
import type { SellerSignal } from '../src/engine/types.js';
import { marketplace } from './engine.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 300_000);
const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const ONLY = process.env['BENCH_ONLY']?.split(',');
const SELLERS = 20_000;
const HOURS = 48;

type Signals = readonly SellerSignal<unknown, unknown>[];
const sets: [string, Signals][] = [['core only', []]];
for (const s of SELLER_SIGNALS) if (ONLY === undefined || ONLY.includes(s.name)) sets.push([s.name, [s]]);
sets.push(['all nine', SELLER_SIGNALS]);

const events: unknown[] = [];
for (const e of marketplace(EVENTS, SELLERS, HOURS, 1)) events.push(JSON.parse(JSON.stringify(e)));
const config = parseEngineConfig({});

function cpuMicrosPerEvent(signals: Signals): number {
  const engine = new Engine(config, { signals, ring: null });
  const c = process.cpuUsage();
  for (let i = 0; i < events.length; i++) engine.ingest(events[i]);
  engine.finish();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / events.length;
}

function heapPerSeller(signals: Signals): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  gc();
  const before = used();
  const engine = new Engine(parseEngineConfig({ dedupHorizonMs: 0 }), { signals, ring: null });
  for (let i = 0; i < events.length; i++) engine.ingest(events[i]);
  engine.finish();
  engine.drainAlerts();
  gc();
  gc();
  return (used() - before) / engine.stats().sellersTracked;
}

console.log(`signals in the engine: ${EVENTS.toLocaleString('en-US')} events, ${SELLERS.toLocaleString('en-US')} sellers, ${HOURS} h, best of ${REPS}, node ${process.version}`);
const best = new Map<string, number>();
for (let rep = 0; rep < REPS; rep++)
  for (const [name, signals] of sets) best.set(name, Math.min(best.get(name) ?? Infinity, cpuMicrosPerEvent(signals)));
const hasGc = (globalThis as { gc?: () => void }).gc !== undefined;
const heap = new Map<string, number>();
if (hasGc) for (const [name, signals] of sets) heap.set(name, heapPerSeller(signals));
const core = best.get('core only')!;
const coreHeap = heap.get('core only') ?? 0;
for (const [name] of sets) {
  const us = best.get(name)!;
  const extra = name === 'core only' ? '' : `  (+${(us - core).toFixed(2)} µs, +${Math.round((heap.get(name) ?? 0) - coreHeap)} B)`;
  const h = hasGc ? `${Math.round(heap.get(name)!).toLocaleString('en-US').padStart(6)} B/seller` : '';
  console.log(`${name.padEnd(22)} ${us.toFixed(2).padStart(6)} µs/event ${Math.round(1e6 / us).toLocaleString('en-US').padStart(10)} events/CPU-s  ${h}${extra}`);
}
if (!hasGc) console.log('heap per seller: run with node --expose-gc --import tsx bench/signals-engine.ts');
