/**
 * Signal 5, `duplicate_text` (family review_text): near-duplicate review texts from different
 * buyers of one seller, as produced by review farms working from one script.
 *
 * Each review text is reduced to its informative words (generic praise and stop words such as
 * "good", "nice", "fast shipping" removed; a text with too few of them is compared on all its
 * words if it is long, and ignored if short, so short generic reviews never count), then to the
 * unigram and bigram shingles of those words, then to a b-bit MinHash signature (32 minima × 2
 * bits = two numbers). Light paraphrase (a word added, dropped or swapped, punctuation, case)
 * keeps most shingles, so the Jaccard estimate stays high. A bounded window of recent signatures is clustered when a bucket closes
 * (a cluster: one review and the reviews near-identical to it).
 *
 * The window holds numbers only. Review and buyer ids are kept only for reviews that matched an
 * earlier review of another buyer when they arrived, so an honest seller stores no strings; the
 * first review of a cluster is therefore known by fingerprint only, and evidence lists the
 * matching reviews from the second on.
 *
 * Honest buyers repeat stock phrases too ("case fits my phone perfectly"), at whatever rate the
 * shop's customers write them. A cluster therefore fires only if it is improbable against the
 * seller's own long-run share of reviews that repeat another buyer's text (decayed, blended with a
 * configured prior, binomial tail as in fresh_accounts): a script arrives as a run of copies far
 * above that share, honest repeats accrue at it.
 */
import { z } from 'zod';
import type { ReviewEvent, SellerSignal, SignalFinding } from '../types.js';
import { dropFirstNumbers, EMPTY } from '../sketch/lists.js';
import { hash32, mix32 } from '../sketch/hash.js';
import { bbitJaccard, bbitPack, minhash, shingleHashes, words } from '../sketch/minhash.js';
import { curveFields, round2, strengthOf } from './curve.js';
import { lowOf } from './packed.js';
import { binomialTail } from './tail.js';

const HOUR_MS = 3_600_000;
const K = 32;
const BITS = 2;
/** Numbers per window entry: two signature words and (buyer fingerprint × 2^21 + hour). */
const STRIDE = 3;
const HOUR_SCALE = 2 ** 21;
/** Informative words of a text that are shingled. */
const MAX_WORDS = 200;

/** Words that carry no identity: stop words and the stock phrases of honest short reviews. */
const GENERIC = new Set(
  (
    'a an the and or but so if as at by for from in into of on to with without it its this that these those is are was were be been ' +
    'am do does did has have had i me my we our you your he she they them their there here very really quite too also just all ' +
    'not no yes ok okay fine good great nice excellent awesome amazing perfect best better love loved like liked happy satisfied ' +
    'product products item items seller store shop order ordered purchase bought buy again would will recommend recommended highly ' +
    'fast quick quickly shipping shipped delivery delivered arrived came received thanks thank well done value price quality ' +
    'described expected five 5 star stars wow super cool lovely beautiful works working worked as'
  ).split(' '),
);

export const configSchema = z.object({
  minWords: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('Informative words (not generic praise or stop words) a text needs to be compared at all. Default 4.'),
  similarity: z
    .number()
    .gt(0)
    .max(1)
    .default(0.6)
    .describe(
      'Estimated Jaccard similarity of shingle sets at or above which two texts are near-duplicates. Default 0.6: at 0.5, honest reviews built from the same sentence pattern (≈ 0.4, estimated ± 0.12 from 64 bits) chained into clusters on the simulator.',
    ),
  minBuyers: z.number().int().min(2).default(3).describe('Distinct buyers in one cluster of near-duplicates that fire. Default 3.'),
  window: z.number().int().min(2).max(64).default(12).describe('Most recent comparable reviews kept (three numbers each). Default 12.'),
  evidence: z.number().int().min(1).max(32).default(6).describe('Most recent matching reviews kept as evidence (review and buyer id). Default 6.'),
  horizonDays: z.number().int().min(1).max(60).default(7).describe('Reviews older than this many days leave the window. Default 7.'),
  longWords: z
    .number()
    .int()
    .min(2)
    .default(12)
    .describe(
      'A text with fewer informative words is still compared, on all its words, if it has at least this many words: a long sentence repeated verbatim is specific through its word order even when every word is stock praise (farm scripts often are), while honest stock phrases are short. Default 12.',
    ),
  priorShare: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.05)
    .describe("Population prior: the share of an ordinary seller's comparable reviews that repeat another buyer's recent text. Default 0.05."),
  priorWeight: z.number().min(0).default(20).describe("The prior weighs as this many reviews in the seller's baseline. Default 20."),
  baselineHalfLifeDays: z
    .number()
    .gt(0)
    .default(30)
    .describe("Half-life of the seller's repeat baseline (comparable reviews and those that repeated another buyer's text). Default 30."),
  maxTail: z
    .number()
    .gt(0)
    .max(1)
    .default(1e-5)
    .describe(
      "A cluster fires only if its repeats (distinct buyers − 1) among the window's other comparable reviews are this improbable at the seller's repeat share before the window, blended with the prior (binomial upper tail). Default 1e-5: the test runs every hour for every seller, and at 1e-3 honest shops' chance clumps of one stock phrase (5 of 9 comparable reviews at a 4 % share: 2.4e-4) fired on the independent world; a script of 7 copies among 12 reviews at the prior share is 5.8e-6.",
    ),
  ...curveFields,
});
export type Config = z.infer<typeof configSchema>;

