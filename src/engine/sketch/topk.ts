/**
 * Space-saving top-k (Metwally et al.) as plain JSON-able data: at most `cap` keys with counts
 * and the over-count bound each inherited on replacement. Any key whose true count exceeds
 * N / cap is guaranteed to be held. Ties are broken by key (code-unit order) both when choosing
 * which key to evict and when listing, so the result never depends on internal slot order.
 *
 * The arrays are replaced by exact-size ones, not pushed to, while filling up, because a small
 * seller's top-k is tiny and V8 would give pushed arrays 16 spare slots each; decay shrinks them
 * in place.
 */
import { EMPTY } from './lists.js';

export interface TopKState {
  keys: string[];
  /** count, error bound — two numbers per key. */
  counts: number[];
}

export interface TopKEntry {
  readonly key: string;
  readonly count: number;
  /** The count may exceed the key's true count by at most this much. */
  readonly error: number;
}

export function topkCreate(): TopKState {
  return { keys: [], counts: [] };
}

/** The count `key` certainly has (its count minus the over-count it inherited on replacement), 0 when not held. */
export function topkGuaranteed(s: TopKState, key: string): number {
  const i = s.keys.indexOf(key);
  return i < 0 ? 0 : s.counts[2 * i]! - s.counts[2 * i + 1]!;
}

/** Counts `key` once more (or `inc` more); returns its new (over-)estimated count. */
export function topkOffer(s: TopKState, key: string, cap: number, inc = 1): number {
  const i = s.keys.indexOf(key);
  if (i >= 0) return (s.counts[2 * i] = s.counts[2 * i]! + inc);
  const n = s.keys.length;
  if (n < cap) {
    const keys = new Array<string>(n + 1);
    const counts = new Array<number>(2 * n + 2);
    for (let j = 0; j < n; j++) {
      keys[j] = s.keys[j]!;
      counts[2 * j] = s.counts[2 * j]!;
      counts[2 * j + 1] = s.counts[2 * j + 1]!;
    }
    keys[n] = key;
    counts[2 * n] = inc;
    counts[2 * n + 1] = 0;
    s.keys = keys;
    s.counts = counts;
    return inc;
  }
  let victim = 0;
  for (let j = 1; j < n; j++) {
    const c = s.counts[2 * j]!;
    const v = s.counts[2 * victim]!;
    if (c < v || (c === v && s.keys[j]! > s.keys[victim]!)) victim = j;
  }
  const floor = s.counts[2 * victim]!;
  s.keys[victim] = key;
  s.counts[2 * victim + 1] = floor;
  return (s.counts[2 * victim] = floor + inc);
}

/**
 * Multiplies counts and error bounds by `factor`, dropping keys whose count falls below `floor`,
 * in place (the kept keys keep their order): a decayed top-k shrinks at nearly every order of a
 * small seller, and two new arrays each time were garbage. The arrays keep the capacity they had
 * (at most `cap` keys) until the next key is added. When no key is kept (a seller back after a
 * quiet spell) both become the shared empty list: no emptied arrays stay on idle sellers, and no
 * count is popped (each pop boxed a double). topkOffer never writes into an empty list.
 * `side`, when given, holds one number per key and is compacted in step.
 */
export function topkDecay(s: TopKState, factor: number, floor: number, side?: number[]): void {
  const { keys, counts } = s;
  let w = 0;
  for (let i = 0; i < keys.length; i++) {
    const c = counts[2 * i]! * factor;
    if (c < floor) continue;
    keys[w] = keys[i]!;
    counts[2 * w] = c;
    counts[2 * w + 1] = counts[2 * i + 1]! * factor;
    if (side !== undefined) side[w] = side[i]!;
    w++;
  }
  // A caller's per-key values, slot for slot with keys, are compacted alike (the caller replaces an emptied one).
  if (side !== undefined && side.length > w) side.length = w;
  if (w === 0) {
    if (keys.length > 0) {
      s.keys = EMPTY as never[];
      s.counts = EMPTY as never[];
    }
    return;
  }
  while (keys.length > w) keys.pop();
  while (counts.length > 2 * w) counts.pop();
}

/** The `n` heaviest keys, by count descending then key ascending. */
export function topkList(s: TopKState, n: number): TopKEntry[] {
  const out: TopKEntry[] = [];
  for (let i = 0; i < s.keys.length; i++) out.push({ key: s.keys[i]!, count: s.counts[2 * i]!, error: s.counts[2 * i + 1]! });
  out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out.slice(0, n);
}
