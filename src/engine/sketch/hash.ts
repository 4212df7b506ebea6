/**
 * Deterministic, allocation-free string hashes for sketches. Same input, same output on every
 * platform and Node version (no seeds from the environment).
 */

/** 32-bit FNV-1a over UTF-16 code units, seeded. */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so that low bits are usable as bucket indexes.
  return mix32(h);
}

/** A second, independent 32-bit hash of the same string (for double hashing: h1 + i*h2). */
export function hash32b(s: string): number {
  return hash32(s, 0x9747b28c);
}

/** Mixes an integer into a well-spread 32-bit value (murmur3 fmix32). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 64-bit fingerprint of `s` as two independent 32-bit halves (FNV-1a and a murmur-style mix, one
 * pass), written to out[0] and out[1] so the hot path allocates nothing. For tables that keep
 * fingerprints instead of the strings: two different strings collide with probability 2⁻⁶⁴.
 */
export function fingerprint64(s: string, out: Int32Array): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  out[0] = a ^ (a >>> 16);
  b = Math.imul(b ^ (b >>> 16), 0x7feb352d);
  b = Math.imul(b ^ (b >>> 15), 0x846ca68b);
  out[1] = b ^ (b >>> 16);
}