/** Lists are exact-size and replaced, never mutated. */
export interface State {
  /** STRIDE numbers per kept review, oldest first. */
  sigs: readonly number[];
  /**
   * Reviews that matched an earlier review of another buyer on arrival, each with its buyer (review
   * id, buyer id), oldest first, at most `evidence` of them: one list where two aligned ones cost a
   * field more on every seller, though nearly all of them hold none. Snapshots before hold them as
   * `reviewIds` and `buyerIds` (see pairUp).
   */
  matched: readonly string[];
  /**
   * Repeat baseline: decayed counts of comparable reviews and of those that matched another
   * buyer's text on arrival, as of hour `baseHour`. States written before it start them at 0 (revive).
   */
  baseReviews: number;
  baseRepeats: number;
  baseHour: number;
}

export const signal: SellerSignal<State, Config> = {
  name: 'duplicate_text',
  family: 'review_text',
  observes: { orders: [], reviews: true },
  create: () => ({ sigs: EMPTY, matched: EMPTY, baseReviews: 0, baseRepeats: 0, baseHour: 0 }),
  revive(saved) {
    const s = saved as State;
    if ((s as Partial<State>).matched === undefined) pairUp(s);
    s.baseReviews ??= 0;
    s.baseRepeats ??= 0;
    s.baseHour ??= 0;
    return s;
  },
  // Judge finds nothing without evidence of a match: a review that leaves none leaves a quiet
  // period on (its entry expires after it, see quietUntil).
  observe(s, e, c, keys) {
    if (e.kind === 'review' && e.text !== '') observeReview(s, e, c, keys.buyer);
    return s.matched.length === 0;
  },
  evaluate(s, ctx, c) {
    return judge(s, Math.floor((ctx.at - 1) / HOUR_MS), c);
  },
  expire(s, now, c) {
    dropBefore(s, Math.floor(now / HOUR_MS) - c.horizonDays * 24 + 1);
  },
  // Without new reviews the entries stay the same (so does the answer, all of them live) until the
  // oldest leaves the horizon; expire drops nothing before. At most one horizon, so that entries
  // added meanwhile (from `at`'s hour on) leave it after.
  quietUntil(s, at, c) {
    let oldest = Math.floor(at / HOUR_MS);
    for (let i = 2; i < s.sigs.length; i += STRIDE) oldest = Math.min(oldest, lowOf(s.sigs[i]!, HOUR_SCALE));
    return (oldest + c.horizonDays * 24) * HOUR_MS;
  },
};

/** The informative words of a text, in order; exported for tests and tuning. */
export function informativeWords(text: string): string[] {
  return words(text).filter((w) => !GENERIC.has(w));
}

/**
 * The b-bit MinHash signature of a text's first MAX_WORDS informative words, written to `into`
 * (two numbers); with fewer than `minWords` of them, of its first MAX_WORDS words if it has at
 * least `longWords`; false otherwise. Exported for tests.
 */
export function textSignature(text: string, minWords: number, into: number[], longWords = Infinity): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return generalSignature(text, minWords, longWords, into);
  return asciiSignature(text, minWords, into, false) || asciiSignature(text, longWords, into, true);
}

