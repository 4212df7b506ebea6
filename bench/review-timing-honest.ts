/**
 * Monte Carlo of `review_timing` on honest shops whose buyers review on receipt (a script that
 * prints figures, not a test; docs/history/evaluation-steps.md, step 22). Each shop is new to the signal and runs
 * 28 days: orders delivered 2–4 days after placing, a third reviewed, a given share of those 5–55
 * minutes after delivery and the rest 0.2–4 days after; ratings all 5★ or 65 % 5★, 20 % 4★,
 * 15 % 1–3★. Prints, per setting, how many of 150 shops reach a finding of strength ≥ 0.8 (enough
 * to alert alone) and ≥ 0.3, under the default config and under the rule before step 22.
 * Run: npx tsx bench/review-timing-honest.ts ['{"fastWeight":0.8}'] (extra config for the first column)
 * Settings: BENCH_PER_DAY=1,3,8 BENCH_FAST=0.1667,0.3333 (defaults).
 */
import { configSchema, signal, type Config } from '../src/engine/signals/review-timing.js';
import type { MarketEvent } from '../src/engine/types.js';
import { DAY, drive, MIN, order, review, rng, T0 } from '../test/unit/engine/signals/fixtures.js';

const SHOPS = 150;
const DAYS = 28;
const list = (v: string | undefined, d: number[]): number[] => (v === undefined ? d : v.split(',').map(Number));
const perDays = list(process.env['BENCH_PER_DAY'], [1, 3, 8]);
const fastShares = list(process.env['BENCH_FAST'], [1 / 6, 1 / 3]);
const configs: [string, Config][] = [
  [`config ${process.argv[2] ?? '{}'}`, configSchema.parse(JSON.parse(process.argv[2] ?? '{}'))],
  ['before step 22', configSchema.parse({ fastWeight: 1, minRating: 1 })],
];
const mixes: [string, (r: () => number) => number][] = [
  ['all 5★', () => 5],
  ['65/20/15', (r) => {
    const x = r();
    return x < 0.65 ? 5 : x < 0.85 ? 4 : 1 + Math.floor(r() * 3);
  }],
];

function shop(seed: number, perDay: number, fastShare: number, rating: (r: () => number) => number): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  for (let d = 0; d < DAYS; d++) {
    const n = Math.max(0, Math.floor(perDay + (r() - 0.5) * perDay));
    for (let i = 0; i < n; i++) {
      const placed = order({ buyerId: `b-${seed}-${d}-${i}`, eventTime: Math.floor(T0 + d * DAY + r() * DAY) });
      const deliver = Math.floor((2 + r() * 2) * DAY);
      out.push(placed, order({ buyerId: placed.buyerId, eventTime: placed.eventTime + deliver, orderId: placed.orderId, status: 'DELIVERED' }));
      const reviewed = r() < 1 / 3;
      const after = r() < fastShare ? (5 + r() * 50) * MIN : (0.2 + r() * 4) * DAY;
      const stars = rating(r);
      if (reviewed) out.push(review({ buyerId: placed.buyerId, eventTime: Math.floor(placed.eventTime + deliver + after), orderId: placed.orderId, rating: stars }));
    }
  }
  return out;
}

console.log(`shops of ${SHOPS} reaching strength >= 0.8 / >= 0.3 in ${DAYS} days: ${configs.map(([n]) => n).join(' | ')}`);
for (const [mix, rating] of mixes)
  for (const perDay of perDays)
    for (const fastShare of fastShares) {
      const cells = configs.map(([, c]) => {
        let hi = 0;
        let lo = 0;
        for (let k = 0; k < SHOPS; k++) {
          const top = Math.max(0, ...drive(signal, c, shop(1000 * perDay + k, perDay, fastShare, rating)).findings.map((f) => f.finding.strength));
          if (top >= 0.8) hi++;
          if (top >= 0.3) lo++;
        }
        return `${String(hi).padStart(3)} / ${String(lo).padStart(3)}`;
      });
      console.log(`${mix.padEnd(9)} ${String(perDay).padStart(2)}/day, fast share ${fastShare.toFixed(2)}: ${cells.join('   |   ')}`);
    }
