/**
 * Exact-size list updates for per-seller state. V8 gives an array that is pushed to at least 16
 * spare slots (8 bytes each), which for the many tiny lists of a small seller costs more than the
 * data; lists that change rarely (evidence, per-day summaries) are therefore replaced by a new
 * exact-size array instead of grown in place.
 */

/**
 * One shared, frozen empty list. A small seller's state has many lists that are usually empty;
 * starting them (and resetting them) as this costs a pointer each instead of an array each. Only
 * lists that are replaced, never mutated in place, may use it.
 */
export const EMPTY: readonly never[] = Object.freeze([]);

/** A new array: `list` plus `v` at the end, keeping at most the last `cap` items. */
export function appendCapped<T>(list: readonly T[], v: T, cap: number): T[] {
  const start = list.length >= cap ? list.length - cap + 1 : 0;
  const n = list.length - start;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[start + i]!;
  out[n] = v;
  return out;
}

/**
 * appendCapped that reuses a full list: once `list` holds `cap` items it slides in place, so a
 * list that fills early (an evidence sample appended to at nearly every order) stops making
 * garbage; while it grows it is still replaced by an exact-size copy. Only for a list its holder
 * alone refers to: whoever hands it out (a finding, which outlives the evaluation) hands out a copy.
 */
export function appendCappedOwned<T>(list: readonly T[], v: T, cap: number): T[] {
  if (list.length !== cap) return appendCapped(list, v, cap);
  const l = list as T[];
  for (let i = 1; i < cap; i++) l[i - 1] = l[i]!;
  l[cap - 1] = v;
  return l;
}

/** A new array without the first `k` items. */
export function dropFirst<T>(list: readonly T[], k: number): T[] {
  const n = Math.max(0, list.length - k);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = list[k + i]!;
  return out;
}

/*
 * The same for lists of numbers. V8 remembers, per `new Array` site, the kinds of values its arrays
 * got: the generic functions above also make lists of strings, so their arrays are made for any
 * value and box every number that is not a small integer (a packed time or fingerprint: 16 bytes
 * more each). Arrays made here only ever hold numbers, stored unboxed.
 */

/** appendCapped for numbers. */
export function appendCappedNumbers(list: readonly number[], v: number, cap: number): number[] {
  const start = list.length >= cap ? list.length - cap + 1 : 0;
  const n = list.length - start;
  const out = new Array<number>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[start + i]!;
  out[n] = v;
  return out;
}

/** dropFirst for numbers. */
export function dropFirstNumbers(list: readonly number[], k: number): number[] {
  const n = Math.max(0, list.length - k);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = list[k + i]!;
  return out;
}