/** Any text: sketch/minhash.ts step by step. */
function generalSignature(text: string, minWords: number, longWords: number, into: number[]): boolean {
  let all = informativeWords(text);
  if (all.length < minWords) {
    all = words(text);
    if (all.length < longWords) return false;
  }
  // Scripts are short; the cap bounds the work on a 20,000-char text (the contract's limit).
  const ws = all.length > MAX_WORDS ? all.slice(0, MAX_WORDS) : all;
  const sig = bbitPack(minhash(shingleHashes(ws), K), BITS);
  into[0] = sig[0]!;
  into[1] = sig[1]!;
  return true;
}

/** hash32 of each generic word, for the ASCII path (a hit is confirmed against the word itself). */
const GENERIC_BY_HASH = new Map<number, string>();
for (const w of GENERIC) {
  // Two generic words on one hash would make the second look informative: refuse such a list.
  if (GENERIC_BY_HASH.has(hash32(w))) throw new Error(`generic words ${GENERIC_BY_HASH.get(hash32(w))} and ${w} share a hash`);
  GENERIC_BY_HASH.set(hash32(w), w);
}

/** Scratch of asciiSignature: word hashes, then features (words and bigrams), then minima. */
const wordHashes = new Float64Array(MAX_WORDS);
const features = new Float64Array(2 * MAX_WORDS);
const mins = new Float64Array(K);

/**
 * An ASCII text (nearly every review): the same signature as generalSignature, without a string
 * or an array per word; `keepGeneric` shingles every word (the long-text case). In ASCII, words()
 * is runs of [A-Za-z0-9] lower-cased, so each run is hashed as it is read (hash32's FNV-1a steps over the lower-cased characters), and the features
 * are sorted in a typed array (numeric order, as shingleHashes sorts them).
 */
function asciiSignature(text: string, minWords: number, into: number[], keepGeneric: boolean): boolean {
  let n = 0;
  let informative = 0;
  let start = -1;
  let h = 0;
  for (let i = 0; i <= text.length; i++) {
    let ch = i < text.length ? text.charCodeAt(i) : 0;
    if (ch >= 0x41 && ch <= 0x5a) ch |= 0x20;
    if ((ch >= 0x61 && ch <= 0x7a) || (ch >= 0x30 && ch <= 0x39)) {
      if (start < 0) {
        start = i;
        h = 0x811c9dc5;
      }
      h = Math.imul(h ^ ch, 0x01000193);
      continue;
    }
    if (start < 0) continue;
    const wh = mix32(h);
    const generic = keepGeneric ? undefined : GENERIC_BY_HASH.get(wh);
    if (generic === undefined || !sameWord(text, start, i, generic)) {
      informative++;
      if (n < MAX_WORDS) wordHashes[n++] = wh;
    }
    start = -1;
  }
  if (informative < minWords) return false;
  let f = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const w = wordHashes[i]!;
    features[f++] = w;
    if (i > 0) features[f++] = mix32((prev ^ ((w << 13) | (w >>> 19))) + 0x9e3779b9);
    prev = w;
  }
  const sorted = features.subarray(0, f).sort();
  mins.fill(0xffffffff);
  for (let j = 0; j < f; j++) {
    const x = sorted[j]!;
    // Equal features are adjacent once sorted: each counts once, as after shingleHashes' dedup.
    if (j > 0 && x === sorted[j - 1]) continue;
    for (let i = 0; i < K; i++) {
      const v = mix32((x + Math.imul(i + 1, 0x9e3779b9)) >>> 0);
      if (v < mins[i]!) mins[i] = v;
    }
  }
  const per = 32 / BITS;
  const mask = (1 << BITS) - 1;
  into[0] = 0;
  into[1] = 0;
  for (let i = 0; i < K; i++) {
    const w = Math.floor(i / per);
    into[w] = (into[w]! | ((mins[i]! & mask) << ((i % per) * BITS))) >>> 0;
  }
  return true;
}

/** Whether text[from, to) lower-cased is `word` (ASCII). */
function sameWord(text: string, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let i = from; i < to; i++) {
    let ch = text.charCodeAt(i);
    if (ch >= 0x41 && ch <= 0x5a) ch |= 0x20;
    if (ch !== word.charCodeAt(i - from)) return false;
  }
  return true;
}

