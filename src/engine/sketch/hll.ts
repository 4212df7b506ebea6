/**
 * HyperLogLog distinct counter with an exact small-set mode, as plain JSON-able data.
 *
 * Small sets (most sellers' buyers in a day) are kept exactly as an exact-size array of 32-bit
 * hashes, which costs less than registers until `exactCap`; beyond that the state becomes a string of 2^p
 * registers (one char each: '0' + rank). A string is compact in V8 (one byte per register) and
 * is rewritten only when a register grows, which after warm-up is rare. It is rewritten whole,
 * from char codes: slicing and concatenating made a tree of cons and sliced strings that V8
 * copied flat again at the next read.
 */

export type HllState = number[] | string;

/** Supported precisions: 2^4 … 2^12 registers (standard error ≈ 1.04 / √(2^p)). */
export const HLL_MIN_P = 4;
export const HLL_MAX_P = 12;
const ZERO = 48; // '0'

/** Adds a 32-bit hash. Returns the (possibly new) state: store it back. */
export function hllAdd(s: HllState, h: number, p: number, exactCap: number): HllState {
  const x = h >>> 0;
  if (typeof s !== 'string') {
    for (let i = 0; i < s.length; i++) if (s[i] === x) return s;
    if (s.length < exactCap) {
      // A new exact-size array: a pushed-to array would carry 16 spare slots per small seller.
      const out = new Array<number>(s.length + 1);
      for (let i = 0; i < s.length; i++) out[i] = s[i]!;
      out[s.length] = x;
      return out;
    }
    const codes = codesFor(p);
    codes.fill(ZERO);
    for (let i = 0; i < s.length; i++) raise(codes, s[i]!, p);
    raise(codes, x, p);
    return String.fromCharCode.apply(null, codes);
  }
  return setMax(s, x, p);
}

/** Estimated number of distinct hashes added (exact in small mode). */
export function hllCount(s: HllState, p: number): number {
  if (typeof s !== 'string') return s.length;
  return estimate(s, p);
}

/** Scratch char codes of 2^p registers, one array per precision (fromCharCode takes them all). */
const scratch: number[][] = [];
function codesFor(p: number): number[] {
  return (scratch[p] ??= new Array<number>(1 << p).fill(ZERO));
}

function rankOf(x: number, p: number): number {
  const w = (x << p) >>> 0;
  return w === 0 ? 32 - p + 1 : Math.clz32(w) + 1;
}

function raise(codes: number[], x: number, p: number): void {
  const idx = x >>> (32 - p);
  const c = ZERO + rankOf(x, p);
  if (codes[idx]! < c) codes[idx] = c;
}

function setMax(regs: string, x: number, p: number): string {
  const idx = x >>> (32 - p);
  const r = rankOf(x, p);
  if (regs.charCodeAt(idx) - ZERO >= r) return regs;
  const codes = codesFor(p);
  for (let i = 0; i < codes.length; i++) codes[i] = regs.charCodeAt(i);
  codes[idx] = ZERO + r;
  return String.fromCharCode.apply(null, codes);
}

function estimate(regs: string, p: number): number {
  const m = 1 << p;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const r = regs.charCodeAt(i) - ZERO;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
  const raw = (alpha * m * m) / sum;
  // Linear counting is the better estimator while many registers are still empty.
  if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
  return raw;
}
