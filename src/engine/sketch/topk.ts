/**
 * Space-saving top-k (Metwally et al.) as plain JSON-able data: at most `cap` keys with counts
 * and the over-count bound each inherited on replacement. Any key whose true count exceeds
 * N / cap is guaranteed to be held. Ties are broken by key (code-unit order) both when choosing
 * which key to evict and when listing, so the result never depends on internal slot order.
 */

export interface TopKState {
  readonly keys: string[];
  readonly counts: number[];
  readonly errors: number[];
}

export interface TopKEntry {
  readonly key: string;
  readonly count: number;
  /** The count may exceed the key's true count by at most this much. */
  readonly error: number;
}

export function topkCreate(): TopKState {
  return { keys: [], counts: [], errors: [] };
}

/** Counts `key` once more (or `inc` more); returns its new (over-)estimated count. */
export function topkOffer(s: TopKState, key: string, cap: number, inc = 1): number {
  const i = s.keys.indexOf(key);
  if (i >= 0) return (s.counts[i] = s.counts[i]! + inc);
  if (s.keys.length < cap) {
    s.keys.push(key);
    s.counts.push(inc);
    s.errors.push(0);
    return inc;
  }
  let victim = 0;
  for (let j = 1; j < s.keys.length; j++) {
    const c = s.counts[j]!;
    const v = s.counts[victim]!;
    if (c < v || (c === v && s.keys[j]! > s.keys[victim]!)) victim = j;
  }
  const base = s.counts[victim]!;
  s.keys[victim] = key;
  s.errors[victim] = base;
  return (s.counts[victim] = base + inc);
}

/** Multiplies counts and error bounds by `factor`, dropping keys whose count falls below `floor`. */
export function topkDecay(s: TopKState, factor: number, floor: number): void {
  let w = 0;
  for (let i = 0; i < s.keys.length; i++) {
    const c = s.counts[i]! * factor;
    if (c < floor) continue;
    s.keys[w] = s.keys[i]!;
    s.counts[w] = c;
    s.errors[w] = s.errors[i]! * factor;
    w++;
  }
  s.keys.length = w;
  s.counts.length = w;
  s.errors.length = w;
}

/** The `n` heaviest keys, by count descending then key ascending. */
export function topkList(s: TopKState, n: number): TopKEntry[] {
  const out: TopKEntry[] = [];
  for (let i = 0; i < s.keys.length; i++) out.push({ key: s.keys[i]!, count: s.counts[i]!, error: s.errors[i]! });
  out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out.slice(0, n);
}