/** The signature of the review being observed (observation is synchronous, so sharing it is safe). */
const sig = [0, 0];

function observeReview(s: State, e: ReviewEvent, c: Config, bfp: number): void {
  if (!textSignature(e.text, c.minWords, sig, c.longWords)) return;
  const hour = Math.floor(e.eventTime / HOUR_MS);
  const oldest = hour - c.horizonDays * 24 + 1;
  const kept = s.sigs.length / STRIDE;
  const drop = kept >= c.window ? kept - c.window + 1 : 0;
  let matched = false;
  for (let i = drop; i < kept && !matched; i++) {
    const meta = s.sigs[i * STRIDE + 2]!;
    if (lowOf(meta, HOUR_SCALE) < oldest || Math.floor(meta / HOUR_SCALE) === bfp) continue;
    other[0] = s.sigs[i * STRIDE]!;
    other[1] = s.sigs[i * STRIDE + 1]!;
    matched = bbitJaccard(sig, other, K, BITS) >= c.similarity;
  }
  const sigs = new Array<number>((kept - drop + 1) * STRIDE);
  for (let i = drop * STRIDE; i < s.sigs.length; i++) sigs[i - drop * STRIDE] = s.sigs[i]!;
  sigs[sigs.length - 3] = sig[0]!;
  sigs[sigs.length - 2] = sig[1]!;
  sigs[sigs.length - 1] = bfp * HOUR_SCALE + hour;
  s.sigs = sigs;
  addToBaseline(s, hour, matched, c);
  if (matched) {
    // The last evidence − 1 pairs and this one, in a new exact-size list.
    const from = Math.max(0, s.matched.length - 2 * (c.evidence - 1));
    const out = new Array<string>(s.matched.length - from + 2);
    for (let i = from; i < s.matched.length; i++) out[i - from] = s.matched[i]!;
    out[out.length - 2] = e.reviewId;
    out[out.length - 1] = e.buyerId;
    s.matched = out;
  }
}

/** The reviews and buyers of a state saved with them as two lists, in State.matched. */
function pairUp(s: State): void {
  const old = s as State & { reviewIds?: readonly string[] | undefined; buyerIds?: readonly string[] | undefined };
  const reviews = old.reviewIds ?? EMPTY;
  const buyers = old.buyerIds ?? EMPTY;
  const matched = new Array<string>(2 * reviews.length);
  for (let i = 0; i < reviews.length; i++) {
    matched[2 * i] = reviews[i]!;
    matched[2 * i + 1] = buyers[i]!;
  }
  s.matched = reviews.length === 0 ? EMPTY : matched;
  old.reviewIds = old.buyerIds = undefined;
}

/** Decays the repeat baseline to `hour` (never backwards: late reviews count at the latest hour) and counts one review. */
function addToBaseline(s: State, hour: number, repeated: boolean, c: Config): void {
  const last = s.baseHour;
  const f = hour > last ? 0.5 ** ((hour - last) / (c.baselineHalfLifeDays * 24)) : 1;
  s.baseReviews = s.baseReviews * f + 1;
  s.baseRepeats = s.baseRepeats * f + (repeated ? 1 : 0);
  s.baseHour = Math.max(last, hour);
}

/**
 * The seller's repeat share before the window (the window's own reviews and repeats, at their
 * decayed weight, taken out: a script must not raise the bar it is judged against), blended with
 * the prior. The decay since the last review cancels out in the ratio.
 */
function repeatShare(s: State, windowReviews: number, windowRepeats: number, c: Config): number {
  const reviews = Math.max(0, s.baseReviews - windowReviews);
  const repeats = Math.min(reviews, Math.max(0, s.baseRepeats - windowRepeats));
  return (repeats + c.priorShare * c.priorWeight) / (reviews + c.priorWeight);
}

/** Scratch for signature comparisons (evaluation is synchronous, so sharing it is safe). */
const other = [0, 0];

function dropBefore(s: State, oldestHour: number): void {
  let drop = 0;
  while (drop * STRIDE < s.sigs.length && lowOf(s.sigs[drop * STRIDE + 2]!, HOUR_SCALE) < oldestHour) drop++;
  if (drop === 0) return;
  s.sigs = dropFirstNumbers(s.sigs, drop * STRIDE);
  // Nothing left to match: the evidence of past clusters goes too.
  if (s.sigs.length === 0 && s.matched.length > 0) s.matched = EMPTY;
}

