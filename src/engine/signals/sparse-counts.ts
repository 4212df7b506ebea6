/**
 * The counters of a count-min sketch (`sketch/cms.ts`, conservative update) with the same
 * answers, stored sparsely while few of them are non-zero. Dense: width × depth numbers, as in
 * cms.ts (or more, restored after the config lowered them: read as dense, never misread). Sparse:
 * one number per non-zero counter, value × (width × depth) + counter, fewer than half of width ×
 * depth of them (values are whole numbers: adds are by whole numbers). A small seller's few buyers
 * touch a handful of the counters; the table turns dense when half of them are in use (adds then
 * stop copying, and a scan of the sparse numbers would cost more than an index).
 *
 * The counters may follow `from` numbers of the caller's own in the same array (kept, and copied
 * when an add makes a new array): one array instead of two, and the caller's fractions unboxed.
 */
import { cmsCell } from '../sketch/cms.js';
import { EMPTY } from '../sketch/lists.js';

export type Counts = readonly number[];

/** All counters zero (shared; adds return a new array). */
export const NO_COUNTS: Counts = EMPTY;

/** Index of the sparse number holding `cell`, or -1. */
function indexOf(t: Counts, n: number, cell: number, from: number): number {
  for (let i = from; i < t.length; i++) if (t[i]! % n === cell) return i;
  return -1;
}

function valueAt(t: Counts, n: number, cell: number, from: number): number {
  if (t.length - from >= n) return t[from + cell]!;
  const i = indexOf(t, n, cell, from);
  return i < 0 ? 0 : (t[i]! - cell) / n;
}

/** cmsEstimate: the smallest of the key's counters (which start at `from`). */
export function countsEstimate(t: Counts, width: number, depth: number, h1: number, h2: number, from = 0): number {
  const n = width * depth;
  let min = Infinity;
  for (let r = 0; r < depth; r++) {
    const v = valueAt(t, n, cmsCell(width, r, h1, h2), from);
    if (v < min) min = v;
  }
  return min;
}

/** Each row's counter of the key and where a sparse table holds it (−1: not held), for one add; depth ≤ 8. */
const cells = new Int32Array(8);
const held = new Int32Array(8);

/**
 * cmsAdd with a whole `inc` > 0: raises only the key's counters (which start at `from`) below the
 * new estimate. Returns the array (a new one when a sparse one grows).
 */
export function countsAdd(t: Counts, width: number, depth: number, h1: number, h2: number, inc = 1, from = 0): Counts {
  const n = width * depth;
  for (let r = 0; r < depth; r++) cells[r] = from + cmsCell(width, r, h1, h2);
  if (t.length - from >= n) {
    let est = Infinity;
    for (let r = 0; r < depth; r++) if (t[cells[r]!]! < est) est = t[cells[r]!]!;
    est += inc;
    for (let r = 0; r < depth; r++) if (t[cells[r]!]! < est) (t as number[])[cells[r]!] = est;
    return t;
  }
  for (let r = 0; r < depth; r++) cells[r] = cells[r]! - from;
  // Sparse: one pass finds the key's counters (a counter per number, so each number is read once).
  for (let r = 0; r < depth; r++) held[r] = -1;
  for (let i = from; i < t.length; i++) {
    const c = t[i]! % n;
    for (let r = 0; r < depth; r++) if (c === cells[r]) held[r] = i;
  }
  let est = Infinity;
  let added = 0;
  for (let r = 0; r < depth; r++) {
    const at = held[r]!;
    const v = at < 0 ? 0 : (t[at]! - cells[r]!) / n;
    if (v < est) est = v;
    if (at < 0) added++;
  }
  est += inc;
  // Raise the counters held in place, then add the new ones (each row has its own) with one new array.
  for (let r = 0; r < depth; r++) {
    const at = held[r]!;
    if (at >= 0 && t[at]! < est * n + cells[r]!) (t as number[])[at] = est * n + cells[r]!;
  }
  if (added === 0) return t;
  const dense = 2 * (t.length - from + added) >= n;
  const out = dense ? new Array<number>(from + n).fill(0) : new Array<number>(t.length + added);
  for (let i = 0; i < from; i++) out[i] = t[i]!;
  if (dense) {
    for (let i = from; i < t.length; i++) out[from + (t[i]! % n)] = (t[i]! - (t[i]! % n)) / n;
  } else for (let i = from; i < t.length; i++) out[i] = t[i]!;
  let w = t.length;
  for (let r = 0; r < depth; r++) {
    if (held[r]! >= 0) continue;
    if (dense) out[from + cells[r]!] = est;
    else out[w++] = est * n + cells[r]!;
  }
  return out;
}

/**
 * Counters in the layout of earlier snapshots (sparse [counter, value] pairs, or dense), in this
 * one. A pair outside the counters can only come from counters restored under other settings:
 * dropped.
 */
export function countsFromPairs(t: readonly number[], width: number, depth: number): Counts {
  const n = width * depth;
  // Dense is the same in both layouts; fewer than n numbers are fewer than n / 2 pairs, sparse here too.
  if (t.length >= n) return t;
  let kept = 0;
  for (let i = 0; i < t.length; i += 2) if (t[i]! >= 0 && t[i]! < n) kept++;
  if (kept === 0) return NO_COUNTS;
  const out = new Array<number>(kept);
  let w = 0;
  for (let i = 0; i < t.length; i += 2) if (t[i]! >= 0 && t[i]! < n) out[w++] = t[i + 1]! * n + t[i]!;
  return out;
}
