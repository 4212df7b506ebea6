/**
 * MinHash and SimHash over word shingles, for near-duplicate texts.
 *
 * Features are the hashes of a text's distinct words and word bigrams, so reordering a phrase or
 * swapping one word keeps most features. MinHash with k hash functions estimates the Jaccard
 * similarity of two feature sets; its b-bit form keeps only the low `bits` of each minimum
 * (Li & König), packed 32 bits to a number, which is what a bounded window of reviews can afford.
 * SimHash folds the same features into 64 bits (two 32-bit halves) compared by Hamming distance.
 */
import { hash32, mix32 } from './hash.js';

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased words of a text (letters and digits; punctuation and spaces split). */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Distinct hashes of the unigrams and bigrams of `ws`, ascending. */
export function shingleHashes(ws: readonly string[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < ws.length; i++) {
    const h = hash32(ws[i]!);
    out.push(h);
    // A bigram is an ordered pair; the rotation keeps (a, b) and (b, a) apart.
    if (i > 0) out.push(mix32((prev ^ ((h << 13) | (h >>> 19))) + 0x9e3779b9));
    prev = h;
  }
  out.sort((a, b) => a - b);
  let w = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[w - 1]) out[w++] = out[i]!;
  out.length = w;
  return out;
}

/** k minima, one per hash function h_i(f) = mix32(f + i·φ); all 0xffffffff for an empty set. */
export function minhash(features: readonly number[], k: number): number[] {
  const mins = new Array<number>(k).fill(0xffffffff);
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    for (let i = 0; i < k; i++) {
      const v = mix32((f + Math.imul(i + 1, 0x9e3779b9)) >>> 0);
      if (v < mins[i]!) mins[i] = v;
    }
  }
  return mins;
}

/** Share of equal minima: an unbiased estimate of the Jaccard similarity. */
export function jaccardEstimate(a: readonly number[], b: readonly number[]): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return a.length === 0 ? 0 : eq / a.length;
}

/** Packs the low `bits` (1, 2, 4, 8 or 16) of each minimum, 32 / bits minima per number. */
export function bbitPack(mins: readonly number[], bits: number): number[] {
  const per = 32 / bits;
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  const out = new Array<number>(Math.ceil(mins.length / per)).fill(0);
  for (let i = 0; i < mins.length; i++) {
    const w = Math.floor(i / per);
    out[w] = (out[w]! | ((mins[i]! & mask) << ((i % per) * bits))) >>> 0;
  }
  return out;
}

/**
 * Jaccard estimate from two b-bit signatures of k minima: unequal minima still agree on their
 * low bits with probability 2^−bits, which is corrected for.
 */
export function bbitJaccard(a: readonly number[], b: readonly number[], k: number, bits: number): number {
  const per = 32 / bits;
  const mask = (1 << bits) - 1;
  let eq = 0;
  for (let i = 0; i < k; i++) {
    const w = Math.floor(i / per);
    const shift = (i % per) * bits;
    if (((a[w]! >>> shift) & mask) === ((b[w]! >>> shift) & mask)) eq++;
  }
  const chance = 2 ** -bits;
  return Math.max(0, (eq / k - chance) / (1 - chance));
}

/** 64-bit SimHash of a feature set, as [high, low] unsigned 32-bit halves. */
export function simhash64(features: readonly number[]): [number, number] {
  const votes = new Int32Array(64);
  for (let j = 0; j < features.length; j++) {
    const lo = features[j]!;
    const hi = mix32(lo ^ 0x5bd1e995);
    for (let bit = 0; bit < 32; bit++) {
      votes[bit]! += (lo >>> bit) & 1 ? 1 : -1;
      votes[32 + bit]! += (hi >>> bit) & 1 ? 1 : -1;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (votes[bit]! > 0) lo |= 1 << bit;
    if (votes[32 + bit]! > 0) hi |= 1 << bit;
  }
  return [hi >>> 0, lo >>> 0];
}

export function popcount32(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function hamming64(a: readonly [number, number], b: readonly [number, number]): number {
  return popcount32(a[0] ^ b[0]) + popcount32(a[1] ^ b[1]);
}