function judge(s: State, hour: number, c: Config): SignalFinding | null {
  const oldest = hour - c.horizonDays * 24 + 1;
  const n = s.sigs.length / STRIDE;
  if (n < c.minBuyers || s.matched.length === 0) return null;
  // A cluster is one review and every review near-identical to it (a star, not a chain): a farm's
  // copies all repeat one script, while honest texts that share one stock remark ("a little goes
  // a long way") behind different openers only link pairwise into chains.
  const match = new Uint8Array(n * n);
  const live = (i: number): boolean => lowOf(s.sigs[i * STRIDE + 2]!, HOUR_SCALE) >= oldest;
  const pair = [0, 0];
  // Live entries that repeat an earlier one of another buyer, as observeReview counted them.
  const repeated = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!live(i)) continue;
    pair[0] = s.sigs[i * STRIDE]!;
    pair[1] = s.sigs[i * STRIDE + 1]!;
    for (let j = i + 1; j < n; j++) {
      if (!live(j)) continue;
      other[0] = s.sigs[j * STRIDE]!;
      other[1] = s.sigs[j * STRIDE + 1]!;
      if (bbitJaccard(pair, other, K, BITS) < c.similarity) continue;
      match[i * n + j] = match[j * n + i] = 1;
      if (Math.floor(s.sigs[i * STRIDE + 2]! / HOUR_SCALE) !== Math.floor(s.sigs[j * STRIDE + 2]! / HOUR_SCALE)) repeated[j] = 1;
    }
  }
  // The largest star by distinct buyers; ties go to the star whose centre is oldest.
  let bestCentre = -1;
  let bestBuyers = 0;
  const seen: number[] = [];
  for (let r = 0; r < n; r++) {
    if (!live(r)) continue;
    seen.length = 0;
    for (let i = 0; i < n; i++) {
      if (i !== r && match[r * n + i] === 0) continue;
      const bfp = Math.floor(s.sigs[i * STRIDE + 2]! / HOUR_SCALE);
      if (seen.indexOf(bfp) < 0) seen.push(bfp);
    }
    if (seen.length > bestBuyers) {
      bestBuyers = seen.length;
      bestCentre = r;
    }
  }
  const strength = strengthOf(bestBuyers, c.minBuyers, c);
  if (bestCentre < 0 || strength < c.minStrength || strength === 0) return null;
  let members = 0;
  let comparable = 0;
  let windowReviews = 0;
  let windowRepeats = 0;
  const halfLifeHours = c.baselineHalfLifeDays * 24;
  for (let i = 0; i < n; i++) {
    if (i === bestCentre || match[bestCentre * n + i] === 1) members++;
    if (!live(i)) continue;
    comparable++;
    const w = 0.5 ** (Math.max(0, s.baseHour - lowOf(s.sigs[i * STRIDE + 2]!, HOUR_SCALE)) / halfLifeHours);
    windowReviews += w;
    windowRepeats += repeated[i]! * w;
  }
  // Each buyer after the cluster's first is one repeat among the window's other comparable reviews.
  const share = repeatShare(s, windowReviews, windowRepeats, c);
  const tail = binomialTail(bestBuyers - 1, comparable - 1, share);
  if (tail > c.maxTail) return null;
  const reviewIds: string[] = [];
  const buyerIds: string[] = [];
  for (let i = 0; i < s.matched.length; i += 2) {
    reviewIds.push(s.matched[i]!);
    if (buyerIds.indexOf(s.matched[i + 1]!) < 0) buyerIds.push(s.matched[i + 1]!);
  }
  return {
    name: 'duplicate_text',
    family: 'review_text',
    value: bestBuyers,
    threshold: c.minBuyers,
    strength: round2(strength),
    horizonMs: c.horizonDays * 24 * HOUR_MS,
    baseline: round2(share),
    explanation: `${members} near-identical review texts from ${bestBuyers} different buyers among the last ${comparable} comparable reviews; ${c.minBuyers} buyers fire if that many repeats are improbable at the seller's repeat share ${round2(share)} (tail ${tail.toExponential(1)} ≤ ${c.maxTail}).`,
    evidence: { reviewIds, buyerIds },
  };
}
