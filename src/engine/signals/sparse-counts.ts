/**
 * The counters of a count-min sketch (`sketch/cms.ts`, conservative update) with the same
 * answers, stored sparsely while few of them are non-zero. Dense: exactly width × depth numbers,
 * as in cms.ts. Sparse: [counter, value, counter, value, …], fewer than width × depth numbers, only
 * the non-zero counters. A small seller's few buyers touch a handful of the counters; the table
 * turns dense when half of them are in use (dense is then no bigger, and adds stop copying).
 */
import { cmsCell } from '../sketch/cms.js';
import { EMPTY } from '../sketch/lists.js';

export type Counts = readonly number[];

/** All counters zero (shared; adds return a new array). */
export const NO_COUNTS: Counts = EMPTY;

function valueAt(t: Counts, n: number, cell: number): number {
  if (t.length === n) return t[cell]!;
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
  let out = t;
  for (let r = 0; r < depth; r++) {
    const c = cmsCell(width, r, h1, h2);
    if (valueAt(out, n, c) < est) out = set(out, n, c, est);
  }
  return out;
}

function set(t: Counts, n: number, cell: number, v: number): Counts {
  if (t.length === n) {
    (t as number[])[cell] = v;
    return t;
  }
  for (let i = 0; i < t.length; i += 2)
    if (t[i] === cell) {
      (t as number[])[i + 1] = v;
      return t;
    }
  if (t.length + 2 >= n) {
    const dense = new Array<number>(n).fill(0);
    for (let i = 0; i < t.length; i += 2) dense[t[i]!] = t[i + 1]!;
    dense[cell] = v;
    return dense;
  }
  const out = new Array<number>(t.length + 2);
  for (let i = 0; i < t.length; i++) out[i] = t[i]!;
  out[t.length] = cell;
  out[t.length + 1] = v;
  return out;
}
