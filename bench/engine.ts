/**
 * Engine benchmark (a script, not a test): prints figures, asserts nothing.
 *
 *   npx tsx bench/engine.ts                                  # throughput
 *   node --expose-gc --import tsx bench/engine.ts            # + heap bytes per tracked seller
 *   BENCH_EVENTS=2000000 npx tsx bench/engine.ts             # bigger run
 *   BENCH_RUNS=5 npx tsx bench/engine.ts                     # engine rows: median of 5 runs (default 3)
 *   BENCH_DETAIL=1 BENCH_HEAP_DETAIL=1 node --expose-gc --import tsx bench/engine.ts   # + per signal
 *
 * Events are generated in memory from a fixed seed: a skewed marketplace (a few big sellers,
 * many small ones), orders with their later state changes, reviews, and some brushing sellers.
 * Figures: engine events/s on pre-parsed objects (registered signals + ring, and core alone),
 * NDJSON replay events/s through a temp file (reader alone, as replay uses it, and full replay),
 * bytes allocated per event (sampling heap profiler, garbage included), heap per seller (V8 heap
 * plus typed-array contents), and the ring detector's heap per tracked
 * buyer (its memory scales with the buyers it tracks, capped by ring.maxBuyers, not with sellers).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../src/engine/engine.js';
import { parseEngineConfig } from '../src/engine/config.js';
import { SELLER_SIGNALS } from '../src/engine/signals/index.js';
import { ringDetector } from '../src/engine/signals/ring.js';
import type { RingConfig } from '../src/engine/signals/ring.js';
import type { EngineConfig } from '../src/engine/config.js';
import type { EngineOptions } from '../src/engine/engine.js';
import { readNdjson } from '../src/io/file/ndjson-reader.js';
import { replayFile } from '../src/io/file/replay.js';
import { rng } from '../test/helpers/fixtures.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const SELLERS = Number(process.env['BENCH_SELLERS'] ?? 20_000);
const HOURS = Number(process.env['BENCH_HOURS'] ?? 48);
const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3));
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const STATUSES = ['PAID', 'SHIPPED', 'DELIVERED'] as const;

/** Yields plain objects shaped like JSON.parse output, in produced order (bounded disorder). */
export function* marketplace(n: number, sellers: number, hours: number, seed: number): Generator<Record<string, unknown>> {
  const r = rng(seed);
  const span = hours * HOUR;
  for (let i = 0; i < n; i++) {
    // Time advances evenly; up to 5 minutes of disorder, well inside the allowed 15.
    const t = T0 + Math.floor((i / n) * span) - Math.floor(r() * 300_000);
    // Skewed seller choice: r()^3 favours low ids (big sellers).
    const s = Math.floor(r() ** 3 * sellers);
    const brusher = s % 500 === 7;
    const b = brusher ? `fake-${s}-${Math.floor(r() * 5)}` : `b-${Math.floor(r() * 2_000_000)}`;
    const k = r();
    const common = { eventId: `e-${i}`, eventTime: t, sellerId: `s-${s}`, buyerId: b, itemId: `i-${s}-${Math.floor(r() * 20)}` };
    if (k < 0.18) {
      yield {
        kind: 'review',
        ...common,
        reviewId: `r-${i}`,
        orderId: r() < 0.9 ? `o-${i - 1}` : null,
        rating: brusher ? 5 : 1 + Math.floor(r() * 5),
        text: brusher ? 'Amazing product, fast shipping, highly recommend!' : `review ${Math.floor(r() * 1e6)} of item`,
        hasMedia: r() < 0.1,
        deviceId: brusher ? `farm-${s}` : `d-${b}`,
        ipAddress: brusher ? '198.51.100.9' : `10.${i % 250}.${(i >> 8) % 250}.${(i >> 16) % 250}`,
      };
      continue;
    }
    const status = k < 0.6 ? 'PLACED' : STATUSES[Math.floor(r() * 3)]!;
    yield {
      kind: 'order',
      ...common,
      orderId: `o-${i}`,
      status,
      quantity: 1 + Math.floor(r() * 3),
      amountCents: 500 + Math.floor(r() * 20_000),
      currency: 'USD',
      buyerAccountCreatedAt: brusher ? t - 2 * 86_400_000 : T0 - Math.floor(r() * 1000) * 86_400_000,
      deviceId: brusher ? `farm-${s}` : `d-${b}`,
      ipAddress: brusher ? '198.51.100.9' : `10.${i % 250}.${(i >> 8) % 250}.${(i >> 16) % 250}`,
      shippingAddressHash: brusher ? `addr-${s}` : `a-${b}`,
      paymentInstrumentHash: brusher ? `pay-${s}` : `p-${b}`,
      trackingNumber: status === 'SHIPPED' ? `t-${i}` : null,
      carrier: status === 'SHIPPED' ? 'UPS' : null,
      parcelWeightGrams: status === 'SHIPPED' ? (brusher ? 8 : 200 + Math.floor(r() * 2000)) : null,
    };
  }
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/**
 * Wall time and this process's CPU time (user + system). On a shared, loaded machine the wall
 * figure is pessimistic; events per CPU-second is the closer estimate of one dedicated core.
 */
function clock(): () => { wallMs: number; cpuMs: number } {
  const w = performance.now();
  const c = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(c);
    return { wallMs: performance.now() - w, cpuMs: (d.user + d.system) / 1000 };
  };
}

