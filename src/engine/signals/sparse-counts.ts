/**
 * The counters of a count-min sketch (`sketch/cms.ts`, conservative update) with the same
 * answers, stored sparsely while few of them are non-zero. Dense: width × depth numbers, as in
 * cms.ts (or more, restored after the config lowered them: read as dense, never misread). Sparse: [counter, value, counter, value, …], fewer than width × depth numbers, only
 * the non-zero counters. A small seller's few buyers touch a handful of the counters; the table
 * turns dense when half of them are in use (dense is then no bigger, and adds stop copying).
 */
import { cmsCell } from '../sketch/cms.js';
import { EMPTY } from '../sketch/lists.js';

export type Counts = readonly number[];

/** All counters zero (shared; adds return a new array). */
export const NO_COUNTS: Counts = EMPTY;

function valueAt(t: Counts, n: number, cell: number): number {
  if (t.length >= n) return t[cell]!;
  for (let i = 0; i < t.length; i += 2) if (t[i] === cell) return t[i + 1]!;
  return 0;
}

/** cmsEstimate: the smallest of the key's counters. */
export function countsEstimate(t: Counts, width: number, depth: number, h1: number, h2: number): number {
  const n = width * depth;
  let min = Infinity;
  for (let r = 0; r < depth; r++) {
    const v = valueAt(t, n, cmsCell(width, r, h1, h2));
    if (v < min) min = v;
  }
  return min;
}

/** cmsAdd with `inc` > 0: raises only the key's counters below the new estimate. Returns the counters (a new array when a sparse one grows). */
export function countsAdd(t: Counts, width: number, depth: number, h1: number, h2: number, inc = 1): Counts {
  const n = width * depth;
  const est = countsEstimate(t, width, depth, h1, h2) + inc;
  if (t.length >= n) {
    for (let r = 0; r < depth; r++) {
      const c = cmsCell(width, r, h1, h2);
      if (t[c]! < est) (t as number[])[c] = est;
    }
    return t;
  }
  // Sparse: raise the counters held in place, then add the new ones (each row has its own) with one new array.
  let added = 0;
  for (let r = 0; r < depth; r++) {
    const c = cmsCell(width, r, h1, h2);
    const at = indexOf(t, c);
    if (at >= 0) {
      if (t[at + 1]! < est) (t as number[])[at + 1] = est;
    } else added++;
  }
  if (added === 0) return t;
  const dense = t.length + 2 * added >= n;
  const out = dense ? new Array<number>(n).fill(0) : new Array<number>(t.length + 2 * added);
  // A pair outside the counters can only come from counters restored under other settings: dropped.
  if (dense) {
    for (let i = 0; i < t.length; i += 2) if (t[i]! >= 0 && t[i]! < n) out[t[i]!] = t[i + 1]!;
  } else for (let i = 0; i < t.length; i++) out[i] = t[i]!;
  let w = t.length;
  for (let r = 0; r < depth; r++) {
    const c = cmsCell(width, r, h1, h2);
    if (indexOf(t, c) >= 0) continue;
    if (dense) out[c] = est;
    else {
      out[w++] = c;
      out[w++] = est;
    }
  }
  return out;
}

function indexOf(t: Counts, cell: number): number {
  for (let i = 0; i < t.length; i += 2) if (t[i] === cell) return i;
  return -1;
}

