/**
 * Space-saving top-k (Metwally et al.) as plain JSON-able data: at most `cap` keys with counts
 * and the over-count bound each inherited on replacement. Any key whose true count exceeds
 * N / cap is guaranteed to be held. Ties are broken by key (code-unit order) both when choosing
 * which key to evict and when listing, so the result never depends on internal slot order.
 *
 * A caller may keep numbers of its own per key in `counts` after each key's count and error
 * bound (`stride` numbers per key, default 2): they move with the key through decay, and one
 * array of unboxed doubles holds them all instead of a second array with a box per number.
 *
 * The arrays are replaced by exact-size ones, not pushed to, while filling up, because a small
 * seller's top-k is tiny and V8 would give pushed arrays 16 spare slots each; decay shrinks them
 * in place.
 */
import { EMPTY } from './lists.js';

export interface TopKState {
  keys: string[];
  /** count, error bound (then the caller's own numbers, `stride` numbers per key in all). */
  counts: number[];
}

/** A top-k's arrays and key count, taken before a topkDecay (see topkSlot). */
export interface TopKBefore extends TopKState {
  n: number;
}

export interface TopKEntry {
  readonly key: string;
  readonly count: number;
  /** The count may exceed the key's true count by at most this much. */
  readonly error: number;
}

/**
 * Counts `key` once more (or `inc` more) and returns its slot (its index in `keys`): a caller
 * reads the count and writes its own numbers there without looking the key up again. A key new to a slot has its own
 * numbers 0, an evicted key's are overwritten too.
 *
 * `hash`: a hash of the key, kept as its first own number (stride ≥ 3) and set here. The lookup
 * compares these, in the array it reads anyway, before a key: each key string lies elsewhere in
 * memory, and comparing the searched key with it reads it.
 *
 * `before`: the top-k's arrays and key count before a topkDecay that shortened them (or emptied the
 * top-k, leaving them untouched). V8 keeps a shortened array's capacity, so a new key is written
 * at their end in place instead of copying both into new arrays, and a top-k of one key that
 * decayed away takes its successor in the same arrays.
 */
export function topkSlot(s: TopKState, key: string, cap: number, inc = 1, stride = 2, before?: TopKBefore, hash?: number): number {
  const i = hash === undefined ? s.keys.indexOf(key) : find(s, key, stride, hash);
  if (i >= 0) {
    s.counts[stride * i] = s.counts[stride * i]! + inc;
    return i;
  }
  const n = s.keys.length;
  if (before !== undefined && n < cap && (n === 0 ? before.n === 1 : s.keys === before.keys && n < before.n))
    return place(s, before.keys, before.counts, n, key, inc, stride, hash);
  if (n < cap) {
    const keys = new Array<string>(n + 1);
    const counts = new Array<number>(stride * (n + 1));
    for (let j = 0; j < n; j++) keys[j] = s.keys[j]!;
    for (let j = 0; j < stride * n; j++) counts[j] = s.counts[j]!;
    return place(s, keys, counts, n, key, inc, stride, hash);
  }
  const victim = evictSlot(s.keys, s.counts, 0, stride);
  const at = stride * victim;
  const floor = s.counts[at]!;
  s.keys[victim] = key;
  s.counts[at] = floor + inc;
  s.counts[at + 1] = floor;
  for (let j = 2; j < stride; j++) s.counts[at + j] = 0;
  if (hash !== undefined) s.counts[at + 2] = hash;
  return victim;
}

/** Writes key `n` (count `inc`, its other numbers 0, the hash third when given) into these arrays, which become the top-k's. */
function place(s: TopKState, keys: string[], counts: number[], n: number, key: string, inc: number, stride: number, hash: number | undefined): number {
  keys[n] = key;
  counts[stride * n] = inc;
  for (let j = 1; j < stride; j++) counts[stride * n + j] = 0;
  if (hash !== undefined) counts[stride * n + 2] = hash;
  s.keys = keys;
  s.counts = counts;
  return n;
}

/** The slot of `key` whose hash (its first own number) is `hash`, or −1. */
function find(s: TopKState, key: string, stride: number, hash: number): number {
  const { keys, counts } = s;
  for (let j = 0; j < keys.length; j++) if (counts[stride * j + 2] === hash && keys[j] === key) return j;
  return -1;
}

/**
 * Multiplies counts and error bounds by `factor`, dropping keys whose count falls below `floor`,
 * in place (the kept keys keep their order, and their own numbers unscaled): a decayed top-k
 * shrinks at nearly every order of a small seller, and two new arrays each time were garbage.
 * The arrays keep the capacity they had (at most `cap` keys) until the next key is added. When
 * no key is kept (a seller back after a quiet spell) both become the shared empty list, the old
 * arrays untouched: no emptied arrays stay on idle sellers, and no count is popped (each pop
 * boxed a double). topkSlot never writes into an empty list.
 */
export function topkDecay(s: TopKState, factor: number, floor: number, stride = 2): void {
  const { keys, counts } = s;
  const w = decayKept(keys, counts, 0, stride, factor, floor);
  if (w === 0) {
    if (keys.length > 0) {
      s.keys = EMPTY as never[];
      s.counts = EMPTY as never[];
    }
    return;
  }
  if (keys.length > w) {
    keys.length = w;
    counts.length = stride * w;
  }
}

/**
 * The slot space-saving evicts when full: the smallest count, ties to the greatest key, so which
 * keys stay never depends on slot order. Key j's count is `counts[from + stride * j]`: a caller
 * may keep the numbers after numbers of its own (repeat_buyers).
 */
export function evictSlot(keys: readonly string[], counts: readonly number[], from: number, stride: number): number {
  let victim = 0;
  for (let j = 1; j < keys.length; j++) {
    const c = counts[from + stride * j]!;
    const v = counts[from + stride * victim]!;
    if (c < v || (c === v && keys[j]! > keys[victim]!)) victim = j;
  }
  return victim;
}

/**
 * topkDecay's pass, numbers from `from` on: counts and error bounds times `factor`, the keys below
 * `floor` dropped, the kept keys and their own numbers moved down in order. Returns how many are
 * kept; shortening the arrays is the caller's.
 */
export function decayKept(keys: string[], counts: number[], from: number, stride: number, factor: number, floor: number): number {
  let w = 0;
  for (let i = 0; i < keys.length; i++) {
    const c = counts[from + stride * i]! * factor;
    if (c < floor) continue;
    if (w < i) {
      keys[w] = keys[i]!;
      for (let j = 2; j < stride; j++) counts[from + stride * w + j] = counts[from + stride * i + j]!;
    }
    counts[from + stride * w] = c;
    counts[from + stride * w + 1] = counts[from + stride * i + 1]! * factor;
    w++;
  }
  return w;
}

/** The `n` heaviest keys, by count descending then key ascending. */
export function topkList(s: TopKState, n: number): TopKEntry[] {
  const out: TopKEntry[] = [];
  for (let i = 0; i < s.keys.length; i++) out.push({ key: s.keys[i]!, count: s.counts[2 * i]!, error: s.counts[2 * i + 1]! });
  out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out.slice(0, n);
}