function rates(n: number, t: { wallMs: number; cpuMs: number }, unit = 'events/s'): string {
  return `${fmt((n * 1000) / t.wallMs).padStart(11)} ${unit} wall ${fmt((n * 1000) / t.cpuMs).padStart(11)} per CPU-s`;
}

function runEngine(label: string, events: readonly unknown[], config: EngineConfig, opts: EngineOptions): void {
  // Warm this configuration's code paths first (JIT feedback differs between configurations).
  const warm = new Engine(config, opts);
  const warmN = Math.floor(events.length / 5);
  for (let i = 0; i < warmN; i++) warm.ingest(events[i]);
  warm.finish();
  // Single runs spread by ±25 % on a shared machine: report the median run and the range.
  const runs: { wallMs: number; cpuMs: number }[] = [];
  let engine = warm;
  for (let r = 0; r < RUNS; r++) {
    engine = new Engine(config, opts);
    const stop = clock();
    for (let i = 0; i < events.length; i++) engine.ingest(events[i]);
    engine.finish();
    runs.push(stop());
  }
  runs.sort((a, b) => a.cpuMs - b.cpuMs);
  const t = runs[(RUNS - 1) >> 1]!;
  const range = RUNS > 1 ? ` [${fmt((events.length * 1000) / runs[RUNS - 1]!.cpuMs)}–${fmt((events.length * 1000) / runs[0]!.cpuMs)}]` : '';
  const alerts = engine.drainAlerts().length;
  const s = engine.stats();
  console.log(
    `engine ${label.padEnd(30)} ${rates(events.length, t)}${range}  (${fmt(t.wallMs)} ms, ${s.accepted} accepted, ${s.late} late, ${alerts} alerts, ${s.sellersTracked} sellers)`,
  );
}

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}

/**
 * Bytes allocated per event by one run, garbage included: V8's sampling heap profiler keeps the
 * samples of objects already collected. Unlike the CPU figures it does not move with the load.
 */
async function allocatedPerEvent(label: string, events: readonly unknown[], config: EngineConfig, opts: EngineOptions): Promise<void> {
  const warm = new Engine(config, opts);
  for (let i = 0; i < Math.floor(events.length / 5); i++) warm.ingest(events[i]);
  warm.finish();
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    const engine = new Engine(config, opts);
    for (let i = 0; i < events.length; i++) engine.ingest(events[i]);
    engine.finish();
    engine.drainAlerts();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
    let bytes = 0;
    const stack = [profile.head];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      bytes += n.selfSize;
      stack.push(...n.children);
    }
    console.log(`alloc ${label.padEnd(31)} ${fmt(bytes / events.length).padStart(11)} bytes/event   (${fmt(bytes / 1024 / 1024)} MiB sampled over the run)`);
  } finally {
    session.disconnect();
  }
}

/** Prints and returns the bytes the engine holds after the run; `opts` is built after the baseline. */
function heapPerSeller(config: EngineConfig, opts: EngineOptions | (() => EngineOptions), label: string): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  // Typed arrays keep their contents outside the V8 heap (arrayBuffers): count both.
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const engine = new Engine(config, typeof opts === 'function' ? opts() : opts);
  // Generated lazily so that only the engine's own state stays on the heap.
  for (const e of marketplace(EVENTS, SELLERS, HOURS, 2)) engine.ingest(e);
  engine.finish();
  engine.drainAlerts();
  gc();
  gc();
  const bytes = used() - before;
  const s = engine.stats();
  console.log(
    `heap ${label.padEnd(30)} ${fmt(bytes / s.sellersTracked).padStart(11)} bytes/seller  (${fmt(bytes / 1024 / 1024)} MiB for ${s.sellersTracked} sellers, ${s.dedupIds} eventIds in dedup)`,
  );
  return bytes;
}

async function main(): Promise<void> {
  console.log(`brushwatch engine bench: ${fmt(EVENTS)} events, ${fmt(SELLERS)} sellers, ${HOURS} h of event time, node ${process.version}`);
  const config = parseEngineConfig({});
  // Pre-parsed means what JSON.parse gives an adapter: round-trip every event through JSON.
  const events: unknown[] = [];
  for (const e of marketplace(EVENTS, SELLERS, HOURS, 1)) events.push(JSON.parse(JSON.stringify(e)));

  runEngine('core only (no signals)', events, config, { signals: [], ring: null });
  runEngine('registered signals, no ring', events, config, { ring: null });
  runEngine('registered signals + ring', events, config, {});
  // What one `run --role rings` instance does per event (docs/scale-out.md).
  runEngine('ring only (role rings)', events, config, { signals: [] });
  if (process.env['BENCH_DETAIL'] === '1') for (const sig of SELLER_SIGNALS) runEngine(`core + ${sig.name}`, events, config, { signals: [sig], ring: null });
  await allocatedPerEvent('core only (no signals)', events, config, { signals: [], ring: null });
  await allocatedPerEvent('registered signals + ring', events, config, {});

  const dir = await mkdtemp(join(tmpdir(), 'brushwatch-bench-'));
  try {
    const input = join(dir, 'events.ndjson');
    const lines: string[] = [];
    for (const e of events) lines.push(JSON.stringify(e));
    await writeFile(input, `${lines.join('\n')}\n`);
    lines.length = 0;
    let stop = clock();
    let n = 0;
    for await (const b of readNdjson(input, { events: true })) n += b.values.length;
    const t = stop();
    console.log(`ndjson reader only                    ${rates(n, t, 'lines/s ')}  (${fmt(t.wallMs)} ms)`);
    for (const [label, opts] of [
      ['core only', { signals: [], ring: null }],
      ['registered signals + ring', {}],
    ] as const) {
      stop = clock();
      const s = await replayFile({ input, output: join(dir, 'alerts.ndjson'), config, engine: opts });
      const rt = stop();
      console.log(`ndjson replay ${label.padEnd(24)} ${rates(s.lines, rt)}  (${fmt(rt.wallMs)} ms, ${s.alertsWritten} alerts)`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  events.length = 0;
  if ((globalThis as { gc?: () => void }).gc === undefined) {
    console.log('heap per seller: run with node --expose-gc --import tsx bench/engine.ts');
    return;
  }
  // Dedup memory is per event (24 h of ids), not per seller: measure seller state without it too.
  const noDedup = parseEngineConfig({ dedupHorizonMs: 0 });
  heapPerSeller(noDedup, { signals: [], ring: null }, 'core only');
  const noRing = heapPerSeller(noDedup, { ring: null }, 'registered signals, no ring');
  // The default ring detector, made here to read its sizes after the run.
  let ring: ReturnType<typeof ringDetector> | null = null;
  const withRing = heapPerSeller(noDedup, () => ({ ring: (ring = ringDetector(noDedup.ring as RingConfig)) }), 'registered signals + ring');
  const rs = ring!.sizes();
  ring = null;
  const ringBytes = withRing - noRing;
  console.log(
    `heap ring (the difference)          ${fmt(ringBytes / rs.buyers).padStart(11)} bytes/buyer   (${fmt(ringBytes / 1024 / 1024)} MiB for ${rs.buyers} buyers, ${rs.sellers} sellers, ${rs.pairs} pairs)`,
  );
  heapPerSeller(config, {}, 'incl. 24 h dedup of all ids');
  if (process.env['BENCH_HEAP_DETAIL'] === '1')
    for (const sig of SELLER_SIGNALS) heapPerSeller(noDedup, { signals: [sig], ring: null }, `core + ${sig.name}`);
}

// Run as a script; bench/signals-engine.ts imports the marketplace only.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
